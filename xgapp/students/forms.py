"""Student forms: the student file with its guardian rows, a change of status, a reassignment, the import preview.

Each parser reads every field of its form with `validation.Reader` and raises `validation.Invalid` carrying every
problem at once; the lookups its fields need (an active advisor, the referring student) are made here too.
"""

import re
from datetime import date

from flask_babel import lazy_gettext as _l

from xgapp import clock, policy
from xgapp.accounts.models import User
from xgapp.students import domain
from xgapp.students.transfer import BY_KEY
from xgapp.validation import Reader, row_id

BORN_AFTER = date(1950, 1, 1)
TEXT_FIELDS = ("name", "school", "referrer", "referrer_note", "attention_note")
GUARDIAN_FIELDS = ("name", "relation", "mobile", "wechat")


def typed(form):
    """What the user typed on the student form, to show it again: (data, guardian rows, referrer text)."""
    data = {k: (form.get(k) or "") for k in ("name", "gender", "birthday", "school", "grade", "source", "advisor",
                                             "referrer_note", "attention_note", "notes")}
    data["special_attention"] = bool(form.get("special_attention"))
    data["may_leave_alone"] = bool(form.get("may_leave_alone"))
    guardians = []
    for i in range(domain.MAX_GUARDIANS):
        prefix = "guardians-%d-" % i
        guardians.append({k: form.get(prefix + k, "") for k in GUARDIAN_FIELDS}
                         | {"can_pickup": bool(form.get(prefix + "can_pickup"))})
    return data, guardians, form.get("referrer", "")


def active_advisor(r, name="advisor", required=True, message=None):
    """The active advisor chosen in field `name` (None, with a message beside it, when it is not one)."""
    advisor_id = r.row(name, required=required, message=message)
    if advisor_id is None:
        return None
    advisor = domain.advisors().where(User.id == advisor_id).first()
    r.check(advisor is not None, name, _l("Choose an active advisor."))
    return advisor


def referring_student(r, user, name="referrer"):
    """The one student the text in `name` names (name or phone tail), or None when it is empty."""
    text = r.text(name)
    if not text:
        return None
    found = domain.search(user, text, limit=2) if policy.can(user, "students.list") else []
    r.check(len(found) == 1, name, _l("Type the referring student's name or phone tail so that exactly one "
                                      "matches."))
    return found[0] if len(found) == 1 else None


def _birthday(r):
    """The birthday (born 1950 or later; the campus's date range 2000–2099 is for records, not for people)."""
    raw = r.raw("birthday")
    if not raw:
        return None
    try:
        found = date.fromisoformat(raw)
    except ValueError:
        found = None
    if found is None or found < BORN_AFTER:
        r.fail("birthday", _l("Enter the birthday as a date, e.g. 2015-09-01."))
        return None
    return found


def parse_student(form, user, new=True):
    """The student file's form: {"data": ..., "guardians": [...], "confirm_duplicate": bool}.

    `new`: the advisor who will own the student is chosen on the form (an existing file changes advisor by
    reassignment). Every field's problem is reported at once, the guardian rows' among them.
    """
    r = Reader(form)
    for name in TEXT_FIELDS:
        r.text(name)
    r.text("notes", multiline=True)
    birthday = _birthday(r)
    advisor = active_advisor(r, required=new, message=_l("Choose the advisor who owns this student.")) if new \
        else None
    referrer = referring_student(r, user)
    data = {k: form.get(k, "") for k in ("name", "gender", "school", "grade", "source", "referrer_note",
                                         "attention_note", "notes")}
    data.update(birthday=birthday, referrer=referrer,
                special_attention=r.flag("special_attention"), may_leave_alone=r.flag("may_leave_alone"))
    if new:
        data["advisor"] = advisor
    guardians = []
    for i in range(domain.MAX_GUARDIANS):
        prefix = "guardians-%d-" % i
        for key in ("name", "mobile", "wechat"):
            r.text(prefix + key)
        guardians.append({k: form.get(prefix + k, "") for k in GUARDIAN_FIELDS}
                         | {"can_pickup": r.flag(prefix + "can_pickup")})
    # the file's own rules (a name, a grade of the list, a guardian with a mobile, ...), beside the format errors
    _values, problems = domain.check_student(data, today=clock.today())
    _rows, guardian_problems = domain.check_guardians(guardians)
    for name, message in (problems | guardian_problems).items():
        if name != "advisor" or new:
            r.fail(name, message)
    confirm = r.flag("confirm_duplicate")
    r.done()
    return {"data": data, "guardians": guardians, "confirm_duplicate": confirm}


def parse_status(form):
    """A change of status: {"status", "effective", "reason"}; the date is today when left empty."""
    r = Reader(form)
    status = r.choice("status", domain.STATUSES)
    effective = r.date("effective", required=False, default=clock.today())
    reason = r.text("reason", limit=200)
    r.done()
    return {"status": status, "effective": effective, "reason": reason}


def parse_reassign(form):
    """The advisor a student (or a lead) goes to: {"advisor": User}."""
    r = Reader(form)
    advisor = active_advisor(r)
    r.done()
    return {"advisor": advisor}


def parse_import_choices(form):
    """The import preview's answers: the column mapping, the advisor and relation for rows without one, the choice
    for each possible duplicate. Wrong answers are not errors here: the preview is checked again with them and
    shows every remaining problem beside its column or row."""
    mapping = None
    if form.get("columns") == "1":
        mapping = {int(k[4:]): v for k, v in form.items() if re.fullmatch(r"col-\d{1,2}", k) and v in BY_KEY}
    choices = {int(k[4:]): v for k, v in form.items() if re.fullmatch(r"dup-\d{1,7}", k) and v in ("new", "skip")}
    return {"mapping": mapping, "advisor_id": form.get("advisor", type=row_id),
            "relation": form.get("relation", ""), "choices": choices if form.get("columns") == "1" else None}
