"""Follow-up pages: the advisor's to-do list, quick entry on a tablet, correcting one's own, the supervisor's panel."""

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from xgapp import clock, nav, policy, scheduler
from xgapp.accounts.models import User
from xgapp.followups import domain, engine, forms
from xgapp.followups.models import FollowTask, FollowUp
from xgapp.policy import can
from xgapp.security import local_path, require
from xgapp.students import domain as students
from xgapp.students.models import Student
from xgapp.validation import Invalid, row_id

bp = Blueprint("followups", __name__, url_prefix="/followups")
nav.register("followups.index", _l("Follow-ups"), "followups.view", order=25)


def _advisor_param():
    """Managers may look at one advisor's list (?advisor=); everyone else sees their own."""
    wanted = request.args.get("advisor", type=row_id)
    if wanted and can(g.user, "followups.manage"):
        return User.get_or_none(User.id == wanted) or abort(404)
    return g.user


TASKS_SHOWN = 30  # a page: the earliest due first, a long backlog page after page


def _todo(errors=None, status=200, retry=None, advisor=None):
    """The to-do list (of `advisor`, default: as asked); `errors` and `retry` ({task id: what was typed}) reopen
    one task's postpone box."""
    today = clock.today()
    advisor = advisor or _advisor_param()
    manage = can(g.user, "followups.manage")
    until = today + timedelta(days=7)
    # The page from ?from=<task> on; a refused postpone reopens its task's box at the top of the page.
    start_id = next(iter(errors)) if errors else request.args.get("from", type=row_id)
    start = (FollowTask.select(FollowTask, Student).join(Student, on=(FollowTask.student == Student.id))
             .where(FollowTask.id == start_id).first()
             if start_id else None)
    tasks = domain.open_tasks(g.user, advisor=advisor, until=until, limit=TASKS_SHOWN + 1, start=start)
    later = tasks[TASKS_SHOWN].id if len(tasks) > TASKS_SHOWN else None
    tasks = tasks[:TASKS_SHOWN]
    total = domain.open_task_count(g.user, advisor, until) if start or later else len(tasks)
    return render_template(
        "followups/index.html", advisor=advisor, today=today, errors=errors or {}, retry=retry or {},
        here=request.full_path, tasks=tasks, tasks_total=total, later=later, paged=start is not None,
        short=domain.short_this_month(advisor, today, advisor=advisor),
        faces=domain.face_alerts(advisor, today, advisor=advisor),
        kinds=domain.KINDS, minimum=domain.MONTHLY_MIN, face_days=domain.FACE_DAYS, note_text=engine.note_text,
        advisor_options=[(a.id, a.display_name) for a in students.advisors()] if manage else [],
        manage=manage, tomorrow=today + timedelta(days=1),
        coming=scheduler.daily_pending(current_app.config["XGAPP_PATHS"], today)), status


@bp.route("/")
@require("followups.view")
def index():
    """To do: overdue and due tasks, who is short of follow-ups this month, who has not been seen face to face."""
    return _todo()


@bp.route("/overview")
@require("followups.manage")
def overview():
    """The supervisor's panel: every advisor's open and overdue tasks, shortfalls and alerts; escalations."""
    today = clock.today()
    return render_template("followups/overview.html", rows=domain.overview(today), today=today,
                           escalations=domain.escalations(today), kinds=domain.KINDS, minimum=domain.MONTHLY_MIN,
                           face_days=domain.FACE_DAYS)


def _form(student, task=None, followup=None, errors=None, values=None, status=200, kind=None):
    now = clock.local_now()
    if values is None:
        if followup is not None:
            at = clock.local(followup.at)
            values = {k: getattr(followup, k) for k in ("kind", "channel", "whom", "purpose", "content", "result",
                                                        "next_step", "escalate")}
            values.update(day=at.strftime("%Y-%m-%d"), time=at.strftime("%H:%M"))
        else:
            kind = task.kind if task is not None else kind
            kind = kind if kind in domain.KINDS else "routine"
            values = {"kind": kind, "channel": "phone", "whom": "parent", "purpose": domain.PURPOSES[kind],
                      "day": now.strftime("%Y-%m-%d"), "time": now.strftime("%H:%M")}
    return render_template("followups/form.html", student=student, task=task, followup=followup,
                           errors=errors or {}, values=values, kinds=domain.KINDS, channels=domain.CHANNELS,
                           whom=domain.WHOM, purposes=domain.PURPOSES, note_text=engine.note_text), status


