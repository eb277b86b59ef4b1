"""Follow-ups (回访) and the tasks the follow-up engine generates."""

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

    class FollowTask(Base):
        student = pw.ForeignKeyField(Student, on_delete="RESTRICT")
        advisor = pw.ForeignKeyField(User, on_delete="RESTRICT")
        kind = pw.CharField(max_length=12)
        due_on = pw.DateField()
        source = pw.CharField(max_length=60, unique=True)
        klass = pw.ForeignKeyField(SchoolClass, null=True, on_delete="SET NULL", column_name="class_id")
        note = pw.CharField(max_length=200, default="")
        status = pw.CharField(max_length=10, default="open")
        done_at = UtcDateTimeField(null=True)
        done_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
        postponed = pw.IntegerField(default=0)
        postpone_reason = pw.CharField(max_length=200, default="")
        created_at = UtcDateTimeField()

        class Meta:
            table_name = "follow_task"
            indexes = ((("advisor", "status", "due_on"), False), (("student", "status"), False))

    class FollowUp(Base):
        student = pw.ForeignKeyField(Student, on_delete="RESTRICT")
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

    db.create_tables([FollowTask, FollowUp])
