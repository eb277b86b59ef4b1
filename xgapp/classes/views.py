"""Class pages: the list, a class with its students and lessons, new/edit, enrolment, rooms and holidays."""

from datetime import timedelta

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from xgapp import nav
from xgapp.campus import rules
from xgapp.accounts.models import User
from xgapp.classes import backdating, domain, public_days
from xgapp.classes.models import Classroom, Enrolment, Holiday, Lesson, SchoolClass
from xgapp.contracts.domain import SUBJECTS
from xgapp.hours import domain as hours
from xgapp.i18n import campus_today, local
from xgapp.security import require
from xgapp.students import domain as students
from xgapp.students.models import Student
from xgapp.timetable.domain import WEEKDAYS
from xgapp.validation import Invalid, row_id
from xgapp.web import class_or_404, form_date, parse_date, parse_time

bp = Blueprint("classes", __name__, url_prefix="/classes")
nav.register("classes.index", _l("Classes"), "classes.view", order=30)










@bp.route("/")
@require("classes.view")
def index():
    """Classes the user may see, with places taken and hours still scheduled."""
    status = request.args.get("status") if request.args.get("status") in domain.STATUSES else None
    query = domain.visible(g.user)
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
                           may_create=domain.may_manage(g.user), low=domain.low_hour_classes(g.user),
                           manager=bool(g.user.role_set & domain.MANAGERS))


def _form_data(form):
    data = {k: form.get(k, "") for k in ("name", "subject", "grade", "kind", "capacity", "planned_lessons",
                                         "lesson_hours", "status")}
    data["teacher"] = User.get_or_none(User.id == form.get("teacher", type=row_id))
    data["advisor"] = User.get_or_none(User.id == form.get("advisor", type=row_id))
    data["classroom"] = Classroom.get_or_none(Classroom.id == form.get("classroom", type=row_id))
    data["start_on"] = parse_date(form.get("start_on"))
    return data


def _choices():
    from xgapp.contracts.models import Contract

    used = [c.subject for c in Contract.select(Contract.subject).distinct()]
    return {"subjects": sorted(set(SUBJECTS) | set(used)),
            "grades": [("", "—")] + [(x, x) for x in students.GRADES],
            "kinds": list(domain.KINDS.items()),
            "teachers": [("", "—")] + [(t.id, t.display_name) for t in domain.teachers()],
            "advisors": [("", "—")] + [(a.id, a.display_name) for a in students.advisors()],
            "rooms": [("", "—")] + [(r.id, "%s（%d座）" % (r.name, r.seats)) for r in domain.rooms()],
            "statuses": [(k, v) for k, v in domain.STATUSES.items() if k != "ended"]}


@bp.route("/new", methods=["GET", "POST"])
@require("classes.view")
def create():
    """Open a new class."""
    if not domain.may_manage(g.user):
        abort(403)
    errors = {}
    if request.method == "POST":
        data = _form_data(request.form)
        try:
            klass = domain.create(g.user, data)
        except Invalid as exc:
            errors = exc.errors
        else:
            flash(_("Class opened. Now schedule its lessons."), "success")
            weeks = timedelta(weeks=max(klass.planned_lessons, 1))  # about one lesson a week
            for text in public_days.span_warnings(klass.start_on, klass.start_on + weeks):
                flash(text, "warning")
            return redirect(url_for("classes.show", class_id=klass.id), code=303)
    values = dict(request.form) if request.method == "POST" else {
        "kind": "group", "capacity": "15", "planned_lessons": "16", "lesson_hours": "2",
        "advisor": g.user.id if "advisor" in g.user.role_set else "", "start_on": campus_today().isoformat()}
    return render_template("classes/form.html", klass=None, values=values, errors=errors,
                           **_choices()), 422 if errors else 200


