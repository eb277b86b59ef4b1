"""Contract pages: sign with split payments, take further payments, ask for and decide refunds, today's revenue."""

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from peewee import JOIN

from xgapp import clock, nav, policy, validation
from xgapp.accounts.models import User
from xgapp.contracts import domain, forms
from xgapp.contracts.models import Contract, Payment, Refund
from xgapp.hours import domain as hours
from xgapp.security import require
from xgapp.students import transfer
from xgapp.students.models import Student
from xgapp.validation import Invalid
from xgapp.web import student_or_404, xlsx

bp = Blueprint("contracts", __name__, url_prefix="/contracts")
nav.register("contracts.revenue", _l("Revenue"), "revenue.view", order=40)
nav.register("contracts.refunds", _l("Refund approvals"), "refunds.approve", order=45)


def _fee():
    return current_app.config["XGAPP"]["refund_fee_percent"]


def contract_or_404(contract_id, need="money"):
    """The contract if the user may see the money of its student."""
    contract = Contract.get_or_none(Contract.id == contract_id)
    if contract is None:
        abort(404)
    student_or_404(contract.student_id, need)
    return contract


def _signing_student(student_id):
    student = student_or_404(student_id, "edit")
    if "money" not in policy.student_access(g.user, student):
        abort(403)
    return student


def _form_page(student, data, payments, referrer, errors=None):
    return render_template("contracts/form.html", student=student, data=data, payments=payments,
                           errors=errors or {}, kinds=list(domain.KINDS.items()),
                           methods=[("", "—")] + list(domain.METHODS.items()), subjects=domain.SUBJECTS,
                           referrer=referrer), 422 if errors else 200


@bp.route("/new/<int:student_id>")
def new(student_id):
    """A blank contract for a student (the kind it most likely is for the subject asked, paid by WeChat)."""
    student = _signing_student(student_id)
    data = {k: "" for k in ("subject", "hours", "free_hours", "unit_price", "discount", "notes")}
    data["kind"] = domain.suggested_kind(student, request.args.get("subject", ""))
    payments = forms.typed_payments({})
    payments[0]["method"] = "wechat"
    return _form_page(student, data, payments, "")


@bp.route("/new/<int:student_id>", methods=["POST"])
def create(student_id):
    """Sign a contract for a student, with up to three payments (split payment)."""
    student = _signing_student(student_id)
    try:
        values = forms.parse_contract(request.form, g.user)
        contract = domain.create(g.user, student, values["data"], values["payments"])
    except Invalid as exc:
        data = {k: request.form.get(k, "") for k in ("kind", "subject", "hours", "free_hours", "unit_price",
                                                     "discount", "notes")}
        return _form_page(student, data, forms.typed_payments(request.form), request.form.get("referrer", ""),
                          exc.errors)
    flash(_("Contract %(number)s signed.", number=contract.number), "success")
    return redirect(url_for("students.show", student_id=student.id), code=303)


def _show(contract, payment_errors=None, refund_errors=None, status=200):
    figures = domain.refundable(contract, _fee())
    due = domain.due(contract)
    refunds = list(contract.refunds.order_by(Refund.id))
    may_edit = "edit" in policy.student_access(g.user, contract.student)
    return render_template(
        "contracts/show.html", contract=contract, figures=figures, fee_percent=_fee(), kinds=domain.KINDS,
        methods=domain.METHODS, method_choices=[("", "—")] + list(domain.METHODS.items()), paid=domain.paid(contract),
        due=due, payments=list(contract.payments.order_by(Payment.at)), refunds=refunds,
        left=hours.balance(contract.student, contract=contract), payment_errors=payment_errors or {},
        refund_errors=refund_errors or {}, values=request.form.to_dict(),
        may_pay=domain.takes_payment(contract, due) and policy.may_take_payment(g.user, contract),
        may_refund=may_edit and domain.refund_may_be_asked(figures, refunds),
        back=url_for("contracts.show", contract_id=contract.id)), status


@bp.route("/<int:contract_id>")
def show(contract_id):
    """A contract: its hours, payments, refund figures and refunds."""
    return _show(contract_or_404(contract_id))


