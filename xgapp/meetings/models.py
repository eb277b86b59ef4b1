"""A class's pre-class briefing (课前说明会) and who came; a student's first-lesson feedback (第一次课后备忘录)."""

import peewee as pw

from xgapp.accounts.models import User
from xgapp.classes.models import SchoolClass
from xgapp.db import BaseModel, UtcDateTimeField
from xgapp.students.models import Student


class Briefing(BaseModel):
    """课前说明会: held ≥ 24 h before the class's first lesson, by the advisor with the teacher and the parents."""

    klass = pw.ForeignKeyField(SchoolClass, unique=True, backref="briefings", on_delete="RESTRICT",
                               column_name="class_id", object_id_name="klass_id")
    starts_at = UtcDateTimeField()
    place = pw.CharField(max_length=60, default="")
    host = pw.ForeignKeyField(User, on_delete="RESTRICT")
    status = pw.CharField(max_length=10, default="scheduled")  # scheduled / held
    syllabus = pw.TextField(default="")
    sessions = pw.IntegerField(null=True)
    goals = pw.TextField(default="")
    qa = pw.TextField(default="")
    override_reason = pw.CharField(max_length=200, default="")  # scheduled late with the supervisor's consent
    override_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    recorded_at = UtcDateTimeField(null=True)
    recorded_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    paper_received_at = UtcDateTimeField(null=True)  # the signed paper record is in the files
    paper_received_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = UtcDateTimeField()
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")

    class Meta:
        table_name = "briefing"


class BriefingAttendee(BaseModel):
    """One expected attendee of a briefing (the advisor, the teacher, each student's parent) and whether they came."""

    briefing = pw.ForeignKeyField(Briefing, backref="attendees", on_delete="CASCADE")
    role = pw.CharField(max_length=10)  # advisor / teacher / parent
    user = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    student = pw.ForeignKeyField(Student, null=True, on_delete="RESTRICT")
    name = pw.CharField(max_length=40)
    came = pw.BooleanField()

    class Meta:
        table_name = "briefing_attendee"


class FirstLessonFeedback(BaseModel):
    """第一次课后备忘录: what the student, the teacher and the parent said after the first lesson."""

    klass = pw.ForeignKeyField(SchoolClass, on_delete="RESTRICT", column_name="class_id", object_id_name="klass_id")
    student = pw.ForeignKeyField(Student, on_delete="RESTRICT")
    from_student = pw.TextField(default="")
    from_teacher = pw.TextField(default="")
    from_parent = pw.TextField(default="")
    by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    at = UtcDateTimeField()

    class Meta:
        table_name = "first_lesson_feedback"
        indexes = ((("klass", "student"), True), (("student",), False))
