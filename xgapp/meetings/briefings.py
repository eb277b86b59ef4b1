"""Pre-class briefing rules (handbook 第2篇 §八): held at least 24 h before a new class's first lesson, hosted by the
advisor, with the teacher and every student's parents; all attendees sign the paper record, which goes into each
student's file. A briefing later than that is refused unless a supervisor overrides it with a reason.
"""

from datetime import datetime, time, timedelta

import peewee as pw
from flask_babel import lazy_gettext as _l

from xgapp import audit, clock, policy
from xgapp.accounts.models import User
from xgapp.classes import domain as classes
from xgapp.classes.models import Enrolment, Lesson, SchoolClass
from xgapp.db import newest, write
from xgapp.meetings.models import Briefing, BriefingAttendee, FirstLessonFeedback
from xgapp.prints import domain as prints
from xgapp.prints.models import SignedCopy
from xgapp.students.models import Guardian
from xgapp.validation import Invalid

NOTICE = timedelta(hours=24)
PLACE_MAX = 60
TEXT_MAX, LINE_MAX = 4000, 200
RISK_DAYS = 14  # classes whose first lesson is this close are watched
EVENING = time(19)  # parents come after work: the time a new briefing is proposed at


def first_lesson(klass):
    """The class's first lesson that is not cancelled (None before any is scheduled)."""
    return (Lesson.select().where(Lesson.klass == klass, Lesson.status != "cancelled")
            .order_by(Lesson.starts_at).first())


def deadline(klass):
    """The latest start of the briefing: 24 h before the first lesson (None while no lesson is scheduled)."""
    lesson = first_lesson(klass)
    return lesson.starts_at - NOTICE if lesson is not None else None


def proposal(klass, now=None):
    """The time the form offers for a new briefing: 19:00 on the last evening that keeps the 24-hour rule; when
    that evening has passed, the deadline itself (or, without a lesson yet, the next 19:00 from now)."""
    now = clock.local(now or clock.now())
    latest = deadline(klass)
    if latest is None:
        evening = now.replace(hour=EVENING.hour, minute=EVENING.minute, second=0, microsecond=0)
        return evening if evening > now else evening + timedelta(days=1)
    latest = clock.local(latest)
    evening = latest.replace(hour=EVENING.hour, minute=EVENING.minute, second=0, microsecond=0)
    if evening > latest:
        evening -= timedelta(days=1)
    return evening if evening >= now else latest


def of_class(klass):
    return Briefing.get_or_none(Briefing.klass == klass)


def schedule_problems(by, klass, starts_at, place, override_reason, now=None):
    """{field: message} of what keeps this briefing time from being set (empty when it may be)."""
    now = now or clock.now()
    errors = {}
    place = (place or "").strip()
    override_reason = (override_reason or "").strip()
    lesson = first_lesson(klass)
    if starts_at is None:
        errors["starts_at"] = _l("Enter the date and time of the briefing.")
    elif starts_at < now - timedelta(minutes=5):
        errors["starts_at"] = _l("The briefing cannot be scheduled in the past.")
    elif lesson is not None and starts_at >= lesson.starts_at:
        errors["starts_at"] = _l("The briefing must come before the first lesson (%(when)s).",
                                 when=clock.local(lesson.starts_at).strftime("%Y-%m-%d %H:%M"))
    elif lesson is not None and starts_at > lesson.starts_at - NOTICE:
        if not policy.may_override_briefing(by):
            errors["starts_at"] = _l(
                "The briefing must be held at least 24 hours before the first lesson (%(when)s), i.e. by %(by)s. "
                "Only a supervisor can allow a later one.", when=clock.local(lesson.starts_at).strftime("%Y-%m-%d %H:%M"),
                by=clock.local(lesson.starts_at - NOTICE).strftime("%Y-%m-%d %H:%M"))
        elif not override_reason:
            errors["override_reason"] = _l("This is less than 24 hours before the first lesson: say why you allow it.")
    if len(place) > PLACE_MAX:
        errors["place"] = _l("Keep it under %(n)d characters.", n=PLACE_MAX)
    if len(override_reason) > LINE_MAX:
        errors["override_reason"] = _l("Keep it under %(n)d characters.", n=LINE_MAX)
    return errors


