"""Complaints (投诉, handbook 第2篇: the supervisor 接受和处理家长的投诉反馈, the advisor 负责接受学员及家长投诉处理).

A complaint is received (who complained, about what and whom, how, what was said, how serious), gets an owner (the
supervisor by default; it may be handed on), a dated record of what was done, and is closed only with a resolution
and the family's answer to it. The campus rules set the deadlines by severity: the first response within so many
hours, the whole within so many days. A serious complaint is on the principal's first screen from the moment it is
received; a late one is red on its owner's and the supervisor's.
"""

from datetime import timedelta

import peewee as pw
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from xgapp import audit, clock
from xgapp.accounts.models import User, UserRole
from xgapp.campus import rules
from xgapp.complaints.models import Complaint, ComplaintStep
from xgapp.db import newest, write
from xgapp.students.models import Student
from xgapp.validation import Invalid

COMPLAINANTS = {"guardian": _l("Parent or guardian"), "student": _l("The student"), "other": _l("Someone else")}
ABOUT = {"teaching": _l("Teaching"), "teacher": _l("A teacher"), "advisor": _l("An advisor"),
         "service": _l("Service"), "fees": _l("Fees and refunds"), "environment": _l("Environment"),
         "safety": _l("Safety"), "other": _l("Other")}
ABOUT_PERSON = ("teacher", "advisor")  # complaints about a person name them
CHANNELS = {"phone": _l("Phone"), "visit": _l("In person"), "wechat": _l("WeChat"), "letter": _l("Letter or note"),
            "online": _l("Online review"), "other": _l("Other")}
SEVERITIES = {"normal": lazy_pgettext("complaint", "Normal"), "serious": lazy_pgettext("complaint", "Serious")}
ANSWERS = {"satisfied": _l("Satisfied"), "accepted": _l("Accepts it"), "unsatisfied": _l("Not satisfied")}
NOT_ASKED = _l("not asked")  # a complaint moved from an earlier version's 投诉回复 follow-up (migration 21)
STATES = {"open": lazy_pgettext("complaint", "Open"), "late": lazy_pgettext("complaint", "Late"),
          "closed": lazy_pgettext("complaint", "Closed")}
NAME_MAX, CONTENT_MAX, NOTE_MAX = 40, 2000, 200
OWNER_ROLES = ("supervisor", "principal")  # who may own a complaint by default, in that order


def owners():
    """Active staff a complaint may be handed to: everyone but the study-room desk and finance, by name."""
    return list(User.select().join(UserRole).where(
        User.active == True, UserRole.role.in_(("principal", "supervisor", "advisor", "director")))  # noqa: E712
        .distinct().order_by(User.display_name))


def staff():
    """Active staff a complaint may be about (teachers and advisors), by name."""
    return list(User.select().join(UserRole).where(User.active == True,  # noqa: E712
                                                   UserRole.role.in_(("teacher", "advisor", "director")))
                .distinct().order_by(User.display_name))


def default_owner():
    """The supervisor (the first active one by name), else the principal."""
    for role in OWNER_ROLES:
        found = (User.select().join(UserRole).where(UserRole.role == role, User.active == True)  # noqa: E712
                 .order_by(User.display_name).first())
        if found is not None:
            return found
    return None


def deadlines(complaint):
    """(respond by, close by): aware instants from the complaint's severity and the campus rules."""
    serious = complaint.severity == "serious"
    hours = rules.get("complaint_serious_response_hours" if serious else "complaint_response_hours")
    days = rules.get("complaint_serious_close_days" if serious else "complaint_close_days")
    return complaint.received_at + timedelta(hours=hours), complaint.received_at + timedelta(days=days)


def lateness(complaint, now=None):
    """{"response": bool, "close": bool}: a deadline passed without its step (a closed complaint keeps whether it
    was late)."""
    now = now or clock.now()
    respond_by, close_by = deadlines(complaint)
    responded = complaint.first_response_at or complaint.closed_at
    return {"response": (responded or now) > respond_by, "close": (complaint.closed_at or now) > close_by}


def state(complaint, now=None):
    """"closed", "late" (open past a deadline) or "open"."""
    if complaint.closed_at is not None:
        return "closed"
    return "late" if any(lateness(complaint, now).values()) else "open"


