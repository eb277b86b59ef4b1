"""Roll-call forms: the marks of a lesson (with the trial results and a supervisor's overdraft reason) and a leave
reported in advance. Every problem is reported at once; who must be marked is the roll call's rule."""

from flask_babel import lazy_gettext as _l

from xgapp.classes import domain as classes
from xgapp.validation import Reader

REASON_MAX = 200


def parse_roll_call(form):
    """{marks: {student id text: mark}, results: {student id text: note}, overdraft_reason (None when empty)}."""
    r = Reader(form)
    marks = {key[5:]: r.raw(key) for key in form if key.startswith("mark-")}
    results = {key[7:]: r.text(key, limit=REASON_MAX) for key in form if key.startswith("result-")}
    reason = r.text("overdraft_reason", limit=REASON_MAX)
    r.done()
    return {"marks": marks, "results": results, "overdraft_reason": reason or None}


def parse_leave(form, lesson):
    """{student (one expected at `lesson`), reason}."""
    r = Reader(form)
    wanted = r.row("leave_student", message=_l("Choose the student."))
    expected = {s.id: s for s, _, _ in classes.roster(lesson)}
    r.check(wanted is None or wanted in expected, "leave_student", _l("Choose the student."))
    values = {"student": expected.get(wanted),
              "reason": r.text("leave_reason", required=True, limit=REASON_MAX,
                               message=_l("Say why the student is on leave."))}
    r.done()
    return values
