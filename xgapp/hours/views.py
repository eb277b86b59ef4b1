"""The hour ledger of a student: every movement, manual consumption and corrections."""

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from xgapp import i18n, policy
from xgapp.hours import domain, forms
from xgapp.hours.models import HourEntry
from xgapp.validation import Invalid, row_id
from xgapp.web import student_or_404

bp = Blueprint("hours", __name__, url_prefix="/hours")


def _page(student, errors=None, status=200, correct_errors=None, values=None, before=None):
    balances = domain.balances(student)
    entries, older = domain.ledger(student, before=before, limit=domain.LEDGER_PAGE)
    return render_template("hours/ledger.html", student=student, entries=entries, older=older, paged=bool(before),
                           balances=balances, low=domain.low_subjects(balances), subjects=i18n.word_choices(balances),
                           kinds=domain.KINDS, errors=errors or {}, correct_errors=correct_errors or {},
                           values=values or {}, may_overdraft=policy.can(g.user, "hours.overdraft")), status


@bp.route("/<int:student_id>")
def ledger(student_id):
    """The student's hour ledger, newest first a page at a time (?before=<row id> for older), with balances."""
    return _page(student_or_404(student_id, "money"), before=request.args.get("before", type=row_id))


@bp.route("/<int:student_id>/consume", methods=["POST"])
def consume(student_id):
    """Record hours used outside a scheduled lesson (e.g. a one-to-one session), with a reason."""
    student = student_or_404(student_id, "edit")
    try:
        values = forms.parse_consume(request.form, domain.balances(student))
        domain.consume(g.user, student, values["subject"], values["hours"], values["reason"], "manual",
                       overdraft_reason=values["overdraft_reason"])
    except Invalid as exc:
        return _page(student, exc.errors, 422, values=request.form.to_dict())
    flash(_("Hours recorded."), "success")
    return redirect(url_for("hours.ledger", student_id=student.id), code=303)


@bp.route("/entry/<int:entry_id>/correct", methods=["POST"])
def correct(entry_id):
    """Correct a ledger row with a new row (the original stays)."""
    entry = HourEntry.get_or_none(HourEntry.id == entry_id)
    student = student_or_404(entry.student_id if entry else 0, "edit")
    try:
        values = forms.parse_correction(request.form)
        domain.correct(g.user, entry, values["hours"], values["reason"])
    except Invalid as exc:
        return _page(student, status=422, correct_errors={entry.id: exc.errors}, before=entry.id + 1)
    flash(_("Correction recorded."), "success")
    return redirect(url_for("hours.ledger", student_id=student.id), code=303)
