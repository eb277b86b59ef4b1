"""Student files: the student, their guardians and the history of their status."""

import peewee as pw

from xgapp.accounts.models import User
from xgapp.db import BaseModel, UtcDateTimeField


class Student(BaseModel):
    """One student (or prospective student) of the campus, owned by one advisor."""

    name = pw.CharField(max_length=40)
    search_text = pw.CharField(max_length=400, default="")  # name, pinyin variants, initials, school
    gender = pw.CharField(max_length=1, default="")
    birthday = pw.DateField(null=True)
    school = pw.CharField(max_length=60, default="", index=True)
    grade = pw.CharField(max_length=10, default="")
    advisor = pw.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    source = pw.CharField(max_length=10, default="")
    referrer = pw.ForeignKeyField("self", null=True, on_delete="SET NULL")
    referrer_note = pw.CharField(max_length=60, default="")
    status = pw.CharField(max_length=10, default="prospect", index=True)
    status_since = pw.DateField()
    special_attention = pw.BooleanField(default=False)
    attention_note = pw.CharField(max_length=200, default="")
    may_leave_alone = pw.BooleanField(default=False)  # the parents allow the child to go home alone
    notes = pw.TextField(default="")
    created_at = UtcDateTimeField()
    updated_at = UtcDateTimeField()

    class Meta:
        table_name = "student"
        indexes = ((("advisor", "status"), False),)


class Guardian(BaseModel):
    """A parent or other adult of a student: contact and pickup permission."""

    student = pw.ForeignKeyField(Student, backref="guardians", on_delete="CASCADE")
    name = pw.CharField(max_length=40)
    relation = pw.CharField(max_length=10)
    mobile = pw.CharField(max_length=11, index=True)
    wechat = pw.CharField(max_length=40, default="")
    can_pickup = pw.BooleanField(default=True)
    position = pw.IntegerField(default=0)

    class Meta:
        table_name = "guardian"


class StatusChange(BaseModel):
    """One change of a student's status, with its effective date."""

    student = pw.ForeignKeyField(Student, backref="status_changes", on_delete="CASCADE")
    status = pw.CharField(max_length=10)
    effective = pw.DateField()
    at = UtcDateTimeField()
    by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    reason = pw.CharField(max_length=200, default="")

    class Meta:
        table_name = "student_status_change"
