"""Timetable rules: lessons from a weekly pattern, opening hours, holidays; double-booking is `conflicts`."""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from peewee import JOIN

from xgapp import audit, clock, policy
from xgapp.accounts.models import User
from xgapp.campus import rules
from xgapp.classes import backdating
from xgapp.classes import domain as classes
from xgapp.classes.models import Classroom, Enrolment, Holiday, Lesson, Makeup, SchoolClass
from xgapp.db import write
from xgapp.followups import engine
from xgapp.notices import domain as notices
from xgapp.students.models import Student
from xgapp.timetable.conflicts import WEEKDAYS, conflicts
from xgapp.validation import Invalid

MAX_LESSONS = 200


def check_hours(day, start, end):
    """Problems with the clock times alone: {field: message} (end before start, outside opening hours)."""
    errors = {}
    if end <= start:
        errors["end"] = _l("The lesson must end after it starts.")
    opening, closing = rules.get("opening_time"), rules.get("closing_time")
    if start < opening or end > closing:
        errors["start"] = _l("The campus is open %(open)s–%(close)s.", open=opening.strftime("%H:%M"),
                             close=closing.strftime("%H:%M"))
    if Holiday.select().where(Holiday.day == day).exists():
        errors["day"] = _l("The campus is closed on %(day)s (holiday).", day=day.isoformat())
    return errors


def students_in(klass, day):
    """Ids of the students who sit in the class's lessons on `day` (regular and joined)."""
    return [e.student_id for e in Enrolment.select(Enrolment.student)
            .where(Enrolment.klass == klass, classes.active_on(day))]


def plan_days(first_day, weekdays, count, skip=None):
    """The next `count` dates from `first_day` falling on `weekdays` (0 = Monday), skipping holidays."""
    skip = skip if skip is not None else {h.day for h in Holiday.select(Holiday.day)
                                          .where(Holiday.day >= first_day)}
    days, day = [], first_day
    while len(days) < count:
        if day.weekday() in weekdays and day not in skip:
            days.append(day)
        day += timedelta(days=1)
    return days


def _problems(errors, found):
    if found:
        errors.setdefault("conflicts", [])
        errors["conflicts"] = [c.message() for c in found[:20]]
    return errors


def schedule(by, klass, weekdays, start, end, first_day, count, classroom=None, reason=""):
    """Generate `count` lessons on `weekdays` from `first_day` (holidays skipped); all or nothing.

    Refused with every clash listed when any lesson would double-book the teacher, the room or a student.
    Lessons before today are a correction (classes.backdating): the principal or a supervisor, with `reason`,
    at most a week back.
    """
    errors = {}
    weekdays = sorted({int(w) for w in weekdays if str(w).isdigit() and 0 <= int(w) <= 6})
    if not weekdays:
        errors["weekdays"] = _l("Tick at least one weekday.")
    if not 1 <= count <= MAX_LESSONS:
        errors["count"] = _l("Between 1 and %(max)d lessons.", max=MAX_LESSONS)
    if start is None:
        errors["start"] = _l("Enter the start time, e.g. 09:00.")
    if end is None:
        errors["end"] = _l("Enter the end time, e.g. 10:30.")
    if first_day is None:
        errors["first_day"] = _l("Enter the first day, e.g. 2026-09-05.")
    if errors:
        raise Invalid(errors)
    backdating.check_past(by, first_day, reason, "first_day", "schedule_reason",
                          started=clock.at(first_day, start) <= clock.now())
    problems = check_hours(first_day, start, end)
    problems.pop("day", None)  # holidays are skipped, not refused
    if problems:
        raise Invalid(problems)
    classroom = classroom or klass.classroom
    with write():
        seq = Lesson.select().where(Lesson.klass == klass).count()
        days = plan_days(first_day, weekdays, count)
        found = []
        for day in days:
            found += conflicts(day, clock.at(day, start), clock.at(day, end), klass.teacher_id, classroom,
                               students_in(klass, day))
        if found:
            raise Invalid(_problems({"first_day": _l("%(n)d clashes: nothing was scheduled.", n=len(found))},
                                    found))
        hours = klass.lesson_hours
        created = []
        for i, day in enumerate(days, start=seq + 1):
            created.append(Lesson.create(klass=klass, seq=i, day=day, starts_at=clock.at(day, start),
                                         ends_at=clock.at(day, end), teacher=klass.teacher_id, classroom=classroom,
                                         hours=hours))
        audit.record(by, "create", "lesson", created[0].id, after={
            "class": klass.id, "lessons": [lesson.id for lesson in created], "weekdays": weekdays,
            "start": start.strftime("%H:%M"), "end": end.strftime("%H:%M"), "first_day": first_day.isoformat()},
            summary="%s × %d" % (klass.name, len(created)))
    return created


