"""Self-study room: visits (sign-in/out, pickup), exits during a visit, Q&A records; may a student go home alone."""

import peewee as pw
from playhouse.migrate import migrate

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

    class Guardian(Base):
        class Meta:
            table_name = "guardian"

    class Visit(Base):
        student = pw.ForeignKeyField(Student, on_delete="RESTRICT")
        day = pw.DateField(index=True)
        arrived_at = UtcDateTimeField()
        signed_in_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
        left_at = UtcDateTimeField(null=True)
        signed_out_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
        pickup_kind = pw.CharField(max_length=10, default="")
        pickup_guardian = pw.ForeignKeyField(Guardian, null=True, on_delete="SET NULL")
        pickup_name = pw.CharField(max_length=40, default="")
        pickup_relation = pw.CharField(max_length=20, default="")
        pickup_on_file = pw.BooleanField(default=True)
        subjects = pw.CharField(max_length=100, default="")
        homework_checked = pw.BooleanField(null=True)
        homework_note = pw.CharField(max_length=200, default="")
        behaviour_note = pw.CharField(max_length=200, default="")
        parent_note = pw.CharField(max_length=300, default="")
        teacher = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
        resolved_note = pw.CharField(max_length=200, default="")
        resolved_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
        resolved_at = UtcDateTimeField(null=True)

        class Meta:
            table_name = "study_visit"
            indexes = ((("student", "arrived_at"), False),)

    class VisitExit(Base):
        visit = pw.ForeignKeyField(Visit, on_delete="CASCADE")
        out_at = UtcDateTimeField()
        back_at = UtcDateTimeField(null=True)
        reason = pw.CharField(max_length=100, default="")
        by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")

        class Meta:
            table_name = "study_visit_exit"

    class Question(Base):
        student = pw.ForeignKeyField(Student, on_delete="RESTRICT")
        visit = pw.ForeignKeyField(Visit, null=True, on_delete="SET NULL")
        day = pw.DateField(index=True)
        subject = pw.CharField(max_length=20)
        question = pw.TextField()
        answer = pw.TextField(default="")
        teacher = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
        status = pw.CharField(max_length=10, default="resolved")
        handed_to = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
        closed_at = UtcDateTimeField(null=True)
        closed_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = UtcDateTimeField()

        class Meta:
            table_name = "study_question"
            indexes = ((("handed_to", "status"), False),)

    migrate(migrator.add_column("student", "may_leave_alone", pw.BooleanField(default=False)))
    db.create_tables([Visit, VisitExit, Question])
    # One open visit per student, enforced by the database itself (two tablets, one child).
    db.execute_sql("CREATE UNIQUE INDEX IF NOT EXISTS study_visit_open ON study_visit (student_id) "
                   "WHERE left_at IS NULL")
