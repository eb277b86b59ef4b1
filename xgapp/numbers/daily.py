"""An advisor's day in numbers, counted from the records, for one advisor or the whole campus.

Handbook, 学管师日工作轴: 统计当天咨询电话、上门量、回访量、邀约量、签约量、续班的数据; 每日将剩余课次在4课时以内班级统计.

`advisor_day(advisor, day)` and `campus_day(day)` return a dict (every key is always present; an empty day gives
zeros and empty lists):

- ``day`` (date) and ``advisor`` (the User; None for the campus);
- ``inquiries`` (int, 咨询电话): leads that came in by phone (channel 热线) on the day; a walk-in, a referral or
  any other channel is no phone call;
- ``visits`` (int, 上门): leads that came to the campus on the day: a 已上门 step, or a walk-in inquiry (channel
  上门) — a lead counted once a day even when both;
- ``invitations``, ``trials`` (int): leads reaching 已邀约 / 已试听 on the day;
  all four count steps dated `day` (LeadStep.on), credited to the lead's advisor;
- ``followups`` (int): 回访 logged by the advisor whose time falls on the campus-local day;
- ``contracts`` ({kind: {"count": int, "amount": Decimal}}, every kind of contracts.KINDS): contracts signed on
  the day, credited to the contract's advisor; the same cells are also under each kind's own key (``new``,
  ``renewal``, ``expansion``, ``referral``: ``figures["renewal"]["count"]``); ``contracts_count`` (int) and
  ``contracts_amount`` (Decimal) are their totals. A contract later refunded still counts on the day it was
  signed (there is no void status); ``new_students`` (int): students whose first contract, of any kind, was signed
  on the day (credited to that contract's advisor);
- ``revenue`` (Decimal): money taken on the day (Payment.day) on the advisor's contracts, refunds subtracting;
- ``hours_consumed`` (Decimal, hours used counted positive; a correction giving hours back subtracts): 课消 of
  the advisor's students (the student's current advisor) — a roll call counts on its lesson's day (even when
  confirmed later), manual consumption and corrections on the campus-local day they were booked; the same rule
  as the month's figures (classes.figures.month_figures);
- ``low_classes`` ([(SchoolClass, int)]): the advisor's running classes with LOW_LESSONS or fewer lessons
  (not cancelled) scheduled after `day`, fewest left first, then by name;
- ``followup_rows`` ([FollowUp]): the day's follow-ups with ``.student`` and ``.advisor`` loaded, by time (a
  period longer than a day only counts them: the list stays empty);
- ``manual`` ({kind: int}, every kind of numbers.manual.KINDS): what the advisor tapped in by hand (热线 calls
  that never became a lead), kept apart from the counted figures.

`campus_day` sums every advisor's activity (also that credited to staff who are not, or no longer, active
advisors, and the consumption of students without an advisor) and adds ``by_advisor``: [(User, dict)] for every
active advisor, by name. Either takes a fixed number of queries, however many advisors there are.
"""

from peewee import JOIN, Case, fn

from xgapp import clock
from xgapp.accounts.models import User
from xgapp.classes import domain as classes_domain
from xgapp.classes.models import Attendance, Lesson, SchoolClass
from xgapp.contracts.domain import KINDS
from xgapp.contracts.models import Contract, Payment
from xgapp.db import hours_sum, money_sum
from xgapp.followups.models import FollowUp
from xgapp.hours.models import HourEntry
from xgapp.leads.models import Lead, LeadStep
from xgapp.numbers import manual
from xgapp.students import domain as students
from xgapp.students.models import Student

STAGES = {"inquiry": "inquiries", "invited": "invitations", "visited": "visits", "trial": "trials"}
LEAD_COUNTS = ("inquiries", "invitations", "visits", "trials")
PHONE, WALK_IN = "hotline", "walkin"  # students.SOURCES: the channels 咨询电话 and 上门 count
LOW_LESSONS = 4  # 每日将剩余课次在4课时以内班级统计
COUNTS = ("inquiries", "invitations", "visits", "trials", "followups", "contracts_count", "new_students")
SUMS = ("contracts_amount", "revenue", "hours_consumed")




