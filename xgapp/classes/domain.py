"""Class rules: rooms and holidays, creating a class, enrolment and capacity, who is expected at a lesson.

Who may see and change a class is `policy` (`classes_visible_to`, `may_manage_class`); double-booking is
`timetable.conflicts`.
"""

from datetime import date

from flask_babel import lazy_gettext as _l
from peewee import JOIN, fn

from xgapp import audit, clock, policy, validation
from xgapp.accounts.models import User, UserRole
from xgapp.campus import rules
from xgapp.classes.models import (Classroom, Enrolment, Holiday, LeaveNotice, Lesson, Makeup, SchoolClass,
                                  Suspension, active_on)
from xgapp.db import hours_sum, write
from xgapp.followups import engine
from xgapp.hours import domain as hours
from xgapp.students import domain as students
from xgapp.students.models import Student
from xgapp.timetable.conflicts import Conflict, conflicts
from xgapp.validation import Invalid

KINDS = {"group": _l("Small class"), "one": _l("One-to-one")}
STATUSES = {"enrolling": _l("Enrolling"), "running": _l("Running"), "ended": _l("Ended")}
ENROLMENT_KINDS = {"regular": _l("Enrolled"), "join": _l("Joined mid-way"), "trial": _l("Trial lesson"),
                   "makeup": _l("Make-up lesson"), "moved": _l("Moved here")}
MAX_PLACES, MAX_PLANNED, MAX_LESSON_HOURS = 60, 200, 8

# aliases until the merge: meetings, prints, changes and numbers still use these names
MANAGERS = policy.CLASS_MANAGERS
may_manage = policy.may_manage_class
visible = policy.classes_visible_to


def teachers():
    """Active users holding the teacher role."""
    return (User.select().join(UserRole).where(UserRole.role == "teacher", User.active == True)  # noqa: E712
            .order_by(User.display_name))


# --- rooms and holidays ----------------------------------------------------------------------------------------

def save_classroom(by, name, seats, room=None):
    """Add a classroom or change one (name unique, seats 1–200)."""
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _l("Enter the room's name.")
    try:
        seats = int(str(seats).strip())
        if not 1 <= seats <= 200:
            raise ValueError
    except ValueError:
        errors["seats"] = _l("Enter the number of seats (1–200).")
    if "name" not in errors and validation.too_long(name, 40):
        errors["name"] = validation.too_long(name, 40)
    if errors:
        raise Invalid(errors)
    with write():
        clash = Classroom.select().where(Classroom.name == name)
        if room is not None:
            clash = clash.where(Classroom.id != room.id)
        if clash.exists():
            raise Invalid({"name": _l("A room with this name exists.")})
        if room is None:
            room = Classroom.create(name=name, seats=seats)
            audit.record(by, "create", "classroom", room.id, after=audit.snapshot(room), summary=room.name)
        else:
            before = audit.snapshot(room)
            room.name, room.seats = name, seats
            room.save()
            audit.record(by, "update", "classroom", room.id, before=before, after=audit.snapshot(room))
    return room


def rooms():
    return list(Classroom.select().where(Classroom.active == True).order_by(Classroom.name))  # noqa: E712


def add_holiday(by, day, name):
    """Close the campus on `day` (timetables skip it; lessons already on it are listed for moving)."""
    if not isinstance(day, date):
        raise Invalid({"day": _l("Enter a date, e.g. 2026-10-01.")})
    name = (name or "").strip()
    if validation.too_long(name, 40):
        raise Invalid({"holiday_name": validation.too_long(name, 40)})
    with write():
        if Holiday.select().where(Holiday.day == day).exists():
            raise Invalid({"day": _l("This day is already a holiday.")})
        holiday = Holiday.create(day=day, name=name)
        audit.record(by, "create", "holiday", holiday.id, after=audit.snapshot(holiday), summary=str(day))
    return holiday


def lessons_on(day):
    """Lessons not cancelled on `day` (e.g. a new holiday's lessons, to be moved or cancelled)."""
    return list(Lesson.select(Lesson, SchoolClass).join(SchoolClass)
                .where(Lesson.day == day, Lesson.status == "planned").order_by(Lesson.starts_at))


