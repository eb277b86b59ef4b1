"""Contract forms: signing with split payments, a further payment, a refund request, a refund decision.

Each parser reads every field with `validation.Reader` and raises `validation.Invalid` with every problem at once;
rules that need valid values (the contract kind against earlier contracts, payments against the amount, receipts
already recorded, what may be refunded) stay in `contracts.domain`.
"""

from flask_babel import lazy_gettext as _l

from xgapp.contracts import domain
from xgapp.students.forms import referring_student
from xgapp.validation import Reader

PAYMENT_ROWS = 3
SUBJECT_MAX = 20
RECEIPT_MAX = 40
REASON_MAX = 200


def _payment(r, prefix="", required=False):
    """One payment row: {"amount", "method", "receipt_no"}; a row left without an amount is None."""
    amount = r.money(prefix + "amount", required=required, allow_zero=False,
                     message=None if r.raw(prefix + "amount") else _l("Enter an amount in yuan, e.g. 3600 or 3600.50."))
    receipt_no = r.text(prefix + "receipt_no", limit=RECEIPT_MAX)
    if not r.raw(prefix + "amount"):
        return None
    method = r.choice(prefix + "method", domain.METHODS, message=_l("Choose how it was paid."))
    return {"amount": amount, "method": method, "receipt_no": receipt_no}


def typed_payments(form):
    """The payment rows as typed, to show them again."""
    return [{k: form.get("payments-%d-%s" % (i, k), "") for k in ("amount", "method", "receipt_no")}
            for i in range(PAYMENT_ROWS)]


def parse_contract(form, user):
    """A new contract: {"data": {kind, subject, hours, free_hours, unit_price, discount, referrer, notes},
    "payments": [{amount, method, receipt_no}, ...]} (rows left empty are left out)."""
    r = Reader(form)
    kind = r.choice("kind", domain.KINDS, message=_l("Choose the kind of contract."))
    data = {
        "kind": kind,
        "subject": r.text("subject", required=True, limit=SUBJECT_MAX, message=_l("Enter the subject.")),
        "hours": r.hours("hours"),
        "free_hours": r.hours("free_hours", required=False, allow_zero=True, default=domain.hours.ZERO),
        "unit_price": r.money("unit_price"),
        "discount": r.money("discount", required=False, default=domain.CENT * 0),
        "notes": r.text("notes"),
        "referrer": referring_student(r, user) if kind == "referral" else None,
    }
    if kind == "referral" and "referrer" not in r.errors:
        r.check(data["referrer"] is not None, "kind", _l("Choose the student who referred this family."))
    payments = []
    for i in range(PAYMENT_ROWS):
        row = _payment(r, "payments-%d-" % i)
        payments.append(row or {"amount": "", "method": "", "receipt_no": ""})
    r.done()
    return {"data": data, "payments": payments}


def parse_payment(form):
    """A further payment: {"amount", "method", "receipt_no"}."""
    r = Reader(form)
    row = _payment(r, required=True)
    r.done()
    return row


def parse_refund_request(form):
    """A refund request: {"hours", "amount" (None: the rule's amount), "method", "reason"}."""
    r = Reader(form)
    values = {"hours": r.hours("hours"), "amount": r.money("amount", required=False),
              "method": r.choice("method", domain.METHODS, message=_l("Choose how the money goes back.")),
              "reason": r.text("reason", required=True, limit=REASON_MAX,
                               message=_l("Say why the family wants a refund."))}
    r.done()
    return values


def parse_refund_decision(form):
    """A supervisor's decision: {"approve": bool or None (no decision given), "amount" (None: as asked), "note"}."""
    r = Reader(form)
    decision = r.raw("decision")
    values = {"approve": {"approve": True, "reject": False}.get(decision),
              "amount": r.money("amount", required=False) if decision == "approve" else None,
              "note": r.text("note", limit=REASON_MAX)}
    r.done()
    return values