def blank(day, advisor=None):
    """The figures of a day with nothing in it."""
    cells = {kind: {"count": 0, "amount": money_sum(0)} for kind in KINDS}
    figures = {"day": day, "advisor": advisor, "contracts": cells, **cells,
               "contracts_amount": money_sum(0), "revenue": money_sum(0), "hours_consumed": hours_sum(0),
               "low_classes": [], "followup_rows": [], "manual": {kind: 0 for kind in manual.KINDS}}
    figures.update((name, 0) for name in COUNTS)
    return figures


def _counted():
    """What each lead counter counts, in the order of LEAD_COUNTS: 咨询电话 are inquiries by phone (a walk-in or a
    referral is no phone call); 上门 are leads that came to the campus, by invitation (已上门) or walking in."""
    step, channel = LeadStep.stage, Lead.channel
    return [(step == "inquiry") & (channel == PHONE), step == "invited",
            (step == "visited") | ((step == "inquiry") & (channel == WALK_IN)), step == "trial"]


def _mine(query, column, advisor):
    return query if advisor is None else query.where(column == advisor)


def _gather(day, advisor=None, last=None):
    """{advisor id: figures} of everyone with something from `day` to `last` (default: that day only; only
    `advisor`'s when given).

    Nine grouped queries in all; the key None holds the consumption of students without an advisor.
    """
    last = last or day
    found = {}

    def of(advisor_id):
        if advisor_id not in found:
            found[advisor_id] = blank(day)
        return found[advisor_id]

    counters = [fn.COUNT(fn.DISTINCT(Case(None, [(matches, LeadStep.lead)], None))) for matches in _counted()]
    steps = (LeadStep.select(Lead.advisor, *counters).join(Lead)
             .where(LeadStep.on.between(day, last), LeadStep.stage.in_(list(STAGES)))
             .group_by(Lead.advisor))
    for advisor_id, *numbers in _mine(steps, Lead.advisor, advisor).tuples():
        of(advisor_id).update(zip(LEAD_COUNTS, numbers))

    signed = (Contract.select(Contract.advisor, Contract.kind, fn.COUNT(Contract.id), fn.SUM(Contract.amount))
              .where(Contract.signed_on.between(day, last)).group_by(Contract.advisor, Contract.kind))
    for advisor_id, kind, n, total in _mine(signed, Contract.advisor, advisor).tuples():
        figures = of(advisor_id)
        amount = money_sum(total)
        cell = figures["contracts"].setdefault(kind, {"count": 0, "amount": money_sum(0)})  # updated in place:
        cell.update(count=n, amount=amount)  # figures[kind] is the same cell
        figures["contracts_count"] += n
        figures["contracts_amount"] += amount

    # new students: those whose first contract (of any kind: a referred family's first is a 转介绍) is in the period
    firsts = Contract.select(fn.MIN(Contract.id).alias("first_id")).group_by(Contract.student)
    newcomers = (Contract.select(Contract.advisor, fn.COUNT(Contract.id))
                 .join(firsts, on=(Contract.id == firsts.c.first_id))
                 .where(Contract.signed_on.between(day, last)).group_by(Contract.advisor))
    for advisor_id, n in _mine(newcomers, Contract.advisor, advisor).tuples():
        of(advisor_id)["new_students"] = n

    money = (Payment.select(Contract.advisor, fn.SUM(Payment.amount)).join(Contract)
             .where(Payment.day.between(day, last)).group_by(Contract.advisor))
    for advisor_id, total in _mine(money, Contract.advisor, advisor).tuples():
        of(advisor_id)["revenue"] = money_sum(total)

    # 课消: roll calls on the lesson's day; other consumption and corrections (negative rows) when booked
    start, end = clock.days_bounds(day, last)
    # the period's lessons first, then their marks (CROSS JOIN fixes the order: filtered by advisor, SQLite would
    # otherwise start from her students and read every mark of their lives)
    roll_calls = (Lesson.select(Student.advisor, fn.SUM(Attendance.hours))
                  .join(Attendance, JOIN.CROSS).join(Student, JOIN.CROSS)
                  .where(Attendance.lesson == Lesson.id, Attendance.student == Student.id,
                         Lesson.day.between(day, last)).group_by(Student.advisor))
    for advisor_id, total in _mine(roll_calls, Student.advisor, advisor).tuples():
        of(advisor_id)["hours_consumed"] += hours_sum(total)
    booked = (HourEntry.select(Student.advisor, fn.SUM(HourEntry.hours)).join(Student, JOIN.CROSS)  # by time first
              .where(HourEntry.student == Student.id, HourEntry.kind.in_(["consume", "correction"]),
                     HourEntry.at >= start, HourEntry.at < end, ~HourEntry.source.startswith("lesson:"))
              .group_by(Student.advisor))
    for advisor_id, total in _mine(booked, Student.advisor, advisor).tuples():
        of(advisor_id)["hours_consumed"] -= hours_sum(total)

    if last == day:  # a day lists its follow-ups; a period only counts them
        rows = (FollowUp.select(FollowUp, Student, User)
                .join(Student, on=(FollowUp.student == Student.id), attr="student").switch(FollowUp)
                .join(User, on=(FollowUp.advisor == User.id), attr="advisor")
                .where(FollowUp.at >= start, FollowUp.at < end).order_by(FollowUp.at, FollowUp.id))
        for row in _mine(rows, FollowUp.advisor, advisor):
            figures = of(row.advisor_id)
            figures["followup_rows"].append(row)
            figures["followups"] += 1
    else:
        counted = (FollowUp.select(FollowUp.advisor, fn.COUNT(FollowUp.id))
                   .where(FollowUp.at >= start, FollowUp.at < end).group_by(FollowUp.advisor))
        for advisor_id, n in _mine(counted, FollowUp.advisor, advisor).tuples():
            of(advisor_id)["followups"] = n

    left = fn.COUNT(Lesson.id)
    classes = (SchoolClass.select(SchoolClass, left.alias("lessons_left"))
               .join(Lesson, JOIN.LEFT_OUTER, on=((Lesson.klass == SchoolClass.id) & (Lesson.day > last)
                                                  & (Lesson.status != "cancelled")))
               .where(SchoolClass.status == "running", classes_domain.on_timetable())
               .group_by(SchoolClass.id).having(left <= LOW_LESSONS)
               .order_by(left, SchoolClass.name, SchoolClass.id))
    for klass in _mine(classes, SchoolClass.advisor, advisor):
        of(klass.advisor_id)["low_classes"].append((klass, klass.lessons_left))
    for advisor_id, tapped in manual.counts(day, advisor, last).items():
        of(advisor_id)["manual"].update(tapped)
    return found


