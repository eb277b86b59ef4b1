"""Classrooms, holidays, classes and who is enrolled in them."""

import peewee as pw

from xgapp.accounts.models import User
from xgapp.db import BaseModel, HoursField, UtcDateTimeField
from xgapp.students.models import Student


class Classroom(BaseModel):
    """A room lessons are held in."""

    name = pw.CharField(max_length=40, unique=True)
    seats = pw.IntegerField(default=15)
    active = pw.BooleanField(default=True)

    class Meta:
        table_name = "classroom"


class Holiday(BaseModel):
    """A day the campus is closed: timetables skip it."""

    day = pw.DateField(unique=True)
    name = pw.CharField(max_length=40, default="")

    class Meta:
        table_name = "holiday"


class SchoolClass(BaseModel):
    """班级: a small class or a one-to-one course, with its teacher, room, advisor and plan."""

    name = pw.CharField(max_length=60)
    subject = pw.CharField(max_length=20)
    grade = pw.CharField(max_length=10, default="")
    kind = pw.CharField(max_length=10, default="group")
    teacher = pw.ForeignKeyField(User, on_delete="RESTRICT")
    classroom = pw.ForeignKeyField(Classroom, null=True, on_delete="RESTRICT")
    capacity = pw.IntegerField(default=15)
    advisor = pw.ForeignKeyField(User, on_delete="RESTRICT")
    start_on = pw.DateField()
    planned_lessons = pw.IntegerField(default=16)
    lesson_hours = HoursField()
    status = pw.CharField(max_length=10, default="enrolling", index=True)
    created_at = UtcDateTimeField()
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")

    class Meta:
        table_name = "school_class"
        indexes = ((("teacher", "status"), False), (("advisor", "status"), False))


class Lesson(BaseModel):
    """课次: one scheduled lesson of a class; `day` is its local campus date."""

    klass = pw.ForeignKeyField(SchoolClass, backref="lessons", on_delete="RESTRICT", column_name="class_id",
                               object_id_name="klass_id")
    seq = pw.IntegerField(default=0)
    kind = pw.CharField(max_length=10, default="regular")
    day = pw.DateField()
    starts_at = UtcDateTimeField()
    ends_at = UtcDateTimeField()
    teacher = pw.ForeignKeyField(User, on_delete="RESTRICT")
    classroom = pw.ForeignKeyField(Classroom, null=True, on_delete="RESTRICT")
    hours = HoursField()
    status = pw.CharField(max_length=10, default="planned")
    confirmed_at = UtcDateTimeField(null=True)
    confirmed_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    note = pw.CharField(max_length=200, default="")

    class Meta:
        table_name = "lesson"
        indexes = ((("day", "teacher"), False), (("day", "classroom"), False), (("klass", "day"), False),
                   (("status", "day"), False))


class Enrolment(BaseModel):
    """A student in a class: regular, joined mid-way (插班), or for one lesson (trial, make-up)."""

    klass = pw.ForeignKeyField(SchoolClass, backref="enrolments", on_delete="RESTRICT", column_name="class_id",
                               object_id_name="klass_id")
    student = pw.ForeignKeyField(Student, on_delete="RESTRICT")
    kind = pw.CharField(max_length=10, default="regular")
    joined_on = pw.DateField()
    left_on = pw.DateField(null=True)
    status = pw.CharField(max_length=10, default="active")
    lesson = pw.ForeignKeyField(Lesson, null=True, on_delete="RESTRICT")
    result = pw.CharField(max_length=200, default="")
    created_at = UtcDateTimeField()
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")

    class Meta:
        table_name = "enrolment"
        indexes = ((("klass", "status"), False), (("student", "status"), False))


def active_on(day):
    """Condition: an enrolment that covers lessons on `day` (regular or joined, not yet left)."""
    return ((Enrolment.kind.in_(["regular", "join"])) & (Enrolment.joined_on <= day)
            & (Enrolment.left_on.is_null() | (Enrolment.left_on > day)))


