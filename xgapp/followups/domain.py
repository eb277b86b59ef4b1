"""Follow-up rules (handbook 第2篇 §十, §十一): logging a contact, tasks done / postponed / moved, and the alerts.

Every contact is a FollowUp row; the engine (engine.py) turns the handbook's rules into FollowTask rows. Logging a
follow-up of a task's kind for that student completes the task.
"""

from datetime import date, timedelta

import peewee as pw
from flask_babel import lazy_gettext as _l

from xgapp import audit, clock, db, policy
from xgapp.accounts.models import User, UserRole
from xgapp.classes.models import Attendance, Lesson, SchoolClass
from xgapp.db import newest, write
from xgapp.followups.models import FollowTask, FollowUp
from xgapp.notices import domain as notices
from xgapp.students import domain as students
from xgapp.students.models import Student
from xgapp.validation import Invalid

KINDS = {"pre_class": _l("Before the first lesson"), "first_lesson": _l("After the first lesson"),
         "routine": _l("Routine"), "course_end": _l("Course end"), "renewal": _l("Renewal"),
         "complaint": _l("Complaint reply")}
CHANNELS = {"phone": _l("Phone"), "face": _l("Face to face"), "wechat": _l("WeChat"), "sms": _l("Text message"),
            "email": _l("Email")}
WHOM = {"parent": _l("Parent"), "student": _l("Student"), "teacher": _l("Teacher")}
# What each kind of call is for (handbook §十): the purpose is set before the call; the advisor may rewrite it.
PURPOSES = {
    "pre_class": "首课前确认：上课时间、需带的资料、上课教室；解答家长其他问题",
    "first_lesson": "首课后反馈：先问学员、再问老师、最后向家长反馈老师的评价",
    "routine": "了解近期学习状态和作业情况，与家长商定下一步安排",
    "course_end": "结课回访：了解近况，沟通续班意向，邀请来校自习",
    "renewal": "课时即将用完：沟通续费和下阶段学习计划",
    "complaint": "回复家长投诉：说明调查和处理结果，确认家长是否满意",
}
MONTHLY_MIN = 2  # follow-ups per student per month (handbook §十.三)
FACE_DAYS = 14  # no two weeks of lessons without seeing the advisor (handbook §十一.二.3)
TEXT_MAX, LINE_MAX = 2000, 200
SKEW = timedelta(minutes=5)  # a tablet's clock a little ahead is not "the future"
POSTPONE_MAX = 60  # days


def may_log(user, student):
    """The student's own advisor, supervisors and the principal log follow-ups."""
    return "edit" in policy.student_access(user, student)




def clean(data, now):
    """The follow-up's values from `data` (kind, channel, whom, at, texts, next_on, escalate) and {field: message}
    of every rule they break: a choice from the lists, a time not in the future nor over a year ago, purpose and
    content written, texts within their limits, a next step after today with what it is."""
    errors, values = {}, {}
    for name, choices in (("kind", KINDS), ("channel", CHANNELS), ("whom", WHOM)):
        values[name] = data.get(name) or ""
        if values[name] not in choices:
            errors[name] = _l("Choose one from the list.")
    at = data.get("at")
    if at is None:
        errors["at"] = _l("Enter when it happened, as a date and HH:MM.")
    elif at > now + SKEW:
        errors["at"] = _l("A follow-up cannot be in the future: log it once it has happened.")
    elif at < now - timedelta(days=366):
        errors["at"] = _l("That is more than a year ago.")
    values["at"] = at
    for name, limit, required in (("purpose", LINE_MAX, True), ("content", TEXT_MAX, True),
                                  ("result", TEXT_MAX, False), ("next_step", LINE_MAX, False)):
        text = (data.get(name) or "").strip()
        if required and not text:
            errors[name] = _l("Write the purpose of the call.") if name == "purpose" else _l("Write what was said.")
        elif len(text) > limit:
            errors[name] = _l("Keep it under %(n)d characters.", n=limit)
        values[name] = text
    next_on = data.get("next_on")
    if next_on is not None and next_on <= clock.local(now).date():
        errors["next_on"] = _l("The next step is after today.")
    if next_on is not None and not values["next_step"]:
        errors.setdefault("next_step", _l("Say what the next step is."))
    values["next_on"] = next_on
    values["escalate"] = bool(data.get("escalate"))
    return values, errors


def supervisors():
    """Who is asked to look at an escalated follow-up."""
    return list(User.select().join(UserRole).where(UserRole.role.in_(tuple(policy.FOLLOWUP_LEADERS)),
                                                   User.active == True).distinct())  # noqa: E712


