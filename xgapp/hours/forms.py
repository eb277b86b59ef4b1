"""Hour-ledger forms: hours used outside a lesson, a correction of a consumption row.

Each parser reads every field with `validation.Reader` and raises `validation.Invalid` with every problem at once;
the balance rules (enough hours, who may go below zero) stay in `hours.domain`.
"""

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from xgapp import validation
from xgapp.validation import Reader

REASON_MAX = 200


def parse_consume(form, subjects):
    """Hours used: {"subject" (one of `subjects`), "hours", "reason", "overdraft_reason" (None when empty)}."""
    r = Reader(form)
    values = {"subject": r.choice("subject", subjects),
              "hours": r.hours("hours"),
              "reason": r.text("reason", required=True, limit=REASON_MAX,
                               message=_l("Say what the hours were used for.")),
              "overdraft_reason": r.text("overdraft_reason", limit=REASON_MAX) or None}
    r.done()
    return values


def parse_correction(form):
    """A correction: {"hours" (signed: positive gives back, negative takes), "reason"}."""
    r = Reader(form)
    raw = r.raw("hours") or "0"
    delta = None
    try:
        delta = Decimal(raw)
        magnitude = validation.hours(abs(delta)) if delta.is_finite() else validation.hours("x")
        delta = magnitude if delta > 0 else -magnitude
    except (InvalidOperation, ValueError) as exc:
        r.fail("hours", exc.args[0] if isinstance(exc, ValueError) else _l("Enter hours as a number, e.g. 40 or 1.5."))
        delta = None
    reason = r.text("reason", required=True, limit=REASON_MAX, message=_l("Say why the correction is needed."))
    r.done()
    return {"hours": delta, "reason": reason}
