"""答疑记录: questions answered in the study room, or handed to a subject teacher who owes the answer until closed."""

import peewee as pw
from flask_babel import lazy_gettext as _l

from xgapp import audit, clock
from xgapp.accounts.models import User, UserRole
from xgapp.db import write
from xgapp.notices import domain as notices
from xgapp.selfstudy import domain
from xgapp.selfstudy.models import Question, Visit
from xgapp.students.models import Student
from xgapp.validation import Invalid, row_id

STATUSES = {"resolved": _l("Answered"), "handed": _l("Handed to a subject teacher"), "closed": _l("Answered later")}
TEXT_MAX = 2000


def subject_teachers():
    """Active teachers a question can be handed to."""
    return (User.select().join(UserRole).where(UserRole.role == "teacher", User.active == True)  # noqa: E712
            .distinct().order_by(User.display_name))


def record(by, student, data, now=None):
    """Write one Q&A row: answered on the spot, or handed to a subject teacher (who is told)."""
    now = now or clock.now()
    errors = {}
    subject = (data.get("subject") or "").strip()
    if subject not in domain.SUBJECTS:
        errors["subject"] = _l("Choose the subject.")
    question = (data.get("question") or "").strip()
    answer = (data.get("answer") or "").strip()
    if not question:
        errors["question"] = _l("Write down the question.")
    elif len(question) > TEXT_MAX:
        errors["question"] = _l("Keep it under %(n)d characters.", n=TEXT_MAX)
    if len(answer) > TEXT_MAX:
        errors["answer"] = _l("Keep it under %(n)d characters.", n=TEXT_MAX)
    status = data.get("status") or "resolved"
    handed_to = None
    if status == "resolved":
        if not answer:
            errors["answer"] = _l("Write down the answer given, or hand the question to a subject teacher.")
    elif status == "handed":
        try:
            wanted = row_id(data.get("handed_to"))
        except (TypeError, ValueError):
            wanted = 0
        handed_to = subject_teachers().where(User.id == wanted).first()
        if handed_to is None:
            errors["handed_to"] = _l("Choose the subject teacher who will answer it.")
    else:
        errors["status"] = _l("Choose answered or handed on.")
    if errors:
        raise Invalid(errors)
    with write():
        visit = Visit.get_or_none(Visit.student == student, Visit.left_at.is_null())
        row = Question.create(student=student, visit=visit, day=clock.local(now).date(), subject=subject,
                              question=question, answer=answer, teacher=by, status=status, handed_to=handed_to,
                              created_at=now)
        audit.record(by, "create", "study_question", row.id, after=audit.snapshot(row),
                     summary="%s %s 答疑" % (student.name, subject))
        if handed_to is not None:
            notices.notify([handed_to], _l("A study-room question for you: %(name)s, %(subject)s.",
                                           name=student.name, subject=subject), link="/selfstudy/questions?mine=1")
    return row




def close(by, question, answer, now=None):
    """The subject teacher gives the answer; the question leaves their list."""
    now = now or clock.now()
    answer = (answer or "").strip()
    if not answer:
        raise Invalid({"answer": _l("Write down the answer you gave.")})
    if len(answer) > TEXT_MAX:
        raise Invalid({"answer": _l("Keep it under %(n)d characters.", n=TEXT_MAX)})
    with write():
        before = audit.snapshot(Question.get_by_id(question.id))
        text = (before["answer"] + "\n" if before["answer"] else "") + answer
        changed = (Question.update(status="closed", answer=text, closed_at=now, closed_by=by)
                   .where(Question.id == question.id, Question.status == "handed").execute())
        if not changed:
            raise domain.AlreadyDone({"answer": _l("This question has already been answered.")})
        after = Question.get_by_id(question.id)
        audit.record(by, "update", "study_question", question.id, before=before, after=audit.snapshot(after),
                     summary="%s %s 答疑已答复" % (question.student.name, question.subject))
    return after


def open_for(user):
    """Questions handed to `user` and not yet answered, oldest first."""
    return list(Question.select(Question, Student).join(Student, on=(Question.student == Student.id))
                .where(Question.handed_to == user, Question.status == "handed").order_by(Question.created_at))


def of_day(day, among=None):
    """A day's questions with the student, who answered, who it was handed to and who closed it (one query)."""
    answered, handed, closer = User.alias(), User.alias(), User.alias()
    query = (Question.select(Question, Student, answered, handed, closer)
             .join(Student, on=(Question.student == Student.id))
             .join_from(Question, answered, pw.JOIN.LEFT_OUTER, on=(Question.teacher == answered.id))
             .join_from(Question, handed, pw.JOIN.LEFT_OUTER, on=(Question.handed_to == handed.id))
             .join_from(Question, closer, pw.JOIN.LEFT_OUTER, on=(Question.closed_by == closer.id))
             .where(Question.day == day))
    if among is not None:
        query = query.where(Question.student.in_(among))
    return list(query.order_by(Question.created_at))
