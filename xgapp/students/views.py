"""Student pages: list and search, the student file with its timeline, create, edit, status, reassign."""

import re
import secrets
import time
from datetime import datetime

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l

from xgapp import clock, htmx, i18n, nav, policy
from xgapp.pagecache import cached
from xgapp.campus import rules
from xgapp.accounts.models import User
from xgapp.classes import domain as classes
from xgapp.contracts import domain as contracts
from xgapp.hours import domain as hours
from xgapp.security import require
from xgapp.students import domain, forms, handover, timeline, transfer
from xgapp.students.models import Guardian, Student
from xgapp.validation import Invalid, row_id, search_term
from xgapp.web import student_or_404, xlsx

bp = Blueprint("students", __name__, url_prefix="/students")
nav.register("students.index", _l("Students"), "students.list", order=10)
PAGE = 50
PICKUP_BY_DEFAULT = 2  # 可接送 ticked on a new file: guardian 1 (母亲) and guardian 2 (父亲)


def _choices():
    return {"genders": [("", "—")] + list(domain.GENDERS.items()),
            "grades": [("", "—")] + i18n.word_choices(domain.GRADES),
            "sources": [("", "—")] + list(domain.SOURCES.items()),
            "relations": i18n.word_choices(domain.RELATIONS),
            "advisors": [(a.id, a.display_name) for a in domain.advisors()]}


@bp.route("/")
@require("students.list")
def index():
    """Students the user may see, filtered by status and advisor, searchable as you type."""
    term = search_term(request.args.get("q"))
    status = request.args.get("status") if request.args.get("status") in domain.STATUSES else None
    advisor = request.args.get("advisor", type=row_id)
    low = request.args.get("low") == "1"
    page = min(request.args.get("page", 1, type=row_id), 100_000)
    if term:
        rows = domain.search(g.user, term, limit=PAGE)
        more = False
    else:
        query = policy.students_visible_to(g.user)
        if status:
            query = query.where(Student.status == status)
        if advisor:
            query = query.where(Student.advisor == advisor)
        if low:
            query = query.where(Student.id.in_(hours.low_balance_students(rules.get("low_hours"))),
                                Student.status == "active")
        rows = list(query.order_by(Student.name).offset((page - 1) * PAGE).limit(PAGE + 1))
        more, rows = len(rows) > PAGE, rows[:PAGE]
    money = {s.id for s in rows if "money" in policy.student_access(g.user, s)}
    context = dict(rows=rows, term=term, status=status, advisor=advisor, page=page, more=more, low=low,
                   left=hours.balances_for(money), low_mark=rules.get("low_hours"),
                   statuses=domain.STATUSES, advisors=list(domain.advisors()),
                   may_create=policy.may_create_student(g.user), may_filter_advisor=policy.may_filter_by_advisor(g.user),
                   advisor_names={u.id: u.display_name for u in User.select(User.id, User.display_name)})
    if htmx.is_request() and htmx.target() == "student-results":
        return render_template("students/_results.html", **context)
    return render_template("students/index.html", **context)


@bp.route("/search")
@require("students.list")
def search():
    """The search box in the top bar: up to 8 matches as you type."""
    term = search_term(request.args.get("q"))
    return render_template("students/_search.html", rows=domain.search(g.user, term, limit=8), term=term,
                           statuses=domain.STATUSES)


@bp.route("/pick")
@require("students.list")
def pick():
    """Suggestions under a box that names one student (enrolling, booking a trial): up to 8 matches as you type;
    a tap puts "name #id" in the box, which names exactly one student."""
    field = request.args.get("field", "")
    if not re.fullmatch(r"[a-z_]{1,30}", field):
        abort(400)
    term = search_term(request.args.get(field))
    return render_template("students/_pick.html", rows=domain.search(g.user, term, limit=8), term=term, field=field)


def _form_page(student, data, guardians, referrer, errors=None, warning=False):
    errors = errors or {}
    return render_template("students/form.html", data=data, guardians=guardians, errors=errors, warning=warning,
                           student=student, referrer=referrer, **_choices()), 422 if errors else 200


