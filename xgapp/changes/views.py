"""Student-change page: suspension and resumption, moving one lesson, make-up, transfer, leaving a class."""

from datetime import timedelta

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from xgapp.changes import domain
from xgapp.classes import backdating
from xgapp.classes import domain as classes
from xgapp.classes.models import Attendance, Enrolment, Lesson, Makeup, SchoolClass, Suspension
from xgapp.web import form_date
from xgapp.i18n import campus_today, local
from xgapp.web import student_or_404
from xgapp.timetable.domain import WEEKDAYS
from xgapp.validation import Invalid, row_id

bp = Blueprint("changes", __name__, url_prefix="/changes")
HORIZON = 60  # days ahead offered when choosing a lesson


def _context(student, errors=None, form=None):
    today = backdating.clock_today()
    enrolments = list(Enrolment.select(Enrolment, SchoolClass).join(SchoolClass)
                      .where(Enrolment.student == student, Enrolment.status == "active",
                             Enrolment.kind.in_(["regular", "join"])).order_by(SchoolClass.name))
    subjects = {e.klass.subject for e in enrolments}
    mine = [e.klass_id for e in enrolments]
    upcoming = list(Lesson.select(Lesson, SchoolClass).join(SchoolClass)
                    .where(Lesson.klass.in_(mine or [0]), Lesson.status == "planned", Lesson.day >= today,
                           Lesson.day <= today + timedelta(days=HORIZON)).order_by(Lesson.starts_at))
    others = list(classes.visible(g.user, Lesson.select(Lesson, SchoolClass).join(SchoolClass))
                  .where(SchoolClass.subject.in_(list(subjects) or [""]), Lesson.klass.not_in(mine or [0]),
                         Lesson.status == "planned", Lesson.day >= today,
                         Lesson.day <= today + timedelta(days=HORIZON)).order_by(Lesson.starts_at))
    made_up = Makeup.select(Makeup.missed_attendance).where(Makeup.missed_attendance.is_null(False))
    missed = list(Attendance.select(Attendance, Lesson, SchoolClass).join(Lesson).join(SchoolClass)
                  .where(Attendance.student == student, Attendance.mark.in_(["leave", "absent"]),
                         Attendance.id.not_in(made_up)).order_by(Lesson.day.desc()).limit(20))
    targets = [k for k in classes.visible(g.user).where(SchoolClass.status != "ended").order_by(SchoolClass.name)
               if classes.may_manage(g.user, k)]
    suspensions = list(Suspension.select().where(Suspension.student == student)
                       .order_by(Suspension.start_on.desc()))

    def label(lesson):
        return "%s · %s %s %s" % (lesson.klass.name, lesson.day.isoformat(), WEEKDAYS[lesson.day.weekday()],
                                  local(lesson.starts_at).strftime("%H:%M"))

    errors = errors or {}
    return dict(student=student, enrolments=enrolments, errors=errors, form=form or {}, today=today,
                failed=next(iter(errors), None),
                upcoming=[(x.id, label(x)) for x in upcoming], others=[(x.id, label(x)) for x in others],
                missed=[(a.id, "%s · %s %s" % (a.lesson.klass.name, a.lesson.day.isoformat(),
                                                _("Leave") if a.mark == "leave" else _("Absent"))) for a in missed],
                targets=[(k.id, k.name) for k in targets], suspensions=suspensions, history=domain.history(student),
                resumable=lambda s: domain.resumable(s, today), day_after=lambda d: d + timedelta(days=1),
                kinds=domain.KINDS)


@bp.route("/student/<int:student_id>")
def student(student_id):
    """What can change for a student, and what did."""
    record = student_or_404(student_id, "edit")
    return render_template("changes/student.html", **_context(record))


def _lesson(form, name, allowed):
    """A lesson id posted from the page, only if it was one of the lessons offered there."""
    lesson_id = form.get(name, type=row_id)
    return Lesson.get_or_none(Lesson.id == lesson_id) if lesson_id in allowed else None


@bp.route("/student/<int:student_id>", methods=["POST"])
def record(student_id):
    """Record one change (the form says which)."""
    student = student_or_404(student_id, "edit")
    form, action = request.form, request.form.get("action")
    offered = _context(student)
    try:
        dates = {}
        if action == "suspend":
            start, end = form_date(form, "start", dates), form_date(form, "end", dates)
            if dates:
                raise Invalid(dates)
            domain.suspend(g.user, student, start, end, form.get("reason", ""))
            done = _("Suspension recorded.")
        elif action == "resume":
            suspension = Suspension.get_or_none(Suspension.id == form.get("suspension", type=row_id),
                                                Suspension.student == student) or abort(404)
            domain.resume(g.user, suspension, backdating.clock_today(), form.get("reason", ""))
            done = _("Back from suspension.")
        elif action == "move":
            from_lesson = _lesson(form, "from_lesson", {i for i, _ in offered["upcoming"]})
            to_lesson = _lesson(form, "to_lesson", {i for i, _ in offered["others"]})
            if from_lesson is None or to_lesson is None:
                raise Invalid({"to_lesson": _("Choose both lessons.")})
            domain.move_student(g.user, student, from_lesson, to_lesson, form.get("reason", ""))
            done = _("Lesson moved for %(name)s.", name=student.name)
        elif action == "makeup":
            missed = Attendance.get_or_none(Attendance.id == form.get("missed", type=row_id),
                                            Attendance.student == student)
            lesson = _lesson(form, "makeup_lesson", {i for i, _ in offered["upcoming"] + offered["others"]})
            if missed is None or lesson is None:
                raise Invalid({"makeup_lesson": _("Choose the missed lesson and the make-up lesson.")})
            domain.book_makeup(g.user, student, missed, lesson, form.get("reason", ""))
            done = _("Make-up lesson booked.")
        elif action in ("transfer", "leave_class", "finish"):
            enrolment = Enrolment.get_or_none(Enrolment.id == form.get("enrolment", type=row_id),
                                              Enrolment.student == student)
            if enrolment is None:
                raise Invalid({"enrolment": _("Choose the class.")})
            on = form_date(form, "on", dates, campus_today())
            if dates:
                raise Invalid(dates)
            if action == "transfer":
                target = SchoolClass.get_or_none(SchoolClass.id == form.get("to_klass", type=row_id))
                if target is None or target.id not in {i for i, _ in offered["targets"]}:
                    raise Invalid({"to_klass": _("Choose the new class.")})
                domain.transfer(g.user, enrolment, target, on, form.get("reason", ""))
                done = _("Transferred to %(klass)s.", klass=target.name)
            else:
                domain.leave_class(g.user, enrolment, on, form.get("reason", ""), finished=action == "finish")
                done = _("Recorded.")
        else:
            abort(400)
    except Invalid as exc:
        return render_template("changes/student.html", **_context(student, {action: exc.errors}, form)), 422
    flash(done, "success")
    return redirect(url_for("changes.student", student_id=student.id), code=303)