def remove_holiday(by, holiday):
    with write():
        audit.record(by, "delete", "holiday", holiday.id, before=audit.snapshot(holiday), summary=str(holiday.day))
        holiday.delete_instance()


def holidays(start=None):
    query = Holiday.select().order_by(Holiday.day)
    if start:
        query = query.where(Holiday.day >= start)
    return list(query)


# --- the class --------------------------------------------------------------------------------------------------

def class_errors(by, data, klass=None):
    """The problems of a class's values (a new class, or `klass`'s new details): {field: message}, every one.

    An advisor who is not a manager runs her own classes: a new class is hers whatever the form says, and she
    cannot hand one she runs to someone else (the values are set accordingly).
    """
    errors = {}
    if policy.runs_own_classes_only(by):
        data["advisor"] = by if klass is None else klass.advisor
    name = data["name"] = (data.get("name") or "").strip()
    if not name:
        errors["name"] = _l("Enter the class name, e.g. 初二数学提高班.")
    elif validation.too_long(name, 60):
        errors["name"] = validation.too_long(name, 60)
    data["subject"] = (data.get("subject") or "").strip()[:20]  # as on contracts: hours are kept per subject
    if not data["subject"]:
        errors["subject"] = _l("Enter the subject.")
    elif klass is not None and data["subject"] != klass.subject and \
            Lesson.select().where(Lesson.klass == klass, Lesson.status == "done").exists():
        errors["subject"] = _l("Lessons were already held in %(subject)s: the subject cannot change.",
                               subject=klass.subject)
    data["grade"] = data.get("grade") or ""
    if data["grade"] and data["grade"] not in students.GRADES:
        errors["grade"] = _l("Choose a grade from the list.")
    data["kind"] = data.get("kind") or ""
    if data["kind"] not in KINDS:
        errors["kind"] = _l("Choose small class or one-to-one.")
    teacher = data.get("teacher")
    if teacher is None or not teachers().where(User.id == teacher.id).exists():
        errors["teacher"] = _l("Choose an active teacher.")
    advisor = data.get("advisor")
    if advisor is None or not students.advisors().where(User.id == advisor.id).exists():
        errors["advisor"] = _l("Choose an active advisor.")
    data.setdefault("classroom", None)
    capacity = _whole(data.get("capacity"), 1, MAX_PLACES)
    if capacity is None:
        errors["capacity"] = _l("Enter the number of places (1–60).")
    elif data["kind"] == "one" and capacity != 1:
        errors["capacity"] = _l("A one-to-one class has exactly one student.")
    elif klass is not None and capacity < len(members(klass)):
        errors["capacity"] = _l("%(n)d students are already in this class.", n=len(members(klass)))
    data["capacity"] = capacity
    data["planned_lessons"] = _whole(data.get("planned_lessons"), 1, MAX_PLANNED)
    if data["planned_lessons"] is None:
        errors["planned_lessons"] = _l("Enter the planned number of lessons (1–200).")
    try:
        data["lesson_hours"] = validation.hours(data.get("lesson_hours"))
        if data["lesson_hours"] > MAX_LESSON_HOURS:
            errors["lesson_hours"] = _l("A lesson counts at most 8 hours.")
    except ValueError as exc:
        errors["lesson_hours"] = exc.args[0]
    if not isinstance(data.get("start_on"), date):
        errors["start_on"] = _l("Enter the start date, e.g. 2026-09-05.")
    room = data["classroom"]
    if room is not None and capacity is not None and room.seats < capacity:
        errors["classroom"] = _l("%(room)s has %(seats)d seats, fewer than the class's places.", room=room.name,
                                 seats=room.seats)
    if klass is not None:
        status = data["status"] = data.get("status") or klass.status
        if klass.status == "ended":
            errors["status"] = _l("This class has ended.")
        elif status not in ("enrolling", "running"):
            errors["status"] = _l("Choose a status.")
    return errors


def _whole(value, low, high):
    """A whole number typed or given (an int or its text) within [low, high], or None."""
    try:
        number = int(str(value if value is not None else "").strip())
    except ValueError:
        return None
    return number if low <= number <= high else None


