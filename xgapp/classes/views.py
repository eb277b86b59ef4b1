"""Class pages: the list, a class with its students and lessons, new/edit, enrolment, rooms and holidays."""

from datetime import timedelta

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l

from xgapp import clock, i18n, nav, policy
from xgapp.accounts.models import User
from xgapp.campus import rules
from xgapp.changes import domain as changes
from xgapp.classes import domain, figures, forms, public_days
from xgapp.classes.forms import typed
from xgapp.classes.models import Classroom, Enrolment, Holiday, Lesson, SchoolClass
from xgapp.contracts.domain import SUBJECTS
from xgapp.contracts.models import Contract
from xgapp.hours import domain as hours
from xgapp.meetings import briefings
from xgapp.security import require
from xgapp.students import domain as students
from xgapp.students.models import Student
from xgapp.timetable import domain as timetable
from xgapp.timetable import forms as timetable_forms
from xgapp.timetable.conflicts import WEEKDAYS
from xgapp.validation import Invalid, row_id
from xgapp.web import class_or_404, xlsx

bp = Blueprint("classes", __name__, url_prefix="/classes")
nav.register("classes.index", _l("Classes"), "classes.view", order=30)

SCHEDULE_FIELDS = ("first_day", "start", "end", "count", "schedule_reason")
SHOWN_FIELDS = ("student", "on", "trial_student", "trial_lesson") + SCHEDULE_FIELDS


@bp.route("/")
@require("classes.view")
def index():
    """Classes the user may see, with places taken and hours still scheduled."""
    status = request.args.get("status") if request.args.get("status") in domain.STATUSES else None
    query = policy.classes_visible_to(g.user)
    if status:
        query = query.where(SchoolClass.status == status)
    elif not request.args.get("all"):
        query = query.where(SchoolClass.status != "ended")
    rows = list(query.order_by(SchoolClass.status != "running", SchoolClass.name))
    ids = [k.id for k in rows]
    left = domain.hours_left(ids) if ids else {}
    taken = domain.taken_places(ids) if ids else {}
    teachers = {u.id: u.display_name for u in User.select(User.id, User.display_name)}
    return render_template("classes/index.html", rows=rows, left=left, taken=taken, teachers=teachers,
                           status=status, statuses=domain.STATUSES, kinds=domain.KINDS,
                           may_create=policy.may_manage_class(g.user), low=domain.low_hour_classes(g.user),
                           manager=policy.manages_classes(g.user))


def _choices():
    used = [c.subject for c in Contract.select(Contract.subject).distinct()]
    return {"subjects": sorted(set(SUBJECTS) | set(used)),
            "grades": [("", "—")] + i18n.word_choices(students.GRADES),
            "kinds": list(domain.KINDS.items()),
            "teachers": [("", "—")] + [(t.id, t.display_name) for t in domain.teachers()],
            "advisors": [("", "—")] + [(a.id, a.display_name) for a in students.advisors()],
            "rooms": [("", "—")] + [(r.id, _("%(room)s (%(n)d seats)", room=r.name, n=r.seats)) for r in domain.rooms()],
            "statuses": [(k, v) for k, v in domain.STATUSES.items() if k != "ended"]}


def _class_form(klass, values, errors=None):
    return render_template("classes/form.html", klass=klass, values=values, errors=errors or {},
                           **_choices()), 422 if errors else 200


def _may_create():
    if not policy.may_manage_class(g.user):
        abort(403)


@bp.route("/new")
@require("classes.view")
def new():
    """The form that opens a new class."""
    _may_create()
    return _class_form(None, {
        "kind": "group", "capacity": "15", "planned_lessons": "16", "lesson_hours": "2",
        "advisor": g.user.id if policy.has_role(g.user, "advisor") else "", "start_on": clock.today().isoformat()})


@bp.route("/new", methods=["POST"])
@require("classes.view")
def create():
    """Open a new class."""
    _may_create()
    try:
        klass = domain.create(g.user, forms.parse_class(request.form, g.user))
    except Invalid as exc:
        return _class_form(None, typed(request.form, forms.CLASS_FIELDS), exc.errors)
    flash(_("Class opened. Now schedule its lessons."), "success")
    weeks = timedelta(weeks=max(klass.planned_lessons, 1))  # about one lesson a week
    for text in public_days.span_warnings(klass.start_on, klass.start_on + weeks):
        flash(text, "warning")
    return redirect(url_for("classes.show", class_id=klass.id), code=303)


