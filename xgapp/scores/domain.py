"""Stage tests: a class's test, each student's score (0 to the full score, one decimal) with a short analysis for the
parent; the class average, the spread of scores and each student's trend across tests."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from xgapp import audit, clock
from xgapp.classes import domain as classes
from xgapp.db import newest, write
from xgapp.scores.models import Score, StageTest
from xgapp.validation import Invalid

BANDS = [(Decimal("0.9"), "≥90%"), (Decimal("0.8"), "80–89%"), (Decimal("0.7"), "70–79%"),
         (Decimal("0.6"), "60–69%"), (Decimal("0"), "<60%")]
ANALYSIS_MAX = 500
NAME_MAX, FULL_MAX = 60, 1000


def create(by, klass, name, on, full_score, now=None):
    """A new test of `klass` on `on`, scored out of `full_score` (a whole number, or its text, 1–1000)."""
    now = now or clock.now()
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _l("Name the test (e.g. 十一月月测).")
    elif len(name) > NAME_MAX:
        errors["name"] = _l("Keep it under %(n)d characters.", n=NAME_MAX)
    if on is None:
        errors["on"] = _l("Enter the date of the test.")
    full = str(full_score if full_score is not None else "").strip()
    if not (full.isascii() and full.isdigit()) or not 1 <= int(full) <= FULL_MAX:
        errors["full_score"] = _l("Enter the full score as a whole number (1–1000).")
    if errors:
        raise Invalid(errors)
    with write():
        test = StageTest.create(klass=klass, name=name, on=on, full_score=int(full), created_at=now, created_by=by)
        audit.record(by, "create", "stage_test", test.id, after=audit.snapshot(test), summary=klass.name)
    return test


def parse_score(text, full):
    """A score typed on the form (or a Decimal): a number from 0 to the full score, to one decimal; None when left
    empty."""
    if isinstance(text, Decimal):
        text = str(text)
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(_l("Enter a number.")) from None
    if not value.is_finite() or value < 0 or value > full:
        raise ValueError(_l("Between 0 and %(full)d.", full=full))
    if value != value.quantize(Decimal("0.1")):
        raise ValueError(_l("At most one decimal."))
    return value


def save_scores(by, test, entries, now=None):
    """entries: {student id: (score as text or Decimal, None or '' when none, analysis)}; all or nothing, every score
    in range."""
    now = now or clock.now()
    members = {e.student_id: e.student for e in classes.members(test.klass, day=test.on)}
    errors, parsed = {}, {}
    for sid, (text, analysis) in entries.items():
        if sid not in members:
            continue
        try:
            value = parse_score(text, test.full_score)
        except ValueError as exc:
            errors["score-%d" % sid] = exc.args[0]
            continue
        analysis = (analysis or "").strip()
        if len(analysis) > ANALYSIS_MAX:
            errors["analysis-%d" % sid] = _l("Keep it under %(n)d characters.", n=ANALYSIS_MAX)
        if value is not None:
            parsed[sid] = (value, analysis)
    if errors:
        raise Invalid(errors)
    with write():
        existing = {s.student_id: s for s in Score.select().where(Score.test == test)}
        for sid, (value, analysis) in parsed.items():
            old = existing.get(sid)
            if old is None:
                row = Score.create(test=test, student=sid, score=value, analysis=analysis, at=now, by=by)
                audit.record(by, "create", "score", row.id, after=audit.snapshot(row), summary=test.name)
            elif old.score != value or old.analysis != analysis:
                before = audit.snapshot(old)
                Score.update(score=value, analysis=analysis, at=now, by=by).where(Score.id == old.id).execute()
                audit.record(by, "update", "score", old.id, before=before,
                             after=audit.snapshot(Score.get_by_id(old.id)), summary=test.name)
    return len(parsed)


def stats_many(tests):
    """{test id: stats} for many tests in one query."""
    values = {}
    for test_id, score in Score.select(Score.test, Score.score).where(Score.test.in_([t.id for t in tests])).tuples():
        values.setdefault(test_id, []).append(score)  # a Decimal: the field converts it
    return {t.id: stats(t, values.get(t.id, [])) for t in tests}


def stats(test, values=None):
    """Average, highest, lowest and the spread by band of a test's scores."""
    if values is None:
        values = [s.score for s in Score.select(Score.score).where(Score.test == test)]
    if not values:
        return None
    full = Decimal(test.full_score)
    bands = {label: 0 for _, label in BANDS}
    for value in values:
        for floor, label in BANDS:
            if value >= floor * full:
                bands[label] += 1
                break
    average = (sum(values) / len(values)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)  # 87.25 → 87.3
    return {"count": len(values), "average": average, "high": max(values), "low": min(values), "bands": bands}


def trend(student):
    """The student's scores across tests, oldest first: [(test, score, percent)]."""
    rows = (Score.select(Score, StageTest).join(StageTest).where(Score.student == student)
            .order_by(StageTest.on, StageTest.id))
    return [(s.test, s.score, (s.score * 100 / s.test.full_score).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
            for s in rows]


def score_events(student, limit=None, before=None):
    rows = newest(Score.select(Score, StageTest).join(StageTest).where(Score.student == student), Score.at, limit, before)
    return [(s.at, "score", "阶段测试 · %s · %s/%d" % (s.test.name, s.score, s.test.full_score), s.analysis)
            for s in rows]