@bp.route("/new")
def new():
    """A blank student file: the advisor opening it owns it; the parents named first may pick the child up."""
    if not policy.may_create_student(g.user):
        abort(403)
    data, guardians, referrer = forms.typed({})
    data["advisor"] = g.user.id if policy.owns_students(g.user) else ""
    for i, row in enumerate(guardians):
        row["can_pickup"] = i < PICKUP_BY_DEFAULT
    return _form_page(None, data, guardians, referrer)


@bp.route("/new", methods=["POST"])
def create():
    """Open a student file (with guardians); a known family's mobile asks for confirmation."""
    if not policy.may_create_student(g.user):
        abort(403)
    try:
        values = forms.parse_student(request.form, g.user, new=True)
        student = domain.create(g.user, values["data"], values["guardians"],
                                confirm_duplicate=values["confirm_duplicate"])
    except Invalid as exc:
        return _form_page(None, *forms.typed(request.form), errors=exc.errors, warning=exc.warning)
    flash(_("Student file of %(name)s opened.", name=student.name), "success")
    return redirect(url_for("students.show", student_id=student.id), code=303)


TIMELINE_SHOWN = 150


def _timeline_page():
    """(before, skip) of the timeline page asked for (`?before=<instant>&skip=<n>`), (None, 0) for the newest."""
    try:
        before = datetime.fromisoformat(request.args.get("before", ""))
        skip = int(request.args.get("skip", "0"))
    except ValueError:
        return None, 0
    if before.tzinfo is None or not 0 <= skip <= 100000:
        return None, 0
    return before, skip


@bp.route("/<int:student_id>")
@cached
def show(student_id):
    """The student file: details, guardians, hours and contracts (for who may see money), timeline."""
    student = student_or_404(student_id)
    rights = policy.student_access(g.user, student)
    money = contracts.money_of(student) if "money" in rights else None
    before, skip = _timeline_page()  # years of lessons: the newest first, then page by page, each as cheap
    events = timeline.events(student, money="money" in rights, limit=TIMELINE_SHOWN + 1, before=before, skip=skip)
    earlier = timeline.next_page(events[:TIMELINE_SHOWN], before, skip) if len(events) > TIMELINE_SHOWN else None
    return render_template("students/show.html", student=student, rights=rights, money=money,
                           events=events[:TIMELINE_SHOWN], earlier=earlier, paged=before is not None,
                           guardians=list(student.guardians.order_by(Guardian.position)),
                           classes=classes.classes_of(student), statuses=domain.STATUSES, sources=domain.SOURCES,
                           genders=domain.GENDERS, today=clock.today().isoformat(),
                           advisor_choices=[(a.id, a.display_name) for a in domain.advisors()])


@bp.route("/<int:student_id>/edit")
def edit_form(student_id):
    """The student's details and guardians, to change."""
    student = student_or_404(student_id, "edit")
    data = {k: getattr(student, k) for k in ("name", "gender", "birthday", "school", "grade", "source",
                                             "referrer_note", "special_attention", "attention_note", "notes",
                                             "may_leave_alone")}
    data["advisor"] = student.advisor_id
    guardians = [{"name": x.name, "relation": x.relation, "mobile": x.mobile, "wechat": x.wechat,
                  "can_pickup": x.can_pickup} for x in student.guardians.order_by(Guardian.position)]
    guardians += [{} for _ in range(domain.MAX_GUARDIANS - len(guardians))]
    return _form_page(student, data, guardians, student.referrer.name if student.referrer_id else "")


@bp.route("/<int:student_id>/edit", methods=["POST"])
def edit(student_id):
    """Change a student's details and guardians."""
    student = student_or_404(student_id, "edit")
    try:
        values = forms.parse_student(request.form, g.user, new=False)
        domain.update(g.user, student, values["data"], values["guardians"],
                      confirm_duplicate=values["confirm_duplicate"])
    except Invalid as exc:
        return _form_page(student, *forms.typed(request.form), errors=exc.errors, warning=exc.warning)
    flash(_("Saved."), "success")
    return redirect(url_for("students.show", student_id=student.id), code=303)


@bp.route("/<int:student_id>/status", methods=["POST"])
def status(student_id):
    """Change the student's status from a date, with a reason."""
    student = student_or_404(student_id, "edit")
    try:
        values = forms.parse_status(request.form)
        domain.change_status(g.user, student, values["status"], values["effective"], values["reason"])
    except Invalid:
        flash(_("Choose a status and a valid date."), "error")
    return redirect(url_for("students.show", student_id=student.id), code=303)


