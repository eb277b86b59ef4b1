"""The first screen after login, and the health check."""

from flask import Blueprint, current_app, g, jsonify, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from xgapp import __version__, db, migrate, nav
from xgapp.i18n import campus_today
from xgapp.security import can, public

bp = Blueprint("home", __name__)
nav.register("home.index", _l("Home"), order=0)


ALERT_ROLES = {"principal", "supervisor", "advisor", "director"}
LOW_SHOWN = 20


@bp.route("/")
def index():
    """The user's start page: today's lessons, hour alerts, and the modules open to them."""
    from xgapp.attendance import domain as attendance
    from xgapp.campus import rules
    from xgapp.classes import domain as classes
    from xgapp.hours import domain as hours
    from xgapp.students import domain as students
    from xgapp.students.models import Student

    from xgapp.changes import domain as changes
    from xgapp.notices import domain as notices
    from xgapp.selfstudy import domain as selfstudy
    from xgapp.selfstudy import questions

    user = g.user
    # Every staff screen shows a child still signed in after closing time, until someone resolves it.
    context = {"notices": notices.unread(user), "study_overdue": selfstudy.overdue(),
               "my_questions": questions.open_for(user), "may_resolve": lambda v: selfstudy.may_resolve(user, v)}
    if can(user, "followups.view"):
        from xgapp.followups import domain as followups

        due = followups.open_tasks(user, until=campus_today())
        context["followups_due"] = len(due)
        context["followups_overdue"] = sum(t.due_on < campus_today() for t in due)
    if can(user, "numbers.view"):
        context.update(_numbers(user, campus_today()))
    elif "frontdesk" in user.role_set:  # the desk's first screen: who is in the study room now
        context["in_room"] = selfstudy.in_room()
    if "teacher" in user.role_set:
        from xgapp.meetings import parents

        context["plans_due"] = parents.plans_for_teacher(user)
    if can(user, "attendance.take"):
        context["lessons"] = attendance.today_lessons(user)
    if user.role_set & ALERT_ROLES:
        threshold = rules.get("low_hours")
        context["threshold"] = threshold
        context["low_classes"] = classes.low_hour_classes(user, threshold)
        if user.role_set & (students.FULL_ROLES | {"advisor"}):
            mine = students.visible(user, Student.select(Student.id).where(Student.status == "active"))
            low = list(students.visible(user).where(Student.id.in_(hours.low_balance_students(threshold, mine)),
                                                    Student.status == "active")
                       .order_by(Student.name).limit(LOW_SHOWN + 1))
            context["low_students"] = low[:LOW_SHOWN]
            context["more_low_students"] = len(low) > LOW_SHOWN
            context["low_balances"] = hours.balances_for([s.id for s in low]) if low else {}
            context["resumptions"] = changes.resumptions_due(user)
    return render_template("home/index.html", user=user, today=campus_today(), **context)


def _numbers(user, today):
    """The numbers part of the first screen: the campus's day and 30-day trend for leaders, her own day, her month
    against the target and the leads to call for an advisor."""
    from datetime import timedelta

    from xgapp.numbers import charts, daily, targets, trends

    if user.role_set & {"supervisor", "principal"}:
        from xgapp.contracts.models import Refund
        from xgapp.followups.models import FollowUp

        series = trends.daily_series(today - timedelta(days=29), today)
        month = targets.progress(today.replace(day=1), today)
        shortfalls = [(who, targets.KINDS[kind][0], cell) for who, cells in month["rows"] if who is not None
                      for kind, cell in cells.items() if cell["missing"]]
        from xgapp.meetings import briefings

        start = daily.day_bounds(today.replace(day=1))[0]
        return {"campus_numbers": daily.campus_day(today), "briefing_risk": briefings.at_risk(user, today),
                "trend_signed": charts.bars([(d.strftime("%m-%d"), s) for d, s, _ in series],
                                            _("Amount signed, last 30 days"), "元"),
                "trend_revenue": charts.bars([(d.strftime("%m-%d"), r) for d, _, r in series],
                                             _("Money taken, last 30 days"), "元", colour="#1a8f4a"),
                "refunds_pending": Refund.select().where(Refund.status == "pending").count(),
                "shortfalls": shortfalls, "month_days_left": month["days_left"],
                "complaints_month": FollowUp.select().where(FollowUp.kind == "complaint",
                                                            FollowUp.at >= start).count()}
    if "advisor" in user.role_set:
        from xgapp.leads.domain import CLOSED
        from xgapp.leads.models import Lead

        return {"my_numbers": daily.advisor_day(user, today),
                "my_progress": targets.progress(today.replace(day=1), today, advisor=user),
                "target_kinds": targets.KINDS,
                "leads_due": Lead.select().where(Lead.advisor == user, Lead.stage.not_in(CLOSED),
                                                 Lead.next_contact <= today).count()}
    return {}


@bp.route("/healthz")
@public
def healthz():
    """Liveness and database check for monitors and the launcher (no login)."""
    database_ok, schema = True, None
    try:
        db.ensure_connection()
        schema = migrate.db_version(db.database.obj)
        db.database.execute_sql("SELECT 1").fetchone()
    except Exception:  # report, don't raise: this endpoint exists to say what is wrong
        current_app.logger.exception("health check failed")
        database_ok = False
    body = {
        "status": "ok" if database_ok else "error",
        "version": __version__,
        "schema": schema,
        "schema_expected": migrate.code_version(),
        "database": "ok" if database_ok else "error",
    }
    return jsonify(body), 200 if database_ok else 503
