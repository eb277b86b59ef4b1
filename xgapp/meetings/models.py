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
    # Superseded by signed_copy (m0011 copied them there); kept because SQLite cannot drop a foreign-key column
    # without rebuilding the table. Never written any more: use xgapp.prints.domain.received("briefing", id).
    paper_received_at = UtcDateTimeField(null=True)
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


class ParentMeeting(BaseModel):
    """家长会 for a class (or one family): preparation, attendance, minutes; a revised teaching plan follows."""

    klass = pw.ForeignKeyField(SchoolClass, null=True, backref="parent_meetings", on_delete="RESTRICT",
                               column_name="class_id", object_id_name="klass_id")
    student = pw.ForeignKeyField(Student, null=True, on_delete="RESTRICT")  # a meeting with one family
    starts_at = UtcDateTimeField()
    place = pw.CharField(max_length=60, default="")
    host = pw.ForeignKeyField(User, on_delete="RESTRICT")
    serious = pw.BooleanField(default=False)  # serious problems: director, supervisor and principal attend
    status = pw.CharField(max_length=10, default="scheduled")  # scheduled / held
    prep_questions = pw.TextField(default="")  # the advisor's preparation
    prep_materials = pw.TextField(default="")
    prep_topics = pw.TextField(default="")
    prep_records = pw.TextField(default="")  # the teacher's preparation
    prep_problems = pw.TextField(default="")
    prep_exercises = pw.TextField(default="")
    teacher_report = pw.TextField(default="")  # the minutes, in the handbook's order
    advisor_report = pw.TextField(default="")
    parent_questions = pw.TextField(default="")
    problems = pw.TextField(default="")
    solutions = pw.TextField(default="")
    parents_to_do = pw.TextField(default="")
    missing_required = pw.BooleanField(default=False)  # a serious meeting without director/supervisor/principal
    recorded_at = UtcDateTimeField(null=True)
    recorded_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = UtcDateTimeField()
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")

    class Meta:
        table_name = "parent_meeting"
        indexes = ((("klass", "starts_at"), False), (("starts_at",), False))


class ParentMeetingAttendee(BaseModel):
    meeting = pw.ForeignKeyField(ParentMeeting, backref="attendees", on_delete="CASCADE")
    role = pw.CharField(max_length=10)  # advisor / teacher / director / supervisor / principal / parent
    user = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    student = pw.ForeignKeyField(Student, null=True, on_delete="RESTRICT")
    name = pw.CharField(max_length=40)
    came = pw.BooleanField()

    class Meta:
        table_name = "parent_meeting_attendee"


class TeachingPlan(BaseModel):
    """The teacher's revised teaching plan after a parent meeting: due in 7 days, reviewed, then put in effect."""

    meeting = pw.ForeignKeyField(ParentMeeting, unique=True, backref="plans", on_delete="RESTRICT")
    teacher = pw.ForeignKeyField(User, on_delete="RESTRICT")
    due_on = pw.DateField()
    status = pw.CharField(max_length=10, default="due")  # due / submitted / returned / approved / effective
    content = pw.TextField(default="")
    submitted_at = UtcDateTimeField(null=True)
    late = pw.BooleanField(default=False)
    review_note = pw.CharField(max_length=200, default="")
    reviewed_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    reviewed_at = UtcDateTimeField(null=True)
    effective_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    effective_at = UtcDateTimeField(null=True)

    class Meta:
        table_name = "teaching_plan"
        indexes = ((("teacher", "status"), False),)
