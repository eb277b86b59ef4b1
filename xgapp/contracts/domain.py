"""Contract and money rules: kinds, split payments, refund arithmetic and approval, daily revenue."""

from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from peewee import fn

from xgapp import audit, campus, clock, validation
from xgapp.contracts.models import Contract, Payment, Refund
from xgapp.db import money_sum, newest, write
from xgapp.hours import domain as hours
from xgapp.i18n import word
from xgapp.leads import domain as leads
from xgapp.policy import can
from xgapp.students import domain as students
from xgapp.students.models import Student
from xgapp.validation import Invalid

KINDS = {"new": _l("New signing"), "renewal": _l("Renewal"), "expansion": _l("Added subject"),
         "referral": _l("Referral")}
METHODS = {"cash": _l("Cash"), "wechat": _l("WeChat Pay"), "alipay": _l("Alipay"), "card": _l("Bank card"),
           "transfer": _l("Bank transfer")}
SUBJECTS = ["语文", "数学", "英语", "物理", "化学", "生物", "历史", "地理", "政治", "科学", "编程", "美术", "书法"]
CENT = Decimal("0.01")


def _number(today):
    prefix = "%s-%s-" % (campus.current().code, today.strftime("%Y%m%d"))
    count = Contract.select().where(Contract.number.startswith(prefix)).count()
    return "%s%03d" % (prefix, count + 1)


def _clean_payments(rows):
    errors, cleaned = {}, []
    for i, row in enumerate(rows):
        raw = row.get("amount")
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        prefix = "payments-%d-" % i
        try:
            amount = validation.money(row["amount"], allow_zero=False)
        except ValueError as exc:
            errors[prefix + "amount"] = exc.args[0]
            continue
        if row.get("method") not in METHODS:
            errors[prefix + "method"] = _l("Choose how it was paid.")
            continue
        cleaned.append({"amount": amount, "method": row["method"],
                        "receipt_no": (row.get("receipt_no") or "").strip()[:40], "row": i})
    return cleaned, errors


def _check_receipts(rows, field="payments-%d-receipt_no"):
    """Errors for receipt numbers already on a payment of this campus, or given twice in one submission (a receipt
    number is unique per campus: a payment entered twice must not count twice in 今日进账). Inside the write."""
    errors, seen = {}, set()
    for row in rows:
        number = row["receipt_no"]
        if not number:
            continue
        name = field % row["row"] if "%d" in field else field
        if number in seen:
            errors[name] = _l("Receipt %(no)s is given twice.", no=number)
            continue
        seen.add(number)
        used = (Payment.select(Payment, Contract).join(Contract).where(Payment.receipt_no == number).first())
        if used is not None:
            errors[name] = _l("Receipt %(no)s is already recorded on contract %(number)s (%(day)s, ¥%(amount)s).",
                              no=number, number=used.contract.number, day=used.day.isoformat(), amount=used.amount)
    return errors


def _check_kind(kind, student, subject, referrer):
    previous = Contract.select().where(Contract.student == student)
    same = previous.where(Contract.subject == subject).exists()
    if kind == "new" and previous.exists():
        return _l("The student already has a contract: use renewal or added subject.")
    if kind == "renewal" and not same:
        return _l("A renewal needs an earlier contract in the same subject.")
    if kind == "expansion" and (same or not previous.exists()):
        return _l("An added subject needs an earlier contract in another subject, and none in this one.")
    if kind == "referral" and referrer is None:
        return _l("Choose the student who referred this family.")
    return None


def suggested_kind(student, subject):
    """The kind a new contract most likely is (新签, 续费 or 扩科)."""
    previous = Contract.select().where(Contract.student == student)
    if not previous.exists():
        return "referral" if student.referrer_id else "new"
    return "renewal" if previous.where(Contract.subject == subject).exists() else "expansion"


