"""Double-booking: which lessons overlap a slot and share its teacher, its room or one of its students.

Scheduling owns this question; the class rules (a new teacher for a class, enrolling or booking a student) ask it
here, so `classes` uses `timetable.conflicts` and nothing in this module uses the class rules.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from peewee import JOIN

from xgapp import clock
from xgapp.accounts.models import User
from xgapp.classes.models import Classroom, Enrolment, Lesson, Makeup, SchoolClass, Suspension, active_on
from xgapp.students.models import Student

WEEKDAYS = {0: _l("Mon"), 1: _l("Tue"), 2: _l("Wed"), 3: _l("Thu"), 4: _l("Fri"), 5: _l("Sat"), 6: _l("Sun")}


@dataclass
class Conflict:
    """Why a slot cannot be used: who or what is double-booked, and by which lesson."""

    what: str  # teacher, classroom, student
    lesson: Lesson
    name: str

    def message(self):
        lesson = self.lesson
        when = "%s（%s）%s–%s" % (lesson.day.isoformat(), WEEKDAYS[lesson.day.weekday()],
                                clock.local(lesson.starts_at).strftime("%H:%M"),
                                clock.local(lesson.ends_at).strftime("%H:%M"))
        if self.what == "teacher":
            return str(_l("Teacher %(name)s already teaches %(klass)s on %(when)s.", name=self.name,
                          klass=lesson.klass.name, when=when))
        if self.what == "classroom":
            return str(_l("Room %(name)s is taken by %(klass)s on %(when)s.", name=self.name,
                          klass=lesson.klass.name, when=when))
        return str(_l("Student %(name)s is in %(klass)s on %(when)s.", name=self.name, klass=lesson.klass.name,
                      when=when))


def conflicts(day, starts_at, ends_at, teacher, classroom, student_ids, exclude=()):
    """Lessons that overlap the slot and share its teacher, room or any of the students.

    A student counts as taken by a lesson of a class they are enrolled in on that day (unless suspended or moved
    away from that lesson), or by a lesson they were booked into alone (trial, make-up, moved).
    """
    teacher_user = User.alias()
    overlapping = (Lesson.select(Lesson, SchoolClass, teacher_user, Classroom).join(SchoolClass).switch(Lesson)
                   .join(teacher_user, on=(Lesson.teacher == teacher_user.id), attr="teacher").switch(Lesson)
                   .join(Classroom, JOIN.LEFT_OUTER, on=(Lesson.classroom == Classroom.id), attr="classroom")
                   .where(Lesson.day == day, Lesson.status != "cancelled",
                          Lesson.starts_at < ends_at, Lesson.ends_at > starts_at))
    if exclude:
        overlapping = overlapping.where(Lesson.id.not_in(list(exclude)))
    found = []
    others = list(overlapping)
    if not others:
        return found
    teacher_id, room_id = getattr(teacher, "id", teacher), getattr(classroom, "id", classroom)
    for lesson in others:
        if teacher_id is not None and lesson.teacher_id == teacher_id:
            found.append(Conflict("teacher", lesson, lesson.teacher.display_name))
        if room_id is not None and lesson.classroom_id == room_id:
            found.append(Conflict("classroom", lesson, lesson.classroom.name))
    if student_ids:
        ids = [lesson.id for lesson in others]
        lessons = {lesson.id: lesson for lesson in others}
        by_class = {}
        for lesson in others:
            by_class.setdefault(lesson.klass_id, []).append(lesson)
        suspended = Suspension.select(Suspension.student).where(
            Suspension.start_on <= day, Suspension.end_on >= day,
            Suspension.resumed_on.is_null() | (Suspension.resumed_on > day))
        away = {(m.student_id, m.missed_lesson_id) for m in Makeup.select(Makeup.student, Makeup.missed_lesson)
                .where(Makeup.kind == "moved", Makeup.missed_lesson.in_(ids))}
        regular = (Enrolment.select(Enrolment, Student).join(Student)
                   .where(Enrolment.klass.in_(list(by_class)), Enrolment.student.in_(list(student_ids)),
                          Enrolment.student.not_in(suspended), active_on(day)))
        for e in regular:
            for lesson in by_class[e.klass_id]:
                if (e.student_id, lesson.id) not in away:
                    found.append(Conflict("student", lesson, e.student.name))
        single = (Enrolment.select(Enrolment, Student).join(Student)
                  .where(Enrolment.lesson.in_(ids), Enrolment.student.in_(list(student_ids))))
        for e in single:
            found.append(Conflict("student", lessons[e.lesson_id], e.student.name))
    return found
