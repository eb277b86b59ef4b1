"""Print pages: a form's preview (the PDF in the page), the PDF itself, a blank, batch printing, signed copies."""

import base64
import io
from datetime import date, timedelta

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from xgapp import clock, htmx, policy, printing
from xgapp.campus import rules
from xgapp.classes.models import StudentChange
from xgapp.complaints.models import Complaint
from xgapp.contracts.models import Contract, Refund
from xgapp.meetings.models import Briefing, FirstLessonFeedback, ParentMeeting
from xgapp.prints import batch as batches
from xgapp.prints import domain, forms, render
from xgapp.prints.catalog import CHANGE_PREFIX, FORMS, NotFound, split_advisor_day, split_scope_month
from xgapp.policy import can
from xgapp.security import local_path
from xgapp.students.models import Student
from xgapp.validation import Invalid, row_id
from xgapp.web import class_or_404

bp = Blueprint("prints", __name__, url_prefix="/print")

PERMISSION = {"briefing": "meetings.view", "parent-meeting": "meetings.view", "first-lesson": "meetings.view",
              "selfstudy-log": "selfstudy.view", "qa-log": "selfstudy.view", "daily-report": "followups.view",
              "change-form": "students.list", "campus-daily": "numbers.view", "month-report": "numbers.view",
              "complaint": "complaints.view"}


def _form_or_404(name):
    form = FORMS.get(name)
    if form is None or not can(g.user, PERMISSION[name]):
        abort(404)
    return form


def _student_or_404(student_id, right="view"):
    student = Student.get_or_none(Student.id == student_id) if student_id else None
    if student is None or right not in policy.student_access(g.user, student):
        abort(404)
    return student


def _check(form, ref):
    """404 unless `ref` is the record's one spelling, it exists and the user may see it as on screen; returns
    whether they may mark its signed copy received."""
    user = g.user
    try:
        ref = form.check_ref(ref)
        if form.name == "briefing":
            briefing = Briefing.get_or_none(Briefing.id == int(ref)) or abort(404)
            klass = class_or_404(briefing.klass_id)
            return policy.may_manage_class(user, klass) and briefing.status == "held"
        if form.name == "parent-meeting":
            meeting = ParentMeeting.get_or_none(ParentMeeting.id == int(ref)) or abort(404)
            if meeting.klass_id:
                class_or_404(meeting.klass_id)
            elif not policy.may_see_family_meeting(user, meeting):
                abort(404)
            return policy.may_run_parent_meeting(user, meeting) and meeting.status == "held"
        if form.name == "first-lesson":
            feedback = FirstLessonFeedback.get_or_none(FirstLessonFeedback.id == int(ref)) or abort(404)
            klass = class_or_404(feedback.klass_id)
            _student_or_404(feedback.student_id)
            return policy.may_manage_class(user, klass)
        if form.name in ("selfstudy-log", "qa-log"):
            return can(user, "selfstudy.desk") and date.fromisoformat(ref) <= clock.today()
        if form.name == "daily-report":
            advisor, day = split_advisor_day(ref)
            if not policy.may_see_advisor_report(user, advisor):
                abort(404)
            return policy.is_report_leader(user) and day <= clock.today()
        if form.name == "month-report":  # the campus's for the leaders; an advisor's for her and the leaders
            advisor, month = split_scope_month(ref)
            if advisor is None and not policy.is_report_leader(user):
                abort(404)
            if advisor is not None and not policy.may_see_advisor_report(user, advisor):
                abort(404)
            return policy.is_report_leader(user) and clock.month_last(month) < clock.today()  # once it is over
        if form.name == "campus-daily":  # the supervisor's report to the branch and the principal
            if not policy.is_report_leader(user):
                abort(404)
            return date.fromisoformat(ref) <= clock.today()
        if form.name == "complaint":  # as on screen; a teacher who sees it without the family prints nothing
            complaint = policy.complaints_visible_to(user).where(Complaint.id == int(ref)).first() or abort(404)
            if policy.hides_complainant(user, complaint, rules.get("complaint_hide_family")):
                abort(404)
            return policy.may_handle_complaint(user, complaint)
        if form.name == "change-form":
            prefix, _sep, number = ref.partition("-")
            kind = CHANGE_PREFIX[prefix]
            if kind == "refund":
                refund = Refund.get_or_none(Refund.id == int(number)) or abort(404)
                student = _student_or_404(Contract.get_by_id(refund.contract_id).student_id, "money")
            else:  # the changes page is for those who may edit the student
                change = (StudentChange.get_or_none(StudentChange.id == int(number), StudentChange.kind == kind)
                          or abort(404))
                student = _student_or_404(change.student_id, "edit")
            return "edit" in policy.student_access(user, student)
    except (ValueError, OverflowError, NotFound):
        abort(404)
    abort(404)


def _filename(form, ref):
    return "%s-%s.pdf" % (form.title, str(ref).replace("/", "-"))


@bp.route("/<name>/<path:ref>.pdf")
def pdf(name, ref):
    """The filled form as a PDF (inline for the browser's viewer; ?download=1 to save it)."""
    form = _form_or_404(name)
    _check(form, ref)
    try:
        rendered = render.filled(form, ref, g.user, g.user.display_name)
    except NotFound:
        abort(404)
    return printing.pdf_response(printing.write(rendered), _filename(form, ref),
                                 download=request.args.get("download") == "1")


def _blank_params(form):
    params = {}
    if request.args.get("class"):
        params["class"] = class_or_404(request.args.get("class", type=row_id) or 0)
    if request.args.get("student"):
        params["student"] = _student_or_404(request.args.get("student", type=row_id))
    if request.args.get("kind") in CHANGE_PREFIX.values():
        params["kind"] = request.args["kind"]
    return params


