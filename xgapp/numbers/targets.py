"""业绩目标: the branch's monthly targets for the campus, split per advisor by the supervisor, and progress.

Progress is counted from the records by numbers.daily over the month; "per day" is what is still missing divided by
the days left in the month, today included.
"""

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from xgapp import audit, clock
from xgapp.db import write
from xgapp.numbers import daily
from xgapp.numbers.models import Target
from xgapp.students import domain as students

# kind: (label, unit, the month's figure it is measured against)
KINDS = {
    "new": (_l("New signings (yuan)"), "money", lambda f: f["new"]["amount"]),
    "renewal": (_l("Renewals (yuan)"), "money", lambda f: f["renewal"]["amount"]),
    "referral": (_l("Referrals (yuan)"), "money", lambda f: f["referral"]["amount"]),
    "expansion": (_l("Added subjects (yuan)"), "money", lambda f: f["expansion"]["amount"]),
    "hours": (_l("Hours consumed"), "hours", lambda f: f["hours_consumed"]),
    "new_students": (_l("New students"), "count", lambda f: f["new_students"]),
}
STEP = {"money": Decimal("0.01"), "hours": Decimal("0.1"), "count": Decimal("1")}
LIMIT = Decimal("100000000")


def fmt(value, unit):
    """A figure as people write it: ¥12,000.00, 120.5 (hours), 3 (a count); — for none."""
    if value is None:
        return "—"
    if unit == "money":
        return "¥{:,.2f}".format(value)
    if unit == "hours":
        return "%.1f" % value
    return "%d" % value


def month_of(text=None, today=None):
    """'2026-11' → date(2026, 11, 1); None or '' → this month; ValueError on anything else."""
    if not text:
        return clock.month_start(today or clock.today())
    return clock.parse_month(text)


def load(month):
    """{(advisor id or None, kind): Decimal} of a month's targets (one query)."""
    return {(t.advisor_id, t.kind): t.value for t in Target.select().where(Target.month == month)}


def save(by, month, values):
    """Save a month's targets: values {(advisor id or None, kind): Decimal, or None to remove the target} (read
    from the form by numbers.forms.parse_targets); cells of an unknown kind or advisor are ignored.

    Returns the number of targets changed (one transaction, each change audited).
    """
    advisors = {a.id: a.display_name for a in students.advisors()}
    values = {(advisor_id, kind): value for (advisor_id, kind), value in values.items()
              if kind in KINDS and (advisor_id is None or advisor_id in advisors)}
    changed = 0
    with write():
        stored = {(t.advisor_id, t.kind): t for t in Target.select().where(Target.month == month)}
        for key, value in values.items():
            row = stored.get(key)
            if row is not None and row.value == value:
                continue
            advisor_id, kind = key
            if value is None and row is None:
                continue
            if value is None:
                row.delete_instance()
            elif row is None:
                row = Target.create(month=month, advisor=advisor_id, kind=kind, value=value, updated_at=clock.now(),
                                    updated_by=by)
            else:
                Target.update(value=value, updated_at=clock.now(), updated_by=by).where(Target.id == row.id).execute()
            audit.record(by, "update", "target", row.id, before={"value": str(stored[key].value) if key in stored
                                                                  else None},
                         after={"value": None if value is None else str(value)},
                         summary="%s 业绩目标 %s %s" % (month.strftime("%Y-%m"), advisors.get(advisor_id, "校区"),
                                                     KINDS[kind][0]))
            changed += 1
    return changed


def mismatches(month, targets=None, advisors=None):
    """{kind: (campus target, sum of the advisors' shares)} where a split does not add up to the campus target."""
    targets = load(month) if targets is None else targets
    advisors = list(students.advisors()) if advisors is None else advisors
    found = {}
    for kind in KINDS:
        campus = targets.get((None, kind))
        shares = [targets[(a.id, kind)] for a in advisors if (a.id, kind) in targets]
        if campus is not None and shares and sum(shares, Decimal(0)) != campus:
            found[kind] = (campus, sum(shares, Decimal(0)))
    return found


def days_left(month, today=None):
    """Days of `month` still to work, today included (0 for a past month, all of them for a future one)."""
    today = today or clock.today()
    first, following = clock.month_days(month)
    if today >= following:
        return 0
    return (following - max(today, first)).days


def progress(month, today=None, advisor=None, campus=None):
    """Each advisor's (or only `advisor`'s) and the campus's progress towards the month's targets.

    Returns {"days_left": n, "rows": [(who, {kind: cell})]} where who is a User or None for the campus and a cell
    is {"target", "actual", "percent", "missing", "per_day"} (target None when none is set). `campus` may pass
    the month's figures (the campus's, or the advisor's) when the caller has them already.
    """
    today = today or clock.today()
    first, last = clock.month_start(month), clock.month_last(month)
    left = days_left(month, today)
    targets = load(month)
    if advisor is not None:
        people = [(advisor, campus or daily.advisor_period(advisor, first, last))]
    else:
        campus = campus or daily.campus_day(first, last)
        people = list(campus["by_advisor"]) + [(None, campus)]
    rows = []
    for who, figures in people:
        cells = {}
        for kind, (_, unit, measure) in KINDS.items():
            actual = Decimal(measure(figures))
            target = targets.get((who.id if who else None, kind))
            missing = max(target - actual, Decimal(0)) if target is not None else None
            per_day = (missing / left).quantize(STEP[unit], rounding="ROUND_CEILING") if missing and left else None
            cells[kind] = {"target": target, "actual": actual, "unit": unit, "shown": "%s / %s" % (
                               fmt(actual, unit), fmt(target, unit)), "shown_per_day": fmt(per_day, unit),
                           "shown_missing": fmt(missing, unit),
                           "percent": None if target is None else int(actual * 100 / target) if target else 100,
                           "missing": missing, "per_day": per_day}
        rows.append((who, cells))
    return {"days_left": left, "rows": rows, "month": month}


def months_around(month):
    """The month before and after, for the page's arrows."""
    return clock.previous_month(month), clock.next_month(month)
