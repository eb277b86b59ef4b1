"""Parent meeting rules (handbook 第2篇 §九): prepared by the advisor and the teacher, run in the handbook's order,
minuted, sent to the supervisor and the attendees; the teacher revises the teaching plan within 7 days, the teaching
director reviews it and the advisor puts it in effect. A class with serious problems needs the teaching director,
the supervisor and the principal at the meeting. Also the Friday list of next week's meetings and tests.
"""

from datetime import date, datetime, timedelta

import peewee as pw
from flask_babel import lazy_gettext as _l

from xgapp import audit, clock, policy
from xgapp.accounts.models import User, UserRole
from xgapp.campus import rules
from xgapp.classes import domain as classes
from xgapp.classes.models import Lesson, SchoolClass
from xgapp.db import newest, write
from xgapp.meetings.briefings import attach_advisors, check_marks
from xgapp.meetings.models import ParentMeeting, ParentMeetingAttendee, TeachingPlan
from xgapp.notices import domain as notices
from xgapp.scores.models import StageTest
from xgapp.students.models import Guardian, Student
from xgapp.validation import Invalid

PLAN_DAYS = 7
SERIOUS_ROLES = policy.SERIOUS_MEETING_ROLES
PREP_FIELDS = ("prep_questions", "prep_materials", "prep_topics", "prep_records", "prep_problems", "prep_exercises")
MINUTES_FIELDS = ("teacher_report", "advisor_report", "parent_questions", "problems", "solutions", "parents_to_do")
TEXT_MAX = 4000
PLACE_MAX, NOTE_MAX = 60, 200
PLAN_STATUSES = {"due": _l("to write"), "submitted": _l("waiting for review"), "returned": _l("sent back"),
                 "approved": _l("approved"), "effective": _l("in effect")}


def role_users(role):
    """The active staff holding `role`, in the order their accounts were made."""
    return list(User.select().join(UserRole).where(UserRole.role == role, User.active == True)  # noqa: E712
                .order_by(User.id))


def _texts(data, names, errors):
    """The texts `names` of `data`, trimmed; a message in `errors` beside each longer than TEXT_MAX."""
    values = {}
    for name in names:
        text = (data.get(name) or "").strip()
        if len(text) > TEXT_MAX:
            errors[name] = _l("Keep it under %(n)d characters.", n=TEXT_MAX)
        values[name] = text
    return values


AHEAD_MAX = timedelta(days=366)


def schedule_problems(starts_at, place, prep=None, now=None):
    """{field: message} of what keeps this meeting from being scheduled (empty when it may be)."""
    now = now or clock.now()
    errors = {}
    if starts_at is None:
        errors["starts_at"] = _l("Enter the date and time of the meeting.")
    elif starts_at < now - timedelta(minutes=5):
        errors["starts_at"] = _l("A meeting cannot be scheduled in the past.")
    elif starts_at > now + AHEAD_MAX:
        errors["starts_at"] = _l("A meeting is scheduled at most a year ahead.")
    if len((place or "").strip()) > PLACE_MAX:
        errors["place"] = _l("Keep it under %(n)d characters.", n=PLACE_MAX)
    _texts(prep or {}, PREP_FIELDS, errors)
    return errors


def schedule(by, klass, student, starts_at, place, serious=False, prep=None, now=None):
    """Schedule a meeting for a class (or one family); the teacher and, if serious, the leaders are told."""
    now = now or clock.now()
    errors = schedule_problems(starts_at, place, prep, now)
    if errors:
        raise Invalid(errors)
    place = (place or "").strip()
    values = _texts(prep or {}, PREP_FIELDS, {})
    host = klass.advisor if klass is not None else student.advisor or by
    with write():
        meeting = ParentMeeting.create(klass=klass, student=student, starts_at=starts_at, place=place, host=host,
                                       serious=bool(serious), created_at=now, created_by=by, **values)
        audit.record(by, "create", "parent_meeting", meeting.id, after=audit.snapshot(meeting), summary=title(meeting))
        when = clock.local(starts_at).strftime("%Y-%m-%d %H:%M")
        link = "/meetings/parents/%d" % meeting.id
        if klass is not None:
            notices.notify([klass.teacher_id], _l("Parent meeting of %(name)s on %(when)s: please prepare lesson "
                                                  "records, problems and solutions, exercises.", name=klass.name,
                                                  when=when), link=link)
        if serious:
            leaders = [u for role in SERIOUS_ROLES for u in role_users(role)]
            notices.notify(leaders, _l("A serious parent meeting (%(name)s, %(when)s) needs you there.",
                                       name=title(meeting), when=when), link=link)
    return meeting


