"""Student-change rules: each change is one transaction with who, when, why, its effective date and hour effect.

Leave (请假) lives in attendance (it decides what a lesson costs); this module records it as a change too.
"""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from peewee import JOIN

from xgapp import audit, clock, policy
from xgapp.accounts.models import User
from xgapp.classes import backdating
from xgapp.classes import domain as classes
from xgapp.classes.models import Attendance, Enrolment, Lesson, Makeup, SchoolClass, StudentChange, Suspension
from xgapp.db import newest, write
from xgapp.followups import engine
from xgapp.students import domain as students
from xgapp.validation import Invalid

KINDS = {"leave": _l("Leave"), "suspend": _l("Suspension"), "resume": _l("Back from suspension"),
         "move": _l("Lesson moved"), "makeup": _l("Make-up lesson"), "transfer": _l("Class transfer"),
         "leave_class": _l("Left the class"), "finish": _l("Course ended")}


HORIZON = 60  # days ahead offered when choosing a lesson


def offered(user, student, today):
    """What the change page offers for a student (and what its forms accept): the student's classes, their
    upcoming lessons, lessons of the same subjects in other classes `user` may see, the missed lessons not yet
    made up, the classes `user` may transfer into, and the student's suspensions."""
    enrolments = list(Enrolment.select(Enrolment, SchoolClass).join(SchoolClass)
                      .where(Enrolment.student == student, Enrolment.status == "active",
                             Enrolment.kind.in_(["regular", "join"])).order_by(SchoolClass.name))
    subjects = {e.klass.subject for e in enrolments}
    mine = [e.klass_id for e in enrolments]
    ahead = (Lesson.status == "planned") & (Lesson.day >= today) & (Lesson.day <= today + timedelta(days=HORIZON))
    upcoming = list(Lesson.select(Lesson, SchoolClass).join(SchoolClass)
                    .where(Lesson.klass.in_(mine or [0]), ahead).order_by(Lesson.starts_at))
    others = list(policy.classes_visible_to(user, Lesson.select(Lesson, SchoolClass).join(SchoolClass))
                  .where(SchoolClass.subject.in_(list(subjects) or [""]), Lesson.klass.not_in(mine or [0]), ahead)
                  .order_by(Lesson.starts_at))
    made_up = Makeup.select(Makeup.missed_attendance).where(Makeup.missed_attendance.is_null(False))
    missed = list(Attendance.select(Attendance, Lesson, SchoolClass).join(Lesson).join(SchoolClass)
                  .where(Attendance.student == student, Attendance.mark.in_(["leave", "absent"]),
                         Attendance.id.not_in(made_up)).order_by(Lesson.day.desc()).limit(20))
    targets = [k for k in policy.classes_visible_to(user).where(SchoolClass.status != "ended").order_by(SchoolClass.name)
               if policy.may_manage_class(user, k)]
    suspensions = list(Suspension.select().where(Suspension.student == student)
                       .order_by(Suspension.start_on.desc()))
    return {"enrolments": enrolments, "upcoming": upcoming, "others": others, "missed": missed,
            "targets": targets, "suspensions": suspensions}


def record(by, student, kind, effective, reason, klass=None, to_klass=None, lesson=None, effect=""):
    """Write one student-change row (with its audit row); called inside the change's own transaction."""
    change = StudentChange.create(student=student, kind=kind, klass=klass, to_klass=to_klass, lesson=lesson,
                                  effective_on=effective, reason=(reason or "").strip()[:200],
                                  hours_effect=effect[:200], by=by, at=clock.now())
    audit.record(by, "create", "student_change", change.id, after=audit.snapshot(change),
                 summary="%s %s" % (student.name, KINDS[kind]))
    return change


def _need_reason(reason, field="reason"):
    if not (reason or "").strip():
        raise Invalid({field: _l("Say why.")})


