"""Self-study room rules: sign-in, sign-out with who took the child, the room now, the end-of-day check.

Departure matters most (handbook 第2篇 §七.三): a visit is closed only by a sign-out with a pickup recorded, or, after
closing time, by a staff member writing down what happened. Nothing closes a visit silently.
"""

import unicodedata
from datetime import timedelta

import peewee as pw
from flask_babel import lazy_gettext as _l

from xgapp import audit, clock, validation
from xgapp.accounts.models import User, UserRole
from xgapp.campus import rules
from xgapp.db import newest, write
from xgapp.selfstudy.models import Question, Visit, VisitExit
from xgapp.students import domain as students
from xgapp.students.models import Guardian, Student
from xgapp.validation import Invalid, row_id

PICKUP_KINDS = {"guardian": _l("Picked up by a guardian"), "alone": _l("Went home alone"),
                "other": _l("Picked up by someone not on file")}
SUBJECTS = ["语文", "数学", "英语", "物理", "化学", "生物", "历史", "地理", "政治"]
NOTE_MAX = 200
NAME_MAX, RELATION_MAX, REASON_MAX, PARENT_NOTE_MAX = 40, 20, 100, 300


class AlreadyDone(Invalid):
    """Another tablet got there first: the visit is already closed (or already open)."""




def _hhmm(instant):
    return clock.local(instant).strftime("%H:%M") if instant else ""


def closing_instant(day):
    """The study room's closing time on `day`, as an aware instant."""
    return clock.at(day, rules.get("study_closing_time"))


def is_overdue(visit, now=None):
    """An open visit past closing time on its day (or left open overnight)."""
    now = now or clock.now()
    return visit.left_at is None and now >= closing_instant(visit.day)


def open_visit(student):
    return Visit.get_or_none(Visit.student == student, Visit.left_at.is_null())


def _already_in(visit, now):
    if visit.day < clock.local(now).date():
        return AlreadyDone({"student": _l(
            "%(name)s was never signed out on %(day)s. A staff member must close that visit with a note first.",
            name=visit.student.name, day=visit.day.isoformat())})
    return AlreadyDone({"student": _l("%(name)s is already in the room (signed in at %(time)s).",
                                      name=visit.student.name, time=_hhmm(visit.arrived_at))})


def sign_in(by, student, now=None):
    """Record an arrival; a second open visit for the same student is refused (the database enforces it too)."""
    now = now or clock.now()
    if student.status == "refunded":
        raise Invalid({"student": _l("%(name)s has left the campus (refunded). Ask the advisor before letting them "
                                     "study here.", name=student.name)})
    with write():
        current = open_visit(student)
        if current is not None:
            raise _already_in(current, now)
        try:
            with write():  # savepoint: the unique index is the last word when two tablets race
                visit = Visit.create(student=student, day=clock.local(now).date(), arrived_at=now, signed_in_by=by)
        except pw.IntegrityError:
            raise _already_in(open_visit(student), now) from None
        audit.record(by, "create", "study_visit", visit.id, after=audit.snapshot(visit),
                     summary="%s 签到 %s" % (student.name, _hhmm(now)))
    return visit


def pickup_choices(student):
    """Who may take `student` home, per the file: guardians allowed to pick up, and 'alone' if the parents allow it."""
    guardians = [g for g in student.guardians.order_by(Guardian.position) if g.can_pickup]
    return guardians, bool(student.may_leave_alone)


def _by_guardian(guardian):
    return {"pickup_kind": "guardian", "pickup_guardian": guardian, "pickup_name": guardian.name,
            "pickup_relation": guardian.relation, "pickup_on_file": True}


def _forbidden(guardian, student):
    return _l("The file says %(name)s (%(relation)s) may not pick %(child)s up. Do not let the child go: call the "
              "parents.", name=guardian.name, relation=guardian.relation, child=student.name)


def _same_name(a):
    return "".join(unicodedata.normalize("NFKC", a or "").split()).casefold()


def guardian_named(student, name, phone=""):
    """The student's guardian a person typed in by hand is (same name, or same mobile if one was given), or None.

    A guardian the file forbids comes first: whoever matches one must not take the child.
    """
    key = _same_name(name)
    found = [g for g in student.guardians.order_by(Guardian.position)
             if (key and _same_name(g.name) == key) or (phone and g.mobile == phone)]
    return min(found, key=lambda g: g.can_pickup, default=None)


