"""Roll-call pages: today's lessons, one lesson's roll call (one tap per student), leave notices."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from xgapp import clock, nav, policy
from xgapp.pagecache import cached
from xgapp.attendance import domain, forms
from xgapp.campus import rules
from xgapp.classes import domain as classes
from xgapp.classes.models import Lesson, SchoolClass
from xgapp.hours import domain as hours
from xgapp.policy import can
from xgapp.security import require
from xgapp.validation import Invalid
from xgapp.web import parse_date

bp = Blueprint("attendance", __name__, url_prefix="/attendance")
nav.register("attendance.index", _l("Roll call"), "attendance.take", order=34)


@bp.route("/")
@require("attendance.take")
def index():
    """The lessons of a day (default today) the user takes attendance for."""
    day = parse_date(request.args.get("day")) or clock.today()
    lessons = domain.today_lessons(g.user, day)
    return render_template("attendance/index.html", lessons=lessons, day=day, today=clock.today())


def lesson_or_404(lesson_id):
    lesson = Lesson.get_or_none(Lesson.id == lesson_id) or abort(404)
    if not policy.classes_visible_to(g.user).where(SchoolClass.id == lesson.klass_id).exists():
        abort(404)
    return lesson


def _taker_or_403(lesson_id):
    lesson = lesson_or_404(lesson_id)
    if not policy.may_take_roll_call(g.user, lesson):
        abort(403)
    return lesson


def _page(lesson, errors=None, values=None):
    """The roll call; after a refused confirmation or leave, with the messages and what was typed, 422."""
    expected = classes.roster(lesson)
    money = [s.id for s, _, _ in expected if "money" in policy.student_access(g.user, s)]  # hours left: as on the file
    balances = hours.balances_for(money) if money else {}
    done = domain.marks_of(lesson) if lesson.status == "done" else {}
    return render_template(
        "attendance/lesson.html", lesson=lesson, klass=lesson.klass, expected=expected, balances=balances,
        done=done, values=values or {}, errors=errors or {}, labels=domain.MARKS,
        may_take=policy.may_take_roll_call(g.user, lesson) and can(g.user, "attendance.take"),
        may_overdraft=can(g.user, "hours.overdraft"), in_time=lambda n: domain.leave_in_time(n, lesson),
        opens=lesson.day <= clock.today() and lesson.starts_at <= clock.now(), enrolment_kinds=classes.ENROLMENT_KINDS,
        notice_hours=rules.get("leave_notice_hours"), leave_late=domain.leave_late(lesson),
        leave_choices=[("", "—")] + [(s.id, s.name) for s, _, notice in expected if notice is None]), \
        422 if errors else 200


@bp.route("/lesson/<int:lesson_id>")
@require("attendance.take")
@cached
def lesson(lesson_id):
    """One lesson's roll call (or its confirmed marks)."""
    return _page(lesson_or_404(lesson_id))


@bp.route("/lesson/<int:lesson_id>", methods=["POST"])
@require("attendance.take")
def confirm(lesson_id):
    """Confirm the roll call: marks saved, hours consumed, lesson locked — all at once."""
    lesson = _taker_or_403(lesson_id)
    try:
        values = forms.parse_roll_call(request.form, lesson)
        domain.confirm(g.user, lesson, values["marks"], values["overdraft_reason"], results=values["results"])
    except Invalid as exc:
        return _page(lesson, exc.errors, request.form.to_dict())
    flash(_("Attendance confirmed; hours were consumed."), "success")
    return redirect(url_for("attendance.lesson", lesson_id=lesson.id), code=303)


@bp.route("/lesson/<int:lesson_id>/leave", methods=["POST"])
@require("attendance.take")
def leave(lesson_id):
    """请假: record that a student will miss this lesson (the time it was reported counts)."""
    lesson = _taker_or_403(lesson_id)
    try:
        values = forms.parse_leave(request.form, lesson)
    except Invalid as exc:
        return _page(lesson, exc.errors, request.form.to_dict())
    student = values["student"]
    try:
        notice = domain.report_leave(g.user, lesson, student, values["reason"])
    except Invalid as exc:
        return _page(lesson, {"leave_" + k: v for k, v in exc.errors.items()}, request.form.to_dict())
    if domain.leave_in_time(notice, lesson):
        flash(_("Leave recorded for %(name)s.", name=student.name), "success")
    else:
        flash(_("Leave recorded for %(name)s; it was reported less than %(h)d hours before the lesson, so "
                "%(hours)s hours will be consumed.", name=student.name, h=rules.get("leave_notice_hours"),
                hours=lesson.hours), "warning")
    return redirect(url_for("attendance.lesson", lesson_id=lesson.id), code=303)