def advisor_day(advisor, day):
    """One advisor's figures of `day` (see the module's docstring for the keys)."""
    figures = _gather(day, advisor).get(advisor.id) or blank(day)
    figures["advisor"] = advisor
    return figures


def advisor_period(advisor, first, last):
    """One advisor's figures from `first` to `last` (a week, a month): the same keys as a day."""
    figures = _gather(first, advisor, last).get(advisor.id) or blank(first)
    figures["advisor"] = advisor
    return figures


def campus_day(day, last=None):
    """The campus's figures of `day` (to `last` for a period; every advisor's summed) with ``by_advisor``:
    [(advisor, figures)]."""
    found = _gather(day, last=last)
    total = blank(day)
    for figures in found.values():
        for name in COUNTS + SUMS:
            total[name] += figures[name]
        for kind, cell in figures["contracts"].items():
            sums = total["contracts"].setdefault(kind, {"count": 0, "amount": money_sum(0)})
            sums["count"] += cell["count"]
            sums["amount"] += cell["amount"]
        total["low_classes"] += figures["low_classes"]
        for kind, n in figures["manual"].items():
            total["manual"][kind] = total["manual"].get(kind, 0) + n
        total["followup_rows"] += figures["followup_rows"]
    total["low_classes"].sort(key=lambda row: (row[1], row[0].name, row[0].id))
    total["followup_rows"].sort(key=lambda row: (row.at, row.id))
    total["by_advisor"] = [(a, dict(found.get(a.id) or blank(day), advisor=a)) for a in students.advisors()]
    return total
