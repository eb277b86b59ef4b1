"""Meeting pages: classes whose briefing is missing or late, one class's briefing, first-lesson feedback."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from xgapp import clock, nav, policy
from xgapp.meetings import briefings, forms, parents
from xgapp.meetings.models import BriefingAttendee, ParentMeeting, ParentMeetingAttendee, TeachingPlan
from xgapp.prints import domain as prints
from xgapp.security import require
from xgapp.students.models import Student
from xgapp.validation import Invalid, row_id
from xgapp.web import class_or_404

bp = Blueprint("meetings", __name__, url_prefix="/meetings")
nav.register("meetings.index", _l("Meetings"), "meetings.view", order=27)


@bp.route("/")
@require("meetings.view")
def index():
    """Classes at risk (briefing missing, late or not recorded) and briefings to hold or file."""
    today = clock.today()
    monday, sunday = parents.next_week(today)
    return render_template("meetings/index.html", risk=briefings.at_risk(g.user, today),
                           upcoming=briefings.upcoming(g.user), now=clock.now(), meetings=parents.upcoming(g.user),
                           my_plans=parents.plans_for_teacher(g.user), today=today,
                           to_review=parents.plans_to_review() if policy.may_review_plans(g.user) else [],
                           to_apply=parents.plans_to_apply(g.user), friday=parents.friday_list(g.user, today),
                           monday=monday, sunday=sunday, title=parents.title)


def _page(klass, errors=None, status=200, values=None):
    briefing = briefings.of_class(klass)
    lesson = briefings.first_lesson(klass)
    now = clock.now()
    attendees = list(BriefingAttendee.select().where(BriefingAttendee.briefing == briefing)) if briefing else []
    may_manage = policy.may_manage_class(g.user, klass)
    shown = set()  # errors shown beside a field of a form on the page; the rest go in a banner
    if may_manage and (briefing is None or briefing.status != "held"):
        shown |= {"starts_at", "place", "override_reason"}
    if may_manage and briefing is not None and briefing.status != "held" and briefing.starts_at <= now:
        shown |= {"syllabus", "sessions", "goals", "qa", "came"}
    return render_template(
        "meetings/briefing.html", klass=klass, briefing=briefing, lesson=lesson, attendees=attendees,
        expected=briefings.expected(briefing) if briefing else [], errors=errors or {}, values=values or {},
        deadline=briefings.deadline(klass), problem=briefings.problem(klass, briefing, now), now=now,
        may_manage=may_manage, may_override=policy.may_override_briefing(g.user),
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
    try:
        values = forms.parse_briefing_schedule(request.form, g.user, klass)
        briefings.schedule(g.user, klass, values["starts_at"], values["place"], values["override_reason"])
    except Invalid as exc:
        return _page(klass, exc.errors, 422, dict(request.form.items()))
    flash(_("The briefing is scheduled."), "success")
    return redirect(url_for("meetings.briefing", class_id=klass.id), code=303)


@bp.route("/briefing/<int:class_id>/record", methods=["POST"])
@require("meetings.view")
def record(class_id):
    klass = class_or_404(class_id, manage=True)
    briefing = briefings.of_class(klass) or abort(404)
    try:
        values = forms.parse_briefing_record(request.form, briefing)
        briefings.record(g.user, briefing, values, values["came"])
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


def _feedback_target(class_id, student_id):
    klass = class_or_404(class_id)
    student = Student.get_or_none(Student.id == student_id) or abort(404)
    if "view" not in policy.student_access(g.user, student):
        abort(404)
    return klass, student


def _feedback_page(klass, student, values=None, errors=None, status=200):
    existing = briefings.feedback_of(klass, student)
    if values is None:
        values = {k: getattr(existing, k) for k in briefings.FEEDBACK_TEXTS} if existing else {}
    return render_template("meetings/feedback.html", klass=klass, student=student, values=values,
                           errors=errors or {}, may_write=_may_write_feedback(klass), existing=existing), status


def _may_write_feedback(klass):
    """Who manages the class, and its teacher, write the feedback."""
    return policy.may_manage_class(g.user, klass) or klass.teacher_id == g.user.id


@bp.get("/feedback/<int:class_id>/<int:student_id>")
@require("meetings.view")
def feedback(class_id, student_id):
    """第一次课后备忘录: the student's, the teacher's and the parent's view of the first lesson."""
    return _feedback_page(*_feedback_target(class_id, student_id))


