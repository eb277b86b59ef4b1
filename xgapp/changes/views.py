"""Student-change page: suspension and resumption, moving one lesson, make-up, transfer, leaving a class.

One handler per action; each re-renders the page with its own form's errors and values (422) when it fails.
"""

from datetime import timedelta

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from xgapp import clock
from xgapp.changes import domain, forms
from xgapp.timetable.domain import WEEKDAYS
from xgapp.validation import Invalid
from xgapp.web import student_or_404

bp = Blueprint("changes", __name__, url_prefix="/changes")


def _label(lesson):
    return "%s · %s %s %s" % (lesson.klass.name, lesson.day.isoformat(), WEEKDAYS[lesson.day.weekday()],
                              clock.local(lesson.starts_at).strftime("%H:%M"))


def _page(student, offered, form=None, errors=None, values=None, status=200):
    """The change page; `form` names the form that failed, shown with its `errors` and the `values` typed."""
    today = clock.today()
    missed = [(a.id, "%s · %s %s" % (a.lesson.klass.name, a.lesson.day.isoformat(),
                                      _("Leave") if a.mark == "leave" else _("Absent"))) for a in offered["missed"]]
    return render_template(
        "changes/student.html", student=student, today=today,
        class_options=[(en.id, en.klass.name) for en in offered["enrolments"]],
        errors={form: errors} if form else {}, values={form: values} if form else {},
        upcoming=[(x.id, _label(x)) for x in offered["upcoming"]], others=[(x.id, _label(x)) for x in offered["others"]],
        missed=missed, targets=[(k.id, k.name) for k in offered["targets"]], suspensions=offered["suspensions"],
        history=domain.history(student), resumable={s.id: domain.resumable(s, today) for s in offered["suspensions"]},
        day_after=lambda d: d + timedelta(days=1), kinds=domain.KINDS,
        back=url_for("changes.student", student_id=student.id)), status


def _done(student, message):
    flash(message, "success")
    return redirect(url_for("changes.student", student_id=student.id), code=303)


def _failed(student, offered, form, exc):
    return _page(student, offered, form, exc.errors, request.form.to_dict(), 422)


def _open(student_id):
    student = student_or_404(student_id, "edit")
    return student, domain.offered(g.user, student, clock.today())


@bp.route("/student/<int:student_id>")
def student(student_id):
    """What can change for a student, and what did."""
    return _page(*_open(student_id))


@bp.route("/student/<int:student_id>/suspend", methods=["POST"])
def suspend(student_id):
    """停课 from one day to another, with the reason."""
    student, offered = _open(student_id)
    try:
        values = forms.parse_suspend(request.form)
        domain.suspend(g.user, student, values["start"], values["end"], values["reason"])
    except Invalid as exc:
        return _failed(student, offered, "suspend", exc)
    return _done(student, _("Suspension recorded."))


@bp.route("/student/<int:student_id>/resume", methods=["POST"])
def resume(student_id):
    """Back from a suspension today (or, past its end, as planned)."""
    student, offered = _open(student_id)
    try:
        values = forms.parse_resume(request.form, student)
        domain.resume(g.user, values["suspension"], clock.today(), values["reason"])
    except Invalid as exc:
        return _failed(student, offered, "resume", exc)
    return _done(student, _("Back from suspension."))


@bp.route("/student/<int:student_id>/move", methods=["POST"])
def move(student_id):
    """调课: skip one lesson of the student's class and attend another of the same subject."""
    student, offered = _open(student_id)
    try:
        values = forms.parse_move(request.form, offered)
        domain.move_student(g.user, student, values["from_lesson"], values["to_lesson"], values["reason"])
    except Invalid as exc:
        return _failed(student, offered, "move", exc)
    return _done(student, _("Lesson moved for %(name)s.", name=student.name))


@bp.route("/student/<int:student_id>/makeup", methods=["POST"])
def makeup(student_id):
    """补课 for a missed lesson."""
    student, offered = _open(student_id)
    try:
        values = forms.parse_makeup(request.form, student, offered)
        domain.book_makeup(g.user, student, values["missed"], values["lesson"], values["reason"])
    except Invalid as exc:
        return _failed(student, offered, "makeup", exc)
    return _done(student, _("Make-up lesson booked."))


@bp.route("/student/<int:student_id>/transfer", methods=["POST"])
def transfer(student_id):
    """转班: leave one class and join another from a day."""
    student, offered = _open(student_id)
    try:
        values = forms.parse_class_change(request.form, student, offered, transfer=True)
        domain.transfer(g.user, values["enrolment"], values["to_klass"], values["on"], values["reason"])
    except Invalid as exc:
        return _failed(student, offered, "class", exc)
    return _done(student, _("Transferred to %(klass)s.", klass=values["to_klass"].name))


@bp.route("/student/<int:student_id>/leave", methods=["POST"])
def leave_class(student_id):
    """退班: no lessons of the class from a day."""
    return _class_ends(student_id, finished=False)


@bp.route("/student/<int:student_id>/finish", methods=["POST"])
def finish(student_id):
    """结课 for the student in one class."""
    return _class_ends(student_id, finished=True)


def _class_ends(student_id, finished):
    student, offered = _open(student_id)
    try:
        values = forms.parse_class_change(request.form, student, offered)
        domain.leave_class(g.user, values["enrolment"], values["on"], values["reason"], finished=finished)
    except Invalid as exc:
        return _failed(student, offered, "class", exc)
    return _done(student, _("Recorded."))
