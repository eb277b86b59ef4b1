"""Roll-call rules: what each mark costs in hours, one confirmation per lesson, leave reported in advance.

Who is expected is an enrolment question (`classes.roster`); who may take the roll call is `policy`; a leave is
recorded as a student change too (`changes.record`).
"""

from datetime import timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from xgapp import audit, clock, policy
from xgapp.campus import rules
from xgapp.changes import domain as changes
from xgapp.classes import backdating
from xgapp.classes import domain as classes
from xgapp.classes.models import Attendance, Enrolment, LeaveNotice, Lesson, Makeup, SchoolClass
from xgapp.db import insert_rows, newest, write
from xgapp.followups import engine
from xgapp.hours import domain as hours
from xgapp.leads import domain as leads
from xgapp.leads.models import Lead
from xgapp.validation import Invalid

MARKS = {"present": _l("Present"), "late": _l("Late"), "leave": _l("Leave"), "absent": _l("Absent")}
ZERO = Decimal("0.0")



def leave_in_time(notice, lesson):
    """True when the leave was reported early enough (campus rule) to cost no hours."""
    if notice is None:
        return False
    return notice.reported_at <= lesson.starts_at - timedelta(hours=rules.get("leave_notice_hours"))


def leave_late(lesson, at=None):
    """True when leave reported at `at` (default now) comes too late under the campus rule: the lesson's hours
    are consumed as if the student came (say so before the leave is saved)."""
    return (at or clock.now()) > lesson.starts_at - timedelta(hours=rules.get("leave_notice_hours"))


def cost(lesson, mark, kind, notice, makeup=None):
    """Hours a mark consumes under the campus rule. Trials never consume; a make-up only if the missed lesson
    was not charged."""
    if kind == "trial":
        return ZERO
    if kind == "makeup" and makeup is not None and makeup.missed_attendance_id and \
            makeup.missed_attendance.hours > 0:
        return ZERO
    if mark == "present":
        return lesson.hours
    if mark == "late":
        return lesson.hours if rules.get("late_consumes") else ZERO
    if mark == "absent":
        return lesson.hours if rules.get("absent_consumes") else ZERO
    if mark == "leave":
        return ZERO if leave_in_time(notice, lesson) else lesson.hours
    raise ValueError(mark)


def report_leave(by, lesson, student, reason, at=None):
    """请假: record that a student will miss a lesson, and when it was reported."""
    if not (reason or "").strip():
        raise Invalid({"reason": _l("Say why the student is on leave.")})
    with write():
        lesson = Lesson.get_by_id(lesson.id)
        if lesson.status != "planned":
            raise Invalid({"reason": _l("This lesson has already taken place.")})
        if student.id not in {s.id for s, _, _ in classes.roster(lesson)}:
            raise Invalid({"reason": _l("%(name)s is not expected at this lesson.", name=student.name)})
        if LeaveNotice.select().where(LeaveNotice.lesson == lesson, LeaveNotice.student == student).exists():
            raise Invalid({"reason": _l("Leave is already recorded for this lesson.")})
        notice = LeaveNotice.create(lesson=lesson, student=student, reported_at=at or clock.now(), by=by,
                                    reason=reason.strip()[:200])
        audit.record(by, "create", "leave_notice", notice.id, after=audit.snapshot(notice), summary=student.name)
        changes.record(by, student, "leave", lesson.day, reason, klass=lesson.klass, lesson=lesson,
                       effect=str(_l("no hours (reported in time)") if leave_in_time(notice, lesson)
                                  else _l("hours consumed (reported late)")))
        engine.follow([lesson.id], by=by)  # no 课前 call for a lesson the student will miss
    return notice


