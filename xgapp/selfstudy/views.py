"""Self-study room pages: the live board, the kiosk, a visit's record, Q&A records and the room's figures."""

from datetime import timedelta

from flask import Blueprint, abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from xgapp import clock, htmx, i18n, nav, policy
from xgapp.policy import can
from xgapp.security import kiosk_allowed, require, start_kiosk
from xgapp.selfstudy import domain, forms, questions, reports
from xgapp.selfstudy.models import Question, Visit, VisitExit
from xgapp.students.models import Student
from xgapp.validation import Invalid, row_id, search_term
from xgapp.web import parse_date, xlsx

bp = Blueprint("selfstudy", __name__, url_prefix="/selfstudy")
nav.register("selfstudy.index", _l("Study room"), "selfstudy.view", order=36)

BOARD_POLL = "every 5s"


def _mine(student):
    """Advisors see their own students on the board; the desk, teachers and managers see the whole room."""
    return policy.sees_all_students(g.user) or student.advisor_id == g.user.id


def _board_context():
    now = clock.now()
    today = clock.local(now).date()
    room = domain.in_room(now)
    left = domain.left_today(today)
    return {"room": [r for r in room if _mine(r["student"])], "in_total": len(room), "today": today,
            "left": [v for v in left if _mine(v.student)], "now": now, "whole_room": policy.sees_all_students(g.user),
            "overdue": [r for r in room if r["overdue"]],
            "closing": domain.closing_instant(today), "minutes": domain.minutes,
            "pickup_kinds": domain.PICKUP_KINDS, "may_resolve": lambda v: policy.may_resolve_visit(g.user, v)}


@bp.route("/")
@require("selfstudy.view")
def index():
    """The live board: who is in the room now, since when, flagged by their advisor; who left today."""
    return render_template("selfstudy/board.html", poll=BOARD_POLL, **_board_context())


@bp.route("/board")
@require("selfstudy.view")
def board():
    """The board's body, polled by every open board."""
    return render_template("selfstudy/_board.html", poll=BOARD_POLL, **_board_context())


# --- the kiosk -------------------------------------------------------------------------------------------------------


@bp.route("/kiosk")
@kiosk_allowed
@require("selfstudy.desk")
def kiosk():
    """The front-desk tablet: find a student, sign in or out in two taps."""
    return _kiosk_page()


def _kiosk_page(panel=None, status=200):
    """The kiosk as a whole page, with the search's results (?q=) and a pickup panel: what the tablet shows
    without JavaScript, where the search, the sign-out question and every answer load the page itself."""
    term = search_term(request.args.get("q"))
    found = domain.kiosk_search(g.user, term) if term.strip() else []
    return render_template("selfstudy/kiosk.html", term=term, found=found, panel=Markup(panel) if panel else None,
                           states=domain.states_for(s.id for s in found), today=clock.today(),
                           **_room_context()), status


@bp.route("/kiosk/start", methods=["POST"])
@require("selfstudy.desk")
def kiosk_start():
    """Lock this browser to the kiosk until someone logs it out."""
    start_kiosk()
    return redirect(url_for("selfstudy.kiosk"), code=303)


def _room_context():
    now = clock.now()
    return {"room": domain.in_room(now), "now": now}


@bp.route("/kiosk/room")
@kiosk_allowed
@require("selfstudy.desk")
def kiosk_room():
    return render_template("selfstudy/_kiosk_room.html", **_room_context())


@bp.route("/kiosk/search")
@kiosk_allowed
@require("selfstudy.desk")
def kiosk_search():
    if not htmx.is_request():
        return _kiosk_page()
    term = search_term(request.args.get("q"))
    found = domain.kiosk_search(g.user, term) if term.strip() else []
    return render_template("selfstudy/_kiosk_results.html", found=found, term=term,
                           states=domain.states_for(s.id for s in found), today=clock.today())


def _kiosk_done(message=None, error=None):
    """Show the outcome, clear the search and the panel, and tell the room list to refresh (without JavaScript:
    back to the kiosk page, which says it)."""
    if not htmx.is_request():
        flash(error or message, "error" if error else "success")
        return redirect(url_for("selfstudy.kiosk"), code=303)
    response = htmx.trigger(make_response(render_template("selfstudy/_kiosk_done.html", message=message,
                                                          error=error)), "kiosk-changed")
    response.status_code = 422 if error else 200
    return response