def create(by, student, data, payments, today=None):
    """Sign a contract: book its hours, take its payments, enrol the student — one audited transaction."""
    today = today or clock.today()
    errors = {}
    kind = data.get("kind")
    if kind not in KINDS:
        errors["kind"] = _l("Choose the kind of contract.")
    subject = (data.get("subject") or "").strip()[:20]
    if not subject:
        errors["subject"] = _l("Enter the subject.")
    values = {}
    for field, parse in (("hours", validation.hours), ("unit_price", validation.money)):
        try:
            values[field] = parse(data.get(field))
        except ValueError as exc:
            errors[field] = exc.args[0]
    for field, parse in (("free_hours", lambda v: validation.hours(v, allow_zero=True)),
                         ("discount", validation.money)):
        raw = data.get(field)
        try:
            values[field] = parse(raw if raw not in (None, "") else "0")
        except ValueError as exc:
            errors[field] = exc.args[0]
    rows, payment_errors = _clean_payments(payments)
    errors.update(payment_errors)
    advisor = data.get("advisor") or student.advisor
    referrer = data.get("referrer")
    if not errors:
        amount = (values["hours"] * values["unit_price"] - values["discount"]).quantize(CENT)
        if amount < 0:
            errors["discount"] = _l("The discount is larger than the price.")
        elif sum((p["amount"] for p in rows), Decimal(0)) > amount:
            errors["payments-0-amount"] = _l("The payments add up to more than the contract amount %(amount)s.",
                                             amount=amount)
    if errors:
        raise Invalid(errors)
    with write():
        # checked inside the transaction: two tablets cannot both sign the student's "first" contract
        if problem := _check_kind(kind, student, subject, referrer):
            raise Invalid({"kind": problem})
        if taken := _check_receipts(rows):
            raise Invalid(taken)
        contract = Contract.create(number=_number(today), student=student, kind=kind, subject=subject,
                                   amount=amount, signed_on=today, advisor=advisor, referrer=referrer,
                                   notes=(data.get("notes") or "").strip(), created_by=by, created_at=clock.now(),
                                   **values)
        audit.record(by, "create", "contract", contract.id, after=audit.snapshot(contract), summary=contract.number)
        hours.credit_contract(by, contract)
        for row in rows:
            _payment(by, contract, row["amount"], row["method"], row["receipt_no"], today=today)
        if student.status in ("prospect", "trial", "paused", "finished"):
            students.change_status(by, student, "active", today, reason=str(KINDS[kind]))
        leads.mark_signed(by, student, today)
    return contract


def _payment(by, contract, amount, method, receipt_no="", today=None, refund=None, note=""):
    payment = Payment.create(contract=contract, amount=amount, method=method, receipt_no=receipt_no, at=clock.now(),
                             day=today or clock.today(), by=by, refund=refund, note=note[:200])
    audit.record(by, "create", "payment", payment.id, after=audit.snapshot(payment),
                 summary="%s %s" % (contract.number, amount))
    return payment


def paid(contract):
    """Money received for a contract, net of refunds paid back."""
    return money_sum(Payment.select(fn.SUM(Payment.amount)).where(Payment.contract == contract).scalar())


def paid_many(contract_ids):
    """{contract id: money received net of refunds} for many contracts in one query."""
    rows = (Payment.select(Payment.contract, fn.SUM(Payment.amount)).where(Payment.contract.in_(list(contract_ids)))
            .group_by(Payment.contract).tuples())
    return {cid: money_sum(total) for cid, total in rows}


