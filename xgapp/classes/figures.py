"""Teaching figures: teacher hours per month with two-party confirmation, and the campus's monthly numbers."""

from flask_babel import lazy_gettext as _l
from peewee import fn

from xgapp import audit, clock, policy, sheets
from xgapp.accounts.models import User
from xgapp.classes.models import Attendance, Lesson, SchoolClass, TeacherMonth
from xgapp.db import hours_sum, write
from xgapp.hours.models import HourEntry
from xgapp.students.models import Student
from xgapp.validation import Invalid


def month_bounds(month):
    """'2026-09' -> (first day, first day of the next month); ValueError on anything else (years 2000–2099).

    The campus clock's `parse_month` and `month_days`; numbers still imports this name (until the merge).
    """
    return clock.month_days(clock.parse_month(month))


def teacher_rows(month, teacher=None):
    """Lessons held and hours taught per teacher and class in `month`: [(teacher id, class, lessons, hours)]."""
    first, following = month_bounds(month)
    query = (Lesson.select(Lesson.teacher, SchoolClass, fn.COUNT(Lesson.id).alias("n"),
                           fn.SUM(Lesson.hours).alias("h"))
             .join(SchoolClass)
             .where(Lesson.status == "done", Lesson.day >= first, Lesson.day < following)
             .group_by(Lesson.teacher, SchoolClass.id).order_by(Lesson.teacher, SchoolClass.name))
    if teacher is not None:
        query = query.where(Lesson.teacher == teacher)
    return [(row.teacher_id, row.klass, row.n, hours_sum(row.h)) for row in query]


def teacher_totals(month, teacher=None):
    """{teacher id: (lessons, hours)} for `month`."""
    totals = {}
    for teacher_id, _, n, h in teacher_rows(month, teacher):
        lessons, hours = totals.get(teacher_id, (0, hours_sum(0)))
        totals[teacher_id] = (lessons + n, hours + h)
    return totals


def may_confirm_as_advisor(user, teacher, month):
    """Managers, and advisors running a class the teacher taught that month, confirm for the campus side."""
    if policy.manages_classes(user):
        return True  # without reading the month's lessons
    return policy.may_confirm_teacher_month(user, [klass for _, klass, _, _ in teacher_rows(month, teacher)])


def confirm(by, teacher, month, side, note=""):
    """The teacher ('teacher') or the campus ('advisor') confirms the month's lessons and hours as they stand."""
    month_bounds(month)
    if side not in ("teacher", "advisor"):
        raise ValueError(side)
    if not policy.has_role(teacher, "teacher") and not teacher_totals(month, teacher):
        raise Invalid({"month": _l("%(name)s taught no lessons this month.", name=teacher.display_name)})
    if side == "teacher" and by.id != teacher.id:
        raise Invalid({"month": _l("Only the teacher confirms their own hours.")})
    if side == "advisor" and not may_confirm_as_advisor(by, teacher, month):
        raise Invalid({"month": _l("Only the supervisor or an advisor of the teacher's classes confirms.")})
    lessons, hours = teacher_totals(month, teacher).get(teacher.id, (0, hours_sum(0)))
    with write():
        row, _ = TeacherMonth.get_or_create(teacher=teacher, month=month)
        if getattr(row, side + "_at") is not None and \
                (getattr(row, side + "_lessons"), getattr(row, side + "_hours")) == (lessons, hours):
            raise Invalid({"month": _l("Already confirmed; nothing has changed since.")})
        before = audit.snapshot(row)
        if side == "teacher":
            row.teacher_lessons, row.teacher_hours, row.teacher_at = lessons, hours, clock.now()
            row.teacher_note = (note or "").strip()[:200]
        else:
            row.advisor_lessons, row.advisor_hours, row.advisor_at, row.advisor_by = lessons, hours, clock.now(), by
            row.advisor_note = (note or "").strip()[:200]
        row.save()
        audit.record(by, "update", "teacher_month", row.id, before=before, after=audit.snapshot(row),
                     summary="%s %s %s" % (teacher.display_name, month, side))
    return row


def verification(month):
    """One line per teacher who taught in `month` or confirmed it: totals, both confirmations, problems."""
    totals = teacher_totals(month)
    from peewee import JOIN

    confirmer = User.alias()
    checks = {row.teacher_id: row for row in TeacherMonth.select(TeacherMonth, confirmer)
              .join(confirmer, JOIN.LEFT_OUTER, on=(TeacherMonth.advisor_by == confirmer.id), attr="advisor_by")
              .where(TeacherMonth.month == month)}
    names = {u.id: u.display_name for u in User.select(User.id, User.display_name)
             .where(User.id.in_(list(set(totals) | set(checks)) or [0]))}
    lines = []
    for teacher_id in sorted(set(totals) | set(checks), key=lambda t: names.get(t, "")):
        lessons, hours = totals.get(teacher_id, (0, hours_sum(0)))
        check = checks.get(teacher_id)
        problems = []
        if check is None or check.teacher_at is None:
            problems.append((_l("the teacher has not confirmed"), False))
        if check is None or check.advisor_at is None:
            problems.append((_l("the campus has not confirmed"), False))
        if check is not None:
            for side, n, h in (("teacher", check.teacher_lessons, check.teacher_hours),
                               ("advisor", check.advisor_lessons, check.advisor_hours)):
                if getattr(check, side + "_at") is not None and (n, h) != (lessons, hours):
                    problems.append((_l("%(side)s confirmed %(n)d lessons / %(h)s h, the records now say "
                                        "%(m)d / %(k)s h", side=_l("teacher") if side == "teacher" else _l("campus"),
                                        n=n, h=h, m=lessons, k=hours), True))
            if check.teacher_note:
                problems.append((_l("teacher's note: %(note)s", note=check.teacher_note), True))
        lines.append({"teacher_id": teacher_id, "name": names.get(teacher_id, "—"), "lessons": lessons,
                      "hours": hours, "check": check, "problems": problems})
    return lines