def _pickup(student, data):
    """Validate the pickup part of a sign-out: (fields for the visit row) or Invalid."""
    kind = data.get("kind") or ""
    if kind == "guardian":
        guardian = Guardian.get_or_none(Guardian.id == data.get("guardian"), Guardian.student == student)
        if guardian is None:
            raise Invalid({"pickup": _l("Choose one of the student's guardians.")})
        if not guardian.can_pickup:
            raise Invalid({"pickup": _forbidden(guardian, student)})
        return _by_guardian(guardian)
    if kind == "alone":
        if not student.may_leave_alone:
            raise Invalid({"pickup": _l("The file does not allow %(name)s to go home alone. Call the parent.",
                                        name=student.name)})
        return {"pickup_kind": "alone", "pickup_guardian": None, "pickup_name": "", "pickup_relation": "",
                "pickup_on_file": True}
    if kind == "other":
        name = (data.get("name") or "").strip()
        relation = (data.get("relation") or "").strip()
        errors = {}
        if not name:
            errors["pickup_name"] = _l("Enter the name of the person taking the child.")
        elif len(name) > NAME_MAX:
            errors["pickup_name"] = _l("Keep it under %(n)d characters.", n=NAME_MAX)
        if not relation:
            errors["pickup_relation"] = _l("Enter how they are related to the child (e.g. 姑姑, neighbour).")
        elif len(relation) > RELATION_MAX:
            errors["pickup_relation"] = _l("Keep it under %(n)d characters.", n=RELATION_MAX)
        phone = (data.get("phone") or "").strip()
        if phone:
            try:
                phone = validation.mobile(phone)
            except ValueError as exc:
                errors["pickup_phone"] = exc.args[0]
        if errors:
            raise Invalid(errors)
        guardian = guardian_named(student, name, phone)
        if guardian is not None and not guardian.can_pickup:
            raise Invalid({"pickup_name": _forbidden(guardian, student)})
        if guardian is not None:  # a guardian allowed by the file, typed in by hand: she is on file
            return _by_guardian(guardian)
        return {"pickup_kind": "other", "pickup_guardian": None, "pickup_name": name, "pickup_relation": relation,
                "pickup_on_file": False, "phone": phone}
    raise Invalid({"pickup": _l("Say who took the child: a guardian, alone (if the file allows), or another person.")})


def sign_out(by, visit, pickup, now=None):
    """Record the departure at this exact moment with who took the child. Exactly one tablet wins a race."""
    now = now or clock.now()
    student = visit.student
    fields = _pickup(student, pickup)
    phone = fields.pop("phone", "")  # only checked against the file and kept in the audit log
    if visit.day < clock.local(now).date():
        raise Invalid({"pickup": _l("This visit was left open overnight; a staff member closes it with a note.")})
    with write():
        changed = (Visit.update(left_at=now, signed_out_by=by, **fields)
                   .where(Visit.id == visit.id, Visit.left_at.is_null()).execute())
        if not changed:
            done = Visit.get_by_id(visit.id)
            raise AlreadyDone({"pickup": _l("%(name)s was already signed out at %(time)s by %(who)s.",
                                            name=student.name, time=_hhmm(done.left_at),
                                            who=done.signed_out_by.display_name if done.signed_out_by else "—")})
        VisitExit.update(back_at=now).where(VisitExit.visit == visit, VisitExit.back_at.is_null()).execute()
        after = Visit.get_by_id(visit.id)
        audit.record(by, "update", "study_visit", visit.id, before=audit.snapshot(visit), after=audit.snapshot(after),
                     summary="%s 签退 %s %s%s" % (student.name, _hhmm(now), after.pickup_name or PICKUP_KINDS[
                         after.pickup_kind], " " + phone if phone else ""))
    return after


