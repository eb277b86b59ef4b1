"""Reading the meeting forms: the briefing (time, record), first-lesson feedback, parent meetings (schedule,
preparation, minutes) and the revised teaching plan (hand in, review).

Each parser reads every field with `validation.Reader`, adds the domain's own rules for the values it could read
(`briefings.schedule_problems`, `parents.record_problems`, ...) and raises `Invalid` with every message at once;
otherwise it returns the values the domain function takes.
"""

from flask_babel import lazy_gettext as _l

from xgapp import clock
from xgapp.meetings import briefings, parents
from xgapp.validation import Reader

MARK_PREFIX = "came-"


def _marks(form):
    """{attendee key: "yes"/"no"} from the roll-call radios came-<key>."""
    return {key[len(MARK_PREFIX):]: value for key, value in form.items() if key.startswith(MARK_PREFIX)}


def _when(r):
    """The campus-local instant of the day and time fields (None when either is missing or unreadable)."""
    return clock.parse_local(r.text("day"), r.text("time"))


def _add(r, problems):
    for name, message in problems.items():
        r.fail(name, message)


def parse_briefing_schedule(form, by, klass, now=None):
    """{starts_at, place, override_reason} of the briefing's schedule form."""
    r = Reader(form)
    values = {"starts_at": _when(r), "place": r.text("place"), "override_reason": r.text("override_reason")}
    _add(r, briefings.schedule_problems(by, klass, values["starts_at"], values["place"], values["override_reason"],
                                        now))
    r.done()
    return values


def parse_briefing_record(form, briefing, now=None):
    """{syllabus, sessions, goals, qa, came} of the record form (came: {attendee key: "yes"/"no"})."""
    r = Reader(form)
    values = {name: r.text(name, multiline=True) for name in briefings.RECORD_TEXTS}
    values["sessions"] = r.integer("sessions", minimum=1, maximum=500,
                                   message=_l("Enter the number of sessions (1–500)."))
    values["came"] = _marks(form)
    _add(r, briefings.record_problems(briefing, values, values["came"], now))
    r.done()
    return values


def parse_feedback(form, klass, student):
    """{from_student, from_teacher, from_parent} of the first-lesson feedback form."""
    r = Reader(form)
    values = {name: r.text(name, multiline=True) for name in briefings.FEEDBACK_TEXTS}
    _add(r, briefings.feedback_problems(klass, student, values))
    r.done()
    return values


def parse_parent_meeting(form, now=None):
    """{starts_at, place, serious, prep} of the new parent meeting form (prep: {PREP_FIELDS: text})."""
    r = Reader(form)
    values = {"starts_at": _when(r), "place": r.text("place"), "serious": r.flag("serious"),
              "prep": {name: r.text(name, multiline=True) for name in parents.PREP_FIELDS}}
    _add(r, parents.schedule_problems(values["starts_at"], values["place"], values["prep"], now))
    r.done()
    return values


def parse_prep(form):
    """{PREP_FIELDS: text} of the preparation checklist."""
    r = Reader(form)
    values = {name: r.text(name, multiline=True) for name in parents.PREP_FIELDS}
    _add(r, parents.prep_problems(values))
    r.done()
    return values


def parse_minutes(form, meeting, now=None):
    """{MINUTES_FIELDS: text, came} of the minutes form."""
    r = Reader(form)
    values = {name: r.text(name, multiline=True) for name in parents.MINUTES_FIELDS}
    values["came"] = _marks(form)
    _add(r, parents.record_problems(meeting, values, values["came"], now))
    r.done()
    return values


def parse_plan(form):
    """{content} of the revised teaching plan (the domain says when it is empty, too long or not the teacher's)."""
    r = Reader(form)
    values = {"content": r.text("content", multiline=True)}
    r.done()
    return values


def parse_review(form, decision):
    """{note} of the review form, for `decision` (approve, or return: then saying what must change)."""
    r = Reader(form)
    values = {"note": r.text("note")}
    _add(r, parents.review_problems(decision, values["note"]))
    r.done()
    return values
