"""Contracts, payments, refunds and the append-only lesson-hour ledger."""

import peewee as pw

from xgapp.db import HoursField, MoneyField, UtcDateTimeField


def up(db, migrator):
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class User(Base):
        class Meta:
            table_name = "user"

    class Student(Base):
        class Meta:
            table_name = "student"

    class Contract(Base):
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
        referrer = pw.ForeignKeyField(Student, null=True, on_delete="SET NULL")
        status = pw.CharField(max_length=10, default="open")
        notes = pw.TextField(default="")
        created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = UtcDateTimeField()

        class Meta:
            indexes = ((("advisor", "signed_on"), False),)

    class Payment(Base):
        contract = pw.ForeignKeyField(Contract, backref="payments", on_delete="RESTRICT")
        amount = MoneyField()
        method = pw.CharField(max_length=10)
        receipt_no = pw.CharField(max_length=40, default="")
        at = UtcDateTimeField(index=True)
        day = pw.DateField(index=True)
        by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
        refund = pw.IntegerField(null=True)
        note = pw.CharField(max_length=200, default="")

    class Refund(Base):
        contract = pw.ForeignKeyField(Contract, backref="refunds", on_delete="RESTRICT")
        hours = HoursField()
        amount = MoneyField()
        method = pw.CharField(max_length=10)
        reason = pw.CharField(max_length=200)
        status = pw.CharField(max_length=10, default="pending", index=True)
        requested_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
        requested_at = UtcDateTimeField()
        decided_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
        decided_at = UtcDateTimeField(null=True)
        decision_note = pw.CharField(max_length=200, default="")

    class HourEntry(Base):
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
            indexes = ((("student", "subject"), False), (("contract", "kind"), False))

    db.create_tables([Contract, Payment, Refund, HourEntry])
