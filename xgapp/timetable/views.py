"""Timetable pages: the week grid (campus, teacher, room, advisor, student, class) and moving a lesson."""

from datetime import timedelta

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from xgapp import clock, nav, policy
from xgapp.pagecache import cached
from xgapp.accounts.models import User
from xgapp.classes import domain as classes
from xgapp.classes.forms import typed
from xgapp.classes.models import Classroom, Lesson, SchoolClass
from xgapp.policy import can
from xgapp.security import require
from xgapp.students import domain as students
from xgapp.students.models import Student
from xgapp.timetable import domain, forms
from xgapp.validation import Invalid, row_id
from xgapp.web import class_or_404, parse_date

bp = Blueprint("timetable", __name__, url_prefix="/timetable")
nav.register("timetable.index", _l("Timetable"), "timetable.view", order=32)

MOVE_FIELDS = ("day", "start", "end", "classroom", "reason")
LESSON_STATUSES = {"planned": _l("Planned"), "done": _l("Held"), "cancelled": _l("Cancelled")}


@bp.app_template_global()
def weekday(day):
    """The short weekday name of a date (周六 / Sat)."""
    return domain.WEEKDAYS[day.weekday()]


@bp.app_template_global()
def lesson_status(code, ends_at=None):
    """The status of a lesson as people say it; a planned lesson that is over is one whose roll was not taken."""
    if code == "planned" and ends_at is not None and ends_at <= clock.now():
        return _("Roll call not taken")
    return LESSON_STATUSES.get(code, code)


def _monday(day):
    return day - timedelta(days=day.weekday())


@bp.route("/")
@require("timetable.view")
@cached
def index():
    """One week of lessons, for the campus or one teacher, room, advisor, student or class."""
    monday = _monday(parse_date(request.args.get("week")) or clock.today())
    args = {k: request.args.get(k, type=row_id) for k in ("teacher", "room", "advisor", "student", "klass")}
    student = None
    if args["student"]:
        student = policy.students_visible_to(g.user).where(Student.id == args["student"]).first() or abort(404)
    klass = policy.classes_visible_to(g.user).where(SchoolClass.id == args["klass"]).first() if args["klass"] else None
    days = domain.week(monday, g.user, teacher=args["teacher"], classroom=args["room"],
                       advisor=args["advisor"], student=student, klass=klass)
    title = student.name if student else klass.name if klass else None
    if title is None and args["teacher"]:
        title = getattr(User.get_or_none(User.id == args["teacher"]), "display_name", None)
    if title is None and args["room"]:
        title = getattr(Classroom.get_or_none(Classroom.id == args["room"]), "name", None)
    filters = {k: v for k, v in args.items() if v}
    shown = {lesson.klass_id for lessons in days.values() for lesson in lessons}
    linkable = {c.id for c in policy.classes_visible_to(g.user, SchoolClass.select(SchoolClass.id).where(
        SchoolClass.id.in_(list(shown))))} if shown and can(g.user, "classes.view") else set()
    return render_template("timetable/week.html", days=days, monday=monday, today=clock.today(), title=title,
                           linkable=linkable,
                           filters=filters, prev=(monday - timedelta(days=7)).isoformat(),
                           next=(monday + timedelta(days=7)).isoformat(),
                           teachers=list(classes.teachers()), rooms=classes.rooms(),
                           advisors=list(students.advisors()))


def _movable_or_404(lesson_id):
    """A lesson of a class the user may change: (lesson, class); 404 / 403 otherwise."""
    lesson = Lesson.get_or_none(Lesson.id == lesson_id) or abort(404)
    return lesson, class_or_404(lesson.klass_id, manage=True)


def _move_page(lesson, klass, values, errors=None):
    rooms = [("", "—")] + [(r.id, r.name) for r in classes.rooms()]
    return render_template("timetable/move.html", lesson=lesson, klass=klass, values=values, errors=errors or {},
                           rooms=rooms), 422 if errors else 200


@bp.route("/lesson/<int:lesson_id>/move")
@require("classes.view")
def move_form(lesson_id):
    """调课: the form that moves one planned lesson or cancels it."""
    lesson, klass = _movable_or_404(lesson_id)
    return _move_page(lesson, klass, {
        "day": lesson.day.isoformat(), "start": clock.local(lesson.starts_at).strftime("%H:%M"),
        "end": clock.local(lesson.ends_at).strftime("%H:%M"), "classroom": lesson.classroom_id or "", "reason": ""})


@bp.route("/lesson/<int:lesson_id>/move", methods=["POST"])
@require("classes.view")
def move(lesson_id):
    """调课: move one planned lesson; a clash is explained and nothing changes."""
    lesson, klass = _movable_or_404(lesson_id)
    try:
        values = forms.parse_move(request.form, g.user)
        domain.move(g.user, lesson, values["day"], values["start"], values["end"], values["classroom"],
                    values["reason"])
    except Invalid as exc:
        return _move_page(lesson, klass, typed(request.form, MOVE_FIELDS), exc.errors)
    flash(_("Lesson moved."), "success")
    return redirect(url_for("classes.show", class_id=klass.id), code=303)


@bp.route("/lesson/<int:lesson_id>/cancel", methods=["POST"])
@require("classes.view")
def cancel(lesson_id):
    """Cancel one planned lesson (nobody is charged)."""
    lesson, klass = _movable_or_404(lesson_id)
    try:
        domain.cancel(g.user, lesson, forms.parse_cancel(request.form)["reason"])
    except Invalid as exc:
        return _move_page(lesson, klass, typed(request.form, MOVE_FIELDS), exc.errors)
    flash(_("Lesson cancelled."), "success")
    return redirect(url_for("classes.show", class_id=klass.id), code=303)
