"""Class forms: a class (new and edit), a classroom, a holiday, the public holidays to close on, enrolling a student,
booking a trial, ending a class, confirming a teacher's month.

Each parser reads every field with `validation.Reader` and raises `validation.Invalid` with every message at once;
the lookups a field needs (an active teacher, a student who matches, a coming lesson) and the class rules that only
need the values read (`classes.class_errors`) are reported in the same answer.
"""

import re

from flask_babel import lazy_gettext as _l

from xgapp import clock, policy, validation
from xgapp.accounts.models import User
from xgapp.classes import domain
from xgapp.classes.models import Classroom, Lesson
from xgapp.students import domain as students
from xgapp.students.models import Student
from xgapp.validation import Reader

MATCH_ONE = _l("Type the student's name or phone tail so that exactly one matches.")
CLASS_FIELDS = ("name", "subject", "grade", "kind", "teacher", "advisor", "classroom", "capacity", "planned_lessons",
                "lesson_hours", "start_on", "status")


def typed(form, names):
    """What the user typed in `names` ({name: text}), to fill the form again after an error."""
    return {name: form.get(name, "") for name in names}


def _user(r, name, message):
    """The user a select names (None, with `message` beside the field, when the id is not one)."""
    wanted = r.row(name, message=message)
    found = User.get_or_none(User.id == wanted) if wanted is not None else None
    r.check(wanted is None or found is not None, name, message)
    return found


def parse_class(form, by, klass=None):
    """A new class (klass=None) or a class's new details: values for `classes.create` / `classes.update`."""
    r = Reader(form)
    values = {
        "name": r.text("name"), "subject": r.text("subject"), "grade": r.raw("grade"), "kind": r.raw("kind"),
        "teacher": _user(r, "teacher", _l("Choose an active teacher.")),
        "advisor": _user(r, "advisor", _l("Choose an active advisor.")),
        "classroom": None,
        "capacity": r.integer("capacity", 1, domain.MAX_PLACES, message=_l("Enter the number of places (1–60).")),
        "planned_lessons": r.integer("planned_lessons", 1, domain.MAX_PLANNED,
                                     message=_l("Enter the planned number of lessons (1–200).")),
        "lesson_hours": r.hours("lesson_hours"),
        "start_on": r.date("start_on", message=_l("Enter the start date, e.g. 2026-09-05.")),
    }
    room = r.row("classroom", required=False)
    if room is not None:
        values["classroom"] = Classroom.get_or_none(Classroom.id == room)
        r.check(values["classroom"] is not None, "classroom", _l("Choose one of the offered options."))
    if klass is not None:
        values["status"] = r.raw("status") or klass.status
    for name, message in domain.class_errors(by, values, klass).items():
        r.fail(name, message)
    r.done()
    return values


def parse_classroom(form):
    """A classroom: {name, seats}; `classes.save_classroom` refuses a name that is taken."""
    r = Reader(form)
    values = {"name": r.text("name", required=True, limit=40, message=_l("Enter the room's name.")),
              "seats": r.integer("seats", 1, 200, message=_l("Enter the number of seats (1–200)."))}
    r.done()
    return values


def parse_holiday(form):
    """A campus holiday: {day, name}."""
    r = Reader(form)
    values = {"day": r.date("day", message=_l("Enter a date, e.g. 2026-10-01.")),
              "name": r.text("holiday_name", limit=40)}
    r.done()
    return values


def parse_public_days(form):
    """The proposed public holidays ticked: {days: [date], names: {date: name as edited}}."""
    r = Reader(form)
    chosen = []
    for text in form.getlist("public_day"):
        day = validation.day(text)
        if day is None:
            r.fail("public_days", _l("Tick the days the campus is closed."))
        else:
            chosen.append(day)
    names = {}
    for day in chosen:
        names[day] = r.text("public_name-%s" % day.isoformat())  # cut to 40 characters by public_days.confirm
    r.check(chosen, "public_days", _l("Tick the days the campus is closed."))
    r.done()
    return {"days": chosen, "names": names}


PICKED = re.compile(r"#(\d{1,18})\s*$")  # "张小明 #42": a suggestion tapped under the box (students/_pick.html)


def student_named(r, name, user, required=True):
    """The one student `name`'s text names (name, pinyin or phone tail, or a tapped suggestion ending in #id),
    among those `user` may see (None when left empty and not `required`)."""
    term = r.text(name, required=required, limit=100, message=MATCH_ONE)
    picked = PICKED.search(term or "")
    if picked:
        found = list(policy.students_visible_to(user).where(Student.id == int(picked.group(1))))
    else:
        found = students.search(user, term, limit=2) if term else []
    r.check(not term or len(found) == 1, name, MATCH_ONE)
    return found[0] if len(found) == 1 else None


def parse_enrol(form, user):
    """Enrolling a student: {student, on} (default today)."""
    r = Reader(form)
    values = {"student": student_named(r, "student", user), "on": r.date("on", required=False, default=clock.today())}
    r.done()
    return values


def parse_trial(form, user, klass):
    """A trial booking: {student, lesson} (a coming lesson of `klass`)."""
    r = Reader(form)
    student = student_named(r, "trial_student", user)
    wanted = r.row("trial_lesson", message=_l("Choose the lesson."))
    lesson = Lesson.get_or_none(Lesson.id == wanted, Lesson.klass == klass, Lesson.status == "planned") \
        if wanted is not None else None
    r.check(wanted is None or lesson is not None, "trial_lesson", _l("Choose the lesson."))
    r.done()
    return {"student": student, "lesson": lesson}


def parse_end(form):
    """Ending a class: {on (default today), reason}."""
    r = Reader(form)
    values = {"on": r.date("on", required=False, default=clock.today()), "reason": r.text("reason", limit=200)}
    r.done()
    return values


def parse_teacher_month(form):
    """Confirming a teacher's month: {teacher, side ("teacher" or "advisor"), note}."""
    r = Reader(form)
    wanted = r.row("teacher")
    teacher = User.get_or_none(User.id == wanted) if wanted is not None else None
    r.check(wanted is None or teacher is not None, "teacher", _l("Choose one of the offered options."))
    values = {"teacher": teacher, "side": r.choice("side", ("teacher", "advisor")), "note": r.text("note", limit=200)}
    r.done()
    return values