@bp.route("/<int:student_id>/reassign", methods=["POST"])
def reassign(student_id):
    """Give the student to another advisor (supervisor only)."""
    student = student_or_404(student_id)
    if not policy.can(g.user, "students.reassign"):
        abort(403)
    try:
        advisor = forms.parse_reassign(request.form)["advisor"]
        handover.reassign(g.user, student, advisor)
    except Invalid:
        flash(_("Choose an active advisor."), "error")
    else:
        flash(_("%(name)s now belongs to %(advisor)s.", name=student.name, advisor=advisor.display_name),
              "success")
    return redirect(url_for("students.show", student_id=student.id), code=303)


@bp.route("/import", methods=["GET", "POST"])
@require("students.import")
def import_roster():
    """Upload a roster (.xlsx or .csv as the campus keeps it) and see the preview: columns, problems, duplicates."""
    if request.method == "GET":
        return _import_page()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _import_page(problem=_("Choose a file."))
    data = upload.read()
    try:
        preview = transfer.preview(upload.filename, data)
    except transfer.ImportProblem as exc:
        return _import_page(problem=str(exc))
    return _import_page(preview, _stash(upload.filename, data), filename=upload.filename)


def _import_page(preview=None, token=None, problem=None, filename=""):
    context = {"problem": problem, "p": preview, "token": token, "max_rows": transfer.MAX_ROWS,
               "fields": transfer.FIELDS, "advisors": list(domain.advisors()), "relations": domain.RELATIONS,
               "filename": filename[:100]}
    status = 422 if problem or (preview is not None and not preview.ready) else 200
    return render_template("students/import.html", **context), status


def _imports_folder():
    folder = current_app.config["XGAPP_PATHS"].root / "imports"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():  # previews nobody confirmed
        if old.stat().st_mtime < time.time() - 86400:
            old.unlink(missing_ok=True)
    return folder


def _stash(filename, data):
    suffix = ".csv" if filename.lower().endswith(".csv") else ".xlsx"
    token = secrets.token_hex(8) + suffix
    (_imports_folder() / token).write_bytes(data)
    return token


@bp.route("/import/confirm", methods=["POST"])
@require("students.import")
def import_confirm():
    """Check the previewed file again with the choices made on the preview, then import it all in one transaction."""
    token = request.form.get("token", "")
    path = _imports_folder() / token
    if not re.fullmatch(r"[0-9a-f]{16}\.(csv|xlsx)", token) or not path.is_file():
        abort(404)
    try:
        preview = transfer.preview(token, path.read_bytes(), **forms.parse_import_choices(request.form))
    except transfer.ImportProblem as exc:
        path.unlink(missing_ok=True)
        flash(str(exc), "error")
        return redirect(url_for("students.import_roster"), code=303)
    filename = request.form.get("filename", "")
    if request.form.get("action") == "check" or not preview.ready:
        return _import_page(preview, token, filename=filename)
    try:
        made = transfer.import_all(g.user, preview, filename=filename[:100])
    except transfer.ImportProblem as exc:
        return _import_page(preview, token, problem=str(exc), filename=filename)
    path.unlink(missing_ok=True)
    flash(ngettext("%(n)d student imported.", "%(n)d students imported.", len(made), n=len(made)), "success")
    return redirect(url_for("students.index"), code=303)


@bp.route("/import/template.xlsx")
@require("students.import")
def import_template():
    """The roster template to fill in."""
    return xlsx(transfer.template(), "学员导入模板.xlsx")


@bp.route("/export.xlsx")
@require("students.export")
def export():
    """The students the user may see (with the current filters) as an Excel file."""
    query = policy.students_visible_to(g.user)
    if request.args.get("status") in domain.STATUSES:
        query = query.where(Student.status == request.args["status"])
    if request.args.get("advisor", type=row_id):
        query = query.where(Student.advisor == request.args.get("advisor", type=row_id))
    if request.args.get("low") == "1":
        query = query.where(Student.id.in_(hours.low_balance_students(rules.get("low_hours"))), Student.status == "active")
    return xlsx(transfer.export_students(list(query.order_by(Student.name))), "学员名单.xlsx")

