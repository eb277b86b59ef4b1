"""Reading the complaint forms: receiving one, a handling step, handing it on, closing it. Every problem at once."""

from flask_babel import lazy_gettext as _l

from xgapp import clock
from xgapp.classes.forms import student_named
from xgapp.complaints import domain
from xgapp.validation import Reader

CHOICE_MESSAGE = _l("Choose one from the list.")


def _person(r, name, people, required=False, message=None):
    """One of `people` (users) chosen by id in the select `name`; None when left empty and not required."""
    chosen = r.row(name, required=required, message=message)
    found = next((p for p in people if p.id == chosen), None)
    if chosen is not None:
        r.check(found is not None, name, CHOICE_MESSAGE)
    return found


def parse_complaint(form, user, now=None):
    """The values domain.receive takes, from the form of a complaint received."""
    now = now or clock.now()
    r = Reader(form)
    values = {"student": student_named(r, "student", user, required=False),
              "complainant": r.text("complainant", required=True, limit=domain.NAME_MAX,
                                    message=_l("Write who complained.")),
              "complainant_kind": r.choice("complainant_kind", domain.COMPLAINANTS, message=CHOICE_MESSAGE),
              "about": r.choice("about", domain.ABOUT, message=CHOICE_MESSAGE),
              "about_user": _person(r, "about_user", domain.staff()),
              "channel": r.choice("channel", domain.CHANNELS, message=CHOICE_MESSAGE),
              "content": r.text("content", required=True, limit=domain.CONTENT_MAX, multiline=True,
                                message=_l("Write what was said.")),
              "severity": r.choice("severity", domain.SEVERITIES, message=CHOICE_MESSAGE),
              "owner": _person(r, "owner", domain.owners())}
    values["received_at"] = clock.parse_local(r.raw("day"), r.raw("time"))
    r.check(values["received_at"] is not None, "received_at", _l("Enter the day and time it came in."))
    for name, message in domain.check(values, now).items():
        r.fail(name, message)
    r.done()
    return values


def parse_step(form):
    r = Reader(form)
    values = {"text": r.text("text", required=True, limit=domain.CONTENT_MAX, multiline=True,
                             message=_l("Write what was done."))}
    r.done()
    return values


def parse_handover(form, complaint):
    r = Reader(form)
    values = {"owner": _person(r, "owner", domain.owners(), True, _l("Choose who takes it over.")),
              "note": r.text("note", limit=domain.NOTE_MAX)}
    r.check(values["owner"] is None or values["owner"].id != complaint.owner_id, "owner", _l("It is already theirs."))
    r.done()
    return values


def parse_close(form):
    r = Reader(form)
    values = {"resolution": r.text("resolution", required=True, limit=domain.CONTENT_MAX, multiline=True,
                                   message=_l("Write how it was resolved.")),
              "satisfaction": r.choice("satisfaction", domain.ANSWERS,
                                       message=_l("Ask the family and record their answer.")),
              "note": r.text("satisfaction_note", limit=domain.NOTE_MAX)}
    r.done()
    return values