def title(meeting):
    return meeting.klass.name if meeting.klass_id else "%s 家庭" % meeting.student.name


def prep_problems(data):
    """{field: message} of the preparation texts that are too long."""
    errors = {}
    _texts(data, PREP_FIELDS, errors)
    return errors


def prepare(by, meeting, data):
    """Save the preparation checklist: `data` maps PREP_FIELDS to their texts."""
    errors = prep_problems(data)
    if errors:
        raise Invalid(errors)
    values = _texts(data, PREP_FIELDS, {})
    with write():
        before = audit.snapshot(ParentMeeting.get_by_id(meeting.id))
        ParentMeeting.update(**values).where(ParentMeeting.id == meeting.id).execute()
        after = ParentMeeting.get_by_id(meeting.id)
        audit.record(by, "update", "parent_meeting", meeting.id, before=before, after=audit.snapshot(after),
                     summary="%s 会前准备" % title(meeting))
    return after


def expected(meeting):
    """Who should come: the advisor, the teacher, the leaders of a serious meeting, the parents."""
    rows = [{"role": "advisor", "user": meeting.host, "student": None, "name": meeting.host.display_name,
             "key": "advisor-%d" % meeting.host_id}]
    if meeting.klass_id:
        rows.append({"role": "teacher", "user": meeting.klass.teacher, "student": None,
                     "name": meeting.klass.teacher.display_name, "key": "teacher-%d" % meeting.klass.teacher_id})
    if meeting.serious:
        for role in SERIOUS_ROLES:
            people = role_users(role)
            if people:
                rows.append({"role": role, "user": people[0], "student": None, "name": people[0].display_name,
                             "key": "%s-%d" % (role, people[0].id)})
    day = clock.local(meeting.starts_at).date()  # the class as it was on the day of the meeting
    pupils = [e.student for e in classes.members(meeting.klass, day=day)] if meeting.klass_id else [meeting.student]
    parents = {}
    for guardian in Guardian.select().where(Guardian.student.in_([s.id for s in pupils])).order_by(Guardian.position):
        parents.setdefault(guardian.student_id, guardian)
    for pupil in pupils:
        guardian = parents.get(pupil.id)
        rows.append({"role": "parent", "user": None, "student": pupil,
                     "name": "%s（%s%s）" % (guardian.name if guardian else "家长", pupil.name,
                                           "的" + guardian.relation if guardian else ""),
                     "key": "parent-%d" % pupil.id})
    return rows


def record_problems(meeting, data, came, now=None, rows=None):
    """{field: message} of what keeps the minutes from being saved: the meeting must have happened, both reports
    are written, every text is under TEXT_MAX and everyone expected is marked."""
    now = now or clock.now()
    errors = {}
    if meeting.starts_at > now:
        errors["teacher_report"] = _l("The meeting has not happened yet (%(when)s): write the minutes afterwards.",
                                      when=clock.local(meeting.starts_at).strftime("%Y-%m-%d %H:%M"))
    values = _texts(data, MINUTES_FIELDS, errors)
    if not values["teacher_report"]:
        errors.setdefault("teacher_report", _l("Write the teacher's report on the students' progress."))
    if not values["advisor_report"]:
        errors.setdefault("advisor_report", _l("Write the advisor's report (matters other than the subject)."))
    problem = check_marks(expected(meeting) if rows is None else rows, came)
    if problem:
        errors["came"] = problem
    return errors


