"""Lead pages: today's funnel numbers and open leads, recording an inquiry, moving a lead on."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from peewee import JOIN

from xgapp import clock, i18n, nav, policy
from xgapp.accounts.models import User
from xgapp.contracts.domain import SUBJECTS
from xgapp.leads import domain, forms
from xgapp.leads.models import Lead, LeadStep
from xgapp.security import require
from xgapp.students import domain as students
from xgapp.students import handover
from xgapp.students.forms import parse_reassign
from xgapp.students.models import Guardian
from xgapp.validation import Invalid, row_id

bp = Blueprint("leads", __name__, url_prefix="/leads")
nav.register("leads.index", _l("Leads"), "leads.view", order=20)


def lead_or_404(lead_id):
    """A lead the user may see."""
    lead = domain.visible(g.user).where(Lead.id == lead_id).first()
    if lead is None:
        abort(404)
    return lead


@bp.route("/")
@require("leads.view")
def index():
    """Open leads to contact (overdue first) and the day's funnel numbers."""
    advisor = request.args.get("advisor", type=row_id)
    stage = request.args.get("stage") if request.args.get("stage") in domain.STAGES else None
    mine = None if policy.counts_all_leads(g.user) else g.user
    today = clock.today()
    return render_template("leads/index.html", leads=domain.open_leads(g.user, advisor, stage), stage=stage,
                           advisor=advisor, stages=domain.STAGES, funnel=domain.FUNNEL, today=today,
                           counts=domain.daily_counts(today, mine), advisors=list(students.advisors()),
                           sources=students.SOURCES, may_filter_advisor=policy.may_filter_leads_by_advisor(g.user))


def _new_page(values, errors=None, warning=False, known=()):
    context = dict(values=values, errors=errors or {}, warning=warning, known=list(known),
                   sources=list(students.SOURCES.items()), relations=i18n.word_choices(students.RELATIONS),
                   grades=[("", "—")] + i18n.word_choices(students.GRADES),
                   advisors=[(a.id, a.display_name) for a in students.advisors()], subjects=SUBJECTS)
    return render_template("leads/new.html", **context), 422 if errors else 200


@bp.route("/new")
@require("leads.view")
def new():
    """A blank inquiry (an advisor's own, by hotline, from a mother, unless changed)."""
    values = {"advisor": g.user.id, "channel": "hotline", "relation": "母亲"} if policy.owns_students(g.user) else {}
    return _new_page(values)


@bp.route("/new", methods=["POST"])
@require("leads.view")
def create():
    """咨询登记: a parent calls or walks in."""
    try:
        values = forms.parse_inquiry(request.form)
        lead = domain.record_inquiry(g.user, values["advisor"], values["channel"], values["child"],
                                     values["guardian"], subject=values["subject"], note=values["note"],
                                     next_contact=values["next_contact"], attach_to=values["attach_to"],
                                     new_family=values["new_family"])
    except Invalid as exc:
        return _new_page(request.form.to_dict(), exc.errors, exc.warning, forms.family_of(request.form.get("mobile")))
    flash(_("Inquiry recorded for %(name)s.", name=lead.student.name), "success")
    return redirect(url_for("leads.show", lead_id=lead.id), code=303)


@bp.route("/<int:lead_id>")
@require("leads.view")
def show(lead_id):
    """One lead: the family, its steps, and what to do next."""
    lead = lead_or_404(lead_id)
    return _show(lead)


def _show(lead, errors=None, status=200):
    steps = list(LeadStep.select(LeadStep, User).join(User, JOIN.LEFT_OUTER, on=(LeadStep.by == User.id), attr="by")
                 .where(LeadStep.lead == lead).order_by(LeadStep.at))
    guardians = list(Guardian.select().where(Guardian.student == lead.student_id)
                     .order_by(Guardian.position, Guardian.id))
    later = domain.next_stages(lead)
    return render_template("leads/show.html", lead=lead, steps=steps, stages=domain.STAGES, later=later,
                           later_choices=[(code, domain.STAGES[code]) for code in later],
                           correctable=lead.stage in domain.CORRECTABLE, guardians=guardians, errors=errors or {},
                           values=request.form.to_dict() if errors else {}, sources=students.SOURCES,
                           advisor_choices=[(a.id, a.display_name) for a in students.advisors()],
                           today=clock.today().isoformat()), status


def _act(lead_id, parse, action):
    """Read the form with `parse`, then `action(lead, values)`; the lead page again with the errors (422)."""
    lead = lead_or_404(lead_id)
    if not policy.may_work_lead(g.user, lead):
        abort(403)
    try:
        action(lead, parse(request.form))
    except Invalid as exc:
        return _show(lead, exc.errors, 422)
    flash(_("Saved."), "success")
    return redirect(url_for("leads.show", lead_id=lead.id), code=303)


@bp.route("/<int:lead_id>/advance", methods=["POST"])
@require("leads.view")
def advance(lead_id):
    """Record the next funnel step (invited, visited, trial)."""
    return _act(lead_id, forms.parse_advance,
                lambda lead, v: domain.advance(g.user, lead, v["stage"], v["on"], v["note"]))


@bp.route("/<int:lead_id>/correct", methods=["POST"])
@require("leads.view")
def correct(lead_id):
    """Take back the lead's last step (recorded by mistake), with a reason."""
    return _act(lead_id, forms.parse_step_back, lambda lead, v: domain.correct(g.user, lead, v["correct_reason"]))


@bp.route("/<int:lead_id>/contact", methods=["POST"])
@require("leads.view")
def contact(lead_id):
    """Log a contact with the family and the next contact date."""
    return _act(lead_id, forms.parse_contact,
                lambda lead, v: domain.contact(g.user, lead, v["note"], v["next_contact"]))


@bp.route("/<int:lead_id>/lose", methods=["POST"])
@require("leads.view")
def lose(lead_id):
    """Close the lead as lost, with the reason."""
    return _act(lead_id, forms.parse_lose, lambda lead, v: domain.lose(g.user, lead, v["lost_reason"]))


@bp.route("/<int:lead_id>/reassign", methods=["POST"])
@require("students.reassign")
def reassign(lead_id):
    """Give the lead and its student (with the student's other open leads) to another advisor."""
    lead = lead_or_404(lead_id)
    try:
        advisor = parse_reassign(request.form)["advisor"]
        handover.reassign(g.user, lead.student, advisor)
    except Invalid:
        flash(_("Choose an active advisor."), "error")
    else:
        flash(_("%(name)s now belongs to %(advisor)s.", name=lead.student.name, advisor=advisor.display_name),
              "success")
    return redirect(url_for("leads.show", lead_id=lead.id), code=303)
