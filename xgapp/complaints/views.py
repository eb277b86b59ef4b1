"""Complaint pages: the list (open, late, closed), receiving one, and one complaint with its handling."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from xgapp import clock, nav, policy
from xgapp.campus import rules
from xgapp.complaints import domain, forms
from xgapp.complaints.models import Complaint
from xgapp.policy import can
from xgapp.security import require
from xgapp.students.models import Student
from xgapp.validation import Invalid, row_id

bp = Blueprint("complaints", __name__, url_prefix="/complaints")
nav.register("complaints.index", _l("Complaints"), "complaints.view", order=28)

SHOWN = 50  # a page of the list, newest first


def _choices(mapping):
    return [("", "—")] + [(code, text) for code, text in mapping.items()]


def _people(users):
    return [("", "—")] + [(u.id, u.display_name) for u in users]


@bp.route("/")
@require("complaints.view")
def index():
    """The complaints `g.user` may see: open ones by default, or the late, the closed or all, newest first."""
    shown = request.args.get("shown", "open")
    shown = shown if shown in ("open", "late", "closed", "all") else "open"
    page = request.args.get("page", 1, type=row_id)
    query = domain.listing(policy.complaints_visible_to(g.user, domain.with_people()), shown)
    rows = list(query.limit(SHOWN + 1).offset((page - 1) * SHOWN))  # a campus has tens a year: pages are few
    now, hide = clock.now(), rules.get("complaint_hide_family")
    return render_template("complaints/index.html", rows=rows[:SHOWN], more=len(rows) > SHOWN, page=page,
                           shown=shown, states={c.id: domain.state(c, now) for c in rows},
                           hidden={c.id for c in rows if policy.hides_complainant(g.user, c, hide)},
                           about=domain.ABOUT, severities=domain.SEVERITIES, labels=domain.STATES,
                           may_record=can(g.user, "complaints.record"))


def _defaults():
    now = clock.local_now()
    owner = domain.default_owner()
    return {"day": now.strftime("%Y-%m-%d"), "time": now.strftime("%H:%M"), "severity": "normal",
            "complainant_kind": "guardian", "owner": owner.id if owner else ""}


def _new_page(values, errors=None):
    return render_template("complaints/new.html", values=values, errors=errors or {},
                           kinds=_choices(domain.COMPLAINANTS), about=_choices(domain.ABOUT),
                           channels=_choices(domain.CHANNELS), severities=_choices(domain.SEVERITIES),
                           staff=_people(domain.staff()), owners=_people(domain.owners())), 422 if errors else 200


@bp.route("/new")
@require("complaints.record")
def new():
    """The form of a complaint received (from a student's file: ?student=<id> fills in the student)."""
    values = _defaults()
    wanted = request.args.get("student", type=row_id)
    student = policy.students_visible_to(g.user).where(Student.id == wanted).first() if wanted else None
    if student is not None:
        values["student"] = "%s #%d" % (student.name, student.id)
    return _new_page(values)


@bp.route("/new", methods=["POST"])
@require("complaints.record")
def create():
    """Record a complaint received."""
    try:
        complaint = domain.receive(g.user, forms.parse_complaint(request.form, g.user))
    except Invalid as exc:
        return _new_page(request.form.to_dict(), exc.errors)
    flash(_("Complaint recorded: %(name)s handles it.", name=complaint.owner.display_name), "success")
    return redirect(url_for("complaints.show", complaint_id=complaint.id), code=303)


def _complaint_or_404(complaint_id):
    return policy.complaints_visible_to(g.user).where(Complaint.id == complaint_id).first() or abort(404)


def _show_page(complaint, errors=None, values=None, status=200):
    respond_by, close_by = domain.deadlines(complaint)
    return render_template(
        "complaints/show.html", item=complaint, steps=domain.steps(complaint), errors=errors or {},
        values=values or {}, respond_by=respond_by, close_by=close_by, late=domain.lateness(complaint),
        state=domain.state(complaint), may_handle=policy.may_handle_complaint(g.user, complaint),
        hidden=policy.hides_complainant(g.user, complaint, rules.get("complaint_hide_family")),
        student_link="view" in policy.student_access(g.user, complaint.student) if complaint.student_id else False,
        kinds=domain.COMPLAINANTS, about=domain.ABOUT, channels=domain.CHANNELS, severities=domain.SEVERITIES,
        answer_text=domain.answer(complaint), answer_choices=_choices(domain.ANSWERS), labels=domain.STATES,
        owners=_people([u for u in domain.owners() if u.id != complaint.owner_id])), status


@bp.route("/<int:complaint_id>")
@require("complaints.view")
def show(complaint_id):
    """One complaint: what was said, its deadlines, the steps taken and, for its handler, what to do next."""
    return _show_page(_complaint_or_404(complaint_id))


def _handled(complaint_id):
    complaint = _complaint_or_404(complaint_id)
    if not policy.may_handle_complaint(g.user, complaint):
        abort(403)
    return complaint


@bp.route("/<int:complaint_id>/step", methods=["POST"])
@require("complaints.view")
def step(complaint_id):
    """Write down what was done (the first entry is the first response)."""
    complaint = _handled(complaint_id)
    try:
        domain.add_step(g.user, complaint, forms.parse_step(request.form)["text"])
    except Invalid as exc:
        return _show_page(complaint, exc.errors, request.form.to_dict(), 422)
    flash(_("Step saved."), "success")
    return redirect(url_for("complaints.show", complaint_id=complaint.id), code=303)


@bp.route("/<int:complaint_id>/handover", methods=["POST"])
@require("complaints.view")
def handover(complaint_id):
    """Hand the complaint on to another owner."""
    complaint = _handled(complaint_id)
    try:
        values = forms.parse_handover(request.form, complaint)
        domain.hand_on(g.user, complaint, values["owner"], values["note"])
    except Invalid as exc:
        return _show_page(complaint, exc.errors, request.form.to_dict(), 422)
    flash(_("%(name)s handles it now.", name=values["owner"].display_name), "success")
    return redirect(url_for("complaints.show", complaint_id=complaint.id), code=303)


@bp.route("/<int:complaint_id>/close", methods=["POST"])
@require("complaints.view")
def close(complaint_id):
    """Close it with the resolution and the family's answer."""
    complaint = _handled(complaint_id)
    try:
        values = forms.parse_close(request.form)
        domain.close(g.user, complaint, values["resolution"], values["satisfaction"], values["note"])
    except Invalid as exc:
        return _show_page(complaint, exc.errors, request.form.to_dict(), 422)
    flash(_("Complaint closed."), "success")
    return redirect(url_for("complaints.show", complaint_id=complaint.id), code=303)
