"""Meeting pages: classes whose briefing is missing or late, one class's briefing, first-lesson feedback."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from xgapp import nav
from xgapp.audit.views import register_table
from xgapp.classes import domain as classes
from xgapp.web import class_or_404
from xgapp.db import utcnow
from xgapp.i18n import campus_today, parse_local
from xgapp.meetings import briefings, parents
from xgapp.meetings.models import BriefingAttendee, ParentMeeting, ParentMeetingAttendee, TeachingPlan
from xgapp.prints import domain as prints
from xgapp.security import require
from xgapp.students import domain as students
from xgapp.students.models import Student
from xgapp.validation import Invalid, row_id

bp = Blueprint("meetings", __name__, url_prefix="/meetings")
nav.register("meetings.index", _l("Meetings"), "meetings.view", order=27)
register_table("briefing", _l("Pre-class briefing"))
register_table("first_lesson_feedback", _l("First-lesson feedback"))
register_table("parent_meeting", _l("Parent meeting"))
register_table("teaching_plan", _l("Teaching plan"))


@bp.route("/")
@require("meetings.view")
def index():
    """Classes at risk (briefing missing, late or not recorded) and briefings to hold or file."""
    today = campus_today()
    monday, sunday = parents.next_week(today)
    return render_template("meetings/index.html", risk=briefings.at_risk(g.user, today),
                           upcoming=briefings.upcoming(g.user), now=utcnow(), meetings=parents.upcoming(g.user),
                           my_plans=parents.plans_for_teacher(g.user), today=today,
                           to_review=parents.plans_to_review() if parents.may_review(g.user) else [],
                           to_apply=parents.plans_to_apply(g.user), friday=parents.friday_list(g.user, today),
                           monday=monday, sunday=sunday, title=parents.title)


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
        signed=prints.received("briefing", briefing.id) if briefing else None,
        default_when=briefings.proposal(klass, now)), status


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
        briefings.schedule(g.user, klass, parse_local(values["day"], values["time"]), values["place"],
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


# --- parent meetings -------------------------------------------------------------------------------------------------


def _meeting_or_404(meeting_id):
    meeting = ParentMeeting.get_or_none(ParentMeeting.id == meeting_id) or abort(404)
    if meeting.klass_id:
        class_or_404(meeting.klass_id)
    elif not (parents.may_run(g.user, meeting) or g.user.role_set & {"director", "supervisor", "principal"}):
        abort(404)  # a family's meeting is for its advisor and the campus leaders, not every teacher
    return meeting


@bp.route("/parents/new", methods=["GET", "POST"])
@require("meetings.view")
def parent_new():
    """Schedule a parent meeting for a class (?class=) or one family (?student=), with the preparation checklist."""
    source = request.form if request.method == "POST" else request.args
    klass, student = None, None
    if source.get("class", type=row_id):
        klass = class_or_404(source.get("class", type=row_id), manage=True)
    elif source.get("student", type=row_id):
        student = Student.get_or_none(Student.id == source.get("student", type=row_id)) or abort(404)
        if "edit" not in students.access(g.user, student):
            abort(403)
    else:
        abort(404)
    values, errors, status = {"time": "19:00"}, {}, 200
    if request.method == "POST":
        values = dict(request.form.items())
        try:
            meeting = parents.schedule(g.user, klass, student, parse_local(values.get("day"),
                                                                                    values.get("time")),
                                       values.get("place"), bool(values.get("serious")), values)
        except Invalid as exc:
            errors, status = exc.errors, 422
        else:
            flash(_("The parent meeting is scheduled; the teacher has been told to prepare.") if klass is not None
                  else _("The family meeting is scheduled."), "success")
            return redirect(url_for("meetings.parent", meeting_id=meeting.id), code=303)
    return render_template("meetings/parent_new.html", klass=klass, student=student, values=values, errors=errors,
                           prep=PREP_LABELS), status


PREP_LABELS = [("prep_questions", _l("Advisor: questions parents may ask, and the answers")),
               ("prep_materials", _l("Advisor: materials about the students' learning")),
               ("prep_topics", _l("Advisor: topics to raise")),
               ("prep_records", _l("Teacher: lesson records")),
               ("prep_problems", _l("Teacher: problems and proposed solutions")),
               ("prep_exercises", _l("Teacher: exercises done in class"))]
MINUTES_LABELS = [("teacher_report", _l("Teacher's report on progress")),
                  ("advisor_report", _l("Advisor's report (matters other than the subject)")),
                  ("parent_questions", _l("Parents' questions")),
                  ("problems", _l("Problems")), ("solutions", _l("Solutions")),
                  ("parents_to_do", _l("What parents must do"))]


def _parent_page(meeting, errors=None, status=200, values=None):
    now = utcnow()
    meeting = ParentMeeting.get_by_id(meeting.id)
    plan = TeachingPlan.get_or_none(TeachingPlan.meeting == meeting)
    may_run, may_prepare = parents.may_run(g.user, meeting), parents.may_prepare(g.user, meeting)
    is_teacher = plan is not None and plan.teacher_id == g.user.id
    shown = set()  # fields whose form is on the page show their error beside them; the rest go in a banner
    if meeting.status != "held" and may_prepare:
        shown |= set(parents.PREP_FIELDS)
    if meeting.status != "held" and meeting.starts_at <= now and may_run:
        shown |= set(parents.MINUTES_FIELDS) | {"came"}
    may_submit = plan is not None and parents.may_submit(g.user, plan)
    if plan is not None and plan.status in ("due", "returned") and may_submit:
        shown.add("content")
    if plan is not None and plan.status == "submitted" and parents.may_review(g.user):
        shown.add("note")
    return render_template(
        "meetings/parent.html", meeting=meeting, title=parents.title(meeting), plan=plan, now=now,
        attendees=list(ParentMeetingAttendee.select().where(ParentMeetingAttendee.meeting == meeting)),
        expected=parents.expected(meeting) if meeting.status != "held" else [], errors=errors or {},
        values=values or {}, may_run=may_run, may_prepare=may_prepare,
        banner=[message for key, message in (errors or {}).items() if key not in shown],
        may_review=parents.may_review(g.user), happened=meeting.starts_at <= now, prep=PREP_LABELS,
        minutes=MINUTES_LABELS, plan_statuses=parents.PLAN_STATUSES, today=campus_today(),
        is_teacher=is_teacher, may_submit=may_submit,
        signed=prints.received("parent-meeting", meeting.id) if meeting.status == "held" else None), status


@bp.route("/parents/<int:meeting_id>")
@require("meetings.view")
def parent(meeting_id):
    """A parent meeting: preparation, then attendance and minutes, then the revised teaching plan."""
    return _parent_page(_meeting_or_404(meeting_id))


@bp.route("/parents/<int:meeting_id>/prep", methods=["POST"])
@require("meetings.view")
def parent_prep(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    if not parents.may_prepare(g.user, meeting):
        abort(403)
    try:
        parents.prepare(g.user, meeting, request.form)
    except Invalid as exc:
        return _parent_page(meeting, exc.errors, 422, dict(request.form.items()))
    flash(_("Preparation saved."), "success")
    return redirect(url_for("meetings.parent", meeting_id=meeting.id), code=303)


@bp.route("/parents/<int:meeting_id>/record", methods=["POST"])
@require("meetings.view")
def parent_record(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    if not parents.may_run(g.user, meeting):
        abort(403)
    came = {key[5:]: value for key, value in request.form.items() if key.startswith("came-")}
    try:
        parents.record(g.user, meeting, request.form, came)
    except Invalid as exc:
        return _parent_page(meeting, exc.errors, 422, dict(request.form.items()))
    flash(_("The minutes are saved and sent to the supervisor and the attendees."), "success")
    return redirect(url_for("meetings.parent", meeting_id=meeting.id), code=303)


def _plan_or_404(plan_id):
    plan = TeachingPlan.get_or_none(TeachingPlan.id == plan_id) or abort(404)
    _meeting_or_404(plan.meeting_id)
    return plan


@bp.route("/plans/<int:plan_id>/submit", methods=["POST"])
@require("meetings.view")
def plan_submit(plan_id):
    plan = _plan_or_404(plan_id)
    if not parents.may_submit(g.user, plan):
        abort(403)
    try:
        parents.submit_plan(g.user, plan, request.form.get("content"))
    except Invalid as exc:
        return _parent_page(plan.meeting, exc.errors, 422, dict(request.form.items()))
    flash(_("The plan is handed in for review."), "success")
    return redirect(url_for("meetings.parent", meeting_id=plan.meeting_id) + "#plan", code=303)


@bp.route("/plans/<int:plan_id>/review", methods=["POST"])
@require("meetings.view")
def plan_review(plan_id):
    plan = _plan_or_404(plan_id)
    if not parents.may_review(g.user):
        abort(403)
    try:
        parents.review_plan(g.user, plan, request.form.get("decision"), request.form.get("note"))
    except Invalid as exc:
        return _parent_page(plan.meeting, exc.errors, 422, dict(request.form.items()))
    flash(_("Review saved."), "success")
    return redirect(url_for("meetings.parent", meeting_id=plan.meeting_id) + "#plan", code=303)


@bp.route("/plans/<int:plan_id>/effective", methods=["POST"])
@require("meetings.view")
def plan_effective(plan_id):
    plan = _plan_or_404(plan_id)
    if not parents.may_run(g.user, plan.meeting):
        abort(403)
    try:
        parents.make_effective(g.user, plan)
    except Invalid as exc:
        return _parent_page(plan.meeting, exc.errors, 422)
    flash(_("The plan is in effect."), "success")
    return redirect(url_for("meetings.parent", meeting_id=plan.meeting_id) + "#plan", code=303)