def schedule(by, klass, starts_at, place, override_reason="", now=None):
    """Set (or move) the briefing; later than 24 h before the first lesson only with a supervisor's reason."""
    now = now or clock.now()
    errors = schedule_problems(by, klass, starts_at, place, override_reason, now)
    if errors:
        raise Invalid(errors)
    place, override_reason = (place or "").strip(), (override_reason or "").strip()
    lesson = first_lesson(klass)
    late = lesson is not None and starts_at > lesson.starts_at - NOTICE
    with write():
        briefing = of_class(klass)
        fields = {"starts_at": starts_at, "place": place, "override_reason": override_reason if late else "",
                  "override_by": by if late else None}
        if briefing is None:
            briefing = Briefing.create(klass=klass, host=klass.advisor_id, created_at=now, created_by=by, **fields)
            audit.record(by, "create", "briefing", briefing.id, after=audit.snapshot(briefing), summary=klass.name)
        else:
            if briefing.status == "held":
                raise Invalid({"starts_at": _l("The briefing has been held; its record can no longer be moved.")})
            before = audit.snapshot(briefing)
            Briefing.update(**fields).where(Briefing.id == briefing.id).execute()
            briefing = Briefing.get_by_id(briefing.id)
            audit.record(by, "update", "briefing", briefing.id, before=before, after=audit.snapshot(briefing),
                         summary=klass.name)
    return briefing


def expected(briefing):
    """Who should come: the hosting advisor, the class's teacher, one parent per enrolled student."""
    klass = briefing.klass
    rows = [{"role": "advisor", "user": briefing.host, "student": None, "name": briefing.host.display_name,
             "key": "advisor-%d" % briefing.host_id},
            {"role": "teacher", "user": klass.teacher, "student": None, "name": klass.teacher.display_name,
             "key": "teacher-%d" % klass.teacher_id}]
    first = first_lesson(klass)  # everyone in the class when it starts, even if they left since
    members = classes.members(klass, day=first.day) if first is not None else classes.members(klass)
    parents = {}
    for guardian in (Guardian.select().where(Guardian.student.in_([e.student_id for e in members]))
                     .order_by(Guardian.position)):
        parents.setdefault(guardian.student_id, guardian)
    for enrolment in members:
        guardian = parents.get(enrolment.student_id)
        rows.append({"role": "parent", "user": None, "student": enrolment.student,
                     "name": "%s（%s%s）" % (guardian.name if guardian else "家长", enrolment.student.name,
                                           "的" + guardian.relation if guardian else ""),
                     "key": "parent-%d" % enrolment.student_id})
    return rows


def check_marks(rows, came):
    """Marks are keyed by who they are for; a list that changed since the page was opened is refused."""
    if set(came) != {r["key"] for r in rows}:
        if set(came) - {r["key"] for r in rows}:
            return _l("The list of attendees changed since the page was opened (a student joined or left). "
                      "Check the marks again.")
        return _l("Mark for everyone whether they came.")
    if any(came[r["key"]] not in ("yes", "no") for r in rows):
        return _l("Mark for everyone whether they came.")
    return None


RECORD_TEXTS = ("syllabus", "goals", "qa")


def record_problems(briefing, data, came, now=None, rows=None):
    """{field: message} of what keeps this record from being saved: the briefing must have happened, the
    syllabus is written, sessions are 1–500 and everyone expected is marked (empty when all is well)."""
    now = now or clock.now()
    errors = {}
    if briefing.starts_at > now:
        errors["syllabus"] = _l("The briefing has not happened yet (%(when)s): record it afterwards.",
                                when=clock.local(briefing.starts_at).strftime("%Y-%m-%d %H:%M"))
    for name in RECORD_TEXTS:
        if len((data.get(name) or "").strip()) > TEXT_MAX:
            errors[name] = _l("Keep it under %(n)d characters.", n=TEXT_MAX)
    if not (data.get("syllabus") or "").strip():
        errors.setdefault("syllabus", _l("Write what the teacher presented: the syllabus."))
    if _sessions(data.get("sessions")) is None:
        errors["sessions"] = _l("Enter the number of sessions (1–500).")
    problem_ = check_marks(expected(briefing) if rows is None else rows, came)
    if problem_:
        errors["came"] = problem_
    return errors


