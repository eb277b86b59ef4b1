"""Roll-call pages: today's lessons, one lesson's roll call (one tap per student), leave notices."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from xgapp import nav
from xgapp.attendance import domain
from xgapp.campus import rules
from xgapp.classes import domain as classes
from xgapp.classes.models import Lesson, SchoolClass
from xgapp.web import parse_date
from xgapp.db import utcnow
from xgapp.hours import domain as hours
from xgapp.i18n import campus_today
from xgapp.security import can, require
from xgapp.students import domain as students
from xgapp.students.models import Student
from xgapp.validation import Invalid, row_id

bp = Blueprint("attendance", __name__, url_prefix="/attendance")
nav.register("attendance.index", _l("Roll call"), "attendance.take", order=34)


@bp.route("/")
@require("attendance.take")
def index():
    """The lessons of a day (default today) the user takes attendance for."""
    day = parse_date(request.args.get("day")) or campus_today()
    lessons = domain.today_lessons(g.user, day)
    return render_template("attendance/index.html", lessons=lessons, day=day, today=campus_today())


def lesson_or_404(lesson_id):
    lesson = Lesson.get_or_none(Lesson.id == lesson_id) or abort(404)
    if not classes.visible(g.user).where(SchoolClass.id == lesson.klass_id).exists():
        abort(404)
    return lesson


def _page(lesson, errors=None, status=200, marks=None):
    expected = domain.roster(lesson)
    money = [s.id for s, _, _ in expected if "money" in students.access(g.user, s)]  # hours left: as on the file
    balances = hours.balances_for(money) if money else {}
    done = domain.marks_of(lesson) if lesson.status == "done" else {}
    return render_template(
        "attendance/lesson.html", lesson=lesson, klass=lesson.klass, expected=expected, balances=balances,
        done=done, marks=marks or {}, errors=errors or {}, labels=domain.MARKS,
        may_take=domain.may_take(g.user, lesson) and can(g.user, "attendance.take"),
        may_overdraft=can(g.user, "hours.overdraft"), in_time=lambda n: domain.leave_in_time(n, lesson),
        opens=lesson.day <= campus_today() and lesson.starts_at <= utcnow(), enrolment_kinds=classes.ENROLMENT_KINDS,
        notice_hours=rules.get("leave_notice_hours"), leave_late=domain.leave_late(lesson),
        leave_choices=[("", "—")] + [(s.id, s.name) for s, _, notice in expected if notice is None]), status


@bp.route("/lesson/<int:lesson_id>")
@require("attendance.take")
def lesson(lesson_id):
    """One lesson's roll call (or its confirmed marks)."""
    return _page(lesson_or_404(lesson_id))


@bp.route("/lesson/<int:lesson_id>", methods=["POST"])
@require("attendance.take")
def confirm(lesson_id):
    """Confirm the roll call: marks saved, hours consumed, lesson locked — all at once."""
    lesson = lesson_or_404(lesson_id)
    if not domain.may_take(g.user, lesson):
        abort(403)
    marks = {key[5:]: value for key, value in request.form.items() if key.startswith("mark-")}
    results = {key[7:]: value for key, value in request.form.items() if key.startswith("result-")}
    try:
        domain.confirm(g.user, lesson, marks, request.form.get("overdraft_reason") or None, results=results)
    except Invalid as exc:
        return _page(lesson, exc.errors, 422, marks)
    flash(_("Attendance confirmed; hours were consumed."), "success")
    return redirect(url_for("attendance.lesson", lesson_id=lesson.id), code=303)


@bp.route("/lesson/<int:lesson_id>/leave", methods=["POST"])
@require("attendance.take")
def leave(lesson_id):
    """请假: record that a student will miss this lesson (the time it was reported counts)."""
    lesson = lesson_or_404(lesson_id)
    if not domain.may_take(g.user, lesson):
        abort(403)
    student = Student.get_or_none(Student.id == request.form.get("leave_student", type=row_id))
    try:
        if student is None:
            raise Invalid({"leave_student": _("Choose the student.")})
        notice = domain.report_leave(g.user, lesson, student, request.form.get("leave_reason", ""))
    except Invalid as exc:
        return _page(lesson, {"leave_" + k: v for k, v in exc.errors.items()}, 422)
    if domain.leave_in_time(notice, lesson):
        flash(_("Leave recorded for %(name)s.", name=student.name), "success")
    else:
        flash(_("Leave recorded for %(name)s; it was reported less than %(h)d hours before the lesson, so "
                "%(hours)s hours will be consumed.", name=student.name, h=rules.get("leave_notice_hours"),
                hours=lesson.hours), "warning")
    return redirect(url_for("attendance.lesson", lesson_id=lesson.id), code=303)
