"""A visit to the self-study room, the times the student stepped out during it, and the questions answered."""

import peewee as pw

from xgapp.accounts.models import User
from xgapp.db import BaseModel, UtcDateTimeField
from xgapp.students.models import Guardian, Student


class Visit(BaseModel):
    """One stay in the study room: arrival and (most important) departure with who took the child."""

    student = pw.ForeignKeyField(Student, backref="visits", on_delete="RESTRICT")
    day = pw.DateField(index=True)  # campus-local date of arrival
    arrived_at = UtcDateTimeField()
    signed_in_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    left_at = UtcDateTimeField(null=True)
    signed_out_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    pickup_kind = pw.CharField(max_length=10, default="")  # guardian / alone / other
    pickup_guardian = pw.ForeignKeyField(Guardian, null=True, on_delete="SET NULL")
    pickup_name = pw.CharField(max_length=40, default="")  # kept even if the guardian row changes later
    pickup_relation = pw.CharField(max_length=20, default="")
    pickup_on_file = pw.BooleanField(default=True)  # False: someone not in the file took the child
    subjects = pw.CharField(max_length=100, default="")
    homework_checked = pw.BooleanField(null=True)
    homework_note = pw.CharField(max_length=200, default="")
    behaviour_note = pw.CharField(max_length=200, default="")
    parent_note = pw.CharField(max_length=300, default="")
    teacher = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")  # the supervising study-room teacher
    resolved_note = pw.CharField(max_length=200, default="")  # closed by staff after closing time: what happened
    resolved_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    resolved_at = UtcDateTimeField(null=True)

    class Meta:
        table_name = "study_visit"
        indexes = ((("student", "arrived_at"), False),)


class VisitExit(BaseModel):
    """出入: the student left the room during the visit (and came back)."""

    visit = pw.ForeignKeyField(Visit, backref="exits", on_delete="CASCADE")
    out_at = UtcDateTimeField()
    back_at = UtcDateTimeField(null=True)
    reason = pw.CharField(max_length=100, default="")
    by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")

    class Meta:
        table_name = "study_visit_exit"


class Question(BaseModel):
    """答疑记录: one question a student asked, the answer, and who still owes one if it was handed on."""

    student = pw.ForeignKeyField(Student, backref="questions", on_delete="RESTRICT")
    visit = pw.ForeignKeyField(Visit, null=True, backref="questions", on_delete="SET NULL")
    day = pw.DateField(index=True)
    subject = pw.CharField(max_length=20)
    question = pw.TextField()
    answer = pw.TextField(default="")
    teacher = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")  # who answered or handed it on
    status = pw.CharField(max_length=10, default="resolved")  # resolved / handed / closed
    handed_to = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    closed_at = UtcDateTimeField(null=True)
    closed_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = UtcDateTimeField()

    class Meta:
        table_name = "study_question"
        indexes = ((("handed_to", "status"), False),)