@bp.route("/<int:contract_id>/payments", methods=["POST"])
def pay(contract_id):
    """Take a further payment on a contract."""
    contract = contract_or_404(contract_id)
    if not policy.may_take_payment(g.user, contract):
        abort(403)
    try:
        values = forms.parse_payment(request.form)
        domain.add_payment(g.user, contract, values["amount"], values["method"], values["receipt_no"])
    except Invalid as exc:
        return _show(contract, payment_errors=exc.errors, status=422)
    flash(_("Payment recorded."), "success")
    return redirect(url_for("contracts.show", contract_id=contract.id), code=303)


@bp.route("/<int:contract_id>/refunds", methods=["POST"])
def request_refund(contract_id):
    """Ask for a refund; a supervisor decides."""
    contract = contract_or_404(contract_id, "edit")
    try:
        values = forms.parse_refund_request(request.form)
        domain.request_refund(g.user, contract, values["hours"], values["amount"], values["method"],
                              values["reason"], _fee())
    except Invalid as exc:
        return _show(contract, refund_errors=exc.errors, status=422)
    flash(_("Refund request sent to the supervisor."), "success")
    return redirect(url_for("contracts.show", contract_id=contract.id), code=303)


@bp.route("/refunds")
@require("refunds.approve")
def refunds(errors=None, values=None):
    """Refunds waiting for a decision, and the latest decided ones."""
    asker = User.alias()
    base = (Refund.select(Refund, Contract, Student, asker).join(Contract).join(Student).switch(Refund)
            .join(asker, JOIN.LEFT_OUTER, on=(Refund.requested_by == asker.id), attr="requested_by"))
    pending = list(base.where(Refund.status == "pending").order_by(Refund.requested_at))
    decided = list(base.where(Refund.status != "pending").order_by(Refund.decided_at.desc()).limit(20))
    figures = {r.id: domain.refundable(r.contract, _fee()) for r in pending}
    rules = {r.id: domain.refund_rule(r.contract, r.hours, _fee(), figures[r.id]) for r in pending}
    return render_template("contracts/refunds.html", pending=pending, decided=decided, methods=domain.METHODS,
                           errors=errors or {}, values=values or {}, figures=figures, rules=rules,
                           own={r.id for r in pending if r.requested_by_id == g.user.id})


@bp.route("/refunds/<int:refund_id>", methods=["POST"])
@require("refunds.approve")
def decide(refund_id):
    """Approve or reject a refund request."""
    refund = Refund.get_or_none(Refund.id == refund_id) or abort(404)
    if request.form.get("decision") not in ("approve", "reject"):
        abort(400)
    approve = request.form["decision"] == "approve"
    try:
        values = forms.parse_refund_decision(request.form)
        domain.decide_refund(g.user, refund, approve, values["note"], _fee(), amount=values["amount"])
    except Invalid as exc:
        if Refund.get_by_id(refund.id).status != "pending":  # decided meanwhile: no form left to show it beside
            flash(" ".join(str(m) for m in exc.errors.values()), "error")
        return refunds({refund.id: exc.errors}, {refund.id: request.form.to_dict()}), 422
    flash(_("Refund approved: hours and money were booked back.") if approve else _("Refund rejected."), "success")
    return redirect(url_for("contracts.refunds"), code=303)


@bp.route("/revenue")
@require("revenue.view")
def revenue():
    """今日进账: the day's payments by method and by advisor."""
    day = validation.day(request.args.get("day")) or clock.today()
    figures = domain.revenue(day)
    names = {u.id: u.display_name for u in User.select(User.id, User.display_name)}
    return render_template("contracts/revenue.html", day=day, figures=figures, methods=domain.METHODS,
                           names=names)


@bp.route("/export.xlsx")
@require("revenue.view")
def export():
    """Every contract with amounts and money received, as an Excel file (finance and supervisors)."""
    adviser = User.alias()
    rows = list(Contract.select(Contract, Student, adviser).join(Student, on=(Contract.student == Student.id))
                .switch(Contract).join(adviser, on=(Contract.advisor == adviser.id), attr="advisor")
                .order_by(Contract.signed_on.desc(), Contract.id.desc()))
    return xlsx(transfer.export_contracts(rows, domain.paid_many(c.id for c in rows)), "合同.xlsx")
