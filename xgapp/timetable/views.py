"""Timetable pages: the week grid (campus, teacher, room, advisor, student, class) and moving a lesson."""

from datetime import timedelta

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from xgapp import nav
from xgapp.accounts.models import User
from xgapp.classes import domain as classes
from xgapp.classes.models import Classroom, Lesson, SchoolClass
from xgapp.web import parse_date, parse_time
from xgapp.db import utcnow
from xgapp.i18n import campus_today, local
from xgapp.security import can, require
from xgapp.students import domain as students
from xgapp.students.models import Student
from xgapp.timetable import domain
from xgapp.validation import Invalid, row_id

bp = Blueprint("timetable", __name__, url_prefix="/timetable")
nav.register("timetable.index", _l("Timetable"), "timetable.view", order=32)

LESSON_STATUSES = {"planned": _l("Planned"), "done": _l("Held"), "cancelled": _l("Cancelled")}


@bp.app_template_global()
def weekday(day):
    """The short weekday name of a date (周六 / Sat)."""
    return domain.WEEKDAYS[day.weekday()]


@bp.app_template_global()
def weekday_name(number):
    return domain.WEEKDAYS[number]


@bp.app_template_global()
def lesson_status(code, ends_at=None):
    """The status of a lesson as people say it; a planned lesson that is over is one whose roll was not taken."""
    if code == "planned" and ends_at is not None and ends_at <= utcnow():
        return _("Roll call not taken")
    return LESSON_STATUSES.get(code, code)


def _monday(day):
    return day - timedelta(days=day.weekday())


@bp.route("/")
@require("timetable.view")
def index():
    """One week of lessons, for the campus or one teacher, room, advisor, student or class."""
    monday = _monday(parse_date(request.args.get("week")) or campus_today())
    args = {k: request.args.get(k, type=row_id) for k in ("teacher", "room", "advisor", "student", "klass")}
    student = None
    if args["student"]:
        student = students.visible(g.user).where(Student.id == args["student"]).first() or abort(404)
    klass = classes.visible(g.user).where(SchoolClass.id == args["klass"]).first() if args["klass"] else None
    days = domain.week(monday, g.user, teacher=args["teacher"], classroom=args["room"],
                       advisor=args["advisor"], student=student, klass=klass)
    title = student.name if student else klass.name if klass else None
    if title is None and args["teacher"]:
        title = getattr(User.get_or_none(User.id == args["teacher"]), "display_name", None)
    if title is None and args["room"]:
        title = getattr(Classroom.get_or_none(Classroom.id == args["room"]), "name", None)
    filters = {k: v for k, v in args.items() if v}
    shown = {lesson.klass_id for lessons in days.values() for lesson in lessons}
    linkable = {c.id for c in classes.visible(g.user, SchoolClass.select(SchoolClass.id).where(
        SchoolClass.id.in_(list(shown))))} if shown and can(g.user, "classes.view") else set()
    return render_template("timetable/week.html", days=days, monday=monday, today=campus_today(), title=title,
                           linkable=linkable,
                           filters=filters, prev=(monday - timedelta(days=7)).isoformat(),
                           next=(monday + timedelta(days=7)).isoformat(),
                           teachers=list(classes.teachers()), rooms=classes.rooms(),
                           advisors=list(students.advisors()))


@bp.route("/lesson/<int:lesson_id>/move", methods=["GET", "POST"])
@require("classes.view")
def move(lesson_id):
    """调课: move one planned lesson; a clash is explained and nothing changes."""
    lesson = Lesson.get_or_none(Lesson.id == lesson_id) or abort(404)
    klass = classes.visible(g.user).where(SchoolClass.id == lesson.klass_id).first() or abort(404)
    if not classes.may_manage(g.user, klass):
        abort(403)
    errors = {}
    form = request.form
    if request.method == "POST":
        try:
            if form.get("action") == "cancel":
                domain.cancel(g.user, lesson, form.get("reason", ""))
                flash(_("Lesson cancelled."), "success")
            else:
                room = Classroom.get_or_none(Classroom.id == form.get("classroom", type=row_id))
                domain.move(g.user, lesson, parse_date(form.get("day")), parse_time(form.get("start")),
                            parse_time(form.get("end")), room, form.get("reason", ""))
                flash(_("Lesson moved."), "success")
        except Invalid as exc:
            errors = exc.errors
        else:
            return redirect(url_for("classes.show", class_id=klass.id), code=303)
    values = dict(form) if request.method == "POST" else {
        "day": lesson.day.isoformat(), "start": local(lesson.starts_at).strftime("%H:%M"),
        "end": local(lesson.ends_at).strftime("%H:%M"), "classroom": lesson.classroom_id or "", "reason": ""}
    rooms = [("", "—")] + [(r.id, r.name) for r in classes.rooms()]
    return render_template("timetable/move.html", lesson=lesson, klass=klass, values=values, errors=errors,
                           rooms=rooms), 422 if errors else 200
