"""A lead is one inquiry about a (prospective) student; its steps date the funnel."""

import peewee as pw

from xgapp.accounts.models import User
from xgapp.db import BaseModel, UtcDateTimeField
from xgapp.students.models import Student


class Lead(BaseModel):
    """An inquiry by phone, walk-in or other channel, owned by an advisor, moving through the funnel."""

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
        table_name = "lead"
        indexes = ((("advisor", "stage"), False),)


class LeadStep(BaseModel):
    """One dated step (or contact) of a lead, counted in the advisor's daily numbers."""

    lead = pw.ForeignKeyField(Lead, backref="steps", on_delete="CASCADE")
    stage = pw.CharField(max_length=10)
    on = pw.DateField()
    at = UtcDateTimeField()
    by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    note = pw.CharField(max_length=200, default="")

    class Meta:
        table_name = "lead_step"
        indexes = ((("on", "stage"), False),)
