"""Stage-test forms: a new test of a class, and the scores of one test. Every problem is reported at once."""

from flask_babel import lazy_gettext as _l

from xgapp.classes import domain as classes
from xgapp.scores import domain
from xgapp.validation import Reader


def parse_test(form):
    """A new test: {name, on, full_score (1–1000)}."""
    r = Reader(form)
    values = {"name": r.text("name", required=True, limit=domain.NAME_MAX, message=_l("Name the test (e.g. 十一月月测).")),
              "on": r.date("on", message=_l("Enter the date of the test.")),
              "full_score": r.integer("full_score", 1, domain.FULL_MAX,
                                      message=_l("Enter the full score as a whole number (1–1000)."))}
    r.done()
    return values


def parse_scores(form, test):
    """The scores typed for the students of `test`'s class: {student id: (score or None when left empty, analysis)}."""
    r = Reader(form)
    entries = {}
    for enrolment in classes.members(test.klass, day=test.on):
        sid = enrolment.student_id
        if "score-%d" % sid not in form:
            continue
        text = r.raw("score-%d" % sid)
        try:
            score = domain.parse_score(text, test.full_score)
        except ValueError as exc:
            r.fail("score-%d" % sid, exc.args[0])
            score = None
        entries[sid] = (score, r.text("analysis-%d" % sid, limit=domain.ANALYSIS_MAX))
    r.done()
    return entries
