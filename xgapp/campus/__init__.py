"""The campus: first-run setup and its name and code."""

import re

from flask_babel import lazy_gettext as _l

from xgapp import audit
from xgapp.accounts import domain as accounts
from xgapp.accounts.models import User
from xgapp.campus.models import Campus
from xgapp.db import utcnow, write

CODE_RE = re.compile(r"^[A-Za-z0-9-]{2,20}$")


class CampusError(accounts.AccountError):
    """A campus rule was broken (same shape as account errors: field + message)."""


def current():
    """The campus row, or None before setup."""
    return Campus.select().order_by(Campus.id).first()


def needs_setup():
    """True while no account exists (first run)."""
    return not User.select().exists()


def _check(name, code):
    name, code = (name or "").strip(), (code or "").strip().upper()
    if not name:
        raise CampusError("campus_name", _l("Enter the campus name."))
    if not CODE_RE.match(code):
        raise CampusError("campus_code", _l("2–20 letters, digits or -, e.g. BJ-HD01."))
    return name[:100], code


def setup(campus_name, campus_code, username, display_name, password):
    """First run: create the campus and the principal's account in one transaction."""
    name, code = _check(campus_name, campus_code)
    with write():
        if not needs_setup():
            raise CampusError("campus_name", _l("This campus is already set up."))
        campus = Campus.create(name=name, code=code, created_at=utcnow())
        principal = accounts.create_user(None, username, display_name, password, {"principal"})
        audit.record(principal, "create", "campus", campus.id, after=audit.snapshot(campus), summary=name)
    return campus, principal


def update(by, name, code):
    """Rename the campus or change its code (audited)."""
    name, code = _check(name, code)
    with write():
        campus = current()
        before = audit.snapshot(campus)
        campus.name, campus.code = name, code
        campus.save()
        audit.record(by, "update", "campus", campus.id, before=before, after=audit.snapshot(campus),
                     summary=name)
    return campus
