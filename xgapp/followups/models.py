"""A follow-up (one contact with a student, parent or teacher) and a follow-up task (one the rules say is due)."""

import peewee as pw

from xgapp.accounts.models import User
from xgapp.classes.models import SchoolClass
from xgapp.db import BaseModel, UtcDateTimeField
from xgapp.students.models import Student


class FollowTask(BaseModel):
    """A follow-up the rules say is due: generated once (`source` is its unique origin), done, postponed or moved."""

    student = pw.ForeignKeyField(Student, backref="follow_tasks", on_delete="RESTRICT")
    advisor = pw.ForeignKeyField(User, on_delete="RESTRICT")
    kind = pw.CharField(max_length=12)
    due_on = pw.DateField()
    source = pw.CharField(max_length=60, unique=True)  # e.g. pre:enrolment:12 — generating twice is a no-op
    klass = pw.ForeignKeyField(SchoolClass, null=True, on_delete="SET NULL", column_name="class_id",
                               object_id_name="klass_id")
    note = pw.CharField(max_length=200, default="")
    status = pw.CharField(max_length=10, default="open")  # open / done / cancelled
    done_at = UtcDateTimeField(null=True)
    done_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    postponed = pw.IntegerField(default=0)
    postpone_reason = pw.CharField(max_length=200, default="")
    created_at = UtcDateTimeField()

    class Meta:
        table_name = "follow_task"
        indexes = ((("advisor", "status", "due_on"), False), (("student", "status"), False))


class FollowUp(BaseModel):
    """回访: who talked to whom, when, how, why, what was said and agreed, and what comes next."""

    student = pw.ForeignKeyField(Student, backref="follow_ups", on_delete="RESTRICT")
    advisor = pw.ForeignKeyField(User, on_delete="RESTRICT")
    at = UtcDateTimeField()
    kind = pw.CharField(max_length=12)
    channel = pw.CharField(max_length=10)
    whom = pw.CharField(max_length=10)
    purpose = pw.CharField(max_length=200)
    content = pw.TextField(default="")
    result = pw.TextField(default="")
    next_step = pw.CharField(max_length=200, default="")
    next_on = pw.DateField(null=True)
    escalate = pw.BooleanField(default=False)
    task = pw.ForeignKeyField(FollowTask, null=True, on_delete="SET NULL")
    created_at = UtcDateTimeField()
    updated_at = UtcDateTimeField()

    class Meta:
        table_name = "follow_up"
        indexes = ((("student", "at"), False), (("advisor", "at"), False))