@bp.route("/<int:class_id>/edit", methods=["GET", "POST"])
@require("classes.view")
def edit(class_id):
    """Change a class's details and status."""
    klass = class_or_404(class_id, manage=True)
    errors = {}
    if request.method == "POST":
        try:
            domain.update(g.user, klass, _form_data(request.form))
        except Invalid as exc:
            errors = exc.errors
        else:
            flash(_("Class saved."), "success")
            return redirect(url_for("classes.show", class_id=klass.id), code=303)
    values = dict(request.form) if request.method == "POST" else {
        "name": klass.name, "subject": klass.subject, "grade": klass.grade, "kind": klass.kind,
        "teacher": klass.teacher_id, "advisor": klass.advisor_id, "classroom": klass.classroom_id or "",
        "capacity": klass.capacity, "planned_lessons": klass.planned_lessons, "lesson_hours": klass.lesson_hours,
        "start_on": klass.start_on.isoformat(), "status": klass.status}
    return render_template("classes/form.html", klass=klass, values=values, errors=errors,
                           **_choices()), 422 if errors else 200


def _show(klass, errors=None, status=200, schedule_values=None):
    members = domain.members(klass)
    balances = hours.balances_for([e.student_id for e in members]) if members else {}
    money = {e.student_id for e in members if "money" in students.access(g.user, e.student)}
    lessons = list(Lesson.select().where(Lesson.klass == klass).order_by(Lesson.starts_at))
    trials = list(Enrolment.select(Enrolment, Student, Lesson).join(Student).switch(Enrolment).join(Lesson)
                  .where(Enrolment.klass == klass, Enrolment.kind == "trial").order_by(Lesson.day.desc()))
    left = domain.hours_left([klass.id])[klass.id]
    scheduled = any(x.status != "cancelled" for x in lessons)  # without a lesson yet a class is not short
    from xgapp.meetings import briefings

    return render_template(
        "classes/show.html", klass=klass, members=members, balances=balances, money=money, lessons=lessons,
        left=left, errors=errors or {}, trials=trials,
        briefing_problem=briefings.problem(klass, briefings.of_class(klass)),
        coming=[(x.id, "%s %s %s" % (x.day.isoformat(), WEEKDAYS[x.day.weekday()], local(x.starts_at).strftime("%H:%M")))
                for x in lessons if x.status == "planned" and x.day >= campus_today()],
        may_manage=domain.may_manage(g.user, klass), may_correct=backdating.may_correct(g.user), kinds=domain.KINDS,
        statuses=domain.STATUSES, enrolment_kinds=domain.ENROLMENT_KINDS, today=campus_today(),
        schedule=schedule_values or {"first_day": max(klass.start_on, campus_today()).isoformat(),
                                     "start": "09:00", "end": "10:30",
                                     "count": max(klass.planned_lessons - len(lessons), 1)},
        scheduled=scheduled, low=scheduled and left <= rules.get("low_hours"), low_mark=rules.get("low_hours")), status


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
    term = request.form.get("student", "").strip()
    found = students.search(g.user, term, limit=2) if term else []
    try:
        if len(found) != 1:
            raise Invalid({"student": _("Type the student's name or phone tail so that exactly one matches.")})
        errors = {}
        on = form_date(request.form, "on", errors, campus_today())
        if errors:
            raise Invalid(errors)
        domain.enrol(g.user, klass, found[0], on)
    except Invalid as exc:
        return _show(klass, exc.errors, 422)
    flash(_("%(name)s is in the class.", name=found[0].name), "success")
    return redirect(url_for("classes.show", class_id=klass.id), code=303)


@bp.route("/<int:class_id>/trial", methods=["POST"])
@require("classes.view")
def trial(class_id):
    """试听: book a prospective student into one coming lesson (no hours; the lead moves on when attended)."""
    klass = class_or_404(class_id, manage=True)
    term = request.form.get("trial_student", "").strip()
    found = students.search(g.user, term, limit=2) if term else []
    lesson = Lesson.get_or_none(Lesson.id == request.form.get("trial_lesson", type=row_id),
                                Lesson.klass == klass, Lesson.status == "planned")
    try:
        errors = {}
        if len(found) != 1:
            errors["trial_student"] = _("Type the student's name or phone tail so that exactly one matches.")
        if lesson is None:
            errors["trial_lesson"] = _("Choose the lesson.")
        if errors:
            raise Invalid(errors)
        try:
            domain.book_one_lesson(g.user, lesson, found[0], "trial")
        except Invalid as exc:
            raise Invalid({"trial_student": exc.errors["student"]}) from None
    except Invalid as exc:
        return _show(klass, exc.errors, 422)
    flash(_("%(name)s is booked for a trial lesson on %(day)s.", name=found[0].name, day=lesson.day.isoformat()),
          "success")
    return redirect(url_for("classes.show", class_id=klass.id), code=303)