def resolve(by, visit, note, left_at, now=None):
    """Close a visit still open after closing time: a staff member writes down what happened and when the child left."""
    now = now or clock.now()
    check_resolvable(visit, now)
    errors = {}
    note = (note or "").strip()
    if not note:
        errors["note"] = _l("Write down what happened (e.g. called the mother, picked up by her at 21:40).")
    elif len(note) > NOTE_MAX:
        errors["note"] = _l("Keep it under %(n)d characters.", n=NOTE_MAX)
    problem = departure_problem(visit, left_at, now)
    if problem:
        errors["left_at"] = problem
    if errors:
        raise Invalid(errors)
    left_at = max(left_at, visit.arrived_at)
    with write():
        changed = (Visit.update(left_at=left_at, signed_out_by=by, resolved_note=note, resolved_by=by,
                                resolved_at=now)
                   .where(Visit.id == visit.id, Visit.left_at.is_null()).execute())
        if not changed:
            raise AlreadyDone({"note": _l("This visit was closed in the meantime.")})
        VisitExit.update(back_at=left_at).where(VisitExit.visit == visit, VisitExit.back_at.is_null()).execute()
        after = Visit.get_by_id(visit.id)
        audit.record(by, "update", "study_visit", visit.id, before=audit.snapshot(visit), after=audit.snapshot(after),
                     summary="%s 未签退已处理: %s" % (visit.student.name, note[:80]))
    return after


def check_resolvable(visit, now=None):
    """Refuse to close a visit by hand that is closed already (AlreadyDone) or not past closing time (Invalid)."""
    if Visit.get_by_id(visit.id).left_at is not None:
        raise AlreadyDone({"note": _l("This visit was closed in the meantime.")})
    if not is_overdue(visit, now or clock.now()):
        raise Invalid({"note": _l("The room is still open: sign the student out at the desk instead.")})


def departure_problem(visit, left_at, now=None):
    """Why `left_at` (typed to the minute; None when unreadable) cannot be when the child left, or None."""
    now = now or clock.now()
    if left_at is None:
        return _l("Enter when the child left, as a date and HH:MM.")
    if left_at < visit.arrived_at.replace(second=0, microsecond=0):  # typed to the minute
        return _l("The child cannot have left before arriving (%(time)s).", time=_hhmm(visit.arrived_at))
    if left_at > now + timedelta(minutes=1):
        return _l("The departure cannot be in the future.")
    return None




def step_out(by, visit, reason, now=None):
    """出: the student leaves the room during the visit (a reason is required: it is what the parent will ask)."""
    now = now or clock.now()
    reason = (reason or "").strip()
    if not reason:
        raise Invalid({"reason": _l("Say why the student is leaving the room.")})
    if len(reason) > REASON_MAX:
        raise Invalid({"reason": _l("Keep it under %(n)d characters.", n=REASON_MAX)})
    with write():
        fresh = Visit.get_by_id(visit.id)
        if fresh.left_at is not None:
            raise AlreadyDone({"reason": _l("The student has already been signed out.")})
        if VisitExit.select().where(VisitExit.visit == visit, VisitExit.back_at.is_null()).exists():
            raise AlreadyDone({"reason": _l("The student is already out of the room.")})
        exit_ = VisitExit.create(visit=visit, out_at=now, reason=reason, by=by)
        audit.record(by, "create", "study_visit_exit", exit_.id, after=audit.snapshot(exit_),
                     summary="%s 离开自习室 %s" % (visit.student.name, reason[:60]))
    return exit_


def come_back(by, visit, now=None):
    """入: the student is back in the room."""
    now = now or clock.now()
    with write():
        exit_ = VisitExit.get_or_none(VisitExit.visit == visit, VisitExit.back_at.is_null())
        if exit_ is None:
            raise AlreadyDone({"reason": _l("The student is not out of the room.")})
        VisitExit.update(back_at=now).where(VisitExit.id == exit_.id).execute()
        audit.record(by, "update", "study_visit_exit", exit_.id, before={"back_at": None},
                     after={"back_at": now.isoformat()}, summary="%s 回到自习室" % visit.student.name)
    return exit_


RECORD_FIELDS = ("subjects", "homework_checked", "homework_note", "behaviour_note", "parent_note", "teacher")


def study_teachers():
    """Who can supervise the room: active study-room teachers and teachers."""
    return (User.select().join(UserRole).where(UserRole.role.in_(("frontdesk", "teacher")), User.active == True)  # noqa: E712
            .distinct().order_by(User.display_name))


