"""The numbers pages' forms and filters read into values (validation.Reader: every problem at once).

- `parse_targets(form, advisors)`: the 业绩目标 form, one box per advisor (and the campus) and target kind;
- `target_cells(raw)`: the same from {(advisor id or None, kind): text} (the form, a script, the benchmarks);
- `parse_month_text(form)`: the 月报 summary and next month's plan;
- `parse_tap(form)`: one tap on a manual counter;
- `parse_day(args)`, `parse_month(args)`, `parse_period(args)`: the pages' query strings (a day, a month, a week).
"""

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from xgapp import clock, validation
from xgapp.numbers import manual, periods, targets
from xgapp.validation import Reader


def target_name(kind, advisor_id):
    """The form field of one target box: "new-12" (an advisor's share), "new-campus" (the branch's target)."""
    return "%s-%s" % (kind, advisor_id or "campus")


def target_value(text, unit):
    """A target typed in a box, per its unit (yuan to the fen, hours to a tenth, a whole count); None when empty
    (no target). Raises ValueError with the message to show."""
    text = (text or "").strip().replace(",", "").replace("，", "")
    if not text:
        return None
    if unit == "money":
        value = validation.money(text)
        if value == 0:
            raise ValueError(_l("A target must be more than zero; leave the box empty for no target."))
        return value
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(_l("Enter a number.")) from None
    if not value.is_finite() or value <= 0 or value >= targets.LIMIT:
        raise ValueError(_l("Enter a number more than 0 and under 100 million."))
    if value != value.quantize(targets.STEP[unit]):
        raise ValueError(_l("At most 1 decimal.") if unit == "hours" else _l("A whole number."))
    return value.quantize(targets.STEP["money"])


def target_cells(raw, advisor_ids=None):
    """{(advisor id or None, kind): text} -> {(advisor id or None, kind): Decimal or None}; cells of an unknown kind
    or advisor (not in `advisor_ids`, when given) are left out. Invalid names every bad box ("kind-advisor")."""
    reader = Reader({target_name(kind, who): text for (who, kind), text in raw.items()})
    values = {}
    for (who, kind), text in raw.items():
        if kind not in targets.KINDS or (who is not None and advisor_ids is not None and who not in advisor_ids):
            continue
        try:
            values[(who, kind)] = target_value(text, targets.KINDS[kind][1])
        except ValueError as exc:
            reader.fail(target_name(kind, who), exc.args[0])
    reader.done()
    return values


def parse_targets(form, advisors):
    """The 业绩目标 form: every box of the campus and of each of `advisors` (an empty or missing box removes that
    target) -> {(advisor id or None, kind): Decimal or None}."""
    people = [None] + [a.id for a in advisors]
    raw = {(who, kind): form.get(target_name(kind, who), "") for who in people for kind in targets.KINDS}
    return target_cells(raw, advisor_ids=set(people[1:]))


def typed_targets(form, advisors):
    """What was typed in each target box ({(advisor id or None, kind): text}), to show it again beside the
    messages."""
    people = [None] + [a.id for a in advisors]
    return {(who, kind): form.get(target_name(kind, who), "") for who in people for kind in targets.KINDS}


def parse_month_text(form):
    """The 月报 form: {"summary", "plan"} (each at most periods.TEXT_MAX characters)."""
    r = Reader(form)
    for name in ("summary", "plan"):
        text = r.text(name, multiline=True)
        r.check(len(text) <= periods.TEXT_MAX, name, _l("At most %(n)d characters.", n=periods.TEXT_MAX))
    return r.done()


def parse_tap(form):
    """One tap on a manual counter: {"advisor": id, "day": date, "kind", "delta": +1 or −1}."""
    r = Reader(form)
    r.row("advisor")
    r.date("day")
    r.choice("kind", manual.KINDS, message=_l("Unknown counter."))
    values = r.done()
    try:  # manual.tap says what is wrong with a tap that is neither + nor −
        values["delta"] = int(r.raw("delta"))
    except ValueError:
        values["delta"] = None
    return values


def parse_day(args, today=None):
    """The page's ?day= (default today); Invalid when it is no date."""
    r = Reader(args)
    day = r.date("day", required=False, default=today or clock.today())
    r.done()
    return day


def parse_month(args, today=None):
    """The page's ?month= (YYYY-MM, default this month) as its first day; Invalid when it is no month."""
    r = Reader(args)
    text = r.raw("month")
    month = None
    try:
        month = clock.parse_month(text) if text else clock.month_start(today or clock.today())
    except ValueError:
        r.fail("month", _l("Enter a month, e.g. 2026-09."))
    r.done()
    return month


def parse_period(args, today=None):
    """?kind=week&day=… or ?month=… -> (kind, first day, last day, label)."""
    if (args.get("kind") or "") == "week":
        first, last = periods.week_of(parse_day(args, today))
        return "week", first, last, "%s – %s" % (first.isoformat(), last.isoformat())
    month = parse_month(args, today)
    return "month", month, clock.month_last(month), month.strftime("%Y-%m")