def record(by, meeting, data, came, now=None):
    """The minutes, in the handbook's order; then the plan revision is due within 7 days and the minutes go out."""
    now = now or clock.now()
    rows = expected(meeting)
    errors = record_problems(meeting, data, came, now, rows)
    if errors:
        raise Invalid(errors)
    values = _texts(data, MINUTES_FIELDS, {})
    present = [r for r in rows if came[r["key"]] == "yes"]
    missing = meeting.serious and not all(any(r["role"] == role for r in present) for role in SERIOUS_ROLES)
    with write():
        fresh = ParentMeeting.get_by_id(meeting.id)
        if fresh.status == "held":
            raise Invalid({"teacher_report": _l("The minutes of this meeting are already written.")})
        before = audit.snapshot(fresh)
        ParentMeeting.update(status="held", recorded_at=now, recorded_by=by, missing_required=missing,
                             **values).where(ParentMeeting.id == meeting.id).execute()
        for row in rows:
            ParentMeetingAttendee.create(meeting=meeting, role=row["role"], user=row["user"], student=row["student"],
                                         name=row["name"][:40], came=came[row["key"]] == "yes")
        plan = None
        if meeting.klass_id:
            plan = TeachingPlan.create(meeting=meeting, teacher=meeting.klass.teacher_id,
                                       due_on=clock.local(meeting.starts_at).date() + timedelta(days=PLAN_DAYS))
            notices.notify([meeting.klass.teacher_id], _l(
                "Revise the teaching plan of %(name)s after the parent meeting: due %(day)s.", name=title(meeting),
                day=plan.due_on.isoformat()), link="/meetings/parents/%d#plan" % meeting.id)
        readers = [u.id for role in policy.MINUTES_COPY_TO for u in role_users(role)] + [
            r["user"].id for r in present if r["user"] is not None and r["user"].id != by.id]
        notices.notify(readers, _l("Minutes of the parent meeting %(name)s are ready.", name=title(meeting)),
                       link="/meetings/parents/%d" % meeting.id)
        after = ParentMeeting.get_by_id(meeting.id)
        snapshot = audit.snapshot(after)
        snapshot["attendees"] = [{"name": r["name"], "came": came[r["key"]] == "yes"} for r in rows]
        audit.record(by, "update", "parent_meeting", meeting.id, before=before, after=snapshot,
                     summary="%s 家长会记录" % title(meeting))
        if plan is not None:
            audit.record(by, "create", "teaching_plan", plan.id, after=audit.snapshot(plan), summary=title(meeting))
    return after


# --- the revised teaching plan ---------------------------------------------------------------------------------------


def submit_plan(by, plan, content, now=None):
    """The teacher hands in the revised plan; after the 7 days it is accepted and marked late."""
    now = now or clock.now()
    content = (content or "").strip()
    if not policy.may_submit_plan(by, plan):
        raise Invalid({"content": _l("Only the class's teacher hands in its plan.")})
    if not content:
        raise Invalid({"content": _l("Write the revised teaching plan.")})
    if len(content) > TEXT_MAX:
        raise Invalid({"content": _l("Keep it under %(n)d characters.", n=TEXT_MAX)})
    with write():
        fresh = TeachingPlan.get_by_id(plan.id)
        if fresh.status not in ("due", "returned"):
            raise Invalid({"content": _l("This plan is already handed in.")})
        late = clock.local(now).date() > fresh.due_on
        TeachingPlan.update(status="submitted", content=content, submitted_at=now, late=late).where(
            TeachingPlan.id == plan.id).execute()
        audit.record(by, "update", "teaching_plan", plan.id, before={"status": fresh.status},
                     after={"status": "submitted", "late": late}, summary=title(fresh.meeting))
        notices.notify([u.id for role in policy.PLAN_REVIEW_NOTIFIED for u in role_users(role)],
                       _l("A revised teaching plan to review: %(name)s.", name=title(fresh.meeting)),
                       link="/meetings/parents/%d#plan" % fresh.meeting_id)
    return TeachingPlan.get_by_id(plan.id)


