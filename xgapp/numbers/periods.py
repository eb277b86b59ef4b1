"""周报 and 月报: a week's or a month's figures (the daily counts over the period), and the month's texts."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l

from xgapp import audit, clock, policy
from xgapp.db import write
from xgapp.numbers import daily, rates, targets
from xgapp.numbers.models import MonthReport
from xgapp.validation import Invalid

TEXT_MAX = 4000


def week_of(day):
    """(Monday, Sunday) of the week holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)




def figures(first, last, advisor=None):
    """The period's figures: one advisor's, or the campus's with every advisor (the daily keys)."""
    return daily.advisor_period(advisor, first, last) if advisor is not None else daily.campus_day(first, last)


def month_rates(month, advisor=None):
    """(signing, renewal) of the month as (part, whole, percent) for an advisor or the campus."""
    first, last = month, clock.month_last(month)
    signs, renews = rates.signing(first, last), rates.renewal(first, last)

    def pick(found):
        if advisor is not None:
            part, whole = found.get(advisor.id, (0, 0))
        else:
            part, whole = sum(v[0] for v in found.values()), sum(v[1] for v in found.values())
        return part, whole, rates.ratio(part, whole)

    return pick(signs), pick(renews)


def texts(month):
    """{advisor id: MonthReport} of the month's advisor reports (one query)."""
    return {r.advisor_id: r for r in MonthReport.select().where(MonthReport.month == month,
                                                               MonthReport.advisor.is_null(False))}


def text_of(month, advisor=None):
    """The saved 月报 text row, or None."""
    query = MonthReport.select().where(MonthReport.month == month)
    query = query.where(MonthReport.advisor.is_null()) if advisor is None else query.where(
        MonthReport.advisor == advisor)
    return query.first()




def save_text(by, month, advisor, summary, plan):
    """Save the month's summary and next month's plan (audited); both may be rewritten until the month is done."""
    summary, plan = (summary or "").strip(), (plan or "").strip()
    errors = {}
    for name, text in (("summary", summary), ("plan", plan)):
        if len(text) > TEXT_MAX:
            errors[name] = _l("At most %(n)d characters.", n=TEXT_MAX)
    if not policy.may_write_month_report(by, advisor):
        errors["summary"] = _l("You cannot write this report.")
    if errors:
        raise Invalid(errors)
    with write():
        row = text_of(month, advisor)
        before = {"summary": row.summary, "plan": row.plan} if row else None
        if row is None:
            row = MonthReport.create(month=month, advisor=advisor, summary=summary, plan=plan, updated_at=clock.now(),
                                     updated_by=by)
        else:
            MonthReport.update(summary=summary, plan=plan, updated_at=clock.now(), updated_by=by).where(
                MonthReport.id == row.id).execute()
        audit.record(by, "update" if before else "create", "month_report", row.id, before=before,
                     after={"summary": summary, "plan": plan},
                     summary="%s 月报 %s" % (month.strftime("%Y-%m"), advisor.display_name if advisor else "校区"))
    return text_of(month, advisor)


def target_rows(month, advisor=None, figures=None):
    """[(label, unit, cell)] of the targets set for the month (an advisor's, or the campus's); `figures` may pass
    the month's figures already counted."""
    data = targets.progress(month, advisor=advisor, campus=figures)
    cells = data["rows"][0][1] if advisor is not None else data["rows"][-1][1]
    return [(targets.KINDS[kind][0], targets.KINDS[kind][1], cell) for kind, cell in cells.items()
            if cell["target"] is not None]
