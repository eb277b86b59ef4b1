"""The audit log page: filter by person, record kind, action and date."""

import json

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l

from xgapp import clock, htmx, nav
from xgapp.accounts.models import User
from xgapp.audit import forms
from xgapp.audit.models import AuditLog
from xgapp.security import require

bp = Blueprint("audit", __name__, url_prefix="/audit")
nav.register("audit.index", _l("Audit log"), "audit.view", order=90)

PAGE = 50
# Every audited table the filter offers, by area: one explicit list (no area registers itself on import).
TABLES = {
    "user": _l("Account"), "campus": _l("Campus"), "backup": _l("Backup"), "student": _l("Student"),
    "contract": _l("Contract"), "payment": _l("Payment"), "refund": _l("Refund"),
    "hour_entry": _l("Lesson hours"), "lead": _l("Lead"),
    "follow_up": _l("Follow-up"), "follow_task": _l("Follow-up task"),
    "briefing": _l("Pre-class briefing"), "first_lesson_feedback": _l("First-lesson feedback"),
    "parent_meeting": _l("Parent meeting"), "teaching_plan": _l("Teaching plan"),
    "stage_test": _l("Stage test"), "score": _l("Score"),
    "study_visit": _l("Study-room visit"), "study_visit_exit": _l("Study-room exit"),
    "study_question": _l("Study-room question"),
    "signed_copy": _l("Signed copy received"), "campus_logo": _l("Campus logo"),
    "manual_count": _l("Manual counter"), "target": _l("Monthly target"), "month_report": _l("Monthly report"),
    "export_bundle": _l("Export bundle"), "outbox": _l("Delivery to head office"),
    "export_settings": _l("Export settings"),
    "complaint": _l("Complaint"), "complaint_step": _l("Complaint step"),
}
ACTIONS = {
    "create": _l("Created"), "update": _l("Changed"), "delete": _l("Deleted"),
    "login": _l("Logged in"), "login_failed": _l("Failed login"), "locked": _l("Locked after failed logins"),
    "password": _l("Password set"), "pin": _l("PIN set"), "pin_removed": _l("PIN removed"),
    "backup": _l("Backed up"), "restore": _l("Restored"), "reassign": _l("Reassigned"), "import": _l("Imported"),
}


def filters_from(args):
    """Parse the filter query string into clean values (bad values are ignored)."""
    return forms.parse_filters(args, TABLES, ACTIONS)


def query(f):
    """Audit rows matching the filters, newest first, one page (keyset on id)."""
    q = AuditLog.select().order_by(AuditLog.id.desc())
    if f["actor"]:
        q = q.where(AuditLog.actor == f["actor"])
    if f["table"]:
        q = q.where(AuditLog.table == f["table"])
    if f["action"]:
        q = q.where(AuditLog.action == f["action"])
    if f["record"]:
        q = q.where(AuditLog.record_id == f["record"])
    if f["start"]:
        q = q.where(AuditLog.at >= clock.day_bounds(f["start"])[0])
    if f["end"]:
        q = q.where(AuditLog.at < clock.day_bounds(f["end"])[1])
    if f["before"]:
        q = q.where(AuditLog.id < f["before"])
    return list(q.limit(PAGE + 1))


def _pretty(text):
    if not text:
        return {}
    return json.loads(text)


@bp.route("/")
@require("audit.view")
def index():
    """The log, filterable; htmx swaps only the results when a filter changes."""
    f = filters_from(request.args)
    rows = query(f)
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    context = dict(rows=rows, more=more, f=f, tables=TABLES, actions=ACTIONS, pretty=_pretty,
                   next_before=rows[-1].id if more else None)
    if htmx.is_request() and htmx.target() == "audit-results":
        return render_template("audit/_results.html", **context)
    people = User.select(User.id, User.display_name).order_by(User.display_name)
    return render_template("audit/index.html", people=people, **context)
