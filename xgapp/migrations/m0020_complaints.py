"""Complaints (投诉): the record, its dated handling steps, the resolution and the family's answer."""

import peewee as pw

from xgapp.migrations.fields import UtcDateTimeField, track


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

    class Complaint(Base):
        student = pw.ForeignKeyField(Student, null=True, on_delete="RESTRICT")
        complainant = pw.CharField(max_length=40)
        complainant_kind = pw.CharField(max_length=10)
        about = pw.CharField(max_length=12)
        about_user = pw.ForeignKeyField(User, null=True, on_delete="RESTRICT")
        channel = pw.CharField(max_length=10)
        content = pw.TextField()
        severity = pw.CharField(max_length=8)
        received_at = UtcDateTimeField()
        received_by = pw.ForeignKeyField(User, on_delete="RESTRICT")
        owner = pw.ForeignKeyField(User, on_delete="RESTRICT")
        first_response_at = UtcDateTimeField(null=True)
        resolution = pw.TextField(default="")
        satisfaction = pw.CharField(max_length=12, default="")
        satisfaction_note = pw.CharField(max_length=200, default="")
        closed_at = UtcDateTimeField(null=True)
        closed_by = pw.ForeignKeyField(User, null=True, on_delete="RESTRICT")

        class Meta:
            table_name = "complaint"
            indexes = ((("received_at",), False), (("owner", "closed_at"), False), (("student", "received_at"), False),
                       (("about_user", "received_at"), False), (("closed_at",), False))

    class ComplaintStep(Base):
        complaint = pw.ForeignKeyField(Complaint, on_delete="RESTRICT")
        at = UtcDateTimeField()
        by = pw.ForeignKeyField(User, on_delete="RESTRICT")
        kind = pw.CharField(max_length=10)
        text = pw.TextField(default="")
        handed_to = pw.ForeignKeyField(User, null=True, on_delete="RESTRICT")

        class Meta:
            table_name = "complaint_step"
            indexes = ((("complaint", "at"), False),)

    db.create_tables([Complaint, ComplaintStep])
    for table in ("complaint", "complaint_step"):
        track(db, table)
