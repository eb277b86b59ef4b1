"""Lead rules: record an inquiry (or attach it to a known family), move it through the funnel, count the day."""

from flask_babel import lazy_gettext as _l
from peewee import fn

from xgapp import audit, clock, policy, validation
from xgapp.accounts.models import User
from xgapp.db import newest, write
from xgapp.leads.models import Lead, LeadStep
from xgapp.students import domain as students
from xgapp.students.models import Student
from xgapp.validation import Invalid

FUNNEL = ["inquiry", "invited", "visited", "trial", "signed"]
STAGES = {"inquiry": _l("Inquiry"), "invited": _l("Invited"), "visited": _l("Visited"), "trial": _l("Trial lesson"),
          "signed": _l("Contract signed"), "lost": _l("Lost")}
CLOSED = ("signed", "lost")
CORRECTABLE = ("invited", "visited", "trial", "lost")
WALK_IN = "walkin"


def _step(by, lead, stage, on, note=""):
    LeadStep.create(lead=lead, stage=stage, on=on, at=clock.now(), by=by, note=(note or "")[:200])


def record_inquiry(by, advisor, channel, child, guardian, subject="", note="", next_contact=None, today=None,
                   attach_to=None, new_family=False):
    """A parent called or walked in: open a lead, on a new student file or on a known family's student.

    A mobile already on file is not merged silently: the caller must either attach the lead to one of that
    family's students (`attach_to`) or confirm a new child of the family (`new_family`).
    """
    today = today or clock.today()
    errors = {}
    if channel not in students.SOURCES:
        errors["channel"] = _l("Choose how the family reached us.")
    try:
        mobile = validation.mobile(guardian.get("mobile"))
    except ValueError as exc:
        errors["mobile"] = exc.args[0]
        mobile = ""
    if attach_to is None and not (child.get("name") or "").strip():
        errors["name"] = _l("Enter the child's name.")
    if next_contact and next_contact < today:
        errors["next_contact"] = _l("The next contact cannot be in the past.")
    if errors:
        raise Invalid(errors)
    with write():
        if attach_to is not None:
            student = attach_to
        else:
            known = students.families_with({mobile})
            if known and not new_family:
                names = "、".join(s.name for s in known[mobile][:3])
                raise Invalid({"mobile": _l("This family is already on file (%(names)s): add the inquiry to that "
                                            "child, or confirm it is another child.", names=names)}, warning=True)
            student = students.create(by, dict(child, advisor=advisor, source=channel),
                                      [dict(guardian, can_pickup=True)], confirm_duplicate=True, today=today)
        lead = Lead.create(student=student, advisor=student.advisor or advisor, channel=channel,
                           subject=(subject or "")[:20], stage="inquiry", stage_on=today, next_contact=next_contact,
                           note=(note or "").strip(), created_at=clock.now())
        _step(by, lead, "inquiry", today, note)
        audit.record(by, "create", "lead", lead.id, after=audit.snapshot(lead), summary=student.name)
    return lead


def came(lead):
    """True when the family has been to the campus: a 已上门 step, or the inquiry itself was a walk-in."""
    return lead.channel == WALK_IN or LeadStep.select().where(LeadStep.lead == lead,
                                                                LeadStep.stage == "visited").exists()


def next_stages(lead):
    """The steps a lead may take next, in funnel order: one step at a time, 已邀约 may be skipped (a family may
    come uninvited), 已试听 only after the family came (a trial is at the campus); 已签约 comes with a contract."""
    if lead.stage not in FUNNEL[:-1]:
        return []
    at = FUNNEL.index(lead.stage)
    options = [FUNNEL[at + 1]] if at + 1 < len(FUNNEL) - 1 else []
    if lead.stage == "inquiry":
        options.append("visited")
        if came(lead):
            options.append("trial")  # a walk-in family has been here
    return options


def advance(by, lead, stage, on=None, note="", implied=False):
    """Move a lead to its next funnel step (see next_stages), dated between the previous step and today.

    `implied` (a trial lesson attended): the family came for it, so a missing 已上门 is recorded on the same day."""
    on = on or clock.today()
    with write():
        lead = Lead.get_by_id(lead.id)
        if lead.stage in CLOSED:
            raise Invalid({"stage": _l("This lead is closed.")})
        if on > clock.today():
            raise Invalid({"on": _l("A step cannot be dated in the future.")})
        if on < lead.stage_on:
            raise Invalid({"on": _l("The date is before the previous step (%(day)s).", day=lead.stage_on.isoformat())})
        if implied and stage == "trial" and "trial" not in next_stages(lead) and lead.stage in ("inquiry", "invited"):
            advance(by, lead, "visited", on, str(_l("Came for a trial lesson")))
            lead = Lead.get_by_id(lead.id)
        if stage not in next_stages(lead):
            if stage == "trial" and lead.stage in ("inquiry", "invited"):
                raise Invalid({"stage": _l("Record the visit first: a trial lesson is at the campus.")})
            raise Invalid({"stage": _l("A lead moves one step at a time through the funnel.")})
        before = {"stage": lead.stage, "stage_on": lead.stage_on.isoformat()}
        lead.stage, lead.stage_on = stage, on
        lead.save()
        _step(by, lead, stage, on, note)
        audit.record(by, "update", "lead", lead.id, before=before,
                     after={"stage": stage, "stage_on": on.isoformat()}, summary=note or "")
        if stage == "trial" and lead.student.status == "prospect":
            students.change_status(by, lead.student, "trial", on, reason=note)
    return lead