DECISIONS = ("approve", "return")


def review_problems(decision, note):
    """{field: message}: approve or send back; sending back says what must change, in under NOTE_MAX characters."""
    errors = {}
    note = (note or "").strip()
    if decision not in DECISIONS:
        errors["decision"] = _l("Approve or send back.")
    if decision == "return" and not note:
        errors["note"] = _l("Say what must change.")
    elif len(note) > NOTE_MAX:
        errors["note"] = _l("Keep it under %(n)d characters.", n=NOTE_MAX)
    return errors


def review_plan(by, plan, decision, note, now=None):
    """The teaching director approves the plan or sends it back with a note."""
    now = now or clock.now()
    errors = review_problems(decision, note)
    if errors:
        raise Invalid(errors)
    note = (note or "").strip()
    with write():
        fresh = TeachingPlan.get_by_id(plan.id)
        if fresh.status != "submitted":
            raise Invalid({"decision": _l("This plan is not waiting for review.")})
        if fresh.teacher_id == by.id:
            raise Invalid({"decision": _l("A teacher does not review their own plan.")})
        status = "approved" if decision == "approve" else "returned"
        TeachingPlan.update(status=status, review_note=note, reviewed_by=by, reviewed_at=now).where(
            TeachingPlan.id == plan.id).execute()
        audit.record(by, "update", "teaching_plan", plan.id, before={"status": "submitted"},
                     after={"status": status, "note": note}, summary=title(fresh.meeting))
        if status == "returned":
            notices.notify([fresh.teacher_id], _l("Your teaching plan for %(name)s was sent back: %(note)s",
                                                  name=title(fresh.meeting), note=note),
                           link="/meetings/parents/%d#plan" % fresh.meeting_id)
        else:
            notices.notify([fresh.meeting.host_id], _l("The teaching plan for %(name)s is approved: put it in effect.",
                                                       name=title(fresh.meeting)),
                           link="/meetings/parents/%d#plan" % fresh.meeting_id)
    return TeachingPlan.get_by_id(plan.id)


def make_effective(by, plan, now=None):
    """The advisor puts the approved plan in effect (and watches over it)."""
    now = now or clock.now()
    with write():
        fresh = TeachingPlan.get_by_id(plan.id)
        if fresh.status != "approved":
            raise Invalid({"decision": _l("Only an approved plan is put in effect.")})
        TeachingPlan.update(status="effective", effective_by=by, effective_at=now).where(
            TeachingPlan.id == plan.id).execute()
        audit.record(by, "update", "teaching_plan", plan.id, before={"status": "approved"},
                     after={"status": "effective"}, summary=title(fresh.meeting))
    return TeachingPlan.get_by_id(plan.id)


def _plans():
    """Plans with their meeting, its class or family and the teacher, in one query."""
    return (TeachingPlan.select(TeachingPlan, ParentMeeting, SchoolClass, Student, User)
            .join(ParentMeeting)
            .join(SchoolClass, pw.JOIN.LEFT_OUTER, on=(ParentMeeting.klass == SchoolClass.id))
            .switch(ParentMeeting).join(Student, pw.JOIN.LEFT_OUTER, on=(ParentMeeting.student == Student.id))
            .switch(TeachingPlan).join(User, on=(TeachingPlan.teacher == User.id)))


def plans_for_teacher(user):
    """Plans the teacher still owes (to write, or sent back), earliest due first."""
    return list(_plans().where(TeachingPlan.teacher == user, TeachingPlan.status.in_(("due", "returned")))
                .order_by(TeachingPlan.due_on))


def plans_to_review():
    return list(_plans().where(TeachingPlan.status == "submitted").order_by(TeachingPlan.submitted_at))


def plans_to_apply(user):
    return list(_plans().where(TeachingPlan.status == "approved", ParentMeeting.host == user)
                .order_by(TeachingPlan.due_on))


