"""Lesson-hour rules: every movement is a new ledger row; balances are sums; no double spending."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from peewee import EXCLUDED, JOIN, fn

from xgapp import audit, clock, validation
from xgapp.accounts.models import User
from xgapp.contracts.models import Contract
from xgapp.db import hours_sum, insert_rows, newest, write
from xgapp.hours.models import HourBalance, HourEntry, RunOut
from xgapp.i18n import stored_text, word
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
    """Append one ledger row (audited); called inside the caller's transaction. A correction is a new row."""
    return add_entries(by, [dict(student=student, contract=contract, subject=subject, kind=kind, hours=hours,
                                 reason=reason, source=source, corrects=corrects, overdraft=overdraft)])[0]


def add_entries(by, entries):
    """Append ledger rows (dicts of add_entry's arguments), audited, with the kept balances moved: a fixed number
    of statements however many rows (a roll call of 15 students is one insert, not 15). Inside the caller's
    transaction; returns the saved HourEntry rows in the given order.

    A consumption that empties the student's balance (all subjects, from above zero to zero or below) also records
    the day the hours ran out (RunOut), which the renewal rate counts."""
    if not entries:
        return []
    at = clock.now()
    rows = [HourEntry(student=e["student"], contract=e["contract"], subject=e["subject"], kind=e["kind"],
                      hours=e["hours"], at=at, by=by, reason=(e.get("reason") or "")[:200],
                      source=(e.get("source") or "")[:40], corrects=e.get("corrects"),
                      overdraft=e.get("overdraft", False)) for e in entries]
    consuming = {r.student_id for r in rows if r.kind == "consume"}
    left = dict(HourBalance.select(HourBalance.student, fn.SUM(HourBalance.hours))
                .where(HourBalance.student.in_(list(consuming))).group_by(HourBalance.student).tuples()) \
        if consuming else {}
    left = {student: hours_sum(raw) for student, raw in left.items()}
    insert_rows(HourEntry, rows)
    moved, ran_out = {}, []
    for row in rows:
        key = (row.student_id, row.subject)
        moved[key] = moved.get(key, ZERO) + row.hours
        if row.kind == "consume":
            before = left.get(row.student_id, ZERO)
            left[row.student_id] = before + row.hours
            if before > 0 >= before + row.hours:
                ran_out.append({"entry": row.id, "student": row.student_id, "at": at})
        elif row.student_id in left:
            left[row.student_id] += row.hours
    audit.record_many(by, "create", "hour_entry", [(r.id, None, audit.snapshot(r),
                                                    "%s %s %s" % (r.kind, r.hours, r.subject)) for r in rows])
    (HourBalance.insert_many([{"student": st, "subject": su, "hours": h} for (st, su), h in moved.items()])
     .on_conflict(conflict_target=[HourBalance.student, HourBalance.subject],
                  update={HourBalance.hours: HourBalance.hours + EXCLUDED.hours}).execute())
    if ran_out:
        RunOut.insert_many(ran_out).execute()
    return rows


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
    return consume_many(by, [(student, subject, hours, reason, source)], overdraft_reason)


def consume_many(by, takes, overdraft_reason=None):
    """`consume` for many (student, subject, hours, reason, source) at once, all or nothing, in a fixed number of
    statements (a roll call). Refused as a whole (Invalid, keyed "hours") when one of them lacks the hours."""
    takes = [(student, subject, _hours(h), reason, source) for student, subject, h, reason, source in takes]
    if not takes:
        return []
    with write():
        wanted = {(student.id, subject) for student, subject, _, _, _ in takes}
        contracts, left = {}, {}
        held = fn.SUM(HourEntry.hours).alias("held")  # each contract with the hours left on it, in one query
        for contract in (Contract.select(Contract, held).join(HourEntry, JOIN.LEFT_OUTER, on=(HourEntry.contract ==
                                                                                          Contract.id))
                         .where(Contract.student.in_(list({s for s, _ in wanted})),
                                Contract.subject.in_(list({su for _, su in wanted})))
                         .group_by(Contract.id).order_by(Contract.signed_on, Contract.id)):
            if (contract.student_id, contract.subject) in wanted:
                contracts.setdefault((contract.student_id, contract.subject), []).append(contract)
                left[contract.id] = hours_sum(contract.held)
        entries = []
        for student, subject, hours, reason, source in takes:
            open_contracts = contracts.get((student.id, subject), [])
            available = sum((left[c.id] for c in open_contracts), ZERO)
            if not enough(available, hours, by, overdraft_reason):
                if not (overdraft_reason or "").strip():
                    raise Invalid({"hours": _l("Only %(left)s hours left in %(subject)s.", left=available,
                                               subject=subject)})
                raise Invalid({"hours": _l("Only a supervisor may let the balance go below zero.")})
            if available < hours and not open_contracts:
                raise Invalid({"hours": _l("The student has no contract for %(subject)s.", subject=subject)})
            remaining = hours
            for contract in open_contracts:
                take = min(remaining, max(left[contract.id], ZERO))
                if take > 0:
                    entries.append(dict(student=student, contract=contract, subject=subject, kind="consume",
                                        hours=-take, reason=reason, source=source))
                    left[contract.id] -= take  # the same student twice in one batch takes from what is left
                    remaining -= take
            if remaining > 0:  # overdraft, booked on the newest contract
                entries.append(dict(student=student, contract=open_contracts[-1], subject=subject, kind="consume",
                                    hours=-remaining, reason=overdraft_reason, source=source, overdraft=True))
                left[open_contracts[-1].id] -= remaining
        return add_entries(by, entries)


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


def hour_events(student, limit=None, before=None):
    """Ledger movements (the newest `limit`) for the student timeline (purchases show with their contract)."""
    moves = HourEntry.select().where(HourEntry.student == student, HourEntry.kind != "purchase")
    return [(e.at, "hours", "%s %s %s" % (KINDS.get(e.kind, e.kind), word(e.subject), e.hours), stored_text(e.reason))
            for e in newest(moves, HourEntry.at, limit, before)]
