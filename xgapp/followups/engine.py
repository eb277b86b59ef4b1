"""The follow-up engine: tasks are generated from the records, not remembered (handbook 第2篇 §十).

- 课前: the day before a student's first lesson in a class (or a trial lesson), confirm time, materials, room;
- 首课后: after a new class's first lesson, each student who came: student → teacher → parent;
- 结课: a week after a student's course ended (re-enrolment) and a month after (self-study invitation).

`generate(today)` is idempotent: every task has a unique `source`, so running it again adds nothing. The records
that cause tasks call `refresh(student_ids)` in their own transaction (an enrolment, a trial booking, a roll call,
a course end), so a task is there as soon as its cause; the scheduler still sweeps every half hour for what only
time brings due. A call of the task's kind already logged since its cause (before the task existed) does the
task at once. Tasks follow their records: `follow(...)` moves a 课前 task with its lesson (moved: due the day
before the new day; cancelled or left with 请假: the call is off) — called when a lesson moves or is cancelled
and when leave is reported. The monthly minimum and the face-to-face rule are alerts computed when shown
(domain.py).
"""

import contextvars
import re
from contextlib import contextmanager
from datetime import date, timedelta

import peewee as pw
from flask_babel import lazy_gettext as _l

from xgapp import audit, clock
from xgapp.classes.models import Attendance, Enrolment, LeaveNotice, Lesson, Makeup, SchoolClass
from xgapp.db import write
from xgapp.followups.models import FollowTask, FollowUp
from xgapp.students.models import Student

AHEAD = 14  # days ahead a 课前 task is created
FIRST_LESSON_BACK = 7  # a first lesson this recent still gets its 首课后 tasks
COURSE_END_BACK = 40  # course ends this recent get their 结课 tasks
ON_TIME_KINDS = ("regular", "join")
_deferred = contextvars.ContextVar("xgapp_tasks_deferred", default=False)


@contextmanager
def deferred():
    """Write records without making their tasks at once (the demo's years of history: it sweeps once at the end)."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


def _as_date(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


def _mine(query, column, students):
    return query if students is None else query.where(column.in_(list(students)))


def _first_lessons(today, students=None):
    """(enrolment, day) for students whose first lesson in a class comes within AHEAD days (none attended yet)."""
    firsts = dict(_mine(Lesson.select(Enrolment.id, pw.fn.MIN(Lesson.day))
                        .join(Enrolment, on=(Enrolment.klass == Lesson.klass))
                        .where(Enrolment.status == "active", Enrolment.kind.in_(ON_TIME_KINDS),
                               Lesson.status == "planned", Lesson.day >= Enrolment.joined_on, Lesson.day >= today,
                               Lesson.day <= today + timedelta(days=AHEAD)), Enrolment.student, students)
                  .group_by(Enrolment.id).tuples())
    if not firsts:
        return []
    enrolments = list(Enrolment.select(Enrolment, SchoolClass, Student).join(SchoolClass).switch(Enrolment)
                      .join(Student).where(Enrolment.id.in_(list(firsts)), Student.advisor.is_null(False)))
    attended = set(Attendance.select(Attendance.student, Lesson.klass).join(Lesson)
                   .where(Attendance.student.in_([e.student_id for e in enrolments]),
                          Lesson.klass.in_([e.klass_id for e in enrolments])).tuples())
    return [(e, _as_date(firsts[e.id])) for e in enrolments if (e.student_id, e.klass_id) not in attended]


# The notes the engine writes (in Chinese, as the campus's paper does), read back for a reader of another language.
NOTES = [
    (re.compile(r"首课 (?P<klass>.+) (?P<day>\d{4}-\d{2}-\d{2})"),
     _l("Before the first lesson of %(klass)s on %(day)s")),
    (re.compile(r"试听 (?P<klass>.+) (?P<day>\d{4}-\d{2}-\d{2})"),
     _l("Before the trial lesson in %(klass)s on %(day)s")),
    (re.compile(r"新班首课 (?P<klass>.+) (?P<day>\d{4}-\d{2}-\d{2})：先问学员，再问老师，最后反馈家长"),
     _l("First lesson of the new class %(klass)s on %(day)s: ask the student, then the teacher, then tell the "
        "parents")),
    (re.compile(r"结课一周 (?P<klass>.+)：续班意向"), _l("A week after %(klass)s ended: will they continue?")),
    (re.compile(r"结课一月 (?P<klass>.+)：近况，邀请来校自习"),
     _l("A month after %(klass)s ended: how are they doing; invite them to the study room")),
]


def note_text(note):
    """A task's note in the reader's language: the engine's own notes rebuilt from their parts, others as written."""
    for pattern, text in NOTES:
        found = pattern.fullmatch(note or "")
        if found:
            return text % found.groupdict()
    return note


