"""The first screen's panels as domain reads: one function per panel, returning plain values for its partial
(`templates/home/_<panel>.html`). Which panels a user gets is `policy.home_panels(user)`.

Every read takes the user and the campus day; the page calls only the reads of the panels the user gets.
"""

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _

from xgapp import clock, policy, scheduler
from xgapp.attendance import domain as attendance
from xgapp.campus import rules
from xgapp.changes import domain as changes
from xgapp.classes import domain as classes
from xgapp.complaints import domain as complaints
from xgapp.complaints.models import Complaint
from xgapp.contracts.models import Refund
from xgapp.followups import domain as followups
from xgapp.hours import domain as hours
from xgapp.leads.domain import CLOSED
from xgapp.leads.models import Lead
from xgapp.meetings import briefings, parents
from xgapp.notices import domain as notice_box
from xgapp.numbers import charts, daily, targets, trends
from xgapp.selfstudy import domain as selfstudy
from xgapp.selfstudy import questions
from xgapp.students.models import Student

LOW_SHOWN = 20  # low-balance students listed on the first screen (the rest behind "all of them")
TREND_DAYS = 30


def study_overdue(user, today):
    """Children still signed in to the study room after closing time, each with whether `user` may resolve it."""
    return {"visits": [(visit, policy.may_resolve_visit(user, visit)) for visit in selfstudy.overdue()]}


def complaints_due(user, today):
    """Complaints past a deadline (the user's own; the principal's and supervisor's: every one), and how many
    serious ones are open (those reach the principal's screen the moment they are received)."""
    found = complaints.waiting(policy.complaints_due_scope(user, Complaint.select()))
    found["leader"] = policy.has_role(user, "principal", "supervisor")
    return found


def campus_numbers(user, today):
    """The leaders' numbers: the campus's day, refunds waiting, the month's complaints, classes at risk, who is short
    of this month's targets, and the last 30 days of signings and money taken."""
    series = trends.daily_series(today - timedelta(days=TREND_DAYS - 1), today)
    month = targets.progress(clock.month_start(today), today)
    shortfalls = [(who, targets.KINDS[kind][0], cell) for who, cells in month["rows"] if who is not None
                  for kind, cell in cells.items() if cell["missing"]]
    start = clock.month_bounds(today)[0]
    return {"figures": daily.campus_day(today), "briefing_risk": briefings.at_risk(user, today),
            "trend_signed": charts.bars([(d.strftime("%m-%d"), s) for d, s, _r in series],
                                        _("Amount signed, last 30 days"), money=True),
            "trend_revenue": charts.bars([(d.strftime("%m-%d"), r) for d, _s, r in series],
                                         _("Money taken, last 30 days"), colour="#1a8f4a", money=True),
            "refunds_pending": Refund.select().where(Refund.status == "pending").count(),
            "shortfalls": shortfalls, "month_days_left": month["days_left"],
            "complaints_month": Complaint.select().where(Complaint.received_at >= start).count()}


def my_numbers(user, today):
    """An advisor's own day, her month against the target and the leads she should call by today."""
    progress = targets.progress(clock.month_start(today), today, advisor=user)
    return {"figures": daily.advisor_day(user, today), "progress": progress, "mine": progress["rows"][0][1],
            "target_kinds": targets.KINDS,
            "leads_due": Lead.select().where(Lead.advisor == user, Lead.stage.not_in(CLOSED),
                                             Lead.next_contact <= today).count()}


def in_room(user, today):
    """Who is in the study room now (the front desk's first screen)."""
    return {"rows": selfstudy.in_room()}


def followups_due(user, today):
    """How many of the user's follow-up tasks are due by today, and how many of them are overdue."""
    due, overdue = followups.open_counts(user, today)
    return {"due": due, "overdue": overdue,
            "coming": scheduler.daily_pending(current_app.config["XGAPP_PATHS"], today)}


def plans_due(user, today):
    """The teaching plans a teacher still owes after parent meetings."""
    return {"plans": parents.plans_for_teacher(user)}


def my_questions(user, today):
    """Study-room questions handed to the user and still open."""
    return {"questions": questions.open_for(user)}


def notices(user, today):
    """The user's unread notices."""
    return {"notices": notice_box.unread(user)}


def resumptions(user, today):
    """Suspensions ending soon among the user's students (call the family about coming back)."""
    return {"changes": changes.resumptions_due(user)}


def lessons(user, today):
    """The user's lessons of today (the roll calls to take)."""
    return {"lessons": attendance.today_lessons(user)}


def low_classes(user, today):
    """The user's classes with few hours left (the campus rule `low_hours`)."""
    threshold = rules.get("low_hours")
    return {"low": classes.low_hour_classes(user, threshold), "threshold": threshold}


def low_students(user, today):
    """The user's active students with `low_hours` or fewer left in a subject: the first LOW_SHOWN by name, whether
    there are more, and their balances."""
    threshold = rules.get("low_hours")
    mine = policy.students_visible_to(user, Student.select(Student.id).where(Student.status == "active"))
    low = list(policy.students_visible_to(user).where(Student.id.in_(hours.low_balance_students(threshold, mine)),
                                            Student.status == "active")
               .order_by(Student.name).limit(LOW_SHOWN + 1))
    return {"students": low[:LOW_SHOWN], "more": len(low) > LOW_SHOWN, "threshold": threshold,
            "balances": hours.balances_for([s.id for s in low]) if low else {}}


READS = {"study_overdue": study_overdue, "complaints_due": complaints_due, "campus_numbers": campus_numbers, "my_numbers": my_numbers,
         "in_room": in_room, "followups_due": followups_due, "plans_due": plans_due, "my_questions": my_questions,
         "notices": notices, "resumptions": resumptions, "lessons": lessons, "low_classes": low_classes,
         "low_students": low_students}
assert set(READS) == set(policy.HOME_PANELS)


def for_user(user, today):
    """[(panel name, its values)] of the panels `user` gets, in page order."""
    return [(name, READS[name](user, today)) for name in policy.home_panels(user)]