def move(by, lesson, day, start, end, classroom=None, reason=""):
    """Move one planned lesson (调课) to another slot, checking hours, holidays and double-booking."""
    if not (reason or "").strip():
        raise Invalid({"reason": _l("Say why the lesson moves.")})
    if day is None or start is None or end is None:
        raise Invalid({"day": _l("Enter the new day and times.")})
    errors = check_hours(day, start, end)
    if errors:
        raise Invalid(errors)
    backdating.check_past(by, day, reason, "day", started=clock.at(day, start) <= clock.now())
    with write():
        lesson = Lesson.get_by_id(lesson.id)
        if lesson.status != "planned":
            raise Invalid({"day": _l("Only a lesson that has not taken place can be moved.")})
        room = classroom if classroom is not None else lesson.classroom_id
        if classroom is not None and classroom.seats < len(students_in(lesson.klass, day)):
            raise Invalid({"classroom": _l("%(room)s has only %(seats)d seats.", room=classroom.name,
                                           seats=classroom.seats)})
        starts_at, ends_at = clock.at(day, start), clock.at(day, end)
        students = students_in(lesson.klass, day) + [
            e.student_id for e in Enrolment.select(Enrolment.student).where(Enrolment.lesson == lesson)]
        found = conflicts(day, starts_at, ends_at, lesson.teacher_id, room, students, exclude=[lesson.id])
        if found:
            raise Invalid(_problems({"day": _l("This slot clashes: the lesson was not moved.")}, found))
        before = audit.snapshot(lesson)
        lesson.day, lesson.starts_at, lesson.ends_at, lesson.classroom = day, starts_at, ends_at, room
        lesson.note = reason.strip()[:200]
        lesson.save()
        audit.record(by, "update", "lesson", lesson.id, before=before, after=audit.snapshot(lesson),
                     summary="%s: %s" % (lesson.klass.name, reason.strip()))
        _tasks_follow(by, lesson)
        _tell_advisors(by, lesson, _l("%(klass)s lesson %(n)d moved to %(when)s (%(reason)s)",
                                      klass=lesson.klass.name, n=lesson.seq, reason=reason.strip(),
                                      when="%s（%s）%s–%s" % (day.isoformat(), WEEKDAYS[day.weekday()],
                                                            start.strftime("%H:%M"), end.strftime("%H:%M"))))
    return lesson


def _tasks_follow(by, lesson):
    """课前 tasks follow the lesson they are for (moved with it, off when it is cancelled)."""
    engine.follow([lesson.id], by=by)


def _tell_advisors(by, lesson, text):
    """The class's advisor and the advisors of its students see the change on their home page."""
    students = Student.select(Student.advisor).join(Enrolment, on=(Enrolment.student == Student.id)).where(
        (Enrolment.klass == lesson.klass_id) & classes.active_on(lesson.day) | (Enrolment.lesson == lesson))
    advisors = [lesson.klass.advisor_id] + [s.advisor_id for s in students]
    notices.notify([a for a in advisors if a and a != getattr(by, "id", None)], text,
                   "/classes/%d" % lesson.klass_id)