FIELDS = ("name", "subject", "grade", "kind", "teacher", "advisor", "classroom", "capacity", "planned_lessons",
          "lesson_hours", "start_on")


def create(by, data):
    """Open a class (招生中) from its values (rows for the teacher, advisor and classroom)."""
    data = dict(data)
    errors = class_errors(by, data)
    if errors:
        raise Invalid(errors)
    with write():
        klass = SchoolClass.create(created_at=clock.now(), created_by=by, **{k: data[k] for k in FIELDS})
        audit.record(by, "create", "school_class", klass.id, after=audit.snapshot(klass), summary=klass.name)
    return klass


def update(by, klass, data):
    """Change a class's details. Its planned lessons follow a new teacher or room (checked for clashes); the
    subject is fixed once hours were consumed; a class ends only through 结课 (changes.end_class)."""
    data = dict(data)
    errors = class_errors(by, data, klass)
    if errors:
        raise Invalid(errors)
    values = {k: data[k] for k in FIELDS}
    with write():
        planned = list(Lesson.select().where(Lesson.klass == klass, Lesson.status == "planned"))
        teacher, room = values["teacher"], values["classroom"]
        if teacher.id != klass.teacher_id or getattr(room, "id", None) != klass.classroom_id:
            found = []
            for lesson in planned:
                found += conflicts(lesson.day, lesson.starts_at, lesson.ends_at,
                                   teacher if teacher.id != klass.teacher_id else None,
                                   room if getattr(room, "id", None) != klass.classroom_id else None,
                                   [], exclude=[x.id for x in planned])
            if found:
                raise Invalid({"teacher": _l("The new teacher or room is taken: %(clash)s", clash=found[0].message())})
            for lesson in planned:
                before = {"teacher": lesson.teacher_id, "classroom": lesson.classroom_id}
                lesson.teacher, lesson.classroom = teacher, room
                lesson.save()
                audit.record(by, "update", "lesson", lesson.id, before=before,
                             after={"teacher": teacher.id, "classroom": getattr(room, "id", None)}, summary=klass.name)
        before = audit.snapshot(klass)
        for name, value in values.items():
            setattr(klass, name, value)
        klass.status = data["status"]
        klass.save()
        audit.record(by, "update", "school_class", klass.id, before=before, after=audit.snapshot(klass),
                     summary=klass.name)
    return klass


def hours_left(class_ids):
    """{class id: lesson hours still scheduled (planned lessons)} for many classes in one query."""
    rows = (Lesson.select(Lesson.klass, fn.SUM(Lesson.hours)).where(Lesson.klass.in_(list(class_ids)),
                                                                    Lesson.status == "planned")
            .group_by(Lesson.klass).tuples())
    found = {cid: hours_sum(total) for cid, total in rows}
    return {cid: found.get(cid, hours_sum(0)) for cid in class_ids}


def taken_places(class_ids):
    """{class id: students currently enrolled (regular and joined)}."""
    rows = (Enrolment.select(Enrolment.klass, fn.COUNT(Enrolment.id))
            .where(Enrolment.klass.in_(list(class_ids)), Enrolment.status == "active",
                   Enrolment.kind.in_(["regular", "join"])).group_by(Enrolment.klass).tuples())
    found = dict(rows)
    return {cid: found.get(cid, 0) for cid in class_ids}


def on_timetable():
    """A condition on SchoolClass: the class has a lesson on the timetable (held or to come, not cancelled). A
    class without one is waiting to be scheduled, not short of hours, and is on no low-hours list.

    EXISTS probes each class's lessons through the class index; `id IN (SELECT class_id …)` would read every
    lesson of every year to build its list."""
    return fn.EXISTS(Lesson.select(Lesson.id).where(Lesson.klass == SchoolClass.id, Lesson.status != "cancelled"))