def due_many(contracts):
    """{contract id: money still owed}. A refund gives hours back, so the family no longer owes for them: what is
    owed is the contract's amount less the share of it for the paid hours refunded (at most all its paid hours; free
    hours carry no price), less what was paid net of refunds. A contract closed by a refund owes nothing more."""
    contracts = list(contracts)
    paid = paid_many(c.id for c in contracts)
    back = {}
    for contract_id, hours_back in (Refund.select(Refund.contract, Refund.hours)
                                    .where(Refund.contract.in_([c.id for c in contracts]), Refund.status == "approved")
                                    .tuples()):
        back[contract_id] = back.get(contract_id, Decimal(0)) + Decimal(hours_back)
    owed = {}
    for c in contracts:
        returned = min(back.get(c.id, Decimal(0)), c.hours)
        cancelled = (c.amount * returned / c.hours).quantize(CENT, ROUND_HALF_UP) if c.hours else Decimal(0)
        left = c.amount - cancelled - paid.get(c.id, Decimal(0))
        owed[c.id] = max(left, Decimal(0)).quantize(CENT) if c.status == "open" else CENT * 0
    return owed


def money_of(student):
    """The money part of a student file: contracts newest first, hours left per contract and per subject, what was
    paid (net of refunds) and what is still due on each contract."""
    rows = list(Contract.select().where(Contract.student == student).order_by(Contract.signed_on.desc()))
    paid = paid_many(c.id for c in rows)
    balances = hours.balances(student)
    return {"contracts": rows, "left": hours.contract_balances(rows), "balances": balances,
            "low": hours.low_subjects(balances),
            "paid": {c.id: paid.get(c.id, CENT * 0) for c in rows}, "due": due_many(rows), "kinds": KINDS}


def due(contract):
    """Money still owed on one contract (see due_many)."""
    return due_many([contract])[contract.id]


def add_payment(by, contract, amount, method, receipt_no="", today=None):
    """Record a (further) payment; it may not exceed what is still owed."""
    rows, errors = _clean_payments([{"amount": amount, "method": method, "receipt_no": receipt_no}])
    if errors:
        raise Invalid({k.replace("payments-0-", ""): v for k, v in errors.items()})
    if not rows:  # an empty amount: a further payment must say how much
        raise Invalid({"amount": _l("Enter an amount in yuan, e.g. 3600 or 3600.50.")})
    with write():
        contract = Contract.get_by_id(contract.id)
        if contract.status != "open":
            raise Invalid({"amount": _l("This contract is closed; no further payment can be taken on it.")})
        owed = due(contract)
        if rows[0]["amount"] > owed:
            raise Invalid({"amount": _l("Only %(due)s is still due on this contract.", due=owed)})
        if taken := _check_receipts(rows, "receipt_no"):
            raise Invalid(taken)
        return _payment(by, contract, rows[0]["amount"], rows[0]["method"], rows[0]["receipt_no"], today=today)


def refundable(contract, fee_percent=0):
    """The refund arithmetic for a contract: what may be given back for its unused paid hours.

    Consumption uses paid hours first; free hours are never refunded. The value of the unused paid hours
    at the contract's effective price (amount ÷ paid hours), less the campus fee percentage, capped at the
    money actually received.
    """
    price = (contract.amount / contract.hours).quantize(CENT, ROUND_HALF_UP) if contract.hours else Decimal(0)
    used = hours.consumed(contract)
    refunded_hours = sum((r.hours for r in contract.refunds.where(Refund.status == "approved")), Decimal(0))
    unused_paid = max(contract.hours - used - refunded_hours, Decimal(0))
    value = (unused_paid * price).quantize(CENT, ROUND_HALF_UP)
    fee = (value * Decimal(fee_percent) / 100).quantize(CENT, ROUND_HALF_UP)
    received = paid(contract)
    return {"price": price, "used": used, "unused_paid": unused_paid, "value": value, "fee": fee,
            "received": received, "refundable": max(min(value - fee, received), Decimal(0)),
            "hours_left": hours.balance(contract.student_id, contract=contract)}


def takes_payment(contract, owed):
    """True when a further payment can be taken: the contract is open and money is still owed on it."""
    return contract.status == "open" and owed > 0


def refund_may_be_asked(figures, refunds):
    """True when a refund of the contract may be asked for: hours are left on it (`figures` of `refundable`) and
    none of its `refunds` is still waiting for a decision."""
    return figures["hours_left"] > 0 and not any(r.status == "pending" for r in refunds)


