"""China's public holidays (法定节假日) and their 调休 working days, from the `chinese-calendar` library.

The State Council announces each year's days around November of the year before; the library ships them in its
releases. A year it does not know yet gets no proposals: the holidays page and the scheduling warnings say so, and
the principal types those days by hand. Nothing here closes the campus by itself: the days are proposals the
principal confirms (a campus Holiday row each, audited) or leaves open.
"""

from datetime import date, timedelta

import chinese_calendar
from flask_babel import lazy_gettext as _l

from xgapp import audit, clock
from xgapp.classes.models import Holiday
from xgapp.db import write
from xgapp.validation import Invalid

NAMES = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
         "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
         "Anti-Fascist 70th Day": "抗战胜利纪念日"}
LIBRARY = "chinese-calendar %s" % getattr(chinese_calendar, "__version__", "")


def knows(year):
    """True when the library has the State Council's days for `year`."""
    try:
        chinese_calendar.is_holiday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def last_known_year():
    """The newest year the library covers."""
    year = clock.today().year + 2
    while not knows(year):
        year -= 1
    return year


def days(first, last):
    """[(day, Chinese name, kind)] from `first` to `last` in the years the library knows: kind is "holiday" (a
    day off, weekends inside the holiday included) or "workday" (a weekend day that is a 调休 working day)."""
    found = []
    day = first
    while day <= last:
        if not knows(day.year):
            day = date(day.year + 1, 1, 1)
            continue
        off, name = chinese_calendar.get_holiday_detail(day)
        if name is not None:
            found.append((day, NAMES.get(name, name), "holiday" if off else "workday"))
        day += timedelta(days=1)
    return found


def unknown_years(first, last):
    """Years from `first` to `last` the library does not cover yet."""
    return [year for year in range(first.year, last.year + 1) if not knows(year)]


def proposals(today):
    """The public holidays from today to the end of the newest known year, each with whether the campus is already
    closed that day: [(day, name, closed)], and the 调休 working days: [(day, name)]."""
    found = days(today, date(last_known_year(), 12, 31)) if knows(today.year) else []
    closed = {h.day for h in Holiday.select(Holiday.day).where(Holiday.day >= today)}
    return ([(d, name, d in closed) for d, name, kind in found if kind == "holiday"],
            [(d, name) for d, name, kind in found if kind == "workday"])


def confirm(by, chosen, names, today):
    """Close the campus on the chosen proposed days (names as the principal edited them); one transaction."""
    offered = {d: name for d, name, closed in proposals(today)[0] if not closed}
    picked = [d for d in chosen if d in offered]
    if not picked:
        raise Invalid({"public_days": _l("Tick the days the campus is closed.")})
    with write():
        for day in picked:
            name = ((names.get(day) or "").strip() or offered[day])[:40]
            holiday = Holiday.create(day=day, name=name)
            audit.record(by, "create", "holiday", holiday.id, after=audit.snapshot(holiday),
                         summary="%s %s (%s)" % (day, name, LIBRARY))
    return picked


def warnings(lesson_days):
    """What to tell whoever schedules lessons on these days: a public holiday the campus has not closed, a 调休
    working day on a weekend (the students are at school), a year the library does not know yet."""
    if not lesson_days:
        return []
    lesson_days = sorted(set(lesson_days))
    first, last = lesson_days[0], lesson_days[-1]
    closed = {h.day for h in Holiday.select(Holiday.day).where(Holiday.day.between(first, last))}
    public = {d: (name, kind) for d, name, kind in days(first, last)}
    said = []
    for day in lesson_days:
        if day in closed or day not in public:
            continue
        name, kind = public[day]
        if kind == "holiday":
            said.append(_l("%(day)s is a public holiday (%(name)s) but the campus is open: confirm it on the "
                           "holidays page or keep the lesson.", day=day.isoformat(), name=name))
        else:
            said.append(_l("%(day)s is a make-up working day (调休, %(name)s): the students are at school.",
                           day=day.isoformat(), name=name))
    for year in unknown_years(first, last):
        said.append(_l("China's public holidays for %(year)d are not in %(library)s yet (it knows them up to "
                       "%(known)d): check the lessons against Spring Festival and the other holidays and add them by hand.",
                       year=year, library=LIBRARY, known=last_known_year()))
    return said


def span_warnings(first, last):
    """For a new class running from `first` to about `last`: the public holidays in between that the campus has
    not closed (one line per holiday), and the years the library does not know yet."""
    closed = {h.day for h in Holiday.select(Holiday.day).where(Holiday.day.between(first, last))}
    open_days = {}
    for day, name, kind in days(first, last):
        if kind == "holiday" and day not in closed:
            open_days.setdefault(name, []).append(day)
    said = [_l("%(name)s (%(first)s – %(last)s) falls within this class and the campus is not closed then: "
               "confirm the holidays on the holidays page before scheduling.", name=name,
               first=spread[0].isoformat(), last=spread[-1].isoformat()) for name, spread in open_days.items()]
    for year in unknown_years(first, last):
        said.append(_l("China's public holidays for %(year)d are not in %(library)s yet (it knows them up to "
                       "%(known)d): check the lessons against Spring Festival and the other holidays and add them by hand.",
                       year=year, library=LIBRARY, known=last_known_year()))
    return said