def export_teacher_hours(month):
    """The month's teacher hours, by class, with both confirmations, as .xlsx bytes (for payroll)."""
    book = sheets.workbook()
    sheet = book.active
    sheet.title = "老师课时 %s" % month
    sheets.append(sheet, ["老师", "班级", "科目", "课次", "课时"])
    names = {u.id: u.display_name for u in User.select(User.id, User.display_name)}
    for teacher_id, klass, n, h in teacher_rows(month):
        sheets.append(sheet, [names.get(teacher_id, "—"), klass.name, klass.subject, n, h])
    summary = book.create_sheet("核对")
    sheets.append(summary, ["老师", "课次", "课时", "老师确认", "校区确认", "问题"])
    for line in verification(month):
        check = line["check"]
        stamp = (lambda at: clock.local(at).strftime("%Y-%m-%d %H:%M") if at else "")
        sheets.append(summary, [line["name"], line["lessons"], line["hours"],
                                stamp(check.teacher_at if check else None), stamp(check.advisor_at if check else None),
                                "；".join(str(text) for text, _ in line["problems"])])
    return sheets.saved(book)


def month_figures(month):
    """月报 numbers of teaching: lessons held, hours consumed, students, class size, teachers; and per advisor."""
    first, following = month_bounds(month)
    start, end = clock.month_bounds(first)
    held = Lesson.select().where(Lesson.status == "done", Lesson.day >= first, Lesson.day < following)
    lessons = held.count()
    present = (Attendance.select(Attendance.lesson, fn.COUNT(Attendance.id).alias("n"))
               .join(Lesson).where(Lesson.status == "done", Lesson.day >= first, Lesson.day < following,
                                   Attendance.mark.in_(["present", "late"])).group_by(Attendance.lesson))
    sizes = [row.n for row in present]
    attended = (Attendance.select(fn.COUNT(fn.DISTINCT(Attendance.student))).join(Lesson)
                .where(Lesson.day >= first, Lesson.day < following, Attendance.mark.in_(["present", "late"]))
                .scalar())
    teachers = held.select(fn.COUNT(fn.DISTINCT(Lesson.teacher))).scalar()
    # hours consumed: roll calls count in their lesson's month (even when confirmed a day late); manual
    # consumption and corrections in the month they were booked
    other = (HourEntry.kind.in_(["consume", "correction"]) & (HourEntry.at >= start) & (HourEntry.at < end)
             & ~HourEntry.source.startswith("lesson:"))
    of_lessons = (Attendance.select(Student.advisor, fn.SUM(Attendance.hours)).join(Lesson)
                  .switch(Attendance).join(Student, on=(Attendance.student == Student.id))
                  .where(Lesson.day >= first, Lesson.day < following).group_by(Student.advisor).tuples())
    booked = (HourEntry.select(Student.advisor, fn.SUM(HourEntry.hours)).join(Student)
              .where(other).group_by(Student.advisor).tuples())
    used = {}
    for advisor_id, total in of_lessons:
        used[advisor_id] = used.get(advisor_id, hours_sum(0)) + hours_sum(total)
    for advisor_id, total in booked:
        used[advisor_id] = used.get(advisor_id, hours_sum(0)) - hours_sum(total)
    consumed = sum(used.values(), hours_sum(0))
    per_advisor = []
    class_rows = (SchoolClass.select(SchoolClass.advisor, fn.COUNT(fn.DISTINCT(SchoolClass.id)))
                  .join(Lesson).where(Lesson.status == "done", Lesson.day >= first, Lesson.day < following)
                  .group_by(SchoolClass.advisor).tuples())
    classes_run = dict(class_rows)
    student_rows = (Student.select(Student.advisor, fn.COUNT(fn.DISTINCT(Attendance.student)))
                    .join(Attendance, on=(Attendance.student == Student.id)).join(Lesson)
                    .where(Lesson.day >= first, Lesson.day < following, Attendance.mark.in_(["present", "late"]))
                    .group_by(Student.advisor).tuples())
    students_taught = dict(student_rows)
    names = {u.id: u.display_name for u in User.select(User.id, User.display_name)}
    for advisor_id in sorted(set(used) | set(classes_run) | set(students_taught), key=lambda a: names.get(a, "")):
        if advisor_id is None:
            continue
        per_advisor.append({"name": names.get(advisor_id, "—"), "classes": classes_run.get(advisor_id, 0),
                            "students": students_taught.get(advisor_id, 0),
                            "hours": used.get(advisor_id, hours_sum(0))})
    return {"lessons": lessons, "hours": consumed, "students": attended or 0, "teachers": teachers or 0,
            "average_size": round(sum(sizes) / len(sizes), 1) if sizes else 0, "per_advisor": per_advisor}