def low_hour_classes(user=None, threshold=None):
    """Classes on the timetable, not ended, with `threshold` (the campus rule) or fewer lesson hours still
    scheduled."""
    threshold = rules.get("low_hours") if threshold is None else threshold
    tenths = int(threshold * 10)
    left = fn.COALESCE(fn.SUM(Lesson.hours), 0)
    query = (SchoolClass.select(SchoolClass, left.alias("left_tenths"))
             .join(Lesson, JOIN.LEFT_OUTER, on=((Lesson.klass == SchoolClass.id) & (Lesson.status == "planned")))
             .where(SchoolClass.status != "ended", on_timetable())
             .group_by(SchoolClass.id).having(left <= tenths)
             .order_by(left, SchoolClass.name))
    if user is not None:
        query = policy.classes_visible_to(user, query)
    found = list(query)
    for klass in found:
        klass.hours_left = hours_sum(klass.left_tenths)
    return found


# --- enrolment --------------------------------------------------------------------------------------------------

def members(klass, day=None):
    """Enrolments of students in the class (on `day`, default: now and later), with the student, by name."""
    query = (Enrolment.select(Enrolment, Student).join(Student)
             .where(Enrolment.klass == klass, Enrolment.kind.in_(["regular", "join"])))
    if day is None:
        query = query.where(Enrolment.status == "active")
    else:
        query = query.where(active_on(day))
    return list(query.order_by(Student.name))


def roster(lesson):
    """Who is expected at the lesson: [(student, kind, leave notice or None)], by name.

    Regular students enrolled on the lesson's day (not moved away from it, not suspended), plus one-lesson
    bookings (trial, make-up).
    """
    away = Makeup.select(Makeup.student).where(Makeup.missed_lesson == lesson, Makeup.kind == "moved")
    suspended = Suspension.select(Suspension.student).where(
        Suspension.start_on <= lesson.day, Suspension.end_on >= lesson.day,
        Suspension.resumed_on.is_null() | (Suspension.resumed_on > lesson.day))
    regular = (Enrolment.klass == lesson.klass_id) & active_on(lesson.day) & Enrolment.student.not_in(away)
    single = Enrolment.lesson == lesson.id
    # one query (a roll call reads its roster twice in the confirming request and once for the page after it)
    query = (Enrolment.select(Enrolment, Student, LeaveNotice).join(Student).switch(Enrolment)
             .join(LeaveNotice, JOIN.LEFT_OUTER, attr="notice",
                   on=((LeaveNotice.lesson == lesson.id) & (LeaveNotice.student == Enrolment.student)))
             .where(regular | single, Enrolment.student.not_in(suspended)))
    rows = [(e.student, e.kind, e.notice if e.notice is not None and e.notice.id is not None else None)
            for e in query]
    return sorted(rows, key=lambda row: row[0].search_text or row[0].name)


def enrol(by, klass, student, on=None):
    """Put a student in a class from `on`; joining after the first lesson is 插班 (hours count from `on`)."""
    on = on or clock.today()
    with write():
        klass = SchoolClass.get_by_id(klass.id)
        if klass.status == "ended":
            raise Invalid({"student": _l("This class has ended.")})
        if Enrolment.select().where(Enrolment.klass == klass, Enrolment.student == student,
                                    Enrolment.status == "active", Enrolment.kind.in_(["regular", "join"])).exists():
            raise Invalid({"student": _l("%(name)s is already in this class.", name=student.name)})
        taken = len(members(klass))
        if taken >= klass.capacity:
            raise Invalid({"student": _l("The class is full (%(n)d of %(n)d places taken).", n=klass.capacity)})
        if hours.balance(student, klass.subject) <= 0:
            raise Invalid({"student": _l("%(name)s has no %(subject)s hours: sign or renew a contract first.",
                                         name=student.name, subject=klass.subject)})
        clashes = clashes_for(klass, student, on)
        if clashes:
            raise Invalid({"student": clashes[0]})
        started = Lesson.select().where(Lesson.klass == klass, Lesson.status == "done", Lesson.day < on).exists()
        enrolment = Enrolment.create(klass=klass, student=student, kind="join" if started else "regular",
                                     joined_on=on, status="active", created_at=clock.now(), created_by=by)
        audit.record(by, "create", "enrolment", enrolment.id, after=audit.snapshot(enrolment),
                     summary="%s → %s" % (student.name, klass.name))
        _tasks_now(by, [student])
    return enrolment