def suspend(by, student, start, end, reason, today=None):
    """停课: the student misses every lesson from `start` to `end`; no hours are consumed meanwhile.

    A start before today is a correction (see classes.backdating), never before the student was on file."""
    today = today or clock.today()
    _need_reason(reason)
    if start is None or end is None:
        raise Invalid({"start": _l("Enter the first and last day of the suspension.")})
    if end < start:
        raise Invalid({"end": _l("The suspension must end on or after its first day.")})
    if (end - start).days > 366:
        raise Invalid({"end": _l("A suspension lasts at most a year.")})
    backdating.check_existed(student, start, "start")
    backdating.check_past(by, start, reason, "start", today=today)
    with write():
        overlapping = Suspension.select().where(Suspension.student == student, Suspension.resumed_on.is_null(),
                                                Suspension.start_on <= end, Suspension.end_on >= start)
        if overlapping.exists():
            raise Invalid({"start": _l("The student is already suspended in this period.")})
        suspension = Suspension.create(student=student, start_on=start, end_on=end, reason=reason.strip()[:200],
                                       by=by, at=clock.now())
        audit.record(by, "create", "suspension", suspension.id, after=audit.snapshot(suspension),
                     summary=student.name)
        missed = (Lesson.select().join(Enrolment, on=(Enrolment.klass == Lesson.klass))
                  .where(Enrolment.student == student, classes.active_on(Lesson.day), Lesson.status == "planned",
                         Lesson.day >= start, Lesson.day <= end).count())
        record(by, student, "suspend", start, reason,
                effect=str(_l("%(n)d lessons skipped, hours frozen until %(end)s", n=missed, end=end.isoformat())))
        if student.status == "active" and start <= today <= end:
            students.change_status(by, student, "paused", start, reason)
    return suspension


def start_due_suspensions(today=None):
    """Daily job: a student whose recorded suspension has begun becomes 停课 (paused). Idempotent."""
    today = today or clock.today()
    started = []
    with write():
        due = (Suspension.select(Suspension, students.Student).join(students.Student)
               .where(Suspension.start_on <= today, Suspension.end_on >= today, Suspension.resumed_on.is_null(),
                      students.Student.status == "active"))
        for suspension in due:
            students.change_status(None, suspension.student, "paused", suspension.start_on, suspension.reason)
            started.append(suspension.student)
    return started


def resumable(suspension, today):
    """'today' for a running suspension (back today), 'planned' for one past its end (back as planned, the day
    after it), None for one not begun or already closed."""
    if suspension.resumed_on is not None or today < suspension.start_on:
        return None
    return "today" if today <= suspension.end_on else "planned"


def resume(by, suspension, on=None, reason=""):
    """End a running suspension today (or close one past its end: back the day after its last day)."""
    on = on or clock.today()
    with write():
        suspension = Suspension.get_by_id(suspension.id)
        if suspension.resumed_on is not None:
            raise Invalid({"on": _l("This suspension has already ended.")})
        way = resumable(suspension, on)
        if way is None:
            raise Invalid({"on": _l("This suspension begins on %(day)s: it cannot end before it has begun.",
                                    day=suspension.start_on.isoformat())})
        suspension.resumed_on = on if way == "today" else suspension.end_on + timedelta(days=1)
        suspension.save()
        audit.record(by, "update", "suspension", suspension.id, before={"resumed_on": None},
                     after={"resumed_on": suspension.resumed_on.isoformat()}, summary=suspension.student.name)
        student = suspension.student
        record(by, student, "resume", suspension.resumed_on, reason or str(_l("Back from suspension")))
        if student.status == "paused":
            students.change_status(by, student, "active", suspension.resumed_on, reason)
    return suspension


def suspended_ids(day, student_ids=None):
    """Ids of students suspended on `day`."""
    query = Suspension.select(Suspension.student).where(
        Suspension.start_on <= day, Suspension.end_on >= day,
        Suspension.resumed_on.is_null() | (Suspension.resumed_on > day))
    if student_ids is not None:
        query = query.where(Suspension.student.in_(list(student_ids)))
    return {s.student_id for s in query}


