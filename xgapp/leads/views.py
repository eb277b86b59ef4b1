"""Lead pages: today's funnel numbers and open leads, recording an inquiry, moving a lead on."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from peewee import JOIN

from xgapp.i18n import campus_today
from xgapp import nav, validation
from xgapp.accounts.models import User
from xgapp.leads import domain
from xgapp.leads.models import Lead, LeadStep
from xgapp.security import require
from xgapp.students import domain as students
from xgapp.students.models import Guardian
from xgapp.validation import Invalid, row_id

bp = Blueprint("leads", __name__, url_prefix="/leads")
nav.register("leads.index", _l("Leads"), "leads.view", order=20)


def _date(value):
    return validation.day(value)


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
    mine = None if (g.user.role_set & students.FULL_ROLES or "frontdesk" in g.user.role_set) else g.user
    today = campus_today()
    return render_template("leads/index.html", leads=domain.open_leads(g.user, advisor, stage), stage=stage,
                           advisor=advisor, stages=domain.STAGES, funnel=domain.FUNNEL, today=today,
                           counts=domain.daily_counts(today, mine), advisors=list(students.advisors()),
                           sources=students.SOURCES)


def _new_context(form, errors, warning, known):
    return dict(form=form, errors=errors, warning=warning, known=known, sources=list(students.SOURCES.items()),
                relations=[(r, r) for r in students.RELATIONS], grades=[("", "—")] + [(x, x) for x in students.GRADES],
                advisors=[(a.id, a.display_name) for a in students.advisors()], subjects=_subjects())


def _subjects():
    from xgapp.contracts.domain import SUBJECTS

    return SUBJECTS


@bp.route("/new", methods=["GET", "POST"])
@require("leads.view")
def create():
    """咨询登记: a parent calls or walks in."""
    form = request.form
    errors, warning, known = {}, False, []
    if request.method == "POST":
        mobile = form.get("mobile", "")
        advisor = User.get_or_none(User.id == form.get("advisor", type=row_id))
        if advisor is None or not students.advisors().where(User.id == advisor.id).exists():
            errors["advisor"] = _("Choose an active advisor.")
        attach = None
        if form.get("attach", "").isdigit():
            # only a child of the family whose mobile was typed: the lead then goes to that child's advisor
            try:
                family = students.families_with({validation.mobile(mobile)})
            except ValueError:
                family = {}
            attach = next((s for group in family.values() for s in group if s.id == int(form["attach"])), None)
        try:
            if errors:
                raise Invalid(errors)
            lead = domain.record_inquiry(
                g.user, advisor, form.get("channel"), {"name": form.get("name", ""), "school": form.get("school", ""),
                                                      "grade": form.get("grade", "")},
                {"name": form.get("guardian_name", "") or form.get("name", "")[:1] + "家长",
                 "relation": form.get("relation", "母亲"), "mobile": mobile},
                subject=form.get("subject", ""), note=form.get("note", ""),
                next_contact=_date(form.get("next_contact")), attach_to=attach,
                new_family=form.get("attach") == "new")
        except Invalid as exc:
            errors, warning = exc.errors, exc.warning
            try:
                found = students.families_with({validation.mobile(mobile)})
                known = [s for group in found.values() for s in group]
            except ValueError:
                known = []
        else:
            flash(_("Inquiry recorded for %(name)s.", name=lead.student.name), "success")
            return redirect(url_for("leads.show", lead_id=lead.id), code=303)
    elif "advisor" in g.user.role_set:
        form = {"advisor": g.user.id, "channel": "hotline", "relation": "母亲"}
    return render_template("leads/new.html", **_new_context(form, errors, warning, known)), 422 if errors else 200


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
    return render_template("leads/show.html", lead=lead, steps=steps, stages=domain.STAGES,
                           later=domain.next_stages(lead), correctable=lead.stage in domain.CORRECTABLE,
                           guardians=guardians, errors=errors or {}, form=request.form, sources=students.SOURCES,
                           advisors=list(students.advisors()), today=campus_today().isoformat()), status


def _act(lead_id, action):
    lead = lead_or_404(lead_id)
    if not ("edit" in students.access(g.user, lead.student) or "frontdesk" in g.user.role_set):
        abort(403)
    try:
        action(lead)
    except Invalid as exc:
        return _show(lead, exc.errors, 422)
    flash(_("Saved."), "success")
    return redirect(url_for("leads.show", lead_id=lead.id), code=303)


@bp.route("/<int:lead_id>/advance", methods=["POST"])
@require("leads.view")
def advance(lead_id):
    """Record the next funnel step (invited, visited, trial)."""
    return _act(lead_id, lambda lead: domain.advance(
        g.user, lead, request.form.get("stage"), _date(request.form.get("on")) or campus_today(),
        request.form.get("note", "")))


@bp.route("/<int:lead_id>/correct", methods=["POST"])
@require("leads.view")
def correct(lead_id):
    """Take back the lead's last step (recorded by mistake), with a reason."""
    return _act(lead_id, lambda lead: domain.correct(g.user, lead, request.form.get("correct_reason", "")))


@bp.route("/<int:lead_id>/contact", methods=["POST"])
@require("leads.view")
def contact(lead_id):
    """Log a contact with the family and the next contact date."""
    return _act(lead_id, lambda lead: domain.contact(g.user, lead, request.form.get("note", ""),
                                                     _date(request.form.get("next_contact"))))


@bp.route("/<int:lead_id>/lose", methods=["POST"])
@require("leads.view")
def lose(lead_id):
    """Close the lead as lost, with the reason."""
    return _act(lead_id, lambda lead: domain.lose(g.user, lead, request.form.get("lost_reason", "")))


@bp.route("/<int:lead_id>/reassign", methods=["POST"])
@require("students.reassign")
def reassign(lead_id):
    """Give the lead and its student to another advisor."""
    lead = lead_or_404(lead_id)
    advisor = User.get_or_none(User.id == request.form.get("advisor", type=row_id))
    if advisor is None or not students.advisors().where(User.id == advisor.id).exists():
        flash(_("Choose an active advisor."), "error")
    else:
        domain.reassign(g.user, lead, advisor)
        flash(_("%(name)s now belongs to %(advisor)s.", name=lead.student.name, advisor=advisor.display_name),
              "success")
    return redirect(url_for("leads.show", lead_id=lead.id), code=303)