def refund_rule(contract, hours_back, fee_percent=0, figures=None):
    """What a refund of `hours_back` hours pays back under the campus rule (the most it may pay).

    The hours given back count as unused paid hours first (free hours carry no price, as in due_many); their
    value at the contract's price, less the fee percent, capped at what is refundable for the whole contract.
    """
    figures = figures or refundable(contract, fee_percent)
    paid_back = min(Decimal(hours_back), figures["unused_paid"])
    value = (paid_back * figures["price"]).quantize(CENT, ROUND_HALF_UP)
    fee = (value * Decimal(fee_percent) / 100).quantize(CENT, ROUND_HALF_UP)
    return {"paid_hours": paid_back, "value": value, "fee": fee,
            "amount": max(min(value - fee, figures["refundable"]), Decimal("0.00"))}


def request_refund(by, contract, hours_back, amount, method, reason, fee_percent=0):
    """Ask for a refund (a supervisor decides). The amount follows from the hours given back (refund_rule);
    left blank it is the rule's amount, and it may be lower (the request then says so) but never higher."""
    errors = {}
    try:
        hours_back = validation.hours(hours_back)
    except ValueError as exc:
        errors["hours"] = exc.args[0]
    blank = amount is None or (isinstance(amount, str) and not amount.strip())
    try:
        amount = None if blank else validation.money(amount)
    except ValueError as exc:
        errors["amount"] = exc.args[0]
    if method not in METHODS:
        errors["method"] = _l("Choose how the money goes back.")
    if not (reason or "").strip():
        errors["reason"] = _l("Say why the family wants a refund.")
    if errors:
        raise Invalid(errors)
    with write():
        if contract.refunds.where(Refund.status == "pending").exists():
            raise Invalid({"amount": _l("A refund of this contract is already waiting for a decision.")})
        figures = refundable(contract, fee_percent)
        if hours_back > figures["hours_left"]:
            raise Invalid({"hours": _l("Only %(left)s hours are left on this contract.", left=figures["hours_left"])})
        rule = refund_rule(contract, hours_back, fee_percent, figures)
        amount = rule["amount"] if amount is None else amount
        if amount > rule["amount"]:
            raise Invalid({"amount": _l("At most %(max)s can be refunded.", max=rule["amount"]) + " " + _l(
                "%(hours)s hours given back: %(paid)s paid hours × ¥%(price)s, less the fee ¥%(fee)s.",
                hours=hours_back, paid=rule["paid_hours"], price=figures["price"], fee=rule["fee"])})
        refund = Refund.create(contract=contract, hours=hours_back, amount=amount, rule_amount=rule["amount"],
                               method=method, reason=reason.strip()[:200], requested_by=by, requested_at=clock.now())
        audit.record(by, "create", "refund", refund.id, after=audit.snapshot(refund), summary=contract.number)
    return refund


