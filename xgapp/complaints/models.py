"""A complaint and the steps of its handling."""

import peewee as pw

from xgapp.accounts.models import User
from xgapp.db import BaseModel, UtcDateTimeField
from xgapp.students.models import Student


class Complaint(BaseModel):
    """One complaint: who complained about what and whom, how it came in, who owns it, how it ended."""

    student = pw.ForeignKeyField(Student, null=True, backref="complaints", on_delete="RESTRICT")
    complainant = pw.CharField(max_length=40)  # the person's name as they gave it (张小明妈妈)
    complainant_kind = pw.CharField(max_length=10)  # domain.COMPLAINANTS
    about = pw.CharField(max_length=12)  # domain.ABOUT
    about_user = pw.ForeignKeyField(User, null=True, on_delete="RESTRICT")  # the teacher or advisor complained of
    channel = pw.CharField(max_length=10)  # domain.CHANNELS
    content = pw.TextField()
    severity = pw.CharField(max_length=8)  # normal / serious
    received_at = UtcDateTimeField()
    received_by = pw.ForeignKeyField(User, on_delete="RESTRICT")
    owner = pw.ForeignKeyField(User, on_delete="RESTRICT")
    first_response_at = UtcDateTimeField(null=True)  # the first handling step
    resolution = pw.TextField(default="")
    satisfaction = pw.CharField(max_length=12, default="")  # the family's answer: domain.ANSWERS
    satisfaction_note = pw.CharField(max_length=200, default="")
    closed_at = UtcDateTimeField(null=True)
    closed_by = pw.ForeignKeyField(User, null=True, on_delete="RESTRICT")

    class Meta:
        table_name = "complaint"


class ComplaintStep(BaseModel):
    """A dated entry of the handling: what was done, or the complaint handed on to another owner."""

    complaint = pw.ForeignKeyField(Complaint, backref="steps", on_delete="RESTRICT")
    at = UtcDateTimeField()
    by = pw.ForeignKeyField(User, on_delete="RESTRICT")
    kind = pw.CharField(max_length=10)  # step / handover
    text = pw.TextField(default="")
    handed_to = pw.ForeignKeyField(User, null=True, on_delete="RESTRICT")

    class Meta:
        table_name = "complaint_step"