class LeaveNotice(BaseModel):
    """请假: a student will miss a lesson; when it was reported decides whether hours are consumed."""

    lesson = pw.ForeignKeyField(Lesson, on_delete="RESTRICT")
    student = pw.ForeignKeyField(Student, on_delete="RESTRICT")
    reported_at = UtcDateTimeField()
    by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    reason = pw.CharField(max_length=200, default="")

    class Meta:
        table_name = "leave_notice"
        indexes = ((("lesson", "student"), True),)


class Attendance(BaseModel):
    """One student's mark at a confirmed lesson and the hours it consumed."""

    lesson = pw.ForeignKeyField(Lesson, backref="attendance", on_delete="RESTRICT")
    student = pw.ForeignKeyField(Student, on_delete="RESTRICT")
    mark = pw.CharField(max_length=10)
    hours = HoursField()
    at = UtcDateTimeField()
    by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    note = pw.CharField(max_length=200, default="")

    class Meta:
        table_name = "attendance"
        indexes = ((("lesson", "student"), True), (("student", "at"), False))


class Suspension(BaseModel):
    """停课: the student misses lessons from start to end (or until resumed earlier); no hours are consumed."""

    student = pw.ForeignKeyField(Student, on_delete="RESTRICT")
    start_on = pw.DateField()
    end_on = pw.DateField()
    resumed_on = pw.DateField(null=True)
    reason = pw.CharField(max_length=200, default="")
    by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    at = UtcDateTimeField()

    class Meta:
        table_name = "suspension"
        indexes = ((("student", "start_on"), False), (("resumed_on", "end_on"), False))


class Makeup(BaseModel):
    """A student sits in another lesson instead of one of theirs: 调课 ('moved') or 补课 for a missed one."""

    student = pw.ForeignKeyField(Student, on_delete="RESTRICT")
    kind = pw.CharField(max_length=10)
    missed_lesson = pw.ForeignKeyField(Lesson, on_delete="RESTRICT")
    missed_attendance = pw.ForeignKeyField(Attendance, null=True, unique=True, on_delete="RESTRICT")
    lesson = pw.ForeignKeyField(Lesson, on_delete="RESTRICT")
    by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    at = UtcDateTimeField()

    class Meta:
        table_name = "makeup"
        indexes = ((("missed_lesson", "student"), False), (("lesson", "student"), False))


class StudentChange(BaseModel):
    """学员异动: one recorded change with who, when, why, effective date and its effect on hours."""

    student = pw.ForeignKeyField(Student, on_delete="RESTRICT")
    kind = pw.CharField(max_length=12)
    klass = pw.ForeignKeyField(SchoolClass, null=True, on_delete="RESTRICT", column_name="class_id",
                               object_id_name="klass_id")
    to_klass = pw.ForeignKeyField(SchoolClass, null=True, on_delete="RESTRICT", column_name="to_class_id",
                                  object_id_name="to_klass_id")
    lesson = pw.ForeignKeyField(Lesson, null=True, on_delete="RESTRICT")
    effective_on = pw.DateField()
    reason = pw.CharField(max_length=200, default="")
    hours_effect = pw.CharField(max_length=200, default="")
    by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    at = UtcDateTimeField()

    class Meta:
        table_name = "student_change"
        indexes = ((("student", "at"), False), (("kind", "effective_on"), False))


class TeacherMonth(BaseModel):
    """老师课时核对: the teacher's and the campus's confirmation of a month's lessons and hours."""

    teacher = pw.ForeignKeyField(User, on_delete="RESTRICT")
    month = pw.CharField(max_length=7)
    teacher_lessons = pw.IntegerField(null=True)
    teacher_hours = HoursField(null=True)
    teacher_at = UtcDateTimeField(null=True)
    teacher_note = pw.CharField(max_length=200, default="")
    advisor_lessons = pw.IntegerField(null=True)
    advisor_hours = HoursField(null=True)
    advisor_at = UtcDateTimeField(null=True)
    advisor_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    advisor_note = pw.CharField(max_length=200, default="")

    class Meta:
        table_name = "teacher_month"
        indexes = ((("teacher", "month"), True), (("month",), False))
