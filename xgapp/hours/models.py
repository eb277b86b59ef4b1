"""The lesson-hour ledger: one append-only row per movement; balances are sums."""

import peewee as pw

from xgapp.accounts.models import User
from xgapp.contracts.models import Contract
from xgapp.db import BaseModel, HoursField, UtcDateTimeField
from xgapp.students.models import Student


class HourEntry(BaseModel):
    """Hours in (+) or out (−) of a student's subject, tied to a contract, with who, when, why and the cause."""

    student = pw.ForeignKeyField(Student, backref="hour_entries", on_delete="RESTRICT")
    contract = pw.ForeignKeyField(Contract, null=True, backref="hour_entries", on_delete="RESTRICT")
    subject = pw.CharField(max_length=20)
    kind = pw.CharField(max_length=12)
    hours = HoursField()
    at = UtcDateTimeField()
    by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    reason = pw.CharField(max_length=200, default="")
    source = pw.CharField(max_length=40, default="")
    corrects = pw.ForeignKeyField("self", null=True, on_delete="RESTRICT")
    overdraft = pw.BooleanField(default=False)

    class Meta:
        table_name = "hour_entry"
        # (student, subject, hours) covers balance sums; `at` finds a month's consumption (migration m0006);
        # (student, at, hours) a balance before an instant (m0018)
        indexes = ((("student", "subject", "hours"), False), (("contract", "kind"), False), (("at",), False),
                   (("student", "at", "hours"), False))


class RunOut(BaseModel):
    """A consumption that took a student's balance (all subjects together) from above zero to zero or below: the
    day the hours ran out, a renewal event (续费率). A fact derived from the ledger, written in the same transaction
    as the ledger row that caused it, so a month's rate reads that month's facts and not the campus's history."""

    entry = pw.ForeignKeyField(HourEntry, unique=True, on_delete="CASCADE")
    student = pw.ForeignKeyField(Student, on_delete="CASCADE")
    at = UtcDateTimeField(index=True)

    class Meta:
        table_name = "hour_run_out"


class HourBalance(BaseModel):
    """Hours left in a student's subject: the ledger's sum, kept up to date in the same transaction as every ledger
    row, so the low-hours lists read one row per student and subject instead of the years behind it."""

    student = pw.ForeignKeyField(Student, on_delete="CASCADE")
    subject = pw.CharField(max_length=20)
    hours = HoursField()

    class Meta:
        table_name = "hour_balance"
        indexes = ((("student", "subject"), True),)
