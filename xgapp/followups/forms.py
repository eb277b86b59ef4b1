"""Reading the follow-up forms: a follow-up (new or corrected), postponing a task, handing a task over.

Each parser reads every field with `validation.Reader`, adds the domain's rules for the values it could read
(`domain.clean`, `domain.postpone_problems`) and raises `Invalid` with every message at once; otherwise it returns
the values the domain function takes.
"""

from flask_babel import lazy_gettext as _l

from xgapp import clock
from xgapp.followups import domain
from xgapp.validation import Reader

CHOICE_MESSAGE = _l("Choose one from the list.")


def parse_followup(form, correcting=False, now=None):
    """{kind, channel, whom, at, purpose, content, result, next_step, next_on, escalate} of the follow-up form
    (a correction has no next_on: its next-step task stays as it was)."""
    now = now or clock.now()
    r = Reader(form)
    values = {"kind": r.choice("kind", domain.KINDS, message=CHOICE_MESSAGE),
              "channel": r.choice("channel", domain.CHANNELS, message=CHOICE_MESSAGE),
              "whom": r.choice("whom", domain.WHOM, message=CHOICE_MESSAGE),
              "at": clock.parse_local(r.text("day"), r.text("time")),
              "purpose": r.text("purpose"), "content": r.text("content", multiline=True),
              "result": r.text("result", multiline=True), "next_step": r.text("next_step"),
              "next_on": None if correcting else r.date("next_on", required=False),
              "escalate": r.flag("escalate")}
    _values, problems = domain.clean(values, now)
    if correcting:
        problems.pop("next_on", None)
    for name, message in problems.items():
        r.fail(name, message)
    r.done()
    return values


def parse_postpone(form, today=None):
    """{until, reason} of a task's postpone form."""
    r = Reader(form)
    values = {"until": r.date("until", message=_l("Choose a day after today.")), "reason": r.text("reason")}
    for name, message in domain.postpone_problems(values["until"], values["reason"], today).items():
        r.fail(name, message)
    r.done()
    return values


def parse_reassign(form):
    """{advisor}: the active advisor a task is handed to."""
    r = Reader(form)
    advisor = domain.active_advisor(r.row("advisor", message=_l("Choose an active advisor.")))
    r.check(advisor is not None, "advisor", _l("Choose an active advisor."))
    r.done()
    return {"advisor": advisor}