def resumptions_due(user, within_days=3, today=None):
    """Suspensions that end within `within_days` (or have ended) and are not closed: the advisor calls the family."""
    today = today or clock.today()
    query = (Suspension.select(Suspension, students.Student).join(students.Student)
             .where(Suspension.resumed_on.is_null(), Suspension.end_on <= today + timedelta(days=within_days)))
    visible = policy.students_visible_to(user, students.Student.select(students.Student.id))
    return list(query.where(Suspension.student.in_(visible)).order_by(Suspension.end_on))


def move_student(by, student, from_lesson, to_lesson, reason):
    """调课 for one student: skip one lesson of their class and sit in another lesson of the same subject."""
    _need_reason(reason)
    with write():
        from_lesson, to_lesson = Lesson.get_by_id(from_lesson.id), Lesson.get_by_id(to_lesson.id)
        if from_lesson.status != "planned" or to_lesson.status != "planned":
            raise Invalid({"to_lesson": _l("Only lessons that have not taken place can be swapped.")})
        if from_lesson.klass.subject != to_lesson.klass.subject:
            raise Invalid({"to_lesson": _l("Choose a lesson of the same subject.")})
        if from_lesson.id == to_lesson.id:
            raise Invalid({"to_lesson": _l("Choose another lesson.")})
        if to_lesson.starts_at <= clock.now():
            backdating.check_past(by, to_lesson.day, reason, "to_lesson", started=True)
        backdating.check_existed(student, to_lesson.day, "to_lesson")
        if student.id not in {s.id for s, _, _ in classes.roster(from_lesson)}:
            raise Invalid({"to_lesson": _l("%(name)s is not expected at this lesson.", name=student.name)})
        classes.book_one_lesson(by, to_lesson, student, "moved", instead_of=from_lesson)
        makeup = Makeup.create(student=student, missed_lesson=from_lesson, lesson=to_lesson, kind="moved", by=by,
                               at=clock.now())
        audit.record(by, "create", "makeup", makeup.id, after=audit.snapshot(makeup), summary=student.name)
        record(by, student, "move", to_lesson.day, reason, klass=from_lesson.klass, to_klass=to_lesson.klass,
                lesson=from_lesson, effect=str(_l("charged at the new lesson")))
        engine.follow([from_lesson.id], by=by)  # the 课前 call was for the lesson the student no longer attends


def book_makeup(by, student, missed_attendance, lesson, reason=""):
    """补课 for a missed lesson (leave or absence): charged only if the missed lesson was not."""
    with write():
        if missed_attendance.mark not in ("leave", "absent"):
            raise Invalid({"lesson": _l("Only a missed lesson (leave or absence) is made up.")})
        if Makeup.select().where(Makeup.missed_attendance == missed_attendance).exists():
            raise Invalid({"lesson": _l("This lesson has already been made up.")})
        if lesson.klass.subject != missed_attendance.lesson.klass.subject:
            raise Invalid({"lesson": _l("Choose a lesson of the same subject.")})
        classes.book_one_lesson(by, lesson, student, "makeup")
        makeup = Makeup.create(student=student, missed_lesson=missed_attendance.lesson,
                               missed_attendance=missed_attendance, lesson=lesson, kind="makeup", by=by, at=clock.now())
        audit.record(by, "create", "makeup", makeup.id, after=audit.snapshot(makeup), summary=student.name)
        effect = _l("free: the missed lesson was charged") if missed_attendance.hours > 0 else \
            _l("charged at the make-up lesson")
        record(by, student, "makeup", lesson.day, reason or str(KINDS["makeup"]), klass=lesson.klass,
                lesson=missed_attendance.lesson, effect=str(effect))