def _tasks_now(by, students):
    """The follow-up tasks these records cause are made at once, in the same transaction."""
    engine.refresh(students, by=by)


def clashes_for(klass, student, on):
    """Messages for the class's coming lessons that clash with the student's other lessons (one query)."""
    mine, other = Lesson.alias(), Lesson.alias()
    seat = ((Enrolment.student == student) & (
        ((Enrolment.klass == other.klass) & Enrolment.kind.in_(["regular", "join"]) & (Enrolment.joined_on <= other.day)
         & (Enrolment.left_on.is_null() | (Enrolment.left_on > other.day)))
        | (Enrolment.lesson == other.id)))
    clash = (other.select(other, SchoolClass)
             .join(SchoolClass, on=(other.klass == SchoolClass.id), attr="klass")
             .switch(other)
             .join(mine, on=((mine.day == other.day) & (mine.starts_at < other.ends_at)
                             & (mine.ends_at > other.starts_at)))
             .join(Enrolment, on=seat)
             .where(mine.klass == klass, mine.status == "planned", mine.day >= on, other.status != "cancelled",
                    other.klass != klass)
             .order_by(other.starts_at).first())
    return [Conflict("student", clash, student.name).message()] if clash else []


def suspended_on(student, day):
    """True when the student is suspended (停课) on `day`."""
    return Suspension.select().where(
        Suspension.student == student, Suspension.start_on <= day, Suspension.end_on >= day,
        Suspension.resumed_on.is_null() | (Suspension.resumed_on > day)).exists()


def book_one_lesson(by, lesson, student, kind, result="", instead_of=None):
    """A student sits in one lesson only: a 试听 trial (no hours), a 补课 make-up, or 调课 `instead_of` another."""
    if kind not in ("trial", "makeup", "moved"):
        raise ValueError(kind)
    with write():
        lesson = Lesson.get_by_id(lesson.id)
        if lesson.status != "planned":
            raise Invalid({"student": _l("This lesson has already taken place.")})
        if suspended_on(student, lesson.day):
            raise Invalid({"student": _l("%(name)s is suspended on %(day)s.", name=student.name,
                                         day=lesson.day.isoformat())})
        exclude = [lesson.id] + ([instead_of.id] if instead_of is not None else [])
        found = conflicts(lesson.day, lesson.starts_at, lesson.ends_at, None, None, [student.id],
                                    exclude=exclude)
        if found:
            raise Invalid({"student": found[0].message()})
        klass = lesson.klass
        on_lesson = Enrolment.select().where(Enrolment.lesson == lesson).count()
        if len(members(klass, lesson.day)) + on_lesson >= klass.capacity:
            raise Invalid({"student": _l("The class is full (%(n)d of %(n)d places taken).", n=klass.capacity)})
        if Enrolment.select().where(Enrolment.lesson == lesson, Enrolment.student == student).exists() or \
                Enrolment.select().where(Enrolment.klass == klass, Enrolment.student == student,
                                         active_on(lesson.day)).exists():
            raise Invalid({"student": _l("%(name)s is already in this lesson.", name=student.name)})
        enrolment = Enrolment.create(klass=klass, student=student, kind=kind, joined_on=lesson.day,
                                     left_on=lesson.day, status="active", lesson=lesson, result=result[:200],
                                     created_at=clock.now(), created_by=by)
        audit.record(by, "create", "enrolment", enrolment.id, after=audit.snapshot(enrolment),
                     summary="%s %s → %s" % (ENROLMENT_KINDS[kind], student.name, klass.name))
        _tasks_now(by, [student])
    return enrolment


def classes_of(student):
    """The student's current classes (regular and joined), for the student file."""
    return list(SchoolClass.select(SchoolClass, Enrolment).join(Enrolment, attr="enrolment")
                .where(Enrolment.student == student, Enrolment.status == "active",
                       Enrolment.kind.in_(["regular", "join"])).order_by(SchoolClass.name))