def _pre_note(prefix, klass, day):
    return "%s %s %s" % (prefix, klass.name, day.isoformat())


def _excused(today, students=None):
    """{(student id, lesson id)} of coming lessons a student misses (leave reported, or moved to another lesson):
    no 课前 call for them."""
    leave = LeaveNotice.select(LeaveNotice.student, LeaveNotice.lesson).join(Lesson).where(Lesson.day >= today)
    moved = (Makeup.select(Makeup.student, Makeup.missed_lesson).join(Lesson, on=(Makeup.missed_lesson == Lesson.id))
             .where(Makeup.kind == "moved", Lesson.day >= today))
    return set(_mine(leave, LeaveNotice.student, students).tuples()) | \
        set(_mine(moved, Makeup.student, students).tuples())


def call_off(sources, by=None):
    """Cancel open tasks whose record is gone (the student left the class before its first lesson)."""
    if _deferred.get():
        return
    for t in FollowTask.select().where(FollowTask.source.in_(list(sources)), FollowTask.status == "open"):
        FollowTask.update(status="cancelled").where(FollowTask.id == t.id).execute()
        audit.record(by, "update", "follow_task", t.id, before={"status": "open"}, after={"status": "cancelled"},
                     summary=t.note)


def generate(today, now=None, students=None, actor=None):
    """Create every task the rules say is due by now and not yet created (only `students`' when given); returns
    how many were created. A call of the task's kind logged since its cause does the new task at once."""
    now = now or clock.now()
    rows, since = [], {}

    def task(student, kind, due, source, klass=None, note="", cause=None):
        rows.append({"student": student.id, "advisor": student.advisor_id, "kind": kind, "due_on": due,
                     "source": source, "klass": klass.id if klass else None, "note": note[:200], "created_at": now})
        since[source] = cause

    excused = _excused(today, students)
    coming = _first_lessons(today, students)
    on_day = {}  # (class id, day) → its planned lessons' ids: is the student on leave for the first one?
    if coming and excused:
        for lesson_id, klass_id, day in (Lesson.select(Lesson.id, Lesson.klass, Lesson.day)
                                         .where(Lesson.klass.in_({e.klass_id for e, _ in coming}),
                                                Lesson.status == "planned", Lesson.id.in_({x for _, x in excused}))
                                         .tuples()):
            on_day.setdefault((klass_id, _as_date(day)), set()).add(lesson_id)
    for enrolment, day in coming:
        if any((enrolment.student_id, x) in excused for x in on_day.get((enrolment.klass_id, day), ())):
            continue
        task(enrolment.student, "pre_class", max(today, day - timedelta(days=1)),
             "pre:enrolment:%d" % enrolment.id, enrolment.klass, _pre_note("首课", enrolment.klass, day),
             enrolment.created_at)
    trials = _mine(Enrolment.select(Enrolment, Lesson, SchoolClass, Student)
                   .join(Lesson, on=(Enrolment.lesson == Lesson.id))
                   .switch(Enrolment).join(SchoolClass).switch(Enrolment).join(Student)
                   .where(Enrolment.kind == "trial", Enrolment.status == "active", Lesson.status == "planned",
                          Lesson.day >= today, Lesson.day <= today + timedelta(days=AHEAD),
                          Student.advisor.is_null(False)), Enrolment.student, students)
    for enrolment in trials:
        if (enrolment.student_id, enrolment.lesson_id) in excused:
            continue
        task(enrolment.student, "pre_class", max(today, enrolment.lesson.day - timedelta(days=1)),
             "pre:trial:%d" % enrolment.id, enrolment.klass, _pre_note("试听", enrolment.klass, enrolment.lesson.day),
             enrolment.created_at)
    firsts = _mine(Attendance.select(Attendance, Lesson, SchoolClass, Student).join(Lesson).join(SchoolClass)
                   .switch(Attendance).join(Student)
                   .where(Lesson.seq == 1, Lesson.status == "done", Attendance.mark.in_(("present", "late")),
                          Lesson.day >= today - timedelta(days=FIRST_LESSON_BACK), Lesson.day <= today,
                          Student.advisor.is_null(False)), Attendance.student, students)
    for mark in firsts:
        lesson = mark.lesson
        task(mark.student, "first_lesson", min(today, lesson.day + timedelta(days=1)) if lesson.day < today
             else today, "first:%d:%d" % (lesson.klass_id, mark.student_id), lesson.klass,
             "新班首课 %s %s：先问学员，再问老师，最后反馈家长" % (lesson.klass.name, lesson.day.isoformat()),
             lesson.starts_at)
    ended = _mine(Enrolment.select(Enrolment, SchoolClass, Student).join(SchoolClass).switch(Enrolment).join(Student)
                  .where(Enrolment.status == "finished",
                         Enrolment.left_on >= today - timedelta(days=COURSE_END_BACK), Enrolment.left_on <= today,
                         Student.advisor.is_null(False)), Enrolment.student, students)
    for enrolment in ended:
        left = enrolment.left_on
        # the course's last day is the day before left_on: a call from then on is about its end
        end = clock.at(left - timedelta(days=1))
        task(enrolment.student, "course_end", left + timedelta(days=7), "end7:enrolment:%d" % enrolment.id,
             enrolment.klass, "结课一周 %s：续班意向" % enrolment.klass.name, end)
        task(enrolment.student, "course_end", left + timedelta(days=30), "end30:enrolment:%d" % enrolment.id,
             enrolment.klass, "结课一月 %s：近况，邀请来校自习" % enrolment.klass.name, end + timedelta(days=21))
    if not rows:
        return 0
    with write():
        known = set()
        sources = [row["source"] for row in rows]
        for chunk in range(0, len(sources), 500):
            known |= {s for (s,) in FollowTask.select(FollowTask.source)
                      .where(FollowTask.source.in_(sources[chunk:chunk + 500])).tuples()}
        fresh = [row for row in rows if row["source"] not in known]
        for chunk in range(0, len(fresh), 200):
            FollowTask.insert_many(fresh[chunk:chunk + 200]).on_conflict_ignore().execute()
        if fresh:
            audit.record(actor, "create", "follow_task", None,
                         summary="follow-up engine: %d new tasks" % len(fresh),
                         actor_name=None if actor is not None else "scheduler")
            _done_by_earlier_calls([row["source"] for row in fresh], since, now, actor)
    return len(fresh)