def transfer(by, enrolment, to_klass, on, reason):
    """转班: leave one class and join another from `on`; hours stay in the student's subject balance."""
    _need_reason(reason)
    with write():
        enrolment = Enrolment.get_by_id(enrolment.id)
        if enrolment.status != "active":
            raise Invalid({"to_klass": _l("The student is no longer in this class.")})
        if to_klass.id == enrolment.klass_id:
            raise Invalid({"to_klass": _l("Choose another class.")})
        student, old = enrolment.student, enrolment.klass
        backdating.check_past(by, on, reason, "on")
        if on < enrolment.joined_on:
            raise Invalid({"on": _l("The student joined on %(day)s.", day=enrolment.joined_on.isoformat())})
        _close(by, enrolment, on, "transferred")
        classes.enrol(by, to_klass, student, on)  # capacity, hours and clashes checked there
        effect = _l("hours carried over") if to_klass.subject == old.subject else \
            _l("now using %(subject)s hours", subject=to_klass.subject)
        record(by, student, "transfer", on, reason, klass=old, to_klass=to_klass, effect=str(effect))


def _close(by, enrolment, left_on, status):
    before = {"left_on": None, "status": enrolment.status}
    enrolment.left_on, enrolment.status = left_on, status
    enrolment.save()
    audit.record(by, "update", "enrolment", enrolment.id, before=before,
                 after={"left_on": left_on.isoformat(), "status": status}, summary=enrolment.student.name)


def leave_class(by, enrolment, on, reason, finished=False):
    """退班 (no lessons from `on`; a refund is then requested on the contract) or 结课 for one student.

    `on` is the first day without lessons; the student's lessons before it still count.
    """
    _need_reason(reason)
    with write():
        enrolment = Enrolment.get_by_id(enrolment.id)
        if enrolment.status != "active":
            raise Invalid({"reason": _l("The student is no longer in this class.")})
        backdating.check_past(by, on, reason, "on")
        if on < enrolment.joined_on:
            raise Invalid({"on": _l("The student joined on %(day)s.", day=enrolment.joined_on.isoformat())})
        _close(by, enrolment, on, "finished" if finished else "left")
        record(by, enrolment.student, "finish" if finished else "leave_class", on, reason, klass=enrolment.klass,
                effect=str(_l("no further lessons are charged")))
        engine.call_off(["pre:enrolment:%d" % enrolment.id], by=by)  # no 课前 call for a class left
        engine.refresh([enrolment.student_id], by=by)  # 结课 calls


def end_class(by, klass, on, reason=""):
    """结课 for the whole class: every student finishes, unheld lessons after `on` are cancelled."""
    with write():
        klass = SchoolClass.get_by_id(klass.id)
        if klass.status == "ended":
            raise Invalid({"on": _l("This class has ended.")})
        for enrolment in classes.members(klass):  # `on` is the last day: lessons on it still count
            leave_class(by, enrolment, max(on + timedelta(days=1), enrolment.joined_on),
                        reason or str(KINDS["finish"]), finished=True)
        for lesson in Lesson.select().where(Lesson.klass == klass, Lesson.status == "planned", Lesson.day > on):
            lesson.status, lesson.note = "cancelled", str(KINDS["finish"])
            lesson.save()
            audit.record(by, "update", "lesson", lesson.id, before={"status": "planned"},
                         after={"status": "cancelled"}, summary=klass.name)
        before = klass.status
        klass.status = "ended"
        klass.save()
        audit.record(by, "update", "school_class", klass.id, before={"status": before}, after={"status": "ended"},
                     summary=klass.name)
    return klass


def history(student):
    """Every change of a student, newest first (with who recorded it)."""
    return list(StudentChange.select(StudentChange, User)
                .join(User, JOIN.LEFT_OUTER, on=(StudentChange.by == User.id), attr="by")
                .where(StudentChange.student == student).order_by(StudentChange.at.desc()))


def change_events(student, limit=None, before=None):
    """Every student change (the newest `limit`), for the student timeline."""
    changes = StudentChange.select().where(StudentChange.student == student)
    return [(c.at, "change", "%s%s" % (KINDS[c.kind], " · " + c.hours_effect if c.hours_effect else ""), c.reason)
            for c in newest(changes, StudentChange.at, limit, before)]