def log(by, student, data, task=None, now=None):
    """Record a follow-up; it completes the given task (or an open task of its kind for the student)."""
    now = now or clock.now()
    values, errors = clean(data, now)
    if task is not None and task.student_id != student.id:
        errors["task"] = _l("That task belongs to another student.")
    if errors:
        raise Invalid(errors)
    with write():
        followup = FollowUp.create(student=student, advisor=by, created_at=now, updated_at=now, **values)
        due = task
        if due is None:  # logging a call of a task's kind does that task
            due = (FollowTask.select().where(FollowTask.student == student, FollowTask.kind == values["kind"],
                                             FollowTask.status == "open", FollowTask.due_on <= clock.local(now).date()
                                             + timedelta(days=7))
                   .order_by(FollowTask.due_on).first())
        if due is not None:
            changed = (FollowTask.update(status="done", done_at=now, done_by=by)
                       .where(FollowTask.id == due.id, FollowTask.status == "open").execute())
            if changed:
                FollowUp.update(task=due).where(FollowUp.id == followup.id).execute()
                audit.record(by, "update", "follow_task", due.id, before={"status": "open"},
                             after={"status": "done", "follow_up": followup.id}, summary=student.name)
        if values["next_on"] is not None:
            nxt = FollowTask.create(student=student, advisor=student.advisor_id or by, kind="routine",
                                    due_on=values["next_on"], source="next:followup:%d" % followup.id,
                                    note=values["next_step"][:LINE_MAX], created_at=now)
            audit.record(by, "create", "follow_task", nxt.id, after=audit.snapshot(nxt), summary=student.name)
        if values["escalate"]:
            notices.notify([u for u in supervisors() if u.id != by.id],
                           _l("%(who)s asks you to look at a follow-up of %(name)s: %(purpose)s",
                              who=by.display_name, name=student.name, purpose=values["purpose"][:60]),
                           link="/followups/%d/edit" % followup.id)
        followup = FollowUp.get_by_id(followup.id)
        audit.record(by, "create", "follow_up", followup.id, after=audit.snapshot(followup),
                     summary="%s %s %s" % (student.name, KINDS[values["kind"]], CHANNELS[values["channel"]]))
    return followup


def update(by, followup, data, now=None):
    """Correct a follow-up (its task link and next-step task stay as they were)."""
    now = now or clock.now()
    values, errors = clean(data, now)
    values.pop("next_on")
    if errors:
        errors.pop("next_on", None)
    if errors:
        raise Invalid(errors)
    with write():
        before = audit.snapshot(FollowUp.get_by_id(followup.id))
        FollowUp.update(updated_at=now, **values).where(FollowUp.id == followup.id).execute()
        after = FollowUp.get_by_id(followup.id)
        audit.record(by, "update", "follow_up", followup.id, before=before, after=audit.snapshot(after),
                     summary=followup.student.name)
    return after


def postpone_problems(until, reason, today=None):
    """{field: message}: a day after today and at most POSTPONE_MAX days ahead, and why."""
    today = today or clock.today()
    errors = {}
    if until is None or until <= today:
        errors["until"] = _l("Choose a day after today.")
    elif until > today + timedelta(days=POSTPONE_MAX):
        errors["until"] = _l("Postpone by at most 60 days.")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _l("Say why it is postponed.")
    elif len(reason) > LINE_MAX:
        errors["reason"] = _l("Keep it under %(n)d characters.", n=LINE_MAX)
    return errors


def postpone(by, task, until, reason, today=None):
    """Move a task to a later day, saying why (it stays on the list, and is counted as postponed)."""
    errors = postpone_problems(until, reason, today)
    if errors:
        raise Invalid(errors)
    reason = reason.strip()
    with write():
        fresh = FollowTask.get_by_id(task.id)
        if fresh.status != "open":
            raise Invalid({"until": _l("This task is already done.")})
        FollowTask.update(due_on=until, postponed=FollowTask.postponed + 1, postpone_reason=reason).where(
            FollowTask.id == task.id).execute()
        audit.record(by, "update", "follow_task", task.id, before={"due_on": fresh.due_on.isoformat()},
                     after={"due_on": until.isoformat(), "reason": reason}, summary=fresh.student.name)


def active_advisor(user_id):
    """The active advisor with this id, or None."""
    return students.advisors().where(User.id == user_id).first() if user_id else None


