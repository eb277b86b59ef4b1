"""Meeting pages: classes whose briefing is missing or late, one class's briefing, first-lesson feedback."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from xgapp import nav
from xgapp.audit.views import register_table
from xgapp.classes import domain as classes
from xgapp.classes.views import class_or_404
from xgapp.db import utcnow
from xgapp.i18n import campus_today, local
from xgapp.meetings import briefings
from xgapp.meetings.models import BriefingAttendee
from xgapp.security import require
from xgapp.students import domain as students
from xgapp.students.models import Student
from xgapp.validation import Invalid

bp = Blueprint("meetings", __name__, url_prefix="/meetings")
nav.register("meetings.index", _l("Meetings"), "meetings.view", order=27)
register_table("briefing", _l("Pre-class briefing"))
register_table("first_lesson_feedback", _l("First-lesson feedback"))


@bp.route("/")
@require("meetings.view")
def index():
    """Classes at risk (briefing missing, late or not recorded) and briefings to hold or file."""
    return render_template("meetings/index.html", risk=briefings.at_risk(g.user, campus_today()),
                           upcoming=briefings.upcoming(g.user), now=utcnow())


def _page(klass, errors=None, status=200, values=None):
    briefing = briefings.of_class(klass)
    lesson = briefings.first_lesson(klass)
    now = utcnow()
    attendees = list(BriefingAttendee.select().where(BriefingAttendee.briefing == briefing)) if briefing else []
    may_manage = classes.may_manage(g.user, klass)
    shown = set()  # errors shown beside a field of a form on the page; the rest go in a banner
    if may_manage and (briefing is None or briefing.status != "held"):
        shown |= {"starts_at", "place", "override_reason"}
    if may_manage and briefing is not None and briefing.status != "held" and briefing.starts_at <= now:
        shown |= {"syllabus", "sessions", "goals", "qa", "came"}
    return render_template(
        "meetings/briefing.html", klass=klass, briefing=briefing, lesson=lesson, attendees=attendees,
        expected=briefings.expected(briefing) if briefing else [], errors=errors or {}, values=values or {},
        deadline=briefings.deadline(klass), problem=briefings.problem(klass, briefing, now), now=now,
        may_manage=may_manage, may_override=briefings.may_override(g.user),
        banner=[message for key, message in (errors or {}).items() if key not in shown],
        happened=briefing is not None and briefing.starts_at <= now,
        default_when=local(briefings.deadline(klass) or now)), status


@bp.route("/briefing/<int:class_id>")
@require("meetings.view")
def briefing(class_id):
    """A class's pre-class briefing: when and where, then who came and what was said, then the signed paper."""
    return _page(class_or_404(class_id))


@bp.route("/briefing/<int:class_id>/schedule", methods=["POST"])
@require("meetings.view")
def schedule(class_id):
    klass = class_or_404(class_id, manage=True)
    values = {k: request.form.get(k, "") for k in ("day", "time", "place", "override_reason")}
    try:
        briefings.schedule(g.user, klass, briefings.parse_when(values["day"], values["time"]), values["place"],
                           values["override_reason"])
    except Invalid as exc:
        return _page(klass, exc.errors, 422, values)
    flash(_("The briefing is scheduled."), "success")
    return redirect(url_for("meetings.briefing", class_id=klass.id), code=303)


@bp.route("/briefing/<int:class_id>/record", methods=["POST"])
@require("meetings.view")
def record(class_id):
    klass = class_or_404(class_id, manage=True)
    briefing = briefings.of_class(klass) or abort(404)
    came = {key[5:]: value for key, value in request.form.items() if key.startswith("came-")}
    try:
        briefings.record(g.user, briefing, request.form, came)
    except Invalid as exc:
        return _page(klass, exc.errors, 422, dict(request.form.items()))
    flash(_("The briefing is recorded; it is now in every student's file."), "success")
    return redirect(url_for("meetings.briefing", class_id=klass.id), code=303)


@bp.route("/briefing/<int:class_id>/paper", methods=["POST"])
@require("meetings.view")
def paper(class_id):
    klass = class_or_404(class_id, manage=True)
    briefing = briefings.of_class(klass) or abort(404)
    try:
        briefings.mark_paper(g.user, briefing)
    except Invalid as exc:
        return _page(klass, exc.errors, 422)
    flash(_("The signed record is filed."), "success")
    return redirect(url_for("meetings.briefing", class_id=klass.id), code=303)


@bp.route("/feedback/<int:class_id>/<int:student_id>", methods=["GET", "POST"])
@require("meetings.view")
def feedback(class_id, student_id):
    """第一次课后备忘录: the student's, the teacher's and the parent's view of the first lesson."""
    klass = class_or_404(class_id)
    student = Student.get_or_none(Student.id == student_id) or abort(404)
    if "view" not in students.access(g.user, student):
        abort(404)
    existing = briefings.feedback_of(klass, student)
    may_write = classes.may_manage(g.user, klass) or klass.teacher_id == g.user.id
    errors, status = {}, 200
    values = {k: getattr(existing, k) for k in ("from_student", "from_teacher", "from_parent")} if existing else {}
    if request.method == "POST":
        if not may_write:
            abort(403)
        values = {k: request.form.get(k, "") for k in ("from_student", "from_teacher", "from_parent")}
        try:
            briefings.save_feedback(g.user, klass, student, values)
        except Invalid as exc:
            errors, status = exc.errors, 422
        else:
            flash(_("First-lesson feedback of %(name)s saved.", name=student.name), "success")
            return redirect(url_for("students.show", student_id=student.id) + "#timeline", code=303)
    return render_template("meetings/feedback.html", klass=klass, student=student, values=values, errors=errors,
                           may_write=may_write, existing=existing), status
