"""Leads (咨询) and the dated steps of the sales funnel."""

import peewee as pw

from xgapp.db import UtcDateTimeField


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

    class Lead(Base):
        student = pw.ForeignKeyField(Student, backref="leads", on_delete="RESTRICT")
        advisor = pw.ForeignKeyField(User, on_delete="RESTRICT")
        channel = pw.CharField(max_length=10)
        subject = pw.CharField(max_length=20, default="")
        stage = pw.CharField(max_length=10, default="inquiry", index=True)
        stage_on = pw.DateField()
        next_contact = pw.DateField(null=True, index=True)
        lost_reason = pw.CharField(max_length=200, default="")
        note = pw.TextField(default="")
        created_at = UtcDateTimeField()

        class Meta:
            indexes = ((("advisor", "stage"), False),)

    class LeadStep(Base):
        lead = pw.ForeignKeyField(Lead, backref="steps", on_delete="CASCADE")
        stage = pw.CharField(max_length=10)
        on = pw.DateField()
        at = UtcDateTimeField()
        by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
        note = pw.CharField(max_length=200, default="")

        class Meta:
            table_name = "lead_step"
            indexes = ((("on", "stage"), False),)

    db.create_tables([Lead, LeadStep])
