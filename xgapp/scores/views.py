"""Stage-test pages: a class's tests, entering scores with the class statistics, a student's trend."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import ngettext

from xgapp import clock, policy
from xgapp.classes import domain as classes
from xgapp.scores import domain, forms
from xgapp.scores.models import Score, StageTest
from xgapp.security import require
from xgapp.students.models import Student
from xgapp.validation import Invalid
from xgapp.web import class_or_404

bp = Blueprint("scores", __name__, url_prefix="/scores")


def _class_page(klass, errors=None, values=None):
    tests = list(StageTest.select().where(StageTest.klass == klass).order_by(StageTest.on.desc()))
    return render_template("scores/class.html", klass=klass, tests=tests,
                           may_enter=policy.may_enter_scores(g.user, klass), errors=errors or {},
                           values=values or {"on": clock.today().isoformat(), "full_score": "100"},
                           stats=domain.stats_many(tests)), 422 if errors else 200


@bp.route("/class/<int:class_id>")
@require("classes.view")
def klass(class_id):
    """The class's tests (newest first) and the form to add one."""
    return _class_page(class_or_404(class_id))


@bp.route("/class/<int:class_id>", methods=["POST"])
@require("classes.view")
def create(class_id):
    """Add a test to the class."""
    klass = class_or_404(class_id)
    if not policy.may_enter_scores(g.user, klass):
        abort(403)
    try:
        values = forms.parse_test(request.form)
        test = domain.create(g.user, klass, values["name"], values["on"], values["full_score"])
    except Invalid as exc:
        return _class_page(klass, exc.errors, request.form.to_dict())
    return redirect(url_for("scores.test", test_id=test.id), code=303)


def _test_page(test, errors=None, values=None):
    members = classes.members(test.klass, day=test.on)
    may_enter = policy.may_enter_scores(g.user, test.klass)
    if not (may_enter or policy.sees_all_students(g.user)):
        # an advisor who has students in the class sees their scores, not the other families'
        members = [e for e in members if "view" in policy.student_access(g.user, e.student)]
    scores = {s.student_id: s for s in Score.select().where(Score.test == test)}
    return render_template("scores/test.html", test=test, klass=test.klass, members=members, scores=scores,
                           stats=domain.stats(test), errors=errors or {}, values=values or {},
                           may_enter=may_enter), 422 if errors else 200


def _test_or_404(test_id):
    test = StageTest.get_or_none(StageTest.id == test_id) or abort(404)
    class_or_404(test.klass_id)
    return test


@bp.route("/test/<int:test_id>")
@require("classes.view")
def test(test_id):
    """One test: the class's results, and (for who may enter them) the scores to enter or correct."""
    return _test_page(_test_or_404(test_id))


@bp.route("/test/<int:test_id>", methods=["POST"])
@require("classes.view")
def save(test_id):
    """Enter or correct the scores of one test (all or nothing)."""
    test = _test_or_404(test_id)
    if not policy.may_enter_scores(g.user, test.klass):
        abort(403)
    try:
        saved = domain.save_scores(g.user, test, forms.parse_scores(request.form, test))
    except Invalid as exc:
        return _test_page(test, exc.errors, request.form.to_dict())
    flash(ngettext("%(n)d score saved.", "%(n)d scores saved.", saved, n=saved), "success")
    return redirect(url_for("scores.test", test_id=test.id), code=303)


@bp.route("/student/<int:student_id>")
@require("students.list")
def student(student_id):
    """A student's scores across tests, with the analysis to share with the parent."""
    pupil = Student.get_or_none(Student.id == student_id) or abort(404)
    if "view" not in policy.student_access(g.user, pupil):
        abort(404)
    return render_template("scores/student.html", student=pupil, rows=domain.trend(pupil),
                           analyses={s.test_id: s.analysis for s in Score.select().where(Score.student == pupil)})