def cancel(by, lesson, reason):
    """Cancel a planned lesson (nobody is charged); the class's planned hours drop accordingly."""
    if not (reason or "").strip():
        raise Invalid({"reason": _l("Say why the lesson is cancelled.")})
    with write():
        lesson = Lesson.get_by_id(lesson.id)
        if lesson.status != "planned":
            raise Invalid({"reason": _l("Only a lesson that has not taken place can be cancelled.")})
        lesson.status, lesson.note = "cancelled", reason.strip()[:200]
        lesson.save()
        audit.record(by, "update", "lesson", lesson.id, before={"status": "planned"},
                     after={"status": "cancelled"}, summary=reason.strip())
        _tasks_follow(by, lesson)
        _tell_advisors(by, lesson, _l("%(klass)s lesson %(n)d on %(day)s is cancelled (%(reason)s)",
                                      klass=lesson.klass.name, n=lesson.seq, day=lesson.day.isoformat(),
                                      reason=reason.strip()))
    return lesson


def week(monday, user, teacher=None, classroom=None, advisor=None, student=None, klass=None):
    """Lessons of the week starting `monday` that `user` may see, optionally for one person, room or class."""
    teacher_user = User.alias()
    query = (Lesson.select(Lesson, SchoolClass, teacher_user, Classroom)
             .join(SchoolClass).switch(Lesson)
             .join(teacher_user, on=(Lesson.teacher == teacher_user.id), attr="teacher").switch(Lesson)
             .join(Classroom, JOIN.LEFT_OUTER, on=(Lesson.classroom == Classroom.id), attr="classroom")
             .where(Lesson.day >= monday, Lesson.day < monday + timedelta(days=7), Lesson.status != "cancelled"))
    query = policy.classes_visible_to(user, query)
    if teacher:
        query = query.where(Lesson.teacher == teacher)
    if classroom:
        query = query.where(Lesson.classroom == classroom)
    if advisor:
        query = query.where(SchoolClass.advisor == advisor)
    if klass:
        query = query.where(Lesson.klass == klass)
    if student:
        seated = Lesson.id.is_null()  # false: the ORs below add each enrolment's class and dates
        for e in Enrolment.select().where(Enrolment.student == student, Enrolment.kind.in_(["regular", "join"]),
                                          Enrolment.joined_on < monday + timedelta(days=7),
                                          Enrolment.left_on.is_null() | (Enrolment.left_on > monday)):
            span = (Lesson.klass == e.klass_id) & (Lesson.day >= e.joined_on)
            if e.left_on:
                span = span & (Lesson.day < e.left_on)
            seated = seated | span
        single = Enrolment.select(Enrolment.lesson).where(Enrolment.student == student,
                                                          Enrolment.lesson.is_null(False))
        away = Makeup.select(Makeup.missed_lesson).where(Makeup.student == student, Makeup.kind == "moved")
        query = query.where((seated & Lesson.id.not_in(away)) | Lesson.id.in_(single))
    days = {monday + timedelta(days=i): [] for i in range(7)}
    for lesson in query.order_by(Lesson.starts_at):
        days[lesson.day].append(lesson)
    return days


def utilisation(start, days):
    """Per room: hours booked and share of opening hours over `days` days from `start` (holidays excluded)."""
    opening, closing = rules.get("opening_time"), rules.get("closing_time")
    per_day = (datetime.combine(start, closing) - datetime.combine(start, opening)).seconds / 3600
    closed = Holiday.select().where(Holiday.day >= start, Holiday.day < start + timedelta(days=days)).count()
    open_hours = per_day * (days - closed)
    booked = {}
    for lesson in Lesson.select(Lesson.classroom, Lesson.starts_at, Lesson.ends_at).where(
            Lesson.day >= start, Lesson.day < start + timedelta(days=days), Lesson.status != "cancelled",
            Lesson.classroom.is_null(False)):
        booked[lesson.classroom_id] = booked.get(lesson.classroom_id, 0) + \
            (lesson.ends_at - lesson.starts_at).total_seconds() / 3600
    return [{"room": room, "hours": round(booked.get(room.id, 0), 1),
             "share": round(100 * booked.get(room.id, 0) / open_hours) if open_hours else 0}
            for room in classes.rooms()]


def upcoming(klass, limit=None):
    query = Lesson.select().where(Lesson.klass == klass).order_by(Lesson.starts_at)
    return list(query.limit(limit) if limit else query)