def decide_refund(by, refund, approve, note="", fee_percent=0, today=None, amount=None):
    """A supervisor approves (hours and money go back, as new ledger rows) or rejects a refund.

    Approving, the supervisor may lower the amount (`amount`, with a note saying why), never raise it above what
    the rule gives for the hours now.
    """
    if not can(by, "refunds.approve"):
        raise Invalid({"note": _l("Only a supervisor decides refunds.")})
    lowered_to = None
    if approve and amount is not None and not (isinstance(amount, str) and not amount.strip()):
        try:
            lowered_to = validation.money(amount)
        except ValueError as exc:
            raise Invalid({"amount": exc.args[0]}) from None
    with write():
        refund = Refund.get_by_id(refund.id)
        if refund.status != "pending":
            raise Invalid({"note": _l("This refund was already decided.")})
        if by is not None and refund.requested_by_id == by.id:
            raise Invalid({"note": _l("You asked for this refund yourself: another supervisor or the principal "
                                      "decides it.")})
        contract = refund.contract
        before = audit.snapshot(refund)
        if approve:
            figures = refundable(contract, fee_percent)
            rule = refund_rule(contract, refund.hours, fee_percent, figures)
            if refund.amount > rule["amount"] or refund.hours > figures["hours_left"]:
                raise Invalid({"note": _l("The contract changed since the request: at most %(max)s can be "
                                          "refunded now.", max=rule["amount"])})
            if lowered_to is not None and lowered_to != refund.amount:
                if lowered_to > refund.amount:
                    raise Invalid({"amount": _l("A refund can be lowered, not raised: at most %(max)s.",
                                                max=refund.amount)})
                if not (note or "").strip():
                    raise Invalid({"note": _l("Say why less is refunded than asked for.")})
                refund.amount = lowered_to
            refund.rule_amount = rule["amount"]
        refund.status = "approved" if approve else "rejected"
        refund.decided_by, refund.decided_at, refund.decision_note = by, clock.now(), (note or "")[:200]
        refund.save()
        audit.record(by, "update", "refund", refund.id, before=before, after=audit.snapshot(refund),
                     summary=contract.number)
        if approve:
            hours.add_entry(by, contract.student, contract, contract.subject, "refund", -refund.hours,
                         refund.reason, "refund:%d" % refund.id)
            if refund.amount:
                _payment(by, contract, -refund.amount, refund.method, today=today, refund=refund.id,
                         note=refund.reason)
            if hours.balance(contract.student, contract=contract) <= 0:
                before = {"status": contract.status}
                contract.status = "refunded"
                contract.save()
                audit.record(by, "update", "contract", contract.id, before=before, after={"status": "refunded"},
                             summary=contract.number)
            if not Contract.select().where(Contract.student == contract.student,
                                           Contract.status == "open").exists():
                students.change_status(by, contract.student, "refunded", today, reason=refund.reason)
    return refund


def revenue(day):
    """进账 of a day: totals by payment method and by advisor (refunds subtract)."""
    base = Payment.select().join(Contract).where(Payment.day == day)
    by_method = {m: money_sum(s) for m, s in
                 base.select(Payment.method, fn.SUM(Payment.amount)).group_by(Payment.method).tuples()}
    by_advisor = list(base.select(Contract.advisor, fn.SUM(Payment.amount)).group_by(Contract.advisor).tuples())
    return {"by_method": by_method, "by_advisor": [(a, money_sum(s)) for a, s in by_advisor],
            "total": sum(by_method.values(), Decimal("0.00")),
            "payments": list(base.select(Payment, Contract).order_by(Payment.at))}


def contract_events(student, limit=None, before=None):
    """Contracts signed, referrals that led to a contract, payments and refunds paid (the newest `limit` of each),
    for the student timeline."""
    events = []
    for contract in newest(Contract.select().where(Contract.student == student), Contract.created_at, limit, before):
        events.append((contract.created_at, "contract", _("%(kind)s %(number)s · %(subject)s %(hours)s hours · "
                                                          "¥%(amount)s", kind=KINDS[contract.kind],
                                                          number=contract.number, subject=word(contract.subject),
                                                          hours=contract.hours, amount=contract.amount), ""))
    referred = Contract.select(Contract, Student).join(Student, on=(Contract.student == Student.id)).where(
        Contract.referrer == student, Contract.kind == "referral")
    for contract in newest(referred, Contract.created_at, limit, before):
        events.append((contract.created_at, "referral", str(_l("Referred %(name)s, who signed %(number)s",
                                                               name=contract.student.name,
                                                               number=contract.number)), ""))
    payments = Payment.select(Payment, Contract).join(Contract).where(Contract.student == student)
    for p in newest(payments, Payment.at, limit, before):
        label = _l("Refund paid") if p.amount < 0 else _l("Payment")
        events.append((p.at, "payment", "%s ¥%s · %s" % (label, p.amount, METHODS.get(p.method, p.method)),
                       p.receipt_no))
    return events