def _sessions(value):
    """The number of sessions (a whole number 1–500, as typed or already read), or None."""
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 500:
        return None
    return int(text)


def record(by, briefing, data, came, now=None):
    """The record of a held briefing: syllabus, sessions, goals, parents' questions and answers, who came."""
    now = now or clock.now()
    rows = expected(briefing)
    errors = record_problems(briefing, data, came, now, rows)
    if errors:
        raise Invalid(errors)
    values = {name: (data.get(name) or "").strip() for name in RECORD_TEXTS}
    sessions = _sessions(data.get("sessions"))
    with write():
        fresh = Briefing.get_by_id(briefing.id)
        if fresh.status == "held":
            raise Invalid({"syllabus": _l("This briefing is already recorded.")})
        before = audit.snapshot(fresh)
        Briefing.update(status="held", sessions=sessions, recorded_at=now, recorded_by=by, **values).where(
            Briefing.id == briefing.id).execute()
        BriefingAttendee.delete().where(BriefingAttendee.briefing == briefing).execute()
        for row in rows:
            BriefingAttendee.create(briefing=briefing, role=row["role"], user=row["user"], student=row["student"],
                                    name=row["name"][:40], came=came[row["key"]] == "yes")
        after = Briefing.get_by_id(briefing.id)
        snapshot = audit.snapshot(after)
        snapshot["attendees"] = [{"name": r["name"], "came": came[r["key"]] == "yes"} for r in rows]
        audit.record(by, "update", "briefing", briefing.id, before=before, after=snapshot,
                     summary="%s 课前说明会记录" % briefing.klass.name)
    return after


def mark_paper(by, briefing, now=None):
    """The signed paper record is filed: who took it in, and when (a signed copy of the printed form)."""
    if Briefing.get_by_id(briefing.id).status != "held":
        raise Invalid({"paper": _l("Record the briefing first; then file its signed paper.")})
    return prints.mark_received(by, "briefing", briefing.id, "%s 课前说明会记录单" % briefing.klass.name, now=now)


def problem(klass, briefing=None, now=None, first_start=None):
    """What is wrong with a class's briefing, for the class page and the supervisor (None when all is well)."""
    now = now or clock.now()
    if first_start is None:
        lesson = first_lesson(klass)
        first_start = lesson.starts_at if lesson is not None else None
    if first_start is None or (briefing is not None and briefing.status == "held"):
        return None
    if first_start <= now:
        return _l("The class started without a recorded pre-class briefing.")
    latest = first_start - NOTICE
    if briefing is None:
        return _l("No pre-class briefing yet: it must be held by %(by)s.", by=clock.local(latest).strftime("%Y-%m-%d %H:%M"))
    if briefing.starts_at > latest and not briefing.override_reason:
        return _l("The briefing is later than 24 hours before the first lesson.")
    if briefing.starts_at <= now:
        return _l("The briefing time has passed: record who came and what was said.")
    return None


def at_risk(user, today, now=None):
    """Classes starting within RISK_DAYS (or started in the last week) whose briefing is missing or late."""
    now = now or clock.now()
    first = pw.fn.MIN(Lesson.starts_at)
    # only classes still open, and only those whose first lesson falls in the window: bounded by what is shown,
    # not by how many classes the campus has run (ISO UTC text compares as time)
    firsts = dict(Lesson.select(Lesson.klass, first).join(SchoolClass)
                  .where(Lesson.status != "cancelled", SchoolClass.status != "ended")
                  .group_by(Lesson.klass)
                  .having(first.between(Lesson.starts_at.db_value(now - timedelta(days=7)),
                                        Lesson.starts_at.db_value(now + timedelta(days=RISK_DAYS)))).tuples())
    soon = set(firsts)
    rows = []
    query = policy.classes_visible_to(user).where(SchoolClass.id.in_(list(soon))) if soon else []
    briefings = {b.klass_id: b for b in Briefing.select().where(Briefing.klass.in_(list(soon)))} if soon else {}
    for klass in query:
        start = firsts[klass.id]
        start = datetime.fromisoformat(start) if isinstance(start, str) else start
        issue = problem(klass, briefings.get(klass.id), now, first_start=start)
        if issue is not None:
            rows.append((klass, start, briefings.get(klass.id), issue))
    attach_advisors([r[0] for r in rows])
    return sorted(rows, key=lambda r: r[1])