@bp.post("/feedback/<int:class_id>/<int:student_id>")
@require("meetings.view")
def feedback_save(class_id, student_id):
    klass, student = _feedback_target(class_id, student_id)
    if not _may_write_feedback(klass):
        abort(403)
    try:
        values = forms.parse_feedback(request.form, klass, student)
        briefings.save_feedback(g.user, klass, student, values)
    except Invalid as exc:
        return _feedback_page(klass, student, dict(request.form.items()), exc.errors, 422)
    flash(_("First-lesson feedback of %(name)s saved.", name=student.name), "success")
    return redirect(url_for("students.show", student_id=student.id) + "#timeline", code=303)


# --- parent meetings -------------------------------------------------------------------------------------------------


def _meeting_or_404(meeting_id):
    meeting = ParentMeeting.get_or_none(ParentMeeting.id == meeting_id) or abort(404)
    if meeting.klass_id:
        class_or_404(meeting.klass_id)
    elif not policy.may_see_family_meeting(g.user, meeting):
        abort(404)  # a family's meeting is for its advisor and the campus leaders, not every teacher
    return meeting


def _meeting_target(source):
    """The class (class=) or the family (student=) a new meeting is for: (klass, None) or (None, student)."""
    if source.get("class", type=row_id):
        return class_or_404(source.get("class", type=row_id), manage=True), None
    if source.get("student", type=row_id):
        student = Student.get_or_none(Student.id == source.get("student", type=row_id)) or abort(404)
        if "edit" not in policy.student_access(g.user, student):
            abort(403)
        return None, student
    abort(404)


def _parent_new_page(klass, student, values, errors=None, status=200):
    return render_template("meetings/parent_new.html", klass=klass, student=student, values=values,
                           errors=errors or {}, prep=PREP_LABELS), status


@bp.get("/parents/new")
@require("meetings.view")
def parent_new():
    """Schedule a parent meeting for a class (?class=) or one family (?student=), with the preparation checklist."""
    return _parent_new_page(*_meeting_target(request.args), {"time": "19:00"})