def update_record(by, visit, data):
    """The study-room teacher's notes on a visit: subjects, homework checked, behaviour, notes for the parent."""
    errors = {}
    subjects = [s for s in data.get("subjects", []) if s]
    unknown = [s for s in subjects if s not in SUBJECTS]
    if unknown:
        errors["subjects"] = _l("Choose subjects from the list.")
    checked = data.get("homework_checked")
    if checked not in ("", "yes", "no", None):
        errors["homework_checked"] = _l("Choose yes or no.")
    teacher = data.get("teacher")
    if teacher in (None, ""):
        teacher = None
    else:
        try:
            teacher = row_id(teacher)
        except ValueError:
            teacher = 0
        if not study_teachers().where(User.id == teacher).exists():
            errors["teacher"] = _l("Choose a study-room teacher or teacher from the list.")
    values = {"subjects": "、".join(subjects)[:100],
              "homework_checked": None if not checked else checked == "yes",
              "homework_note": (data.get("homework_note") or "").strip()[:NOTE_MAX],
              "behaviour_note": (data.get("behaviour_note") or "").strip()[:NOTE_MAX],
              "parent_note": (data.get("parent_note") or "").strip()[:PARENT_NOTE_MAX],
              "teacher": teacher}
    for name in ("homework_note", "behaviour_note", "parent_note"):
        limit = PARENT_NOTE_MAX if name == "parent_note" else NOTE_MAX
        if len((data.get(name) or "").strip()) > limit:
            errors[name] = _l("Keep it under %(n)d characters.", n=limit)
    if errors:
        raise Invalid(errors)
    with write():
        before = audit.snapshot(Visit.get_by_id(visit.id))
        Visit.update(**values).where(Visit.id == visit.id).execute()
        after = Visit.get_by_id(visit.id)
        audit.record(by, "update", "study_visit", visit.id, before=before, after=audit.snapshot(after),
                     summary="%s 自习记录" % visit.student.name)
    return after


def in_room(now=None):
    """Open visits, oldest first, with the student and whether they are out of the room right now."""
    now = now or clock.now()
    visits = list(Visit.select(Visit, Student, User).join(Student, on=(Visit.student == Student.id))
                  .join(User, pw.JOIN.LEFT_OUTER, on=(Student.advisor == User.id))
                  .where(Visit.left_at.is_null()).order_by(Visit.arrived_at))
    out = {e.visit_id: e for e in VisitExit.select().where(VisitExit.visit.in_([v.id for v in visits]),
                                                           VisitExit.back_at.is_null())} if visits else {}
    return [{"visit": v, "student": v.student, "out": out.get(v.id), "overdue": is_overdue(v, now),
             "overnight": v.day < clock.local(now).date()} for v in visits]


def overdue(now=None):
    """Open visits past closing time (today's after closing, or any from an earlier day), for every dashboard."""
    now = now or clock.now()
    today = clock.local(now).date()
    query = Visit.select(Visit, Student).join(Student, on=(Visit.student == Student.id)).where(Visit.left_at.is_null())
    if now < closing_instant(today):
        query = query.where(Visit.day < today)
    return list(query.order_by(Visit.arrived_at))


def left_today(day):
    """Visits of `day` already closed, latest departure first."""
    return list(Visit.select(Visit, Student).join(Student, on=(Visit.student == Student.id))
                .where(Visit.day == day, Visit.left_at.is_null(False)).order_by(Visit.left_at.desc()))


def states_for(student_ids):
    """{student id: open visit} for kiosk search results (one query)."""
    if not student_ids:
        return {}
    return {v.student_id: v for v in Visit.select().where(Visit.student.in_(list(student_ids)),
                                                           Visit.left_at.is_null())}


def kiosk_search(user, term, limit=12):
    """Students for the kiosk: name, pinyin initials or phone tail (students whose course ended come last)."""
    return students.search(user, term, limit=limit)


def minutes(visit, now=None):
    end = visit.left_at or now or clock.now()
    return max(0, int((end - visit.arrived_at).total_seconds() // 60))


def visit_events(student, limit=None, before=None):
    rows = newest(Visit.select().where(Visit.student == student), Visit.arrived_at, limit, before)
    events = []
    for v in rows:
        text = "自习 %s %s–%s" % (v.day.isoformat(), _hhmm(v.arrived_at), _hhmm(v.left_at) or "?")
        detail = v.pickup_name or (str(PICKUP_KINDS[v.pickup_kind]) if v.pickup_kind else v.resolved_note)
        events.append((v.arrived_at, "selfstudy", text, detail))
    return events


def question_events(student, limit=None, before=None):
    return [(q.created_at, "question", "答疑 %s: %s" % (q.subject, q.question[:60]), q.answer[:80])
            for q in newest(Question.select().where(Question.student == student), Question.created_at, limit, before)]