def _student_or_404(student_id):
    student = Student.get_or_none(Student.id == student_id) or abort(404)
    if "view" not in policy.student_access(g.user, student):
        abort(404)
    if not domain.may_log(g.user, student):
        abort(403)
    return student


def _new_target(source):
    """(student, task) a new follow-up is for: a task (task=) or a student (student=)."""
    task_id = source.get("task", type=row_id)
    if not task_id:
        return _student_or_404(source.get("student", type=row_id) or abort(404)), None
    task = FollowTask.get_or_none(FollowTask.id == task_id) or abort(404)
    if task.advisor_id == g.user.id:  # a task handed to me: I do it, whoever owns the student
        return task.student, task
    return _student_or_404(task.student_id), task


@bp.get("/new")
@require("followups.view")
def new():
    """Log a follow-up (from a task, a student file or the to-do list): a few taps and what was said."""
    student, task = _new_target(request.args)
    return _form(student, task, kind=request.args.get("kind", "routine"))


@bp.post("/new")
@require("followups.view")
def create():
    student, task = _new_target(request.form)
    try:
        domain.log(g.user, student, forms.parse_followup(request.form), task=task)
    except Invalid as exc:
        return _form(student, task, errors=exc.errors, values=dict(request.form.items()), status=422)
    flash(_("Follow-up of %(name)s saved.", name=student.name), "success")
    return redirect(local_path(request.form.get("next")) or url_for("followups.index"), code=303)


def _followup_or_403(followup_id):
    followup = FollowUp.get_or_none(FollowUp.id == followup_id) or abort(404)
    if not policy.may_edit_followup(g.user, followup):
        abort(403)
    return followup


@bp.get("/<int:followup_id>/edit")
@require("followups.view")
def edit(followup_id):
    """Correct a follow-up: only who logged it (or a supervisor)."""
    followup = _followup_or_403(followup_id)
    return _form(followup.student, followup=followup)


@bp.post("/<int:followup_id>/edit")
@require("followups.view")
def correct(followup_id):
    followup = _followup_or_403(followup_id)
    try:
        domain.update(g.user, followup, forms.parse_followup(request.form, correcting=True))
    except Invalid as exc:
        return _form(followup.student, followup=followup, errors=exc.errors, values=dict(request.form.items()),
                     status=422)
    flash(_("Follow-up corrected."), "success")
    return redirect(url_for("students.show", student_id=followup.student_id) + "#timeline", code=303)


def _task_or_404(task_id):
    task = FollowTask.get_or_none(FollowTask.id == task_id) or abort(404)
    if task.advisor_id != g.user.id and not can(g.user, "followups.manage"):
        abort(403)
    return task


def _back():
    return redirect(local_path(request.form.get("next")) or url_for("followups.index"), code=303)


@bp.route("/task/<int:task_id>/postpone", methods=["POST"])
@require("followups.view")
def postpone(task_id):
    task = _task_or_404(task_id)
    try:
        values = forms.parse_postpone(request.form)
        domain.postpone(g.user, task, values["until"], values["reason"])
    except Invalid as exc:
        return _todo({task.id: exc.errors}, 422, retry={task.id: dict(request.form.items())}, advisor=task.advisor)
    flash(_("Postponed."), "success")
    return _back()


@bp.route("/task/<int:task_id>/reassign", methods=["POST"])
@require("followups.manage")
def reassign(task_id):
    task = _task_or_404(task_id)
    try:
        advisor = forms.parse_reassign(request.form)["advisor"]
        domain.reassign(g.user, task, advisor)
    except Invalid as exc:
        return _todo({task.id: exc.errors}, 422, advisor=task.advisor)
    flash(_("Handed to %(name)s.", name=advisor.display_name), "success")
    return _back()


@bp.route("/face/<int:student_id>", methods=["POST"])
@require("followups.view")
def face(student_id):
    """One tap: the advisor saw the student face to face today (resets the two-week rule)."""
    student = _student_or_404(student_id)
    now = clock.now()
    domain.log(g.user, student, {"kind": "routine", "channel": "face", "whom": "student", "at": now,
                                 "purpose": "当面了解学习状态", "content": "课间当面交流学习情况"})
    flash(_("Face-to-face contact with %(name)s recorded.", name=student.name), "success")
    return _back()
