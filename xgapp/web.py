"""What views share: reading dates and times from forms and URLs, the record-or-404 lookups, file responses.

Views import this module (and domain modules), never another area's views.
"""

import io
from datetime import time

from flask import abort, g, send_file
from flask_babel import gettext as _

from xgapp import policy, validation
from xgapp.classes.models import SchoolClass
from xgapp.students import domain as students
from xgapp.students.models import Student

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def parse_date(value):
    """A date typed in a form or URL (2000–2099), or None when empty or not a date."""
    return validation.day(value)


def form_date(form, name, errors, default=None):
    """A date field: `default` when left empty; a message beside the field when it is not a date."""
    raw = (form.get(name) or "").strip()
    if not raw:
        return default
    day = parse_date(raw)
    if day is None:
        errors[name] = _("Enter a date, e.g. 2026-09-05.")
    return day


def parse_time(value):
    """A clock time HH:MM (no zone), or None."""
    try:
        found = time.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return found.replace(second=0, microsecond=0) if found.tzinfo is None else None


def student_or_404(student_id, need="view"):
    """The student if the user may `need` it; 404 when they may not even see it."""
    student = Student.get_or_none(Student.id == student_id)
    if student is None:
        abort(404)
    rights = policy.student_access(g.user, student)
    if "view" not in rights:
        abort(404)
    if need not in rights:
        abort(403)
    return student


def class_or_404(class_id, manage=False):
    """The class if the user may see it (and change it, with manage=True); 404 / 403 otherwise."""
    klass = policy.classes_visible_to(g.user).where(SchoolClass.id == class_id).first()
    if klass is None:
        abort(404)
    if manage and not policy.may_manage_class(g.user, klass):
        abort(403)
    return klass


def resolve_referrer(text, errors):
    """The one student `text` names (name or phone tail), for a referral; a message beside `referrer` otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    found = students.search(g.user, text, limit=2) if policy.can(g.user, "students.list") else []
    if len(found) != 1:
        errors["referrer"] = _("Type the referring student's name or phone tail so that exactly one matches.")
        return None
    return found[0]


def xlsx(data, filename):
    """A workbook's bytes as a download."""
    return send_file(io.BytesIO(data), as_attachment=True, download_name=filename, max_age=0, mimetype=XLSX)
