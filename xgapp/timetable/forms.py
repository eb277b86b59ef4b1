"""Scheduling forms: a weekly pattern of lessons, moving one lesson (调课), cancelling one.

Each parser reads every field with `validation.Reader` and reports every problem at once: the formats, the
opening hours and holidays of the slot (`timetable.check_hours`) and whether the date is a correction in the past
that `by` may not record (`classes.backdating`). Double-booking needs the whole plan and stays in the domain.
"""

from flask_babel import lazy_gettext as _l

from xgapp import clock
from xgapp.classes import backdating
from xgapp.classes.models import Classroom
from xgapp.timetable import domain
from xgapp.validation import Invalid, Reader


def _merge(r, check):
    """Run a domain check that raises Invalid and record its messages beside the reader's (the reader's win)."""
    try:
        check()
    except Invalid as exc:
        for name, message in exc.errors.items():
            r.fail(name, message)


def _slot(r, by, day_field, day, start, end, reason, reason_field, holidays=True):
    """The slot's own problems: start and end within opening hours, not a holiday, not a forbidden correction."""
    if day is None or start is None or end is None:
        return
    problems = domain.check_hours(day, start, end)
    if not holidays:
        problems.pop("day", None)  # holidays are skipped when scheduling, not refused
    for name, message in problems.items():
        r.fail(day_field if name == "day" else name, message)
    _merge(r, lambda: backdating.check_past(by, day, reason, day_field, reason_field,
                                            started=clock.at(day, start) <= clock.now()))


def parse_schedule(form, by):
    """A weekly pattern: {weekdays, start, end, first_day, count, reason}."""
    r = Reader(form)
    picked = form.getlist("weekdays") if hasattr(form, "getlist") else []
    weekdays = sorted({int(w) for w in picked if w.isascii() and w.isdigit() and 0 <= int(w) <= 6})
    r.check(weekdays, "weekdays", _l("Tick at least one weekday."))
    r.check(len(weekdays) == len(set(picked)), "weekdays", _l("Choose one of the offered options."))
    values = {"weekdays": weekdays,
              "start": r.time("start", message=_l("Enter the start time, e.g. 09:00.")),
              "end": r.time("end", message=_l("Enter the end time, e.g. 10:30.")),
              "first_day": r.date("first_day", message=_l("Enter the first day, e.g. 2026-09-05.")),
              "count": r.integer("count", 1, domain.MAX_LESSONS,
                                 message=_l("Between 1 and %(max)d lessons.", max=domain.MAX_LESSONS)),
              "reason": r.text("schedule_reason", limit=200)}
    _slot(r, by, "first_day", values["first_day"], values["start"], values["end"], values["reason"],
          "schedule_reason", holidays=False)
    r.done()
    return values


def parse_move(form, by):
    """Moving a lesson: {day, start, end, classroom (None: the lesson's own), reason}."""
    r = Reader(form)
    values = {"day": r.date("day", message=_l("Enter the new day and times.")),
              "start": r.time("start", message=_l("Enter the new day and times.")),
              "end": r.time("end", message=_l("Enter the new day and times.")),
              "classroom": None,
              "reason": r.text("reason", required=True, limit=200, message=_l("Say why the lesson moves."))}
    room = r.row("classroom", required=False)
    if room is not None:
        values["classroom"] = Classroom.get_or_none(Classroom.id == room)
        r.check(values["classroom"] is not None, "classroom", _l("Choose one of the offered options."))
    _slot(r, by, "day", values["day"], values["start"], values["end"], values["reason"], "reason")
    r.done()
    return values


def parse_cancel(form):
    """Cancelling a lesson: {reason}."""
    r = Reader(form)
    values = {"reason": r.text("reason", required=True, limit=200, message=_l("Say why the lesson is cancelled."))}
    r.done()
    return values
