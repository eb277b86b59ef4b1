"""Parent meetings (家长会) with attendees and the revised teaching plan they lead to; stage tests and scores."""

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

    class SchoolClass(Base):
        class Meta:
            table_name = "school_class"

    class ParentMeeting(Base):
        klass = pw.ForeignKeyField(SchoolClass, null=True, on_delete="RESTRICT", column_name="class_id")
        student = pw.ForeignKeyField(Student, null=True, on_delete="RESTRICT")
        starts_at = UtcDateTimeField()
        place = pw.CharField(max_length=60, default="")
        host = pw.ForeignKeyField(User, on_delete="RESTRICT")
        serious = pw.BooleanField(default=False)
        status = pw.CharField(max_length=10, default="scheduled")
        prep_questions = pw.TextField(default="")
        prep_materials = pw.TextField(default="")
        prep_topics = pw.TextField(default="")
        prep_records = pw.TextField(default="")
        prep_problems = pw.TextField(default="")
        prep_exercises = pw.TextField(default="")
        teacher_report = pw.TextField(default="")
        advisor_report = pw.TextField(default="")
        parent_questions = pw.TextField(default="")
        problems = pw.TextField(default="")
        solutions = pw.TextField(default="")
        parents_to_do = pw.TextField(default="")
        missing_required = pw.BooleanField(default=False)
        recorded_at = UtcDateTimeField(null=True)
        recorded_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = UtcDateTimeField()
        created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")

        class Meta:
            table_name = "parent_meeting"
            indexes = ((("klass", "starts_at"), False), (("starts_at",), False))

    class ParentMeetingAttendee(Base):
        meeting = pw.ForeignKeyField(ParentMeeting, on_delete="CASCADE")
        role = pw.CharField(max_length=10)
        user = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
        student = pw.ForeignKeyField(Student, null=True, on_delete="RESTRICT")
        name = pw.CharField(max_length=40)
        came = pw.BooleanField()

        class Meta:
            table_name = "parent_meeting_attendee"

    class TeachingPlan(Base):
        meeting = pw.ForeignKeyField(ParentMeeting, unique=True, on_delete="RESTRICT")
        teacher = pw.ForeignKeyField(User, on_delete="RESTRICT")
        due_on = pw.DateField()
        status = pw.CharField(max_length=10, default="due")
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

    class StageTest(Base):
        klass = pw.ForeignKeyField(SchoolClass, on_delete="RESTRICT", column_name="class_id")
        name = pw.CharField(max_length=60)
        on = pw.DateField()
        full_score = pw.IntegerField(default=100)
        created_at = UtcDateTimeField()
        created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")

        class Meta:
            table_name = "stage_test"
            indexes = ((("klass", "on"), False),)

    class Score(Base):
        test = pw.ForeignKeyField(StageTest, on_delete="CASCADE")
        student = pw.ForeignKeyField(Student, on_delete="RESTRICT")
        score = pw.IntegerField()  # tenths of a point
        analysis = pw.TextField(default="")
        at = UtcDateTimeField()
        by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")

        class Meta:
            table_name = "score"
            indexes = ((("test", "student"), True), (("student",), False))

    db.create_tables([ParentMeeting, ParentMeetingAttendee, TeachingPlan, StageTest, Score])