def confirm(by, lesson, marks, overdraft_reason=None, today=None, results=None):
    """Save the roll call: one mark per expected student, hours consumed through the ledger, lesson locked.

    All or nothing. A second confirmation (another tablet, a double tap) is refused, so each student is
    charged exactly once. A student without enough hours stops the confirmation unless a supervisor gives
    an overdraft reason.
    """
    today = today or clock.today()
    with write():
        lesson = Lesson.select(Lesson, SchoolClass).join(SchoolClass).where(Lesson.id == lesson.id).get()
        if lesson.status == "done":
            who = lesson.confirmed_by.display_name if lesson.confirmed_by_id else "—"
            raise Invalid({"lesson": _l("Attendance was already confirmed by %(name)s.", name=who)})
        if lesson.status != "planned":
            raise Invalid({"lesson": _l("This lesson was cancelled.")})
        if lesson.day > today:
            raise Invalid({"lesson": _l("Attendance opens on the day of the lesson (%(day)s).",
                                        day=lesson.day.isoformat())})
        if clock.now() < lesson.starts_at:
            raise Invalid({"lesson": _l("The lesson starts at %(time)s: the roll call opens then.",
                                        time=clock.local(lesson.starts_at).strftime("%H:%M"))})
        if by is not None and lesson.day < today - timedelta(days=backdating.CORRECTION_DAYS):
            raise Invalid({"lesson": _l("This lesson is more than %(n)d days old: its roll call can no longer be "
                                        "confirmed. Cancel the lesson or correct the hours on the ledger.",
                                        n=backdating.CORRECTION_DAYS)})
        expected = classes.roster(lesson)
        if not expected:
            raise Invalid({"lesson": _l("Nobody is enrolled in this lesson.")})
        missing, short, plan = {}, {}, []
        makeups = {m.student_id: m for m in Makeup.select(Makeup, Attendance)
                   .join(Attendance, on=(Makeup.missed_attendance == Attendance.id), attr="missed_attendance")
                   .where(Makeup.lesson == lesson, Makeup.kind == "makeup")} \
            if any(kind == "makeup" for _, kind, _ in expected) else {}
        balances = hours.balances_for([s.id for s, _, _ in expected])
        subject = lesson.klass.subject
        for student, kind, notice in expected:
            mark = marks.get(student.id) or marks.get(str(student.id))
            if mark not in MARKS:
                missing["mark-%d" % student.id] = _l("Mark %(name)s.", name=student.name)
                continue
            need = cost(lesson, mark, kind, notice, makeups.get(student.id))
            left = balances.get(student.id, {}).get(subject, ZERO)
            if not hours.enough(left, need, by, overdraft_reason):
                short["mark-%d" % student.id] = _l("%(name)s has only %(left)s %(subject)s hours left.",
                                                    name=student.name, left=left, subject=subject)
            plan.append((student, kind, mark, need))
        if missing or short:
            raise Invalid(missing | short)
        overdraft = bool(overdraft_reason and overdraft_reason.strip())
        label = "%s 第%d次课" % (lesson.klass.name, lesson.seq)
        _save_marks(by, lesson, plan)
        hours.consume_many(by, [(student, subject, need, label, "lesson:%d" % lesson.id)
                                for student, _, _, need in plan if need > 0],
                           overdraft_reason=overdraft_reason if overdraft else None)
        for student, kind, mark, need in plan:
            if kind == "trial":
                note = ((results or {}).get(student.id) or (results or {}).get(str(student.id)) or "").strip()
                if note:
                    _trial_result(by, lesson, student, note)
                if mark in ("present", "late"):
                    _trial_attended(by, student, lesson.day)
        lesson.status, lesson.confirmed_at, lesson.confirmed_by = "done", clock.now(), by
        lesson.save()
        audit.record(by, "update", "lesson", lesson.id, before={"status": "planned"}, after={"status": "done"},
                     summary=label)
        klass = lesson.klass
        if klass.status == "enrolling":  # the first roll call opens the class
            klass.status = "running"
            klass.save()
            audit.record(by, "update", "school_class", klass.id, before={"status": "enrolling"},
                         after={"status": "running"}, summary=klass.name)
        engine.after_roll_call(lesson, [student for student, _, _, _ in plan], by=by)
    return lesson


def _save_marks(by, lesson, plan):
    """The roll call's marks, one Attendance row per (student, kind, mark, hours) of `plan`, audited, in two
    statements (15 tablets confirming at once wait for each other's writes: a write must be short)."""
    at = clock.now()
    rows = [Attendance(lesson=lesson, student=student, mark=mark, hours=need, at=at, by=by)
            for student, _, mark, need in plan]
    insert_rows(Attendance, rows)
    audit.record_many(by, "create", "attendance", [(r.id, None, audit.snapshot(r), "%s %s" % (r.student.name, r.mark))
                                                   for r in rows])
    return rows


def _trial_result(by, lesson, student, note):
    """What came of a trial lesson (the teacher's or advisor's words), kept on the trial booking."""
    enrolment = Enrolment.get(Enrolment.lesson == lesson, Enrolment.student == student, Enrolment.kind == "trial")
    enrolment.result = note[:200]
    enrolment.save()
    audit.record(by, "update", "enrolment", enrolment.id, before={"result": ""}, after={"result": enrolment.result},
                 summary=student.name)


def _trial_attended(by, student, day):
    """A trial lesson feeds the funnel: the student's open lead reaches 已试听."""
    for lead in Lead.select().where(Lead.student == student, Lead.stage.in_(["inquiry", "invited", "visited"])):
        leads.advance(by, lead, "trial", max(day, lead.stage_on), str(_l("Trial lesson attended")), implied=True)


def marks_of(lesson):
    """{student id: Attendance} of a confirmed lesson."""
    return {a.student_id: a for a in Attendance.select().where(Attendance.lesson == lesson)}


def today_lessons(user, day=None):
    """Lessons of `day` (default today) that `user` takes attendance for, in time order."""
    day = day or clock.today()
    query = Lesson.select(Lesson, SchoolClass).join(SchoolClass).where(Lesson.day == day, Lesson.status != "cancelled")
    return list(policy.roll_calls_of(user, query).order_by(Lesson.starts_at))


def attendance_events(student, limit=None, before=None):
    rows = newest(Attendance.select(Attendance, Lesson, SchoolClass).join(Lesson).join(SchoolClass)
                     .where(Attendance.student == student), Attendance.at, limit, before)
    return [(a.at, "lesson", "%s %s · %s" % (a.lesson.klass.name, a.lesson.day.isoformat(), MARKS[a.mark]),
             "") for a in rows]