def _done_by_earlier_calls(sources, since, now, actor=None):
    """New tasks whose call was already logged (same student and kind, since the task's cause, not yet doing
    another task) are done by that call."""
    for chunk in range(0, len(sources), 500):
        tasks = list(FollowTask.select().where(FollowTask.source.in_(sources[chunk:chunk + 500])))
        calls = {}
        for followup in (FollowUp.select().where(FollowUp.student.in_({t.student_id for t in tasks}),
                                                  FollowUp.task.is_null(), FollowUp.at <= now)
                         .order_by(FollowUp.at)):
            calls.setdefault((followup.student_id, followup.kind), []).append(followup)
        for t in tasks:
            cause = since.get(t.source)
            match = next((f for f in calls.get((t.student_id, t.kind), [])
                          if (cause is None or f.at >= cause) and f.task_id is None), None)
            if match is None:
                continue
            match.task_id = t.id  # one call does one task
            FollowTask.update(status="done", done_at=match.at, done_by=match.advisor_id).where(
                FollowTask.id == t.id).execute()
            FollowUp.update(task=t.id).where(FollowUp.id == match.id).execute()
            audit.record(actor, "update", "follow_task", t.id, before={"status": "open"},
                         after={"status": "done", "follow_up": match.id},
                         actor_name=None if actor is not None else "scheduler", summary="already called")