@bp.post("/parents/new")
@require("meetings.view")
def parent_create():
    klass, student = _meeting_target(request.form)
    try:
        values = forms.parse_parent_meeting(request.form)
        meeting = parents.schedule(g.user, klass, student, values["starts_at"], values["place"], values["serious"],
                                   values["prep"])
    except Invalid as exc:
        return _parent_new_page(klass, student, dict(request.form.items()), exc.errors, 422)
    flash(_("The parent meeting is scheduled; the teacher has been told to prepare.") if klass is not None
          else _("The family meeting is scheduled."), "success")
    return redirect(url_for("meetings.parent", meeting_id=meeting.id), code=303)


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
    now = clock.now()
    meeting = ParentMeeting.get_by_id(meeting.id)
    plan = TeachingPlan.get_or_none(TeachingPlan.meeting == meeting)
    may_run = policy.may_run_parent_meeting(g.user, meeting)
    may_prepare = policy.may_prepare_parent_meeting(g.user, meeting)
    may_review = policy.may_review_plans(g.user)
    is_teacher = plan is not None and plan.teacher_id == g.user.id
    shown = set()  # fields whose form is on the page show their error beside them; the rest go in a banner
    if meeting.status != "held" and may_prepare:
        shown |= set(parents.PREP_FIELDS)
    if meeting.status != "held" and meeting.starts_at <= now and may_run:
        shown |= set(parents.MINUTES_FIELDS) | {"came"}
    may_submit = plan is not None and policy.may_submit_plan(g.user, plan)
    if plan is not None and plan.status in ("due", "returned") and may_submit:
        shown.add("content")
    if plan is not None and plan.status == "submitted" and may_review:
        shown.add("note")
    return render_template(
        "meetings/parent.html", meeting=meeting, title=parents.title(meeting), plan=plan, now=now,
        attendees=list(ParentMeetingAttendee.select().where(ParentMeetingAttendee.meeting == meeting)),
        expected=parents.expected(meeting) if meeting.status != "held" else [], errors=errors or {},
        values=values or {}, may_run=may_run, may_prepare=may_prepare,
        banner=[message for key, message in (errors or {}).items() if key not in shown],
        may_review=may_review, happened=meeting.starts_at <= now, prep=PREP_LABELS,
        minutes=MINUTES_LABELS, plan_statuses=parents.PLAN_STATUSES, today=clock.today(),
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
    if not policy.may_prepare_parent_meeting(g.user, meeting):
        abort(403)
    try:
        parents.prepare(g.user, meeting, forms.parse_prep(request.form))
    except Invalid as exc:
        return _parent_page(meeting, exc.errors, 422, dict(request.form.items()))
    flash(_("Preparation saved."), "success")
    return redirect(url_for("meetings.parent", meeting_id=meeting.id), code=303)


@bp.route("/parents/<int:meeting_id>/record", methods=["POST"])
@require("meetings.view")
def parent_record(meeting_id):
    meeting = _meeting_or_404(meeting_id)
    if not policy.may_run_parent_meeting(g.user, meeting):
        abort(403)
    try:
        values = forms.parse_minutes(request.form, meeting)
        parents.record(g.user, meeting, values, values["came"])
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
    if not policy.may_submit_plan(g.user, plan):
        abort(403)
    try:
        parents.submit_plan(g.user, plan, forms.parse_plan(request.form)["content"])
    except Invalid as exc:
        return _parent_page(plan.meeting, exc.errors, 422, dict(request.form.items()))
    flash(_("The plan is handed in for review."), "success")
    return redirect(url_for("meetings.parent", meeting_id=plan.meeting_id) + "#plan", code=303)


def _review(plan_id, decision):
    plan = _plan_or_404(plan_id)
    if not policy.may_review_plans(g.user):
        abort(403)
    try:
        values = forms.parse_review(request.form, decision)
        parents.review_plan(g.user, plan, decision, values["note"])
    except Invalid as exc:
        return _parent_page(plan.meeting, exc.errors, 422, dict(request.form.items()))
    flash(_("Review saved."), "success")
    return redirect(url_for("meetings.parent", meeting_id=plan.meeting_id) + "#plan", code=303)


@bp.route("/plans/<int:plan_id>/approve", methods=["POST"])
@require("meetings.view")
def plan_approve(plan_id):
    """The teaching director approves the revised plan (a note is optional)."""
    return _review(plan_id, "approve")


@bp.route("/plans/<int:plan_id>/return", methods=["POST"])
@require("meetings.view")
def plan_return(plan_id):
    """The teaching director sends the plan back, saying what must change."""
    return _review(plan_id, "return")


@bp.route("/plans/<int:plan_id>/effective", methods=["POST"])
@require("meetings.view")
def plan_effective(plan_id):
    plan = _plan_or_404(plan_id)
    if not policy.may_run_parent_meeting(g.user, plan.meeting):
        abort(403)
    try:
        parents.make_effective(g.user, plan)
    except Invalid as exc:
        return _parent_page(plan.meeting, exc.errors, 422)
    flash(_("The plan is in effect."), "success")
    return redirect(url_for("meetings.parent", meeting_id=plan.meeting_id) + "#plan", code=303)
