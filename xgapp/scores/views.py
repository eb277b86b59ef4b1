"""Stage-test pages: a class's tests, entering scores with the class statistics, a student's trend."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from xgapp.audit.views import register_table
from xgapp.classes import domain as classes
from xgapp.web import class_or_404, parse_date
from xgapp.i18n import campus_today
from xgapp.scores import domain
from xgapp.scores.models import Score, StageTest
from xgapp.security import require
from xgapp.students import domain as students
from xgapp.students.models import Student
from xgapp.validation import Invalid

bp = Blueprint("scores", __name__, url_prefix="/scores")
register_table("stage_test", _l("Stage test"))
register_table("score", _l("Score"))


@bp.route("/class/<int:class_id>", methods=["GET", "POST"])
@require("classes.view")
def klass(class_id):
    """The class's tests (newest first) and the form to add one."""
    klass = class_or_404(class_id)
    may_enter = domain.may_enter(g.user, klass)
    errors, values, status = {}, {"on": campus_today().isoformat(), "full_score": "100"}, 200
    if request.method == "POST":
        if not may_enter:
            abort(403)
        values = dict(request.form.items())
        try:
            test = domain.create(g.user, klass, values.get("name"), parse_date(values.get("on")),
                                 values.get("full_score"))
        except Invalid as exc:
            errors, status = exc.errors, 422
        else:
            return redirect(url_for("scores.test", test_id=test.id), code=303)
    tests = list(StageTest.select().where(StageTest.klass == klass).order_by(StageTest.on.desc()))
    return render_template("scores/class.html", klass=klass, tests=tests, may_enter=may_enter, errors=errors,
                           values=values, stats=domain.stats_many(tests)), status


def _test_page(test, errors=None, status=200, values=None):
    members = classes.members(test.klass, day=test.on)
    if not (domain.may_enter(g.user, test.klass) or students.sees_all(g.user)):
        # an advisor who has students in the class sees their scores, not the other families'
        members = [e for e in members if "view" in students.access(g.user, e.student)]
    scores = {s.student_id: s for s in Score.select().where(Score.test == test)}
    return render_template("scores/test.html", test=test, klass=test.klass, members=members, scores=scores,
                           stats=domain.stats(test), errors=errors or {}, values=values or {},
                           may_enter=domain.may_enter(g.user, test.klass)), status


@bp.route("/test/<int:test_id>", methods=["GET", "POST"])
@require("classes.view")
def test(test_id):
    """Enter or correct the scores of one test (all or nothing) and see the class's results."""
    test = StageTest.get_or_none(StageTest.id == test_id) or abort(404)
    class_or_404(test.klass_id)
    if request.method == "GET":
        return _test_page(test)
    if not domain.may_enter(g.user, test.klass):
        abort(403)
    entries = {}
    for key, value in request.form.items():
        if key.startswith("score-") and key[6:].isascii() and key[6:].isdigit():
            sid = int(key[6:])
            entries[sid] = (value, request.form.get("analysis-%d" % sid, ""))
    try:
        saved = domain.save_scores(g.user, test, entries)
    except Invalid as exc:
        return _test_page(test, exc.errors, 422, dict(request.form.items()))
    flash(_("%(n)d scores saved.", n=saved), "success")
    return redirect(url_for("scores.test", test_id=test.id), code=303)


@bp.route("/student/<int:student_id>")
@require("students.list")
def student(student_id):
    """A student's scores across tests, with the analysis to share with the parent."""
    pupil = Student.get_or_none(Student.id == student_id) or abort(404)
    if "view" not in students.access(g.user, pupil):
        abort(404)
    return render_template("scores/student.html", student=pupil, rows=domain.trend(pupil),
                           analyses={s.test_id: s.analysis for s in Score.select().where(Score.student == pupil)})