@bp.route("/<int:class_id>/edit")
@require("classes.view")
def edit(class_id):
    """The form that changes a class's details and status."""
    klass = class_or_404(class_id, manage=True)
    return _class_form(klass, {
        "name": klass.name, "subject": klass.subject, "grade": klass.grade, "kind": klass.kind,
        "teacher": klass.teacher_id, "advisor": klass.advisor_id, "classroom": klass.classroom_id or "",
        "capacity": klass.capacity, "planned_lessons": klass.planned_lessons, "lesson_hours": klass.lesson_hours,
        "start_on": klass.start_on.isoformat(), "status": klass.status})


@bp.route("/<int:class_id>/edit", methods=["POST"])
@require("classes.view")
def update(class_id):
    """Save a class's details and status."""
    klass = class_or_404(class_id, manage=True)
    try:
        domain.update(g.user, klass, forms.parse_class(request.form, g.user, klass))
    except Invalid as exc:
        return _class_form(klass, typed(request.form, forms.CLASS_FIELDS), exc.errors)
    flash(_("Class saved."), "success")
    return redirect(url_for("classes.show", class_id=klass.id), code=303)


def _show(klass, errors=None, values=None):
    """The class page; after a refused action, with its messages and what the user typed (`values`), 422."""
    members = domain.members(klass)
    balances = hours.balances_for([e.student_id for e in members]) if members else {}
    money = {e.student_id for e in members if "money" in policy.student_access(g.user, e.student)}
    lessons = list(Lesson.select().where(Lesson.klass == klass).order_by(Lesson.starts_at))
    trials = list(Enrolment.select(Enrolment, Student, Lesson).join(Student).switch(Enrolment).join(Lesson)
                  .where(Enrolment.klass == klass, Enrolment.kind == "trial").order_by(Lesson.day.desc()))
    left = domain.hours_left([klass.id])[klass.id]
    scheduled = any(x.status != "cancelled" for x in lessons)  # without a lesson yet a class is not short
    today = clock.today()
    shown = {"first_day": max(klass.start_on, today).isoformat(), "start": "09:00", "end": "10:30",
             "count": max(klass.planned_lessons - len(lessons), 1), "weekdays": [], "on": today.isoformat()}
    if values is not None:
        shown |= values
    return render_template(
        "classes/show.html", klass=klass, members=members, balances=balances, money=money, lessons=lessons,
        left=left, errors=errors or {}, trials=trials, values=shown,
        briefing_problem=briefings.problem(klass, briefings.of_class(klass)),
        coming=[(x.id, "%s %s %s" % (x.day.isoformat(), WEEKDAYS[x.day.weekday()],
                                     clock.local(x.starts_at).strftime("%H:%M")))
                for x in lessons if x.status == "planned" and x.day >= today],
        may_manage=policy.may_manage_class(g.user, klass), may_correct=policy.may_correct_past(g.user),
        weekday_options=list(WEEKDAYS.items()), kinds=domain.KINDS, statuses=domain.STATUSES, enrolment_kinds=domain.ENROLMENT_KINDS, today=today,
        scheduled=scheduled, low=scheduled and left <= rules.get("low_hours"),
        low_mark=rules.get("low_hours")), 422 if errors else 200


def _refused(klass, exc):
    """The class page again with the refused action's messages and what was typed."""
    values = typed(request.form, SHOWN_FIELDS) | {"weekdays": request.form.getlist("weekdays")}
    return _show(klass, exc.errors, values)


@bp.route("/<int:class_id>")
@require("classes.view")
def show(class_id):
    """A class: its plan, students with their hours, lessons, and (for who runs it) enrolment and scheduling."""
    return _show(class_or_404(class_id))


@bp.route("/<int:class_id>/enrol", methods=["POST"])
@require("classes.view")
def enrol(class_id):
    """Put a student in the class (found by name, pinyin or phone tail)."""
    klass = class_or_404(class_id, manage=True)
    try:
        values = forms.parse_enrol(request.form, g.user)
        domain.enrol(g.user, klass, values["student"], values["on"])
    except Invalid as exc:
        return _refused(klass, exc)
    flash(_("%(name)s is in the class.", name=values["student"].name), "success")
    return redirect(url_for("classes.show", class_id=klass.id), code=303)