def reassign(by, task, advisor):
    """Give a task to another advisor (a supervisor's decision)."""
    if advisor is None or active_advisor(advisor.id) is None:
        raise Invalid({"advisor": _l("Choose an active advisor.")})
    with write():
        fresh = FollowTask.get_by_id(task.id)
        if fresh.status != "open":
            raise Invalid({"advisor": _l("This task is already done.")})
        FollowTask.update(advisor=advisor).where(FollowTask.id == task.id).execute()
        audit.record(by, "update", "follow_task", task.id, before={"advisor": fresh.advisor_id},
                     after={"advisor": advisor.id}, summary=fresh.student.name)
        notices.notify([advisor], _l("A follow-up of %(name)s was handed to you.", name=fresh.student.name),
                       link="/followups/")


def move_open_tasks(by, student, advisor):
    FollowTask.update(advisor=advisor).where(FollowTask.student == student, FollowTask.status == "open").execute()


# --- what is due -----------------------------------------------------------------------------------------------------


def _scope(user, advisor=None):
    """Students whose follow-ups `user` watches: an advisor's own; for managers everyone (or one advisor's)."""
    query = Student.select(Student.id).where(Student.status == "active")
    if advisor is not None:
        return query.where(Student.advisor == advisor)
    return policy.students_visible_to(user, query)


def _open(query, user, advisor, until):
    """`query` narrowed to the open tasks of `advisor` (default: `user`) due by `until` (any day when None)."""
    query = query.where(FollowTask.status == "open", FollowTask.advisor == (advisor or user))
    return query if until is None else query.where(FollowTask.due_on <= until)


def open_tasks(user, advisor=None, until=None, limit=None, start=None):
    """Open tasks assigned to `advisor` (default: `user`), with the student and class, earliest first (the first
    `limit` only, when given), from the task `start` on when given (a page of a long backlog: a keyset, read as
    cheaply as the first page, whether `start` is still open or not)."""
    query = _open(FollowTask.select(FollowTask, Student, SchoolClass)
                  .join(Student, on=(FollowTask.student == Student.id))
                  .join_from(FollowTask, SchoolClass, pw.JOIN.LEFT_OUTER, on=(FollowTask.klass == SchoolClass.id)),
                  user, advisor, until).order_by(FollowTask.due_on, Student.name, FollowTask.id)
    if start is not None:
        query = query.where(pw.Tuple(FollowTask.due_on, Student.name, FollowTask.id)
                            >= pw.Tuple(start.due_on, start.student.name, start.id))
    return list(query if limit is None else query.limit(limit))


def open_task_count(user, advisor=None, until=None):
    """How many tasks open_tasks() would list without a limit."""
    return _open(FollowTask.select(), user, advisor, until).count()


def open_counts(user, today):
    """(due by `today`, of which overdue) among `user`'s open tasks: two counts, no rows."""
    due = pw.fn.COUNT(FollowTask.id)
    late = pw.fn.SUM(pw.Case(None, [(FollowTask.due_on < today, 1)], 0))
    row = (FollowTask.select(due, late).where(FollowTask.status == "open", FollowTask.advisor == user,
                                              FollowTask.due_on <= today).tuples().first())
    return (row[0] or 0, row[1] or 0) if row else (0, 0)


def monthly_counts(scope, day):
    """{student id: follow-ups in the campus-local calendar month of `day`} for the students in `scope`."""
    start, end = clock.month_bounds(day)
    rows = (FollowUp.select(FollowUp.student, pw.fn.COUNT(FollowUp.id).alias("n"))
            .where(FollowUp.student.in_(scope), FollowUp.at >= start, FollowUp.at < end)
            .group_by(FollowUp.student).tuples())
    return dict(rows)


def short_this_month(user, day, advisor=None):
    """Active students with fewer than MONTHLY_MIN follow-ups this month: [(student, count)], fewest first."""
    scope = _scope(user, advisor)
    counts = monthly_counts(scope, day)
    pupils = Student.select().where(Student.id.in_(scope)).order_by(Student.name)
    return sorted(((s, counts.get(s.id, 0)) for s in pupils if counts.get(s.id, 0) < MONTHLY_MIN),
                  key=lambda r: r[1])