@bp.route("/kiosk/in/<int:student_id>", methods=["POST"])
@kiosk_allowed
@require("selfstudy.desk")
def kiosk_sign_in(student_id):
    student = Student.get_or_none(Student.id == student_id) or abort(404)
    try:
        visit = domain.sign_in(g.user, student)
    except Invalid as exc:
        return _kiosk_done(error=exc.errors.get("student"))
    return _kiosk_done(_("%(name)s signed in at %(time)s.", name=student.name,
                         time=clock.local(visit.arrived_at).strftime("%H:%M")))


def _open_or_404(visit_id):
    return Visit.get_or_none(Visit.id == visit_id) or abort(404)


def _pickup_panel(visit, errors=None, values=None, status=200, oob=False):
    """Who takes the child home; for a visit left open overnight, the form that closes it with a note instead."""
    guardians, alone = domain.pickup_choices(visit.student)
    return render_template("selfstudy/_kiosk_pickup.html", visit=visit, student=visit.student, guardians=guardians,
                           alone=alone, errors=errors or {}, values=values or {}, oob=oob,
                           overnight=visit.day < clock.today(), default_left=clock.local_now()), status


def _refused_pickup(visit, exc):
    """The pickup panel again with the messages and what was typed, 422 (as a fragment, or in the kiosk page)."""
    if htmx.is_request():
        return _pickup_panel(visit, exc.errors, request.form.to_dict(), status=422, oob=True)
    return _kiosk_page(panel=_pickup_panel(visit, exc.errors, request.form.to_dict())[0], status=422)


def _closed(visit):
    return _kiosk_done(error=_("%(name)s was already signed out at %(time)s.", name=visit.student.name,
                               time=clock.local(visit.left_at).strftime("%H:%M")))


@bp.route("/kiosk/out/<int:visit_id>")
@kiosk_allowed
@require("selfstudy.desk")
def kiosk_pickup(visit_id):
    """Who is taking the child? The guardians on file, alone (if allowed), or another named person."""
    visit = _open_or_404(visit_id)
    if visit.left_at is not None:
        return _closed(visit)
    if not htmx.is_request():
        return _kiosk_page(panel=_pickup_panel(visit)[0])
    return _pickup_panel(visit)


@bp.route("/kiosk/out/<int:visit_id>", methods=["POST"])
@kiosk_allowed
@require("selfstudy.desk")
def kiosk_sign_out(visit_id):
    visit = _open_or_404(visit_id)
    try:
        done = domain.sign_out(g.user, visit, forms.parse_pickup(request.form))
    except domain.AlreadyDone as exc:  # another tablet was quicker
        return _kiosk_done(error=exc.errors["pickup"])
    except Invalid as exc:
        return _refused_pickup(visit, exc)
    who = done.pickup_name or _("alone")
    return _kiosk_done(_("%(name)s signed out at %(time)s (%(who)s).", name=visit.student.name,
                         time=clock.local(done.left_at).strftime("%H:%M"), who=who))


@bp.route("/kiosk/resolve/<int:visit_id>", methods=["POST"])
@kiosk_allowed
@require("selfstudy.desk")
def kiosk_resolve(visit_id):
    """At the desk: close a visit left open overnight, with what happened and when the child left."""
    visit = _open_or_404(visit_id)
    try:
        values = forms.parse_resolve(request.form, visit)
        domain.resolve(g.user, visit, values["note"], values["left_at"])
    except domain.AlreadyDone as exc:
        return _kiosk_done(error=exc.errors["note"])
    except Invalid as exc:
        return _refused_pickup(visit, exc)
    return _kiosk_done(_("The visit of %(name)s is closed; the note is kept with it.", name=visit.student.name))


# --- a visit's record ------------------------------------------------------------------------------------------------


def visit_or_404(visit_id):
    visit = Visit.get_or_none(Visit.id == visit_id) or abort(404)
    if "view" not in policy.student_access(g.user, visit.student):
        abort(404)
    return visit


