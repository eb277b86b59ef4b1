"""Study-room forms: who takes a child home, closing a visit left open, a visit's record, leaving the room, a
question answered or handed on, the answer to a handed-on question. Every problem is reported at once."""

from flask_babel import lazy_gettext as _l

from xgapp import clock
from xgapp.accounts.models import User
from xgapp.selfstudy import domain, questions
from xgapp.students.models import Student
from xgapp.validation import Reader


def parse_pickup(form):
    """Who takes the child: {kind, guardian (id), name, relation, phone}; the file decides in `domain.sign_out`."""
    r = Reader(form)
    kind = r.choice("kind", domain.PICKUP_KINDS, message=_l(
        "Say who took the child: a guardian, alone (if the file allows), or another person."))
    values = {"kind": kind, "guardian": None, "name": "", "relation": "", "phone": ""}
    if kind == "guardian":
        values["guardian"] = r.row("guardian", message=_l("Choose one of the student's guardians."))
    elif kind == "other":
        values["name"] = r.text("name", required=True, limit=domain.NAME_MAX,
                                message=_l("Enter the name of the person taking the child."))
        values["relation"] = r.text("relation", required=True, limit=domain.RELATION_MAX,
                                    message=_l("Enter how they are related to the child (e.g. 姑姑, neighbour)."))
        values["phone"] = r.mobile("phone", required=False, default="")
    r.errors = {_PICKUP_FIELDS.get(name, name): message for name, message in r.errors.items()}
    r.done()
    return values


_PICKUP_FIELDS = {"kind": "pickup", "guardian": "pickup", "name": "pickup_name", "relation": "pickup_relation",
                  "phone": "pickup_phone"}  # the messages' places on the pickup panel


def parse_resolve(form, visit, now=None):
    """Closing a visit left open: {note, left_at} (an instant from left_day and left_time, after the arrival and
    not in the future). A visit closed meanwhile, or not past closing time, is refused before the form is read."""
    domain.check_resolvable(visit, now)
    r = Reader(form)
    note = r.text("note", required=True, limit=domain.NOTE_MAX, multiline=True, message=_l(
        "Write down what happened (e.g. called the mother, picked up by her at 21:40)."))
    left_at = clock.parse_local(r.raw("left_day"), r.raw("left_time"))
    problem = domain.departure_problem(visit, left_at, now)
    if problem:
        r.fail("left_at", problem)
    r.done()
    return {"note": note, "left_at": left_at}


def parse_record(form):
    """The study-room teacher's notes on a visit: values for `domain.update_record`."""
    r = Reader(form)
    values = {"subjects": r.choices("subjects", domain.SUBJECTS, message=_l("Choose subjects from the list.")),
              "homework_checked": r.choice("homework_checked", ("yes", "no"), required=False, default="",
                                           message=_l("Choose yes or no.")),
              "homework_note": r.text("homework_note", limit=domain.NOTE_MAX),
              "behaviour_note": r.text("behaviour_note", limit=domain.NOTE_MAX),
              "parent_note": r.text("parent_note", limit=domain.PARENT_NOTE_MAX, multiline=True),
              "teacher": r.row("teacher", required=False,
                               message=_l("Choose a study-room teacher or teacher from the list."))}
    if "subjects" in r.errors:
        r.errors["subjects"] = _l("Choose subjects from the list.")
    r.check(values["teacher"] is None or domain.study_teachers().where(User.id == values["teacher"]).exists(),
            "teacher", _l("Choose a study-room teacher or teacher from the list."))
    r.done()
    return values


def parse_step_out(form):
    """Leaving the room: {reason}."""
    r = Reader(form)
    values = {"reason": r.text("reason", required=True, limit=domain.REASON_MAX,
                               message=_l("Say why the student is leaving the room."))}
    r.done()
    return values


def parse_question(form):
    """A question: {student, subject, question, answer, status, handed_to (a subject teacher's id)}; an answer is
    needed unless the question is handed to a subject teacher."""
    r = Reader(form)
    wanted = r.row("student", message=_l("Choose the student who asked."))
    student = Student.get_or_none(Student.id == wanted) if wanted is not None else None
    r.check(wanted is None or student is not None, "student", _l("Choose the student who asked."))
    values = {"student": student,
              "subject": r.choice("subject", domain.SUBJECTS, message=_l("Choose the subject.")),
              "question": r.text("question", required=True, limit=questions.TEXT_MAX, multiline=True,
                                 message=_l("Write down the question.")),
              "answer": r.text("answer", limit=questions.TEXT_MAX, multiline=True),
              "status": r.choice("status", ("resolved", "handed"), required=False, default="resolved",
                                 message=_l("Choose answered or handed on.")),
              "handed_to": None}
    if values["status"] == "resolved":
        r.check(values["answer"], "answer",
                _l("Write down the answer given, or hand the question to a subject teacher."))
    elif values["status"] == "handed":
        teacher = values["handed_to"] = r.row("handed_to", message=_l("Choose the subject teacher who will answer it."))
        r.check(teacher is None or questions.subject_teachers().where(User.id == teacher).exists(), "handed_to",
                _l("Choose the subject teacher who will answer it."))
    r.done()
    return values


def parse_answer(form, question):
    """The answer to a handed-on question: {answer}; its messages stand beside that question (close-<id>)."""
    r = Reader(form)
    answer = r.text("answer", required=True, limit=questions.TEXT_MAX, multiline=True,
                    message=_l("Write down the answer you gave."))
    r.errors = {"close-%d" % question.id: message for message in r.errors.values()}
    r.done()
    return {"answer": answer}