def check(values, now=None):
    """{field: message} for the values of a complaint as received (the form's values)."""
    now = now or clock.now()
    errors = {}
    if values.get("about") in ABOUT_PERSON and values.get("about_user") is None:
        errors["about_user"] = _l("Name the teacher or advisor the complaint is about.")
    received = values.get("received_at")
    if received is not None and received > now + timedelta(minutes=5):
        errors["received_at"] = _l("A complaint cannot be received in the future.")
    if values.get("owner") is None and default_owner() is None:
        errors["owner"] = _l("Choose who handles it.")
    return errors


def receive(by, values, now=None):
    """Record a complaint as received: values {student (or None), complainant, complainant_kind, about, about_user
    (or None), channel, content, severity, received_at, owner (or None: the supervisor)}."""
    now = now or clock.now()
    errors = check(values, now)
    if errors:
        raise Invalid(errors)
    with write():
        complaint = Complaint.create(
            student=values["student"], complainant=values["complainant"], complainant_kind=values["complainant_kind"],
            about=values["about"], about_user=values["about_user"] if values["about"] in ABOUT_PERSON else None,
            channel=values["channel"], content=values["content"], severity=values["severity"],
            received_at=values["received_at"], received_by=by, owner=values["owner"] or default_owner())
        audit.record(by, "create", "complaint", complaint.id, after=audit.snapshot(complaint),
                     summary=complaint.complainant)
    return complaint


def _open_or_refuse(complaint, field):
    if complaint.closed_at is not None:
        raise Invalid({field: _l("This complaint is closed.")})


def add_step(by, complaint, text, now=None):
    """A dated entry of what was done; the first one is the complaint's first response."""
    now = now or clock.now()
    _open_or_refuse(complaint, "text")
    with write():
        before = audit.snapshot(complaint)
        step = ComplaintStep.create(complaint=complaint, at=now, by=by, kind="step", text=text)
        audit.record(by, "create", "complaint_step", step.id, after=audit.snapshot(step), summary=complaint.complainant)
        if complaint.first_response_at is None:
            complaint.first_response_at = now
            complaint.save()
            audit.record(by, "update", "complaint", complaint.id, before=before, after=audit.snapshot(complaint),
                         summary=complaint.complainant)
    return step


def hand_on(by, complaint, to, note, now=None):
    """Give the complaint to another owner (a step records who, to whom and why)."""
    now = now or clock.now()
    _open_or_refuse(complaint, "owner")
    if to.id == complaint.owner_id:
        raise Invalid({"owner": _l("It is already theirs.")})
    with write():
        before = audit.snapshot(complaint)
        step = ComplaintStep.create(complaint=complaint, at=now, by=by, kind="handover", text=note, handed_to=to)
        audit.record(by, "create", "complaint_step", step.id, after=audit.snapshot(step), summary=complaint.complainant)
        complaint.owner = to
        complaint.save()
        audit.record(by, "update", "complaint", complaint.id, before=before, after=audit.snapshot(complaint),
                     summary=complaint.complainant)
    return complaint


def close(by, complaint, resolution, satisfaction, note, now=None):
    """Close with the resolution and the family's answer to it (both required)."""
    now = now or clock.now()
    errors = {}
    if complaint.closed_at is not None:
        errors["resolution"] = _l("This complaint is closed.")
    if not resolution:
        errors["resolution"] = _l("Write how it was resolved.")
    if satisfaction not in ANSWERS:
        errors["satisfaction"] = _l("Ask the family and record their answer.")
    if errors:
        raise Invalid(errors)
    with write():
        before = audit.snapshot(complaint)
        complaint.resolution, complaint.satisfaction, complaint.satisfaction_note = resolution, satisfaction, note
        complaint.closed_at, complaint.closed_by = now, by
        complaint.save()
        audit.record(by, "update", "complaint", complaint.id, before=before, after=audit.snapshot(complaint),
                     summary=complaint.complainant)
    return complaint


def answer(complaint):
    """The family's answer as shown ("not asked" for a complaint from an earlier version's follow-up)."""
    return ANSWERS.get(complaint.satisfaction, NOT_ASKED)


