"""Rates and the monthly ranking of advisors (签约率 · 续费率 · 排名 · 优秀学管师团队), counted from the records.

- 签约率 (signing rate) of a period: of the leads that came to the campus in the period (their first 已上门 or
  已试听 step, whichever came first: a lead may go straight to a trial; a walk-in came on its inquiry day), the share that reached 已签约 by the
  period's last day. Credited to the lead's advisor. None when nobody came.
- 续费率 (renewal rate) of a period: of the students whose course ended in the period (a 结课 change) or whose hours
  ran out in it (a lesson took their balance, all subjects together, from above zero to zero or below; a refund
  emptying it is a departure, not this), the share who signed a renewal or added-subject contract from RENEW_BEFORE
  days before that day to RENEW_AFTER days after it. A student with both events counts once, at the later day.
  Credited to the student's advisor. None when nobody's course ended or hours ran out.
- The ranking orders the advisors by the amount they signed in the month (新签 + 续费 + 扩科 + 转介绍), then by
  the number of contracts, then by name.
- 优秀学管师团队 (handbook 第2篇 五): the campus met its targets, no complaint was received in the month, and the
  advisors run on average at least TEAM_CLASSES classes.
"""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from peewee import fn

from xgapp import clock
from xgapp.classes.models import SchoolClass, StudentChange
from xgapp.complaints import domain as complaint_register
from xgapp.contracts.models import Contract
from xgapp.hours.models import RunOut
from xgapp.leads.models import Lead, LeadStep
from xgapp.numbers import daily, targets
from xgapp.students.models import Student

RENEW_BEFORE, RENEW_AFTER = 30, 14
TEAM_CLASSES = 2


