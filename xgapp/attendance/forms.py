"""Roll-call forms: the marks of a lesson (with the trial results and a supervisor's overdraft reason) and a leave
reported in advance. Every problem is reported at once; who must be marked is the roll call's rule."""

from flask_babel import lazy_gettext as _l

from xgapp.attendance.domain import MARKS
from xgapp.classes import domain as classes
from xgapp.validation import Reader

REASON_MAX = 200


def parse_roll_call(form, lesson):
    """{marks: {student id: mark}, results: {student id: note}, overdraft_reason (None when empty)}: one mark for
    every student expected at `lesson` (mark-<id>), a trial's result (result-<id>)."""
    r = Reader(form)
    marks, results = {}, {}
    for student, kind, _ in classes.roster(lesson):
        key = "mark-%d" % student.id
        marks[student.id] = r.choice(key, MARKS, message=_l("Mark %(name)s.", name=student.name))
        if kind == "trial":
            results[student.id] = r.text("result-%d" % student.id, limit=REASON_MAX)
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