def face_alerts(user, today, advisor=None, scope=None):
    """Students attending lessons for FACE_DAYS or more since they last saw their advisor face to face.

    [(student, first lesson since then, last face-to-face date or None)], longest first. Looks back 60 days; one
    grouped query finds each student's first lesson after their last face-to-face day (campus days, in SQL).
    """
    scope = scope if scope is not None else _scope(user, advisor)
    due, faces = _face_due(scope, today)
    if not due:
        return []
    seen = {sid: date.fromisoformat(day) for sid, day in faces.where(FollowUp.student.in_(list(due))).tuples()}
    pupils = {s.id: s for s in Student.select().where(Student.id.in_(list(due)))}
    return sorted(((pupils[sid], _as_date(day), seen.get(sid)) for sid, day in due.items()), key=lambda r: r[1])


def _face_due(scope, today):
    """({student id: first lesson day since the last face-to-face, for those due}, the last-face query)."""
    window = today - timedelta(days=60)
    seen_on = db.local_date(FollowUp.at, window, today)
    faces = (FollowUp.select(FollowUp.student.alias("sid"), pw.fn.MAX(seen_on).alias("day"))
             .where(FollowUp.student.in_(scope), FollowUp.channel == "face", FollowUp.whom == "student",
                    FollowUp.at >= clock.at(window))
             .group_by(FollowUp.student))
    last_face = faces.alias("last_face")
    first = pw.fn.MIN(Lesson.day)
    latest = today - timedelta(days=FACE_DAYS)  # a first lesson after that is not due yet: later days can't matter
    # Lessons of the window first (CROSS JOIN fixes that order; `+ 0` keeps the scope from being probed through the
    # student index once per lesson and student): grouping by student would otherwise make SQLite walk every
    # student's marks of every year.
    due = dict(Lesson.select(Attendance.student, first)
               .join(Attendance, pw.JOIN.CROSS)
               .join(last_face, pw.JOIN.LEFT_OUTER, on=(last_face.c.sid == Attendance.student))
               .where(Attendance.lesson == Lesson.id, Lesson.day >= window, Lesson.day <= latest,
                      (Attendance.student + 0).in_(scope), Attendance.mark.in_(("present", "late")),
                      Lesson.day > pw.fn.COALESCE(last_face.c.day, (window - timedelta(days=1)).isoformat()))
               .group_by(Attendance.student)
               .tuples())
    return due, faces


def _as_date(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


def overview(today):
    """Per advisor: open tasks, overdue, students short this month, face-to-face alerts, escalations this month.

    A fixed number of queries whatever the number of advisors: every figure is computed for all at once.
    """
    advisors = list(students.advisors())
    start, end = clock.month_bounds(today)
    active = dict(Student.select(Student.id, Student.advisor).where(Student.status == "active",
                                                                    Student.advisor.is_null(False)).tuples())
    late = pw.fn.SUM(pw.Case(None, [(FollowTask.due_on < today, 1)], 0))
    tasks = {advisor_id: (open_, late or 0) for advisor_id, open_, late in (
        FollowTask.select(FollowTask.advisor, pw.fn.COUNT(FollowTask.id), late)
        .where(FollowTask.status == "open").group_by(FollowTask.advisor).tuples())}
    scope = Student.select(Student.id).where(Student.status == "active", Student.advisor.is_null(False))
    counts = monthly_counts(scope, today)
    due_face, _ = _face_due(scope, today)
    escalated = dict(FollowUp.select(FollowUp.advisor, pw.fn.COUNT(FollowUp.id))
                     .where(FollowUp.escalate == True, FollowUp.at >= start, FollowUp.at < end)  # noqa: E712
                     .group_by(FollowUp.advisor).tuples())
    rows = []
    for advisor in advisors:
        mine = [sid for sid, owner in active.items() if owner == advisor.id]
        open_, late = tasks.get(advisor.id, (0, 0))
        rows.append({"advisor": advisor, "open": open_, "overdue": late,
                     "short": sum(counts.get(sid, 0) < MONTHLY_MIN for sid in mine),
                     "face": sum(active.get(sid) == advisor.id for sid in due_face),
                     "escalated": escalated.get(advisor.id, 0), "students": len(mine)})
    return rows


def escalations(today):
    start = clock.at(today - timedelta(days=14))
    return list(FollowUp.select(FollowUp, Student).join(Student, on=(FollowUp.student == Student.id))
                .where(FollowUp.escalate == True, FollowUp.at >= start).order_by(FollowUp.at.desc()))  # noqa: E712


def followup_events(student, limit=None, before=None):
    return [(f.at, "followup", "回访 · %s · %s · %s" % (KINDS[f.kind], CHANNELS[f.channel], WHOM[f.whom]),
             f.purpose + ("：" + f.result if f.result else ""))
            for f in newest(FollowUp.select().where(FollowUp.student == student), FollowUp.at, limit, before)]