def month_counts(first, last):
    """{advisor id (None: no student's advisor): complaints received} in the days [first, last], by the student's
    advisor — the ranking's column and the excellent-team criterion ("no customer complaint")."""
    start, end = clock.days_bounds(first, last)
    return dict(Complaint.select(Student.advisor, pw.fn.COUNT(Complaint.id))
                .join(Student, pw.JOIN.LEFT_OUTER, on=(Complaint.student == Student.id))
                .where(Complaint.received_at >= start, Complaint.received_at < end)
                .group_by(Student.advisor).tuples())


def steps(complaint):
    """The complaint's steps, oldest first, with who wrote them and to whom it was handed."""
    by, to = User.alias(), User.alias()
    return list(ComplaintStep.select(ComplaintStep, by, to)
                .join(by, on=(ComplaintStep.by == by.id)).switch(ComplaintStep)
                .join(to, pw.JOIN.LEFT_OUTER, on=(ComplaintStep.handed_to == to.id))
                .where(ComplaintStep.complaint == complaint).order_by(ComplaintStep.at, ComplaintStep.id))


def _late_condition(now):
    """SQL: an open complaint past one of its deadlines (the rules as they stand)."""
    conditions = []
    for severity, response, days in (("normal", "complaint_response_hours", "complaint_close_days"),
                                     ("serious", "complaint_serious_response_hours", "complaint_serious_close_days")):
        respond_after = now - timedelta(hours=rules.get(response))  # received before this: response is late
        close_after = now - timedelta(days=rules.get(days))
        conditions.append((Complaint.severity == severity) & (
            (Complaint.first_response_at.is_null() & (Complaint.received_at < respond_after))
            | (Complaint.received_at < close_after)))
    return Complaint.closed_at.is_null() & (conditions[0] | conditions[1])


def with_people(query=None):
    """Complaints with their student, owner and the person complained of, in one query (lists show all three)."""
    owner, about = User.alias(), User.alias()
    query = query if query is not None else Complaint.select()
    return (query.select_extend(Student, owner, about)
            .join_from(Complaint, Student, pw.JOIN.LEFT_OUTER, on=(Complaint.student == Student.id))
            .join_from(Complaint, owner, on=(Complaint.owner == owner.id))
            .join_from(Complaint, about, pw.JOIN.LEFT_OUTER, on=(Complaint.about_user == about.id)))


def listing(query, shown, now=None):
    """`query` (a visible scope) narrowed to `shown` ("open", "late", "closed" or "all"), newest first."""
    now = now or clock.now()
    if shown == "open":
        query = query.where(Complaint.closed_at.is_null())
    elif shown == "late":
        query = query.where(_late_condition(now))
    elif shown == "closed":
        query = query.where(Complaint.closed_at.is_null(False))
    return query.order_by(Complaint.received_at.desc(), Complaint.id.desc())


def waiting(query, now=None):
    """For the first screen: (late, serious open) counts within `query` (a visible scope), and the late ones."""
    now = now or clock.now()
    late = list(with_people(query).where(_late_condition(now)).order_by(Complaint.received_at).limit(10))
    late_count = query.where(_late_condition(now)).count() if len(late) == 10 else len(late)
    serious = query.where(Complaint.closed_at.is_null(), Complaint.severity == "serious").count()
    return {"late": late, "late_count": late_count, "serious_open": serious}


def complaint_events(student, limit=None, before=None):
    """The student's complaints as received and as closed, for the timeline."""
    events = []
    rows = Complaint.select().where(Complaint.student == student)
    for c in newest(rows, Complaint.received_at, limit, before):
        events.append((c.received_at, "complaint", "%s · %s · %s" % (
            _l("Complaint received"), ABOUT[c.about], SEVERITIES[c.severity]), c.complainant))
    closed = Complaint.select().where(Complaint.student == student, Complaint.closed_at.is_null(False))
    for c in newest(closed, Complaint.closed_at, limit, before):
        events.append((c.closed_at, "complaint", "%s · %s" % (_l("Complaint closed"),
                                                              ANSWERS.get(c.satisfaction, NOT_ASKED)),
                       c.resolution[:80]))
    return events