def _visit_page(visit, errors=None, values=None):
    """A visit; after a refused action, with the messages and what was typed, 422."""
    now = clock.now()
    visit = Visit.get_by_id(visit.id)  # as it is now (another tablet may have just closed it)
    exits = list(VisitExit.select().where(VisitExit.visit == visit).order_by(VisitExit.out_at))
    overdue, may_resolve = domain.is_overdue(visit, now), policy.may_resolve_visit(g.user, visit)
    may_desk = can(g.user, "selfstudy.desk")
    shown = set(domain.RECORD_FIELDS) if may_desk else set()  # errors the page can show beside their field
    if overdue and may_resolve:
        shown |= {"note", "left_at"}
    if may_desk and visit.left_at is None:
        shown.add("reason")
    return render_template(
        "selfstudy/visit.html", visit=visit, student=visit.student, exits=exits,
        out=next((e for e in exits if e.back_at is None), None),
        questions=list(Question.select().where(Question.visit == visit).order_by(Question.created_at)),
        errors=errors or {}, values=values or {}, subject_options=i18n.word_choices(domain.SUBJECTS),
        teacher_options=[("", "—")] + [(t.id, t.display_name) for t in domain.study_teachers()],
        pickup_kinds=domain.PICKUP_KINDS, overdue=overdue, may_desk=may_desk, may_resolve=may_resolve,
        banner=[message for key, message in (errors or {}).items() if key not in shown],
        minutes=domain.minutes(visit, now), default_left=clock.local(now)), 422 if errors else 200


@bp.route("/visit/<int:visit_id>")
@require("selfstudy.view")
def visit(visit_id):
    """One visit: times, pickup, the study-room teacher's notes, exits, questions."""
    return _visit_page(visit_or_404(visit_id))


@bp.route("/visit/<int:visit_id>", methods=["POST"])
@require("selfstudy.desk")
def visit_record(visit_id):
    """Save the study-room teacher's notes on a visit."""
    visit = visit_or_404(visit_id)
    try:
        domain.update_record(g.user, visit, forms.parse_record(request.form))
    except Invalid as exc:
        return _visit_page(visit, exc.errors, request.form.to_dict() | {"subjects": request.form.getlist("subjects")})
    flash(_("The visit record was saved."), "success")
    return redirect(url_for("selfstudy.visit", visit_id=visit.id), code=303)


@bp.route("/visit/<int:visit_id>/out", methods=["POST"])
@require("selfstudy.desk")
def visit_out(visit_id):
    """出: the student leaves the room for a while (with the reason)."""
    visit = visit_or_404(visit_id)
    try:
        domain.step_out(g.user, visit, forms.parse_step_out(request.form)["reason"])
    except Invalid as exc:
        return _visit_page(visit, exc.errors, request.form.to_dict())
    return redirect(url_for("selfstudy.visit", visit_id=visit.id), code=303)


@bp.route("/visit/<int:visit_id>/back", methods=["POST"])
@require("selfstudy.desk")
def visit_back(visit_id):
    """入: the student is back in the room."""
    visit = visit_or_404(visit_id)
    try:
        domain.come_back(g.user, visit)
    except Invalid as exc:
        return _visit_page(visit, exc.errors)
    return redirect(url_for("selfstudy.visit", visit_id=visit.id), code=303)


@bp.route("/visit/<int:visit_id>/resolve", methods=["POST"])
@require("selfstudy.view")
def visit_resolve(visit_id):
    """After closing time: close a visit that was never signed out, writing down what happened."""
    visit = visit_or_404(visit_id)
    if not policy.may_resolve_visit(g.user, visit):
        abort(403)
    try:
        values = forms.parse_resolve(request.form, visit)
        domain.resolve(g.user, visit, values["note"], values["left_at"])
    except Invalid as exc:
        return _visit_page(visit, exc.errors, request.form.to_dict())
    flash(_("The visit is closed; the note is kept with it."), "success")
    return redirect(url_for("selfstudy.visit", visit_id=visit.id), code=303)


# --- Q&A records -----------------------------------------------------------------------------------------------------


