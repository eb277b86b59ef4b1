"""The audit log page: filter by person, record kind, action and date."""

import json
from datetime import datetime, time, timedelta

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l

from xgapp import htmx, i18n, nav, validation
from xgapp.validation import row_id
from xgapp.accounts.models import User
from xgapp.audit.models import AuditLog
from xgapp.security import require

bp = Blueprint("audit", __name__, url_prefix="/audit")
nav.register("audit.index", _l("Audit log"), "audit.view", order=90)

PAGE = 50
TABLES = {"user": _l("Account"), "campus": _l("Campus"), "backup": _l("Backup"), "student": _l("Student"),
          "contract": _l("Contract"), "payment": _l("Payment"), "refund": _l("Refund"),
          "hour_entry": _l("Lesson hours"), "lead": _l("Lead")}
ACTIONS = {
    "create": _l("Created"), "update": _l("Changed"), "delete": _l("Deleted"),
    "login": _l("Logged in"), "login_failed": _l("Failed login"), "locked": _l("Locked after failed logins"),
    "password": _l("Password set"), "pin": _l("PIN set"), "pin_removed": _l("PIN removed"),
    "backup": _l("Backed up"), "restore": _l("Restored"), "reassign": _l("Reassigned"), "import": _l("Imported"),
}


def register_table(name, label):
    """Let a module name its audited table in the filter (e.g. 'student' → 学员)."""
    TABLES[name] = label


def _parse_date(value):
    return validation.day(value)


def filters_from(args):
    """Parse the filter query string into clean values (bad values are ignored)."""
    actor = args.get("actor", type=row_id)
    return {
        "actor": actor,
        "table": args.get("table") if args.get("table") in TABLES else None,
        "action": args.get("action") if args.get("action") in ACTIONS else None,
        "record": (args.get("record") or "").strip()[:40] or None,
        "start": _parse_date(args.get("start")),
        "end": _parse_date(args.get("end")),
        "before": args.get("before", type=row_id),
    }


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
    zone = i18n.campus_zone()
    if f["start"]:
        q = q.where(AuditLog.at >= datetime.combine(f["start"], time.min, zone))
    if f["end"]:
        q = q.where(AuditLog.at < datetime.combine(f["end"] + timedelta(days=1), time.min, zone))
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
