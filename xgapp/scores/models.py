"""A class's stage test and the students' scores."""

import peewee as pw

from xgapp.accounts.models import User
from xgapp.classes.models import SchoolClass
from xgapp.db import BaseModel, HoursField, UtcDateTimeField
from xgapp.students.models import Student


class StageTest(BaseModel):
    klass = pw.ForeignKeyField(SchoolClass, backref="tests", on_delete="RESTRICT", column_name="class_id",
                               object_id_name="klass_id")
    name = pw.CharField(max_length=60)
    on = pw.DateField()
    full_score = pw.IntegerField(default=100)
    created_at = UtcDateTimeField()
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")

    class Meta:
        table_name = "stage_test"
        indexes = ((("klass", "on"), False),)


class Score(BaseModel):
    test = pw.ForeignKeyField(StageTest, backref="scores", on_delete="CASCADE")
    student = pw.ForeignKeyField(Student, on_delete="RESTRICT")
    score = HoursField()  # a Decimal to one decimal place, stored in tenths (the same storage as lesson hours)
    analysis = pw.TextField(default="")
    at = UtcDateTimeField()
    by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")

    class Meta:
        table_name = "score"
        indexes = ((("test", "student"), True), (("student",), False))