def _questions_page(errors=None, values=None):
    """The day's questions; after a refused question or answer, with the messages and what was typed, 422."""
    today = clock.today()
    day = parse_date(request.args.get("day")) or today
    mine = questions.open_for(g.user)
    visitors = list(Student.select(Student).join(Visit, on=(Visit.student == Student.id))
                    .where((Visit.left_at.is_null()) | (Visit.day == today)).distinct().order_by(Student.name))
    asked = request.args.get("student", type=row_id)
    if asked and asked not in {s.id for s in visitors}:
        extra = policy.students_visible_to(g.user).where(Student.id == asked).first()
        visitors += [extra] if extra else []
    among = None if policy.sees_all_students(g.user) else policy.students_visible_to(g.user, Student.select(Student.id))
    return render_template("selfstudy/questions.html", day=day, rows=questions.of_day(day, among), mine=mine,
                           visitors_options=[(s.id, s.name) for s in visitors],
                           subject_options=i18n.word_choices(domain.SUBJECTS),
                           teacher_options=[(t.id, t.display_name) for t in questions.subject_teachers()],
                           status_options=[("resolved", questions.STATUSES["resolved"]),
                                           ("handed", questions.STATUSES["handed"])],
                           statuses=questions.STATUSES, errors=errors or {},
                           values=values if values is not None else {"student": asked or "", "status": "resolved"},
                           may_record=can(g.user, "selfstudy.questions"), today=today,
                           may_close=lambda q: policy.may_close_question(g.user, q)), 422 if errors else 200


@bp.route("/questions")
@require("selfstudy.view")
def questions_index():
    """答疑记录 of a day, the form to add one, and the questions handed to me."""
    return _questions_page()


@bp.route("/questions", methods=["POST"])
@require("selfstudy.questions")
def questions_create():
    """Record a question answered in the room, or handed to a subject teacher."""
    try:
        values = forms.parse_question(request.form)
        questions.record(g.user, values.pop("student"), values)
    except Invalid as exc:
        return _questions_page(exc.errors, request.form.to_dict())
    flash(_("The question was recorded."), "success")
    return redirect(url_for("selfstudy.questions_index"), code=303)


@bp.route("/questions/<int:question_id>/close", methods=["POST"])
@require("selfstudy.view")
def questions_close(question_id):
    """The subject teacher's answer to a question handed to them."""
    question = Question.get_or_none(Question.id == question_id) or abort(404)
    if not policy.may_close_question(g.user, question):
        abort(403)
    try:
        answer = forms.parse_answer(request.form, question)["answer"]
        try:
            questions.close(g.user, question, answer)
        except Invalid as exc:
            raise Invalid({"close-%d" % question.id: exc.errors["answer"]}) from None
    except Invalid as exc:
        return _questions_page(exc.errors, request.form.to_dict())
    flash(_("The answer was recorded."), "success")
    return redirect(url_for("selfstudy.questions_index"), code=303)


# --- figures ---------------------------------------------------------------------------------------------------------


def _period():
    today = clock.today()
    last = parse_date(request.args.get("to")) or today
    first = parse_date(request.args.get("from")) or last.replace(day=1)
    if first > last:
        first, last = last, first
    if (last - first).days >= reports.MAX_DAYS:
        first = last - timedelta(days=reports.MAX_DAYS - 1)
    return first, last


def _among():
    """Advisors see the figures of their own students; the other roles see the whole room."""
    if policy.sees_all_students(g.user):
        return None
    return policy.students_visible_to(g.user, Student.select(Student.id))


@bp.route("/report")
@require("selfstudy.view")
def report():
    """Attendance of the room per day and week, per advisor's students, per student; course-end students."""
    first, last = _period()
    data = reports.summary(first, last, _among())
    ended = reports.course_end(first - timedelta(days=90), last) if _among() is None else [
        row for row in reports.course_end(first - timedelta(days=90), last) if row[0].advisor_id == g.user.id]
    return render_template("selfstudy/report.html", first=first, last=last, data=data, ended=ended)


@bp.route("/report.xlsx")
@require("selfstudy.view")
def report_xlsx():
    first, last = _period()
    body = reports.xlsx(first, last, reports.summary(first, last, _among()))
    name = "自习室统计_%s_%s.xlsx" % (first.isoformat(), last.isoformat())
    return xlsx(body, name)