@bp.route("/<int:class_id>/schedule", methods=["POST"])
@require("classes.view")
def schedule(class_id):
    """Generate lessons from a weekly pattern."""
    from xgapp.timetable import domain as timetable

    klass = class_or_404(class_id, manage=True)
    form = request.form
    try:
        try:
            count = int(form.get("count", ""))
        except ValueError:
            raise Invalid({"count": _("Enter the number of lessons.")}) from None
        created = timetable.schedule(g.user, klass, form.getlist("weekdays"), parse_time(form.get("start")),
                                     parse_time(form.get("end")), parse_date(form.get("first_day")), count,
                                     reason=form.get("schedule_reason", ""))
    except Invalid as exc:
        return _show(klass, exc.errors, 422, schedule_values=dict(form) | {"weekdays": form.getlist("weekdays")})
    flash(_("%(n)d lessons scheduled.", n=len(created)), "success")
    for text in public_days.warnings([lesson.day for lesson in created]):
        flash(text, "warning")
    return redirect(url_for("classes.show", class_id=klass.id), code=303)


@bp.route("/rooms", methods=["GET", "POST"])
@require("rooms.manage")
def rooms():
    """Classrooms and campus holidays."""
    errors = {}
    if request.method == "POST":
        try:
            if request.form.get("what") == "room":
                room = Classroom.get_or_none(Classroom.id == request.form.get("room_id", type=row_id))
                domain.save_classroom(g.user, request.form.get("name"), request.form.get("seats"), room)
                flash(_("Room saved."), "success")
            elif request.form.get("what") == "holiday":
                day = parse_date(request.form.get("day"))
                domain.add_holiday(g.user, day, request.form.get("holiday_name"))
                flash(_("Holiday added."), "success")
                clashing = domain.lessons_on(day)
                if clashing:
                    flash(_("%(n)d lessons are planned on that day: move or cancel them (%(names)s).",
                            n=len(clashing), names="、".join(x.klass.name for x in clashing[:5])), "warning")
            elif request.form.get("what") == "public_days":
                chosen = [d for d in (parse_date(v) for v in request.form.getlist("public_day")) if d]
                names = {d: request.form.get("public_name-%s" % d.isoformat(), "") for d in chosen}
                picked = public_days.confirm(g.user, chosen, names, campus_today())
                flash(_("%(n)d public holidays confirmed: the campus is closed on them.", n=len(picked)), "success")
                clashing = [x for day in picked for x in domain.lessons_on(day)]
                if clashing:
                    flash(_("%(n)d lessons are planned on those days: move or cancel them (%(names)s).",
                            n=len(clashing), names="、".join(sorted({x.klass.name for x in clashing})[:5])), "warning")
            elif request.form.get("what") == "remove_holiday":
                holiday = Holiday.get_or_none(Holiday.id == request.form.get("holiday_id", type=row_id)) or abort(404)
                domain.remove_holiday(g.user, holiday)
                flash(_("Holiday removed."), "success")
            else:
                abort(400)
        except Invalid as exc:
            errors = exc.errors
        else:
            return redirect(url_for("classes.rooms"), code=303)
    from xgapp.timetable import domain as timetable

    today = campus_today()
    monday = today - timedelta(days=today.weekday())
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    proposed, workdays = public_days.proposals(today)
    return render_template("classes/rooms.html", rooms=domain.rooms(), holidays=domain.holidays(today),
                           proposed=proposed, workdays=workdays, library=public_days.LIBRARY,
                           known_year=public_days.last_known_year(),
                           errors=errors, form=request.form, usage=timetable.utilisation(monday, 7),
                           month_usage={u["room"].id: u for u in timetable.utilisation(first, (following - first).days)},
                           monday=monday, month=first.strftime("%Y-%m")), 422 if errors else 200