def attach_advisors(klasses):
    """Load the advisors of many classes in one query (the pages show each class's advisor)."""
    people = {u.id: u for u in User.select().where(User.id.in_({k.advisor_id for k in klasses}))} if klasses else {}
    for klass in klasses:
        klass.advisor = people[klass.advisor_id]


def upcoming(user):
    """Briefings of the user's classes still to hold, or held with their signed paper not yet filed."""
    return list(Briefing.select(Briefing, SchoolClass).join(SchoolClass)
                .join_from(Briefing, SignedCopy, pw.JOIN.LEFT_OUTER,
                           on=(SignedCopy.form == "briefing") & (SignedCopy.ref == Briefing.id.cast("TEXT")))
                .where(Briefing.klass.in_(policy.classes_visible_to(user, SchoolClass.select(SchoolClass.id))),
                       (Briefing.status == "scheduled") | SignedCopy.id.is_null())
                .order_by(Briefing.starts_at))


def briefing_events(student, limit=None, before=None):
    rows = newest(BriefingAttendee.select(BriefingAttendee, Briefing, SchoolClass).join(Briefing).join(SchoolClass)
                     .where(BriefingAttendee.student == student), Briefing.starts_at, limit, before)
    return [(a.briefing.starts_at, "briefing", "课前说明会 · %s" % a.briefing.klass.name,
             "家长%s" % ("出席" if a.came else "未出席")) for a in rows]


# --- first-lesson feedback -------------------------------------------------------------------------------------------


FEEDBACK_TEXTS = ("from_student", "from_teacher", "from_parent")


def feedback_problems(klass, student, data):
    """{field: message} of what keeps this feedback from being saved: at least one of them said something, each
    under TEXT_MAX characters, and the student is in the class."""
    errors = {}
    texts = [(data.get(name) or "").strip() for name in FEEDBACK_TEXTS]
    for name, text in zip(FEEDBACK_TEXTS, texts):
        if len(text) > TEXT_MAX:
            errors[name] = _l("Keep it under %(n)d characters.", n=TEXT_MAX)
    if not any(texts):
        errors["from_student"] = _l("Write down what at least one of them said.")
    if not Enrolment.select().where(Enrolment.klass == klass, Enrolment.student == student).exists():
        errors["from_student"] = _l("The student is not in this class.")
    return errors


def save_feedback(by, klass, student, data, now=None):
    """第一次课后备忘录 for one student: what the student, the teacher and the parent said (at least one)."""
    now = now or clock.now()
    errors = feedback_problems(klass, student, data)
    if errors:
        raise Invalid(errors)
    values = {name: (data.get(name) or "").strip() for name in FEEDBACK_TEXTS}
    with write():
        existing = FirstLessonFeedback.get_or_none(FirstLessonFeedback.klass == klass,
                                                   FirstLessonFeedback.student == student)
        if existing is None:
            row = FirstLessonFeedback.create(klass=klass, student=student, by=by, at=now, **values)
            audit.record(by, "create", "first_lesson_feedback", row.id, after=audit.snapshot(row),
                         summary="%s %s" % (student.name, klass.name))
        else:
            before = audit.snapshot(existing)
            FirstLessonFeedback.update(by=by, at=now, **values).where(FirstLessonFeedback.id == existing.id).execute()
            row = FirstLessonFeedback.get_by_id(existing.id)
            audit.record(by, "update", "first_lesson_feedback", row.id, before=before, after=audit.snapshot(row),
                         summary="%s %s" % (student.name, klass.name))
    return row


def feedback_of(klass, student):
    return FirstLessonFeedback.get_or_none(FirstLessonFeedback.klass == klass, FirstLessonFeedback.student == student)


def feedback_events(student, limit=None, before=None):
    rows = newest(FirstLessonFeedback.select(FirstLessonFeedback, SchoolClass).join(SchoolClass)
                     .where(FirstLessonFeedback.student == student), FirstLessonFeedback.at, limit, before)
    return [(f.at, "feedback", "第一次课后备忘录 · %s" % f.klass.name,
             " / ".join(t for t in (f.from_student, f.from_teacher, f.from_parent) if t)[:120]) for f in rows]