@bp.route("/<int:class_id>/trial", methods=["POST"])
@require("classes.view")
def trial(class_id):
    """试听: book a prospective student into one coming lesson (no hours; the lead moves on when attended)."""
    klass = class_or_404(class_id, manage=True)
    try:
        values = forms.parse_trial(request.form, g.user, klass)
        try:
            domain.book_one_lesson(g.user, values["lesson"], values["student"], "trial")
        except Invalid as exc:
            raise Invalid({"trial_student": exc.errors["student"]}) from None
    except Invalid as exc:
        return _refused(klass, exc)
    flash(_("%(name)s is booked for a trial lesson on %(day)s.", name=values["student"].name,
            day=values["lesson"].day.isoformat()), "success")
    return redirect(url_for("classes.show", class_id=klass.id), code=303)


@bp.route("/<int:class_id>/schedule", methods=["POST"])
@require("classes.view")
def schedule(class_id):
    """Generate lessons from a weekly pattern."""
    klass = class_or_404(class_id, manage=True)
    try:
        v = timetable_forms.parse_schedule(request.form, g.user)
        created = timetable.schedule(g.user, klass, v["weekdays"], v["start"], v["end"], v["first_day"], v["count"],
                                     reason=v["reason"])
    except Invalid as exc:
        return _refused(klass, exc)
    flash(ngettext("%(n)d lesson scheduled.", "%(n)d lessons scheduled.", len(created), n=len(created)), "success")
    for text in public_days.warnings([lesson.day for lesson in created]):
        flash(text, "warning")
    return redirect(url_for("classes.show", class_id=klass.id), code=303)


@bp.route("/<int:class_id>/end", methods=["POST"])
@require("classes.view")
def end(class_id):
    """结课: the class ends; its students finish and lessons not yet held are cancelled."""
    klass = class_or_404(class_id, manage=True)
    try:
        values = forms.parse_end(request.form)
        changes.end_class(g.user, klass, values["on"], values["reason"])
    except Invalid as exc:
        return _refused(klass, exc)
    flash(_("The class has ended."), "success")
    return redirect(url_for("classes.show", class_id=klass.id), code=303)


# --- rooms and holidays: one page, one handler per form on it ----------------------------------------------------

def _rooms_page(errors=None, values=None):
    today = clock.today()
    monday = today - timedelta(days=today.weekday())
    first, following = clock.month_days(today)
    proposed, workdays = public_days.proposals(today)
    return render_template("classes/rooms.html", rooms=domain.rooms(), holidays=domain.holidays(today),
                           proposed=proposed, workdays=workdays, library=public_days.LIBRARY,
                           known_year=public_days.last_known_year(), errors=errors or {},
                           values={"seats": "15"} | (values or {}), usage=timetable.utilisation(monday, 7),
                           month_usage={u["room"].id: u for u in timetable.utilisation(first, (following - first).days)},
                           monday=monday, month=first.strftime("%Y-%m")), 422 if errors else 200


def _to_rooms():
    return redirect(url_for("classes.rooms"), code=303)


def _warn_lessons_on(days, one):
    """Lessons already planned on days the campus now closes: they are to be moved or cancelled."""
    clashing = [x for day in days for x in domain.lessons_on(day)]
    if not clashing:
        return
    if one:
        flash(ngettext("%(n)d lesson is planned on that day: move or cancel it (%(names)s).",
                       "%(n)d lessons are planned on that day: move or cancel them (%(names)s).", len(clashing),
                       n=len(clashing), names=_("、").join(x.klass.name for x in clashing[:5])), "warning")
    else:
        flash(ngettext("%(n)d lesson is planned on those days: move or cancel it (%(names)s).",
                       "%(n)d lessons are planned on those days: move or cancel them (%(names)s).", len(clashing),
                       n=len(clashing), names=_("、").join(sorted({x.klass.name for x in clashing})[:5])), "warning")


@bp.route("/rooms")
@require("rooms.manage")
def rooms():
    """Classrooms and campus holidays."""
    return _rooms_page()


@bp.route("/rooms/room", methods=["POST"])
@require("rooms.manage")
def room_save():
    """Add a classroom (or rename one, given its id)."""
    room = Classroom.get_or_none(Classroom.id == request.form.get("room_id", type=row_id))
    try:
        values = forms.parse_classroom(request.form)
        domain.save_classroom(g.user, values["name"], values["seats"], room)
    except Invalid as exc:
        return _rooms_page(exc.errors, typed(request.form, ("name", "seats")))
    flash(_("Room saved."), "success")
    return _to_rooms()


