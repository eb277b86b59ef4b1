"""Student-change forms: suspension, resumption, moving one lesson, make-up, transfer, leaving or finishing a class.

Each parser reads every field with `validation.Reader` and raises `validation.Invalid` with every problem at once.
The lessons, classes and missed lessons a form may name are those the page offered (`changes.domain.offered`).
"""

from flask_babel import lazy_gettext as _l

from xgapp import clock
from xgapp.classes.models import Attendance, Enrolment, Suspension
from xgapp.validation import Reader

REASON_MAX = 200
SUSPENSION_MAX_DAYS = 366


def _reason(r, required=True):
    return r.text("reason", required=required, limit=REASON_MAX, message=_l("Say why."))


def _offered(r, name, rows, message):
    """The row of `rows` whose id field `name` names (a message beside it otherwise)."""
    chosen = r.row(name, message=message)
    found = next((row for row in rows if row.id == chosen), None)
    if chosen is not None:
        r.check(found is not None, name, message)
    return found


def _students(r, name, model, student, message):
    """The row of `model` (a table with a student) whose id field `name` names, if it is this student's."""
    chosen = r.row(name, message=message)
    found = model.get_or_none(model.id == chosen, model.student == student) if chosen is not None else None
    if chosen is not None:
        r.check(found is not None, name, message)
    return found


def parse_suspend(form):
    """停课: {"start", "end", "reason"}; the end on or after the start, at most a year later."""
    r = Reader(form)
    missing = _l("Enter the first and last day of the suspension.")
    start = r.date("start", message=None if r.raw("start") else missing)
    end = r.date("end", message=None if r.raw("end") else missing)
    reason = _reason(r)
    if start is not None and end is not None:
        if r.check(end >= start, "end", _l("The suspension must end on or after its first day.")):
            r.check((end - start).days <= SUSPENSION_MAX_DAYS, "end", _l("A suspension lasts at most a year."))
    r.done()
    return {"start": start, "end": end, "reason": reason}


def parse_resume(form, student):
    """Back from a suspension: {"suspension" (one of the student's), "reason"}."""
    r = Reader(form)
    suspension = _students(r, "suspension", Suspension, student, _l("Choose one of the offered options."))
    reason = r.text("reason", limit=REASON_MAX)
    r.done()
    return {"suspension": suspension, "reason": reason}


def parse_move(form, offered):
    """调课: {"from_lesson", "to_lesson", "reason"}: one of the student's lessons, one of another class."""
    r = Reader(form)
    both = _l("Choose both lessons.")
    from_lesson = _offered(r, "from_lesson", offered["upcoming"], both)
    to_lesson = _offered(r, "to_lesson", offered["others"], both)
    reason = _reason(r)
    r.done()
    return {"from_lesson": from_lesson, "to_lesson": to_lesson, "reason": reason}


def parse_makeup(form, student, offered):
    """补课: {"missed", "lesson", "reason"}: a missed lesson of the student and an offered lesson to make it up."""
    r = Reader(form)
    both = _l("Choose the missed lesson and the make-up lesson.")
    missed = _students(r, "missed", Attendance, student, both)
    lesson = _offered(r, "makeup_lesson", offered["upcoming"] + offered["others"], both)
    reason = _reason(r, required=False)
    r.done()
    return {"missed": missed, "lesson": lesson, "reason": reason}


def parse_class_change(form, student, offered, transfer=False):
    """转班, 退班 or 结课: {"enrolment", "on", "reason"} and, for a transfer, {"to_klass"}; `on` is today when
    left empty."""
    r = Reader(form)
    enrolment = _students(r, "enrolment", Enrolment, student, _l("Choose the class."))
    values = {"enrolment": enrolment}
    if transfer:
        values["to_klass"] = _offered(r, "to_klass", offered["targets"], _l("Choose the new class."))
    values["on"] = r.date("on", required=False, default=clock.today())
    values["reason"] = _reason(r)
    r.done()
    return values