def ratio(part, whole):
    """part / whole as a percentage to a tenth (Decimal), or None when whole is nothing."""
    return None if not whole else (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.1"))


def signing(first, last):
    """{advisor id: (signed, came)} of leads that first came to the campus from `first` to `last` (two queries)."""
    came = fn.MIN(LeadStep.on)
    visited = {lead: advisor for lead, advisor, _ in
               LeadStep.select(LeadStep.lead, Lead.advisor, came).join(Lead)
               .where(LeadStep.stage.in_(["visited", "trial"])
                      | ((LeadStep.stage == "inquiry") & (Lead.channel == daily.WALK_IN)))
               .group_by(LeadStep.lead, Lead.advisor)
               .having(came.between(first, last)).tuples()}
    signed = {lead for (lead,) in LeadStep.select(LeadStep.lead)
              .where(LeadStep.stage == "signed", LeadStep.on <= last, LeadStep.lead.in_(list(visited))).tuples()} \
        if visited else set()
    found = defaultdict(lambda: [0, 0])
    for lead, advisor_id in visited.items():
        found[advisor_id][1] += 1
        found[advisor_id][0] += lead in signed
    return {a: tuple(v) for a, v in found.items()}


def ran_out(first, last):
    """{student id: (advisor id, day)} of students whose hours ran out from `first` to `last`: a consumption took
    their balance (all subjects) from above zero to zero or below; the last such day.

    One query over the facts the ledger keeps (hours.models.RunOut, by its time index): it reads the period's
    run-outs only, however many years of history the campus has."""
    start, end = clock.days_bounds(first, last)
    latest = fn.MAX(RunOut.at)
    rows = (RunOut.select(RunOut.student, Student.advisor, latest.python_value(RunOut.at.python_value))
            .join(Student, on=(RunOut.student == Student.id))
            .where(RunOut.at >= start, RunOut.at < end)
            .group_by(RunOut.student, Student.advisor).tuples())
    return {student_id: (advisor_id, clock.local(at).date()) for student_id, advisor_id, at in rows}


def renewal(first, last):
    """{advisor id: (renewed, due)} of students whose course ended or whose hours ran out from `first` to `last`
    (three queries)."""
    ends = ran_out(first, last)
    for student_id, advisor_id, on in (StudentChange.select(StudentChange.student, Student.advisor,
                                                            fn.MAX(StudentChange.effective_on))
                                       .join(Student, on=(StudentChange.student == Student.id))
                                       .where(StudentChange.kind == "finish",
                                              StudentChange.effective_on.between(first, last))
                                       .group_by(StudentChange.student, Student.advisor).tuples()):
        if student_id not in ends or ends[student_id][1] < on:
            ends[student_id] = (advisor_id, on)
    renewed = set()
    if ends:
        for student_id, signed_on in (Contract.select(Contract.student, Contract.signed_on)
                                      .where(Contract.student.in_(list(ends)),
                                             Contract.kind.in_(["renewal", "expansion"]),
                                             Contract.signed_on.between(first - timedelta(days=RENEW_BEFORE),
                                                                        last + timedelta(days=RENEW_AFTER)))
                                      .tuples()):
            end = ends[student_id][1]
            if end - timedelta(days=RENEW_BEFORE) <= signed_on <= end + timedelta(days=RENEW_AFTER):
                renewed.add(student_id)
    found = defaultdict(lambda: [0, 0])
    for student_id, (advisor_id, _) in ends.items():
        found[advisor_id][1] += 1
        found[advisor_id][0] += student_id in renewed
    return {a: tuple(v) for a, v in found.items()}


def complaints(first, last):
    """{advisor id: complaints received} in the period, by the student's advisor (None: a complaint without a
    student): the complaint register, not the 投诉回复 follow-ups (those are calls answering one)."""
    return complaint_register.month_counts(first, last)


def running_classes():
    """{advisor id: classes running now}."""
    return dict(SchoolClass.select(SchoolClass.advisor, fn.COUNT(SchoolClass.id))
                .where(SchoolClass.status == "running").group_by(SchoolClass.advisor).tuples())


def month_ranking(month, today=None):
    """The month's figures per advisor, ranked; with the campus's rates and the team criteria."""
    first, last = clock.month_start(month), clock.month_last(month)
    campus = daily.campus_day(first, last)
    signs, renews = signing(first, last), renewal(first, last)
    moans, classes = complaints(first, last), running_classes()
    progress = {who.id if who else None: cells
                for who, cells in targets.progress(month, today, campus=campus)["rows"]}
    rows = []
    for advisor, figures in campus["by_advisor"]:
        signed, visited = signs.get(advisor.id, (0, 0))
        renewed, ended = renews.get(advisor.id, (0, 0))
        goals = [c for c in progress.get(advisor.id, {}).values() if c["target"] is not None]
        rows.append({"advisor": advisor, "amount": figures["contracts_amount"], "contracts": figures["contracts_count"],
                     "revenue": figures["revenue"], "hours": figures["hours_consumed"],
                     "signing": (signed, visited, ratio(signed, visited)),
                     "renewal": (renewed, ended, ratio(renewed, ended)),
                     "targets_met": all(c["actual"] >= c["target"] for c in goals) if goals else None,
                     "complaints": moans.get(advisor.id, 0), "classes": classes.get(advisor.id, 0)})
    rows.sort(key=lambda r: (-r["amount"], -r["contracts"], r["advisor"].display_name))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    signed_all = sum(v[0] for v in signs.values())
    visited_all = sum(v[1] for v in signs.values())
    renewed_all = sum(v[0] for v in renews.values())
    ended_all = sum(v[1] for v in renews.values())
    campus_goals = [c for c in progress.get(None, {}).values() if c["target"] is not None]
    average = (Decimal(sum(r["classes"] for r in rows)) / len(rows)).quantize(Decimal("0.1")) if rows else None
    team = {"targets_met": all(c["actual"] >= c["target"] for c in campus_goals) if campus_goals else None,
            "complaints": sum(moans.values()), "average_classes": average}
    team["excellent"] = bool(team["targets_met"] and not team["complaints"] and average is not None
                             and average >= TEAM_CLASSES)
    return {"month": month, "rows": rows, "campus": campus, "team": team,
            "signing": (signed_all, visited_all, ratio(signed_all, visited_all)),
            "renewal": (renewed_all, ended_all, ratio(renewed_all, ended_all))}