@bp.route("/rooms/holiday", methods=["POST"])
@require("rooms.manage")
def holiday_add():
    """Close the campus on one day."""
    try:
        values = forms.parse_holiday(request.form)
        domain.add_holiday(g.user, values["day"], values["name"])
    except Invalid as exc:
        return _rooms_page(exc.errors, typed(request.form, ("day", "holiday_name")))
    flash(_("Holiday added."), "success")
    _warn_lessons_on([values["day"]], one=True)
    return _to_rooms()


@bp.route("/rooms/public-days", methods=["POST"])
@require("rooms.manage")
def public_days_confirm():
    """Close the campus on the ticked public holidays."""
    try:
        values = forms.parse_public_days(request.form)
        picked = public_days.confirm(g.user, values["days"], values["names"], clock.today())
    except Invalid as exc:
        return _rooms_page(exc.errors)
    flash(_("%(n)d public holidays confirmed: the campus is closed on them.", n=len(picked)), "success")
    _warn_lessons_on(picked, one=False)
    return _to_rooms()


@bp.route("/rooms/holiday/<int:holiday_id>/remove", methods=["POST"])
@require("rooms.manage")
def holiday_remove(holiday_id):
    """Open the campus again on a holiday."""
    holiday = Holiday.get_or_none(Holiday.id == holiday_id) or abort(404)
    domain.remove_holiday(g.user, holiday)
    flash(_("Holiday removed."), "success")
    return _to_rooms()


# --- teacher hours and teaching figures ----------------------------------------------------------------------------

def _month_arg():
    """The month asked for (?month= or the form's month), this month when missing or not a month."""
    month = request.args.get("month") or request.form.get("month") or ""
    try:
        clock.parse_month(month)
    except ValueError:
        return clock.today().strftime("%Y-%m")
    return month


def _teachers_page(month, errors=None):
    lines = figures.verification(month)
    every = policy.sees_every_teacher_month(g.user)
    if not every:
        lines = [line for line in lines if line["teacher_id"] == g.user.id]  # a teacher sees their own month
    rows = figures.teacher_rows(month, None if every else g.user)
    first, following = figures.month_bounds(month)
    return render_template("classes/teachers.html", month=month, lines=lines, rows=rows, errors=errors or {},
                           manager=policy.manages_classes(g.user),
                           prev=clock.previous_month(first).strftime("%Y-%m"), next=following.strftime("%Y-%m"),
                           may_confirm={line["teacher_id"]: figures.may_confirm_as_advisor(g.user, line["teacher_id"],
                                                                                         month)
                                        for line in lines}), 422 if errors else 200


@bp.route("/teachers")
@require("classes.view")
def teachers():
    """老师课时统计与核对: each teacher's lessons and hours of a month, confirmed by the teacher and the campus."""
    return _teachers_page(_month_arg())


@bp.route("/teachers", methods=["POST"])
@require("classes.view")
def teachers_confirm():
    """The teacher, or the campus, confirms a teacher's month as it stands."""
    month = _month_arg()
    try:
        values = forms.parse_teacher_month(request.form)
        figures.confirm(g.user, values["teacher"], month, values["side"], values["note"])
    except Invalid as exc:
        return _teachers_page(month, exc.errors)
    flash(_("Confirmed."), "success")
    return redirect(url_for("classes.teachers", month=month), code=303)


def _managers_only():
    if not policy.manages_classes(g.user):
        abort(403)


@bp.route("/teachers.xlsx")
@require("classes.view")
def teachers_export():
    """The month's teacher hours as an Excel file for payroll (managers)."""
    _managers_only()
    month = _month_arg()
    return xlsx(figures.export_teacher_hours(month), "老师课时-%s.xlsx" % month)


@bp.route("/figures")
@require("classes.view")
def figures_page():
    """The month's teaching numbers the supervisor reports up (月课时数, 学员人数, 老师数, per advisor)."""
    _managers_only()
    month = _month_arg()
    first, following = figures.month_bounds(month)
    return render_template("classes/figures.html", month=month, figures=figures.month_figures(month),
                           prev=clock.previous_month(first).strftime("%Y-%m"), next=following.strftime("%Y-%m"))