def upcoming(user):
    """Meetings not yet minuted that `user` runs or sees (managers: all)."""
    query = (ParentMeeting.select(ParentMeeting, SchoolClass, Student)
             .join(SchoolClass, pw.JOIN.LEFT_OUTER, on=(ParentMeeting.klass == SchoolClass.id))
             .switch(ParentMeeting).join(Student, pw.JOIN.LEFT_OUTER, on=(ParentMeeting.student == Student.id))
             .where(ParentMeeting.status == "scheduled"))
    if not policy.sees_every_parent_meeting(user):
        query = query.where((ParentMeeting.host == user) | ParentMeeting.klass.in_(
            SchoolClass.select(SchoolClass.id).where(SchoolClass.teacher == user)))
    return list(query.order_by(ParentMeeting.starts_at))


def meeting_events(student, limit=None, before=None):
    rows = newest(ParentMeetingAttendee.select(ParentMeetingAttendee, ParentMeeting).join(ParentMeeting)
                     .where(ParentMeetingAttendee.student == student), ParentMeeting.starts_at, limit, before)
    return [(a.meeting.starts_at, "meeting", "家长会 · %s" % title(a.meeting),
             "家长%s" % ("出席" if a.came else "未出席")) for a in rows]


# --- the Friday list -------------------------------------------------------------------------------------------------


def next_week(today):
    monday = today + timedelta(days=7 - today.weekday())
    return monday, monday + timedelta(days=6)


def friday_list(user, today):
    """Next week's classes that need a parent meeting or a stage test, per advisor (handbook: report every Friday).

    A class needs a parent meeting when it has run `parent_meeting_weeks` weeks since its first lesson or its last
    parent meeting, and a stage test when `stage_test_weeks` weeks have passed since its first lesson or last test.
    """
    monday, sunday = next_week(today)
    meeting_weeks, test_weeks = rules.get("parent_meeting_weeks"), rules.get("stage_test_weeks")
    running = list(policy.classes_visible_to(user).where(SchoolClass.status != "ended", SchoolClass.id.in_(
        Lesson.select(Lesson.klass).where(Lesson.day >= monday, Lesson.day <= sunday, Lesson.status != "cancelled"))))
    ids = [k.id for k in running]
    if not ids:
        return []
    firsts = dict(Lesson.select(Lesson.klass, pw.fn.MIN(Lesson.day)).where(Lesson.klass.in_(ids),
                                                                          Lesson.status != "cancelled")
                  .group_by(Lesson.klass).tuples())
    meetings = dict(ParentMeeting.select(ParentMeeting.klass, pw.fn.MAX(ParentMeeting.starts_at))
                    .where(ParentMeeting.klass.in_(ids)).group_by(ParentMeeting.klass).tuples())
    tests = dict(StageTest.select(StageTest.klass, pw.fn.MAX(StageTest.on)).where(StageTest.klass.in_(ids))
                 .group_by(StageTest.klass).tuples())
    def as_date(value):
        """A stored date, or a stored UTC instant as its campus-local date."""
        if value is None:
            return None
        if isinstance(value, str):
            return clock.local(datetime.fromisoformat(value)).date() if "T" in value else date.fromisoformat(value)
        return clock.local(value).date() if isinstance(value, datetime) else value

    rows = []
    for klass in running:
        start = as_date(firsts.get(klass.id))
        last_meeting = as_date(meetings.get(klass.id))
        last_test = as_date(tests.get(klass.id))
        needs = []
        if start is not None and (sunday - max(start, last_meeting or start)).days >= 7 * meeting_weeks:
            needs.append("meeting")
        if start is not None and (sunday - max(start, last_test or start)).days >= 7 * test_weeks:
            needs.append("test")
        if needs:
            rows.append({"klass": klass, "needs": needs, "last_meeting": last_meeting, "last_test": last_test})
    attach_advisors([r["klass"] for r in rows])
    return sorted(rows, key=lambda r: (r["klass"].advisor.display_name, r["klass"].name))
