"""The follow-up engine: tasks are generated from the records, not remembered (handbook 第2篇 §十).

- 课前: the day before a student's first lesson in a class (or a trial lesson), confirm time, materials, room;
- 首课后: after a new class's first lesson, each student who came: student → teacher → parent;
- 结课: a week after a student's course ended (re-enrolment) and a month after (self-study invitation).

`generate(today)` is idempotent: every task has a unique `source`, so running it again (the scheduler does, every
half hour) adds nothing. The monthly minimum and the face-to-face rule are alerts computed when shown (domain.py).
"""

from datetime import date, timedelta

import peewee as pw

from xgapp import audit
from xgapp.classes.models import Attendance, Enrolment, Lesson, SchoolClass
from xgapp.db import utcnow, write
from xgapp.followups.models import FollowTask
from xgapp.students.models import Student

AHEAD = 14  # days ahead a 课前 task is created
FIRST_LESSON_BACK = 7  # a first lesson this recent still gets its 首课后 tasks
COURSE_END_BACK = 40  # course ends this recent get their 结课 tasks
ON_TIME_KINDS = ("regular", "join")


def _as_date(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


def _first_lessons(today):
    """(enrolment, day) for students whose first lesson in a class comes within AHEAD days (none attended yet)."""
    firsts = dict(Lesson.select(Enrolment.id, pw.fn.MIN(Lesson.day))
                  .join(Enrolment, on=(Enrolment.klass == Lesson.klass))
                  .where(Enrolment.status == "active", Enrolment.kind.in_(ON_TIME_KINDS), Lesson.status == "planned",
                         Lesson.day >= Enrolment.joined_on, Lesson.day >= today,
                         Lesson.day <= today + timedelta(days=AHEAD))
                  .group_by(Enrolment.id).tuples())
    if not firsts:
        return []
    enrolments = list(Enrolment.select(Enrolment, SchoolClass, Student).join(SchoolClass).switch(Enrolment)
                      .join(Student).where(Enrolment.id.in_(list(firsts)), Student.advisor.is_null(False)))
    attended = set(Attendance.select(Attendance.student, Lesson.klass).join(Lesson)
                   .where(Attendance.student.in_([e.student_id for e in enrolments]),
                          Lesson.klass.in_([e.klass_id for e in enrolments])).tuples())
    return [(e, _as_date(firsts[e.id])) for e in enrolments if (e.student_id, e.klass_id) not in attended]


def generate(today, now=None):
    """Create every task the rules say is due by now and not yet created; returns how many were created."""
    now = now or utcnow()
    rows = []

    def task(student, kind, due, source, klass=None, note=""):
        rows.append({"student": student.id, "advisor": student.advisor_id, "kind": kind, "due_on": due,
                     "source": source, "klass": klass.id if klass else None, "note": note[:200], "created_at": now})

    for enrolment, day in _first_lessons(today):
        task(enrolment.student, "pre_class", max(today, day - timedelta(days=1)),
             "pre:enrolment:%d" % enrolment.id, enrolment.klass,
             "首课 %s %s" % (enrolment.klass.name, day.isoformat()))
    trials = (Enrolment.select(Enrolment, Lesson, SchoolClass, Student).join(Lesson, on=(Enrolment.lesson == Lesson.id))
              .switch(Enrolment).join(SchoolClass).switch(Enrolment).join(Student)
              .where(Enrolment.kind == "trial", Enrolment.status == "active", Lesson.status == "planned",
                     Lesson.day >= today, Lesson.day <= today + timedelta(days=AHEAD), Student.advisor.is_null(False)))
    for enrolment in trials:
        task(enrolment.student, "pre_class", max(today, enrolment.lesson.day - timedelta(days=1)),
             "pre:trial:%d" % enrolment.id, enrolment.klass,
             "试听 %s %s" % (enrolment.klass.name, enrolment.lesson.day.isoformat()))
    firsts = (Attendance.select(Attendance, Lesson, SchoolClass, Student).join(Lesson).join(SchoolClass)
              .switch(Attendance).join(Student)
              .where(Lesson.seq == 1, Lesson.status == "done", Attendance.mark.in_(("present", "late")),
                     Lesson.day >= today - timedelta(days=FIRST_LESSON_BACK), Lesson.day <= today,
                     Student.advisor.is_null(False)))
    for mark in firsts:
        lesson = mark.lesson
        task(mark.student, "first_lesson", min(today, lesson.day + timedelta(days=1)) if lesson.day < today
             else today, "first:%d:%d" % (lesson.klass_id, mark.student_id), lesson.klass,
             "新班首课 %s %s：先问学员，再问老师，最后反馈家长" % (lesson.klass.name, lesson.day.isoformat()))
    ended = (Enrolment.select(Enrolment, SchoolClass, Student).join(SchoolClass).switch(Enrolment).join(Student)
             .where(Enrolment.status == "finished", Enrolment.left_on >= today - timedelta(days=COURSE_END_BACK),
                    Enrolment.left_on <= today, Student.advisor.is_null(False)))
    for enrolment in ended:
        left = enrolment.left_on
        task(enrolment.student, "course_end", left + timedelta(days=7), "end7:enrolment:%d" % enrolment.id,
             enrolment.klass, "结课一周 %s：续班意向" % enrolment.klass.name)
        task(enrolment.student, "course_end", left + timedelta(days=30), "end30:enrolment:%d" % enrolment.id,
             enrolment.klass, "结课一月 %s：近况，邀请来校自习" % enrolment.klass.name)
    if not rows:
        return 0
    with write():
        before = FollowTask.select().count()
        for chunk in range(0, len(rows), 200):
            FollowTask.insert_many(rows[chunk:chunk + 200]).on_conflict_ignore().execute()
        made = FollowTask.select().count() - before
        if made:
            audit.record(None, "create", "follow_task", None, summary="follow-up engine: %d new tasks" % made,
                         actor_name="scheduler")
    return made
