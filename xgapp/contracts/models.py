"""Contracts (what a family bought), payments (money in and out) and refunds (requested, then decided)."""

import peewee as pw

from xgapp.accounts.models import User
from xgapp.db import BaseModel, HoursField, MoneyField, UtcDateTimeField
from xgapp.students.models import Student


class Contract(BaseModel):
    """Lesson hours of one subject bought for an amount; kinds 新签/续费/扩科/转介绍."""

    number = pw.CharField(max_length=30, unique=True)
    student = pw.ForeignKeyField(Student, backref="contracts", on_delete="RESTRICT")
    kind = pw.CharField(max_length=10)
    subject = pw.CharField(max_length=20)
    hours = HoursField()
    free_hours = HoursField(default=0)
    unit_price = MoneyField()
    discount = MoneyField(default=0)
    amount = MoneyField()
    signed_on = pw.DateField(index=True)
    advisor = pw.ForeignKeyField(User, on_delete="RESTRICT")
    referrer = pw.ForeignKeyField(Student, null=True, on_delete="SET NULL", backref="referred_contracts")
    status = pw.CharField(max_length=10, default="open")
    notes = pw.TextField(default="")
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="contracts_created")
    created_at = UtcDateTimeField()

    class Meta:
        table_name = "contract"
        indexes = ((("advisor", "signed_on"), False),)


class Payment(BaseModel):
    """Money received (positive) or paid back by a refund (negative); append-only."""

    contract = pw.ForeignKeyField(Contract, backref="payments", on_delete="RESTRICT")
    amount = MoneyField()
    method = pw.CharField(max_length=10)
    receipt_no = pw.CharField(max_length=40, default="")
    at = UtcDateTimeField(index=True)
    day = pw.DateField(index=True)
    by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    refund = pw.IntegerField(null=True)
    note = pw.CharField(max_length=200, default="")

    class Meta:
        table_name = "payment"
        indexes = ((("receipt_no",), False),)


class Refund(BaseModel):
    """A refund asked for by an advisor and approved or rejected by a supervisor."""

    contract = pw.ForeignKeyField(Contract, backref="refunds", on_delete="RESTRICT")
    hours = HoursField()
    amount = MoneyField()
    rule_amount = MoneyField(null=True)  # what the refund rule gave for these hours; None on refunds before m0016
    method = pw.CharField(max_length=10)
    reason = pw.CharField(max_length=200)
    status = pw.CharField(max_length=10, default="pending", index=True)
    requested_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="refunds_requested")
    requested_at = UtcDateTimeField()
    decided_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="refunds_decided")
    decided_at = UtcDateTimeField(null=True)
    decision_note = pw.CharField(max_length=200, default="")

    class Meta:
        table_name = "refund"

    @property
    def lowered(self):
        """True when less is refunded than the campus rule gives for the hours."""
        return self.rule_amount is not None and self.amount < self.rule_amount
