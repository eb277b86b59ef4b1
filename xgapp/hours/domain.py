"""Lesson-hour rules: every movement is a new ledger row; balances are sums; no double spending."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from peewee import EXCLUDED, JOIN, fn

from xgapp import audit, clock, validation
from xgapp.accounts.models import User
from xgapp.contracts.models import Contract
from xgapp.db import hours_sum, newest, write
from xgapp.hours.models import HourBalance, HourEntry, RunOut
from xgapp.policy import can
from xgapp.validation import Invalid

KINDS = {
    "purchase": _l("Bought"), "free": _l("Given free"), "consume": _l("Consumed"), "refund": _l("Refunded"),
    "transfer_in": _l("Transferred in"), "transfer_out": _l("Transferred out"), "correction": _l("Correction"),
}
ZERO = Decimal("0.0")


def balance(student, subject=None, contract=None):
    """Hours left: of a student, or of one subject, or of one contract."""
    query = HourEntry.select(fn.SUM(HourEntry.hours)).where(HourEntry.student == student)
    if subject is not None:
        query = query.where(HourEntry.subject == subject)
    if contract is not None:
        query = query.where(HourEntry.contract == contract)
    return hours_sum(query.scalar())


def balances(student):
    """{subject: hours left} for every subject the student ever had hours in."""
    rows = (HourEntry.select(HourEntry.subject, fn.SUM(HourEntry.hours).alias("left"))
            .where(HourEntry.student == student).group_by(HourEntry.subject).order_by(HourEntry.subject).tuples())
    return {subject: hours_sum(left) for subject, left in rows}


LOW = Decimal("4")  # 学管师每日统计: students with ≤ 4 hours left go to renewal work


def low_subjects(balances, threshold=LOW):
    """The subjects of `balances` ({subject: hours left}) with `threshold` hours or fewer left (shown as low)."""
    return {subject for subject, left in balances.items() if left <= threshold}


def balances_for(student_ids):
    """{student id: {subject: hours left}} for many students in one query (from the kept balances)."""
    rows = (HourBalance.select(HourBalance.student, HourBalance.subject, HourBalance.hours)
            .where(HourBalance.student.in_(list(student_ids))).tuples())
    found = {}
    for student_id, subject, left in rows:
        found.setdefault(student_id, {})[subject] = left
    return found


def low_balance_students(threshold=LOW, among=None):
    """A subquery of students with `threshold` hours or fewer left in some subject they bought
    (optionally only `among` a subquery of student ids, e.g. an advisor's own); read from the kept balances."""
    query = HourBalance.select(HourBalance.student).where(HourBalance.hours <= threshold)
    if among is not None:
        query = query.where(HourBalance.student.in_(among))
    return query


def facts_problems():
    """What the kept facts (HourBalance, RunOut) disagree with the ledger about, as messages (`xgapp check`)."""
    problems = []
    ledger = {(st, su): hours_sum(h) for st, su, h in HourEntry.select(HourEntry.student, HourEntry.subject,
                                                                     fn.SUM(HourEntry.hours))
              .group_by(HourEntry.student, HourEntry.subject).tuples()}
    kept = {(st, su): h for st, su, h in HourBalance.select(HourBalance.student, HourBalance.subject,
                                                            HourBalance.hours).tuples()}
    wrong = sorted(k for k in set(ledger) | set(kept) if ledger.get(k, ZERO) != kept.get(k, ZERO))
    if wrong:
        problems.append("hour balances differ from the ledger for %d student subjects (first: student %s %s)"
                        % (len(wrong), wrong[0][0], wrong[0][1]))
    walk = fn.SUM(HourEntry.hours).over(partition_by=[HourEntry.student], order_by=[HourEntry.at, HourEntry.id])
    rows = HourEntry.select(HourEntry.id, HourEntry.kind, HourEntry.hours, walk.alias("after")).alias("walk")
    found = {i for (i,) in HourEntry.select(rows.c.id).from_(rows)
             .where(rows.c.kind == "consume", rows.c.after - rows.c.hours > 0, rows.c.after <= 0).tuples()}
    booked = {i for (i,) in RunOut.select(RunOut.entry).tuples()}
    if found != booked:
        problems.append("run-out days differ from the ledger: %d missing, %d extra"
                        % (len(found - booked), len(booked - found)))
    return problems


def contract_balances(contracts):
    """{contract id: hours left} for many contracts in one query."""
    ids = [c.id for c in contracts]
    rows = (HourEntry.select(HourEntry.contract, fn.SUM(HourEntry.hours))
            .where(HourEntry.contract.in_(ids)).group_by(HourEntry.contract).tuples())
    found = {cid: hours_sum(left) for cid, left in rows}
    return {cid: found.get(cid, ZERO) for cid in ids}


def consumed(contract):
    """Hours used from a contract (consumption and its corrections, transfers out), as a positive number."""
    used = (HourEntry.select(fn.SUM(HourEntry.hours))
            .where(HourEntry.contract == contract, HourEntry.kind.in_(["consume", "transfer_out", "correction"]))
            .scalar())
    return -hours_sum(used)


def _hours(value):
    try:
        return validation.hours(value)
    except ValueError as exc:
        raise Invalid({"hours": exc.args[0]}) from None


def add_entry(by, student, contract, subject, kind, hours, reason="", source="", corrects=None, overdraft=False):
    """Append one ledger row (audited); called inside the caller's transaction. A correction is a new row.

    A consumption that empties the student's balance (all subjects, from above zero to zero or below) also records
    the day the hours ran out (RunOut), which the renewal rate counts."""
    before = (hours_sum(HourBalance.select(fn.SUM(HourBalance.hours)).where(HourBalance.student == student).scalar())
              if kind == "consume" else None)
    row = HourEntry.create(student=student, contract=contract, subject=subject, kind=kind, hours=hours,
                           at=clock.now(), by=by, reason=(reason or "")[:200], source=source[:40],
                           corrects=corrects, overdraft=overdraft)
    audit.record(by, "create", "hour_entry", row.id, after=audit.snapshot(row),
                 summary="%s %s %s" % (kind, hours, subject))
    (HourBalance.insert(student=student, subject=subject, hours=hours)
     .on_conflict(conflict_target=[HourBalance.student, HourBalance.subject],
                  update={HourBalance.hours: HourBalance.hours + EXCLUDED.hours}).execute())
    if before is not None and before > 0 >= before + row.hours:
        RunOut.create(entry=row, student=student, at=row.at)
    return row


def credit_contract(by, contract):
    """Book a new contract's bought and free hours (called inside the contract's transaction)."""
    entries = [add_entry(by, contract.student, contract, contract.subject, "purchase", contract.hours,
                      source="contract:%d" % contract.id)]
    if contract.free_hours:
        entries.append(add_entry(by, contract.student, contract, contract.subject, "free", contract.free_hours,
                              source="contract:%d" % contract.id))
    return entries


def enough(available, hours, by=None, overdraft_reason=None):
    """The enough-hours rule: `hours` may be taken from a balance of `available` when it covers them, or below zero
    when a supervisor (hours.overdraft) says why. The roll call asks it before consuming, and `consume` again."""
    return hours <= available or (bool((overdraft_reason or "").strip()) and can(by, "hours.overdraft"))


def consume(by, student, subject, hours, reason="", source="", overdraft_reason=None):
    """Take hours from a student's subject, oldest contract first; refuse to go below zero.

    A supervisor may allow an overdraft by giving `overdraft_reason`; it is recorded on the row.
    """
    hours = _hours(hours)
    with write():
        open_contracts = list(Contract.select().where(Contract.student == student, Contract.subject == subject)
                              .order_by(Contract.signed_on, Contract.id))
        left = contract_balances(open_contracts) if open_contracts else {}
        available = sum(left.values(), ZERO)
        if not enough(available, hours, by, overdraft_reason):
            if not (overdraft_reason or "").strip():
                raise Invalid({"hours": _l("Only %(left)s hours left in %(subject)s.", left=available,
                                           subject=subject)})
            raise Invalid({"hours": _l("Only a supervisor may let the balance go below zero.")})
        if available < hours and not open_contracts:
            raise Invalid({"hours": _l("The student has no contract for %(subject)s.", subject=subject)})
        entries, remaining = [], hours
        for contract in open_contracts:
            take = min(remaining, max(left[contract.id], ZERO))
            if take > 0:
                entries.append(add_entry(by, student, contract, subject, "consume", -take, reason, source))
                remaining -= take
        if remaining > 0:  # overdraft, booked on the newest contract
            entries.append(add_entry(by, student, open_contracts[-1], subject, "consume", -remaining,
                                  overdraft_reason, source, overdraft=True))
        return entries


def correct(by, entry, hours, reason):
    """Correct a consumption row by adding a new one (hours may be negative); never edits the original.

    Only consumption is corrected this way: giving back more than the row (and its earlier corrections)
    took would create hours out of nothing, so that is refused. Purchases change through their contract.
    """
    if entry is None or entry.kind != "consume":
        raise Invalid({"hours": _l("Only consumed hours can be corrected; bought hours change with the contract.")})
    if not reason or not reason.strip():
        raise Invalid({"reason": _l("Say why the correction is needed.")})
    try:
        delta = Decimal(str(hours).strip())
    except ArithmeticError:
        raise Invalid({"hours": _l("Enter hours as a number, e.g. 40 or 1.5.")}) from None
    magnitude = _hours(abs(delta)) if delta.is_finite() else _hours("x")
    delta = magnitude if delta > 0 else -magnitude
    with write():
        if delta > 0:
            taken = -(entry.hours + hours_sum(HourEntry.select(fn.SUM(HourEntry.hours))
                                              .where(HourEntry.corrects == entry).scalar()))
            if delta > taken:
                raise Invalid({"hours": _l("This row took %(taken)s hours; at most that much can be given back.",
                                           taken=max(taken, ZERO))})
        elif balance(entry.student, contract=entry.contract) + delta < 0 and not can(by, "hours.overdraft"):
            raise Invalid({"hours": _l("Only a supervisor may let the balance go below zero.")})
        return add_entry(by, entry.student, entry.contract, entry.subject, "correction", delta, reason,
                      "correction:%d" % entry.id, corrects=entry)


def transfer(by, from_contract, to_contract, hours, reason):
    """Move unused hours from one contract to another (e.g. another subject or a sibling), as two rows."""
    hours = _hours(hours)
    with write():
        if balance(from_contract.student, contract=from_contract) < hours:
            raise Invalid({"hours": _l("Only %(left)s hours left in %(subject)s.",
                                       left=balance(from_contract.student, contract=from_contract),
                                       subject=from_contract.subject)})
        out = add_entry(by, from_contract.student, from_contract, from_contract.subject, "transfer_out", -hours,
                     reason, "contract:%d" % to_contract.id)
        into = add_entry(by, to_contract.student, to_contract, to_contract.subject, "transfer_in", hours,
                      reason, "contract:%d" % from_contract.id)
        return out, into


LEDGER_PAGE = 60


def ledger(student, before=None, limit=None):
    """A student's ledger rows, newest first, with who booked each in the same query.

    `before` (a row id) and `limit` page through a long history by key: ([rows], id to continue before or None).
    Without a limit, every row (and None).
    """
    query = (HourEntry.select(HourEntry, User).join(User, JOIN.LEFT_OUTER, on=(HourEntry.by == User.id))
             .where(HourEntry.student == student).order_by(HourEntry.id.desc()))
    if before is not None:
        query = query.where(HourEntry.id < before)
    if limit is None:
        return list(query), None
    rows = list(query.limit(limit + 1))
    return rows[:limit], (rows[limit - 1].id if len(rows) > limit else None)


def hour_events(student, limit=None):
    """Ledger movements (the newest `limit`) for the student timeline (purchases show with their contract)."""
    moves = HourEntry.select().where(HourEntry.student == student, HourEntry.kind != "purchase")
    return [(e.at, "hours", "%s %s %s" % (KINDS.get(e.kind, e.kind), e.subject, e.hours), e.reason)
            for e in newest(moves, HourEntry.at, limit)]
