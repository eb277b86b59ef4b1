"""Pre-class briefings (课前说明会) with their attendees, and first-lesson feedback (第一次课后备忘录)."""

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

    class Briefing(Base):
        klass = pw.ForeignKeyField(SchoolClass, unique=True, on_delete="RESTRICT", column_name="class_id")
        starts_at = UtcDateTimeField()
        place = pw.CharField(max_length=60, default="")
        host = pw.ForeignKeyField(User, on_delete="RESTRICT")
        status = pw.CharField(max_length=10, default="scheduled")
        syllabus = pw.TextField(default="")
        sessions = pw.IntegerField(null=True)
        goals = pw.TextField(default="")
        qa = pw.TextField(default="")
        override_reason = pw.CharField(max_length=200, default="")
        override_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
        recorded_at = UtcDateTimeField(null=True)
        recorded_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
        paper_received_at = UtcDateTimeField(null=True)
        paper_received_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = UtcDateTimeField()
        created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")

        class Meta:
            table_name = "briefing"

    class BriefingAttendee(Base):
        briefing = pw.ForeignKeyField(Briefing, on_delete="CASCADE")
        role = pw.CharField(max_length=10)
        user = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
        student = pw.ForeignKeyField(Student, null=True, on_delete="RESTRICT")
        name = pw.CharField(max_length=40)
        came = pw.BooleanField()

        class Meta:
            table_name = "briefing_attendee"

    class FirstLessonFeedback(Base):
        klass = pw.ForeignKeyField(SchoolClass, on_delete="RESTRICT", column_name="class_id")
        student = pw.ForeignKeyField(Student, on_delete="RESTRICT")
        from_student = pw.TextField(default="")
        from_teacher = pw.TextField(default="")
        from_parent = pw.TextField(default="")
        by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
        at = UtcDateTimeField()

        class Meta:
            table_name = "first_lesson_feedback"
            indexes = ((("klass", "student"), True), (("student",), False))

    db.create_tables([Briefing, BriefingAttendee, FirstLessonFeedback])