def refresh(student_ids, now=None, by=None):
    """The records of these students changed: make their due tasks now (inside the caller's transaction)."""
    student_ids = [getattr(s, "id", s) for s in student_ids]
    if not student_ids or _deferred.get():
        return 0
    now = now or clock.now()
    return generate(clock.local(now).date(), now, students=student_ids, actor=by)


def after_roll_call(lesson, student_ids, by=None):
    """A roll call was confirmed (inside its transaction). Of the tasks the records make, only 首课后 follows from a
    roll call, and only from a class's first lesson (seq 1): other roll calls make nothing new, and skip the
    students' whole sweep (the half-hourly sweep still runs)."""
    if lesson.seq != 1:
        return 0
    return refresh(student_ids, by=by)


def follow(lesson_ids, now=None, by=None):
    """Open 课前 tasks follow their lessons: a lesson moved moves its task (due the day before the new day), a
    lesson cancelled or one the student has leave for calls the task off. Returns the tasks changed."""
    lesson_ids = list(lesson_ids)
    if not lesson_ids or _deferred.get():
        return 0
    now = now or clock.now()
    today = clock.local(now).date()
    klasses = Lesson.select(Lesson.klass).where(Lesson.id.in_(lesson_ids))
    candidates = {e.id: e for e in Enrolment.select().where(Enrolment.klass.in_(klasses)
                                                            | Enrolment.lesson.in_(lesson_ids))}
    sources = ["pre:%s:%d" % ("trial" if e.kind == "trial" else "enrolment", e.id) for e in candidates.values()]
    open_pre = list(FollowTask.select().where(FollowTask.kind == "pre_class", FollowTask.status == "open",
                                              FollowTask.source.in_(sources))) if sources else []
    by_enrolment = {int(t.source.rsplit(":", 1)[1]): t for t in open_pre}
    if not by_enrolment:
        return 0
    enrolments = [candidates[i] for i in by_enrolment]
    excused = _excused(today, [e.student_id for e in enrolments])
    changed = 0
    for enrolment in enrolments:
        t = by_enrolment[enrolment.id]
        if t.source.startswith("pre:trial:"):
            target = Lesson.get_or_none(Lesson.id == enrolment.lesson_id)
            prefix = "试听"
        else:
            target = (Lesson.select().where(Lesson.klass == enrolment.klass_id, Lesson.status == "planned",
                                            Lesson.day >= max(enrolment.joined_on, today))
                      .order_by(Lesson.starts_at).first())
            prefix = "首课"
        if target is None or target.status != "planned" or (enrolment.student_id, target.id) in excused:
            FollowTask.update(status="cancelled").where(FollowTask.id == t.id).execute()
            audit.record(by, "update", "follow_task", t.id, before={"status": "open"}, after={"status": "cancelled"},
                         summary=t.note)
            changed += 1
            continue
        due, note = max(today, target.day - timedelta(days=1)), _pre_note(prefix, target.klass, target.day)[:200]
        if (due, note) != (t.due_on, t.note):
            FollowTask.update(due_on=due, note=note).where(FollowTask.id == t.id).execute()
            audit.record(by, "update", "follow_task", t.id, before={"due_on": t.due_on.isoformat(), "note": t.note},
                         after={"due_on": due.isoformat(), "note": note}, summary=note)
            changed += 1
    return changed