@bp.route("/<name>/blank.pdf")
def blank_pdf(name):
    """The form to fill in by hand (?class= / ?student= put their names in already)."""
    form = _form_or_404(name)
    rendered = render.blank(form, _blank_params(form), g.user.display_name)
    return printing.pdf_response(printing.write(rendered), "%s-空白.pdf" % form.title,
                                 download=request.args.get("download") == "1")


def _pages(rendered):
    """The form's pages as PNG data: URIs for the preview (the same layout the PDF prints)."""
    return ["data:image/png;base64," + base64.b64encode(png).decode("ascii")
            for png in printing.page_images(printing.write(rendered))]


@bp.route("/<name>/blank")
def blank(name):
    """Preview of the blank form."""
    form = _form_or_404(name)
    rendered = render.blank(form, _blank_params(form), g.user.display_name)
    args = {k: v for k, v in request.args.items() if k in ("class", "student", "kind")}
    return render_template("prints/preview.html", form=form, ref=None, pages=_pages(rendered),
                           pdf_url=url_for("prints.blank_pdf", name=name, **args), signed=None, may_sign=False,
                           back=_back(), errors={}, values={}, missing=rendered.missing)


def _back():
    target = request.args.get("back") or request.referrer or ""
    return local_path(target) or url_for("home.index")


@bp.route("/<name>/<path:ref>")
def preview(name, ref):
    """The print preview: the PDF in the page, print and download buttons, and the signed copy's state."""
    form = _form_or_404(name)
    may_sign = _check(form, ref)
    return _preview(form, ref, may_sign)


def _preview(form, ref, may_sign, errors=None, status=200, values=None):
    try:
        rendered = render.filled(form, ref, g.user, g.user.display_name)
    except NotFound:
        abort(404)
    return render_template("prints/preview.html", form=form, ref=ref, pages=_pages(rendered),
                           pdf_url=url_for("prints.pdf", name=form.name, ref=ref), missing=rendered.missing,
                           signed=domain.received(form.name, ref), may_sign=may_sign, back=_back(),
                           errors=errors or {}, values=values or {}), status


@bp.route("/<name>/<path:ref>/signed", methods=["POST"])
def signed(name, ref):
    """The signed paper copy is back and filed: who took it in, and when."""
    form = _form_or_404(name)
    if not _check(form, ref):
        abort(403)
    try:
        values = forms.parse_signed(request.form, name, ref)
        summary = form.load(ref, None)["summary"]
        domain.mark_received(g.user, name, ref, summary, values["note"])
    except NotFound:
        abort(404)
    except Invalid as exc:
        return _preview(form, ref, True, exc.errors, 422, dict(request.form.items()))
    flash(_("Signed copy marked as received."), "success")
    return redirect(url_for("prints.preview", name=name, ref=ref, back=request.form.get("back", "")), code=303)


# --- batch -----------------------------------------------------------------------------------------------------


BATCH_FORMS = ("briefing", "parent-meeting", "first-lesson", "selfstudy-log", "qa-log", "daily-report", "campus-daily")


def _batch_forms():
    return [FORMS[n] for n in BATCH_FORMS if can(g.user, PERMISSION[n])
            and (n != "campus-daily" or policy.is_report_leader(g.user))]


def _batch_choices():
    choices = _batch_forms()
    if not choices:
        abort(404)
    return choices


def _batch_page(choices, values, errors=None, job=None, status=200):
    template = "prints/_batch.html" if htmx.is_request() else "prints/batch.html"
    return render_template(template, choices=choices, values=values, errors=errors or {}, job=job,
                           form_options=[(f.name, f.title) for f in choices]), status


@bp.get("/batch")
def batch_page():
    """Print every record of a form in a period as one PDF (e.g. this week's briefings, a month of study logs)."""
    choices = _batch_choices()
    today = clock.today()
    return _batch_page(choices, {
        "form": request.args.get("form", choices[0].name),
        "first": request.args.get("first", (today - timedelta(days=today.weekday())).isoformat()),
        "last": request.args.get("last", today.isoformat())})


@bp.post("/batch")
def batch_start():
    choices = _batch_choices()
    typed = {k: request.form.get(k, "") for k in ("form", "first", "last")}
    try:
        values = forms.parse_batch(request.form, choices)
    except Invalid as exc:
        return _batch_page(choices, typed, exc.errors, status=422)
    form, first, last = values["form"], values["first"], values["last"]
    refs = form.refs_between(first, last, g.user)
    if not refs:
        return _batch_page(choices, typed, {"form": _("Nothing to print in this period.")}, status=422)
    if len(refs) > render.BATCH_MAX:
        return _batch_page(choices, typed, {"last": _("%(n)d forms: at most %(max)d at a time; choose a shorter "
                                                      "period.", n=len(refs), max=render.BATCH_MAX)}, status=422)
    try:
        job = batches.start(current_app._get_current_object(), form, refs, g.user, g.user.display_name)
    except batches.Busy:
        return _batch_page(choices, typed, {"form": _("Another batch is being printed; try again when it is done.")},
                           status=422)
    return _batch_page(choices, typed, job=job)


@bp.route("/batch/<job_id>")
def batch_status(job_id):
    """The job's progress (polled by the batch page until the PDF is ready)."""
    job = batches.get(job_id, g.user) or abort(404)
    return render_template("prints/_job.html", job=job)


@bp.route("/batch/<job_id>.pdf")
def batch_pdf(job_id):
    job = batches.get(job_id, g.user) or abort(404)
    if job.state != "done" or not job.path.exists():
        abort(404)
    return send_file(io.BytesIO(job.path.read_bytes()), mimetype="application/pdf", download_name="%s-批量.pdf" % job.form.title,
                     as_attachment=request.args.get("download") == "1", max_age=0)