@bp.route("/<int:class_id>/end", methods=["POST"])
@require("classes.view")
def end(class_id):
    """结课: the class ends; its students finish and lessons not yet held are cancelled."""
    from xgapp.changes import domain as changes

    klass = class_or_404(class_id, manage=True)
    try:
        errors = {}
        on = form_date(request.form, "on", errors, campus_today())
        if errors:
            raise Invalid(errors)
        changes.end_class(g.user, klass, on, request.form.get("reason", ""))
    except Invalid as exc:
        return _show(klass, exc.errors, 422)
    flash(_("The class has ended."), "success")
    return redirect(url_for("classes.show", class_id=klass.id), code=303)


def _month_arg():
    from xgapp.classes import figures

    month = request.args.get("month") or request.form.get("month") or campus_today().strftime("%Y-%m")
    try:
        figures.month_bounds(month)
    except ValueError:
        month = campus_today().strftime("%Y-%m")
    return month


@bp.route("/teachers", methods=["GET", "POST"])
@require("classes.view")
def teachers():
    """老师课时统计与核对: each teacher's lessons and hours of a month, confirmed by the teacher and the campus."""
    from xgapp.classes import figures

    month = _month_arg()
    errors = {}
    if request.method == "POST":
        teacher = User.get_or_none(User.id == request.form.get("teacher", type=row_id)) or abort(404)
        if request.form.get("side") not in ("teacher", "advisor"):
            abort(400)
        try:
            figures.confirm(g.user, teacher, month, request.form.get("side"), request.form.get("note", ""))
        except Invalid as exc:
            errors = exc.errors
        else:
            flash(_("Confirmed."), "success")
            return redirect(url_for("classes.teachers", month=month), code=303)
    lines = figures.verification(month)
    if not g.user.role_set & domain.MANAGERS and "advisor" not in g.user.role_set:
        lines = [line for line in lines if line["teacher_id"] == g.user.id]  # a teacher sees their own month
    rows = figures.teacher_rows(month, None if g.user.role_set & (domain.MANAGERS | {"advisor"}) else g.user)
    first, _next = figures.month_bounds(month)
    return render_template("classes/teachers.html", month=month, lines=lines, rows=rows, errors=errors,
                           manager=bool(g.user.role_set & domain.MANAGERS),
                           prev=(first.replace(day=1) - timedelta(days=1)).strftime("%Y-%m"),
                           next=_next.strftime("%Y-%m"),
                           may_confirm={line["teacher_id"]: figures.may_confirm_as_advisor(g.user, line["teacher_id"],
                                                                                         month)
                                        for line in lines}), 422 if errors else 200


@bp.route("/teachers.xlsx")
@require("classes.view")
def teachers_export():
    """The month's teacher hours as an Excel file for payroll (managers)."""
    from xgapp.classes import figures
    from xgapp.web import xlsx

    if not g.user.role_set & domain.MANAGERS:
        abort(403)
    month = _month_arg()
    return xlsx(figures.export_teacher_hours(month), "老师课时-%s.xlsx" % month)


@bp.route("/figures")
@require("classes.view")
def figures_page():
    """The month's teaching numbers the supervisor reports up (月课时数, 学员人数, 老师数, per advisor)."""
    from xgapp.classes import figures

    if not g.user.role_set & domain.MANAGERS:
        abort(403)
    month = _month_arg()
    first, _next = figures.month_bounds(month)
    return render_template("classes/figures.html", month=month, figures=figures.month_figures(month),
                           prev=(first - timedelta(days=1)).strftime("%Y-%m"), next=_next.strftime("%Y-%m"))