def correct(by, lead, reason):
    """Take back the lead's last step (a wrong 已邀约 / 已上门 / 已试听 / 流失), with a reason: the step is removed,
    so it no longer counts in the day's numbers, and the lead is back at the step before (audited)."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid({"correct_reason": _l("Say what was wrong with the step.")})
    with write():
        lead = Lead.get_by_id(lead.id)
        if lead.stage not in CORRECTABLE:
            raise Invalid({"correct_reason": _l("Only an invitation, a visit, a trial or a loss can be taken back; "
                                                "a signing follows the contract.")})
        steps = list(LeadStep.select().where(LeadStep.lead == lead, LeadStep.stage.in_(FUNNEL + ["lost"]))
                     .order_by(LeadStep.at.desc(), LeadStep.id.desc()))
        wrong, previous = steps[0], next(s for s in steps[1:] if s.stage in FUNNEL)
        before = {"stage": lead.stage, "stage_on": lead.stage_on.isoformat(), "lost_reason": lead.lost_reason}
        audit.record(by, "delete", "lead_step", wrong.id, before=audit.snapshot(wrong), summary=reason)
        wrong.delete_instance()
        lead.stage, lead.stage_on = previous.stage, previous.on
        if before["stage"] == "lost":
            lead.lost_reason = ""
        lead.save()
        audit.record(by, "update", "lead", lead.id, before=before,
                     after={"stage": lead.stage, "stage_on": lead.stage_on.isoformat(),
                            "lost_reason": lead.lost_reason}, summary=reason)
        if before["stage"] == "trial" and lead.student.status == "trial":
            students.change_status(by, lead.student, "prospect", clock.today(), reason=reason)
    return lead


def lose(by, lead, reason, on=None):
    """Close a lead as lost, with the reason (price, distance, chose another school, ...)."""
    if not (reason or "").strip():
        raise Invalid({"lost_reason": _l("Say why the family did not sign.")})
    on = on or clock.today()
    with write():
        lead = Lead.get_by_id(lead.id)
        if lead.stage in CLOSED:
            raise Invalid({"lost_reason": _l("This lead is closed.")})
        before = {"stage": lead.stage}
        lead.stage, lead.stage_on, lead.lost_reason, lead.next_contact = "lost", on, reason.strip()[:200], None
        lead.save()
        _step(by, lead, "lost", on, reason)
        audit.record(by, "update", "lead", lead.id, before=before, after={"stage": "lost", "lost_reason": reason})
    return lead


def contact(by, lead, note, next_contact=None, on=None):
    """Log a call or message with the family and set the next contact date."""
    on = on or clock.today()
    if not (note or "").strip():
        raise Invalid({"note": _l("Write what was said.")})
    if next_contact and next_contact < on:
        raise Invalid({"next_contact": _l("The next contact cannot be in the past.")})
    with write():
        lead = Lead.get_by_id(lead.id)
        lead.next_contact = next_contact
        lead.save()
        _step(by, lead, "contact", on, note)
        audit.record(by, "update", "lead", lead.id, after={"contact": note, "next_contact": str(next_contact or "")})
    return lead


def mark_signed(by, student, on):
    """A contract was signed: the student's open leads reach 已签约 (called inside the contract's transaction)."""
    for lead in Lead.select().where(Lead.student == student, Lead.stage.not_in(CLOSED)):
        before = {"stage": lead.stage, "stage_on": lead.stage_on.isoformat()}
        lead.stage, lead.stage_on, lead.next_contact = "signed", on, None
        lead.save()
        _step(by, lead, "signed", on)
        audit.record(by, "update", "lead", lead.id, before=before,
                     after={"stage": "signed", "stage_on": on.isoformat()}, summary=student.name)


def move_open_leads(by, student, advisor):
    """A student's open leads follow the student; closed ones stay credited to whoever worked them."""
    for lead in Lead.select().where(Lead.student == student, Lead.stage.not_in(CLOSED), Lead.advisor != advisor):
        before = {"advisor": lead.advisor_id}
        lead.advisor = advisor
        lead.save()
        audit.record(by, "reassign", "lead", lead.id, before=before, after={"advisor": advisor.id},
                     summary=student.name)


def visible(user):
    """Leads `user` may see (see policy.leads_visible_to), with their student and advisor."""
    query = Lead.select(Lead, Student, User).join(Student).switch(Lead).join(User, on=(Lead.advisor == User.id))
    return policy.leads_visible_to(user, query)


def open_leads(user, advisor=None, stage=None):
    """Open leads, the ones to contact first (overdue, then by date, then undated) on top."""
    query = visible(user).where(Lead.stage.not_in(CLOSED))
    if advisor:
        query = query.where(Lead.advisor == advisor)
    if stage:
        query = query.where(Lead.stage == stage)
    return list(query.order_by(Lead.next_contact.is_null(), Lead.next_contact, Lead.id))


def daily_counts(day, advisor=None):
    """{stage: number of steps reached on `day`} (plus 'contact'), for one advisor or the campus."""
    query = (LeadStep.select(LeadStep.stage, fn.COUNT(LeadStep.id)).join(Lead)
             .where(LeadStep.on == day).group_by(LeadStep.stage))
    if advisor is not None:
        query = query.where(Lead.advisor == advisor)
    return dict(query.tuples())


def lead_events(student, limit=None, before=None):
    """Every step of the student's leads (the newest `limit`), for the student timeline."""
    steps = LeadStep.select().join(Lead).where(Lead.student == student)
    return [(s.at, "lead", "%s %s" % (_l("Lead"), STAGES.get(s.stage, _l("Contact"))), s.note)
            for s in newest(steps, LeadStep.at, limit, before)]
