"""The campus clock: now, today, campus time <-> UTC, day and month bounds. Every other module asks this one.

Instants are stored as UTC (`db.UtcDateTimeField`) and shown in campus time; calendar days and months are campus
days. `fixed()` stops the clock at an instant (the demo builds years of history this way, tests pin a day): now,
today and everything derived from them then agree, in the domain and in the views alike.
"""

import contextvars
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

_fixed_now = contextvars.ContextVar("xgapp_fixed_now", default=None)


def zone():
    """The campus time zone (the default campus zone outside an app context, e.g. in domain tests)."""
    if has_app_context():
        return ZoneInfo(current_app.config["XGAPP"]["timezone"])
    from xgapp.settings import BY_NAME  # settings imports validation, which needs an app only at call time

    return ZoneInfo(BY_NAME["timezone"].default)


def now():
    """The current instant, aware, in UTC (or the instant `fixed()` set)."""
    pinned = _fixed_now.get()
    return pinned if pinned is not None else datetime.now(timezone.utc)


@contextmanager
def fixed(instant):
    """Inside the block, the clock reads `instant` (an aware datetime): every write is stamped with it."""
    token = _fixed_now.set(instant.astimezone(timezone.utc))
    try:
        yield
    finally:
        _fixed_now.reset(token)


def local(instant):
    """An aware instant in campus time (None stays None)."""
    return None if instant is None else instant.astimezone(zone())


def local_now():
    """Now, in campus time."""
    return local(now())


def today():
    """Today's date on the campus clock."""
    return local_now().date()


def at(day, clock_time=time(0)):
    """The campus-local instant of `clock_time` (HH:MM) on `day`."""
    return datetime.combine(day, clock_time, tzinfo=zone())


def parse_local(day_text, time_text):
    """A campus-local date (YYYY-MM-DD) and time (HH:MM) typed on a form, as an aware instant; None if unreadable."""
    from xgapp.validation import FIRST_DAY, LAST_DAY

    try:
        day = datetime.strptime((day_text or "").strip(), "%Y-%m-%d").date()
        if not FIRST_DAY <= day <= LAST_DAY:  # 9999-12-31 is no meeting date (and overflows a day later)
            return None
        hh, mm = (time_text or "").strip().split(":")
        return at(day, time(int(hh), int(mm)))
    except ValueError:
        return None


def day_bounds(day):
    """The campus-local day as two aware instants [start, end): compare stored UTC instants with these."""
    return at(day), at(day + timedelta(days=1))


def days_bounds(first, last):
    """The campus-local days first..last (inclusive) as two aware instants [start, end)."""
    return at(first), at(last + timedelta(days=1))


def month_start(day):
    """The first day of `day`'s month."""
    return day.replace(day=1)


def next_month(day):
    """The first day of the month after `day`'s."""
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def previous_month(day):
    """The first day of the month before `day`'s."""
    return date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1)


def add_months(day, months):
    """The first day of the month `months` after (or before, when negative) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_last(day):
    """The last day of `day`'s month."""
    return next_month(day) - timedelta(days=1)


def month_days(day):
    """`day`'s month as two dates [first, first of the next month)."""
    return month_start(day), next_month(day)


def month_bounds(day):
    """`day`'s campus-local month as two aware instants [start, end)."""
    return at(month_start(day)), at(next_month(day))


def parse_month(text):
    """'2026-09' -> date(2026, 9, 1); ValueError on anything else (years 2000–2099)."""
    year, _, mon = (text or "").strip().partition("-")
    if not (len(year) == 4 and year.isdigit() and mon.isdigit() and 2000 <= int(year) <= 2099):
        raise ValueError(text)
    return date(int(year), int(mon), 1)


def stamp(fmt="%Y%m%d-%H%M%S"):
    """Now in campus time, formatted (file names of backups and bundles)."""
    return local_now().strftime(fmt)
