"""Campus rules: what the principal decides for this campus (opening hours, attendance rule, alerts).

Unlike server settings (xgapp.toml), rules live in the database, are changed on the settings page, and every
change is audited. A rule that was never set has its default.
"""

from dataclasses import dataclass
from datetime import time
from decimal import Decimal, InvalidOperation

from flask import g, has_app_context
from flask_babel import lazy_gettext as _l

from xgapp import audit, clock
from xgapp.campus.models import CampusRule
from xgapp.db import write
from xgapp.validation import Invalid


@dataclass(frozen=True)
class Rule:
    name: str
    default: str
    kind: str  # time, hours, weeks, days, int, bool
    label: object
    help: object = ""


RULES = [
    Rule("opening_time", "08:00", "time", _l("Campus opens at"), _l("No lesson may start earlier.")),
    Rule("closing_time", "21:30", "time", _l("Campus closes at"), _l("No lesson may end later.")),
    Rule("study_closing_time", "21:00", "time", _l("Study room closes at"),
         _l("Anyone still signed in to the study room after this time is shown in red on every staff screen until "
            "a staff member closes the visit with a note.")),
    Rule("parent_meeting_weeks", "8", "weeks", _l("Parent meeting every (weeks)"),
         _l("A running class needs a parent meeting after this many weeks (Friday list).")),
    Rule("stage_test_weeks", "4", "weeks", _l("Stage test every (weeks)"),
         _l("A running class needs a stage test after this many weeks (Friday list).")),
    Rule("low_hours", "4", "hours", _l("Low-hours alert at"),
         _l("Students and classes with this many lesson hours left or fewer are listed for renewal work.")),
    Rule("leave_notice_hours", "24", "int", _l("Leave notice (hours)"),
         _l("Leave reported at least this long before the lesson consumes no hours; later leave does.")),
    Rule("absent_consumes", "1", "bool", _l("Absence consumes hours")),
    Rule("late_consumes", "1", "bool", _l("Late arrival consumes hours")),
    Rule("complaint_response_hours", "24", "int", _l("Complaint: first response within (hours)"),
         _l("A complaint nobody has answered after this long is red on its owner's and the supervisor's screens.")),
    Rule("complaint_close_days", "7", "days", _l("Complaint: closed within (days)")),
    Rule("complaint_serious_response_hours", "4", "int", _l("Serious complaint: first response within (hours)")),
    Rule("complaint_serious_close_days", "3", "days", _l("Serious complaint: closed within (days)")),
    Rule("complaint_hide_family", "1", "bool", _l("Teachers see complaints about them without the family's name"),
         _l("A teacher sees a complaint about them once it is closed; with this on, without who made it.")),
]
BY_NAME = {r.name: r for r in RULES}


def parse(rule, raw):
    """The value of `rule` written as `raw` (text as stored or typed); ValueError with the message when wrong."""
    raw = (raw or "").strip()
    if rule.kind == "time":
        hh, sep, mm = raw.partition(":")
        if not (sep and hh.isascii() and mm.isascii() and hh.isdigit() and mm.isdigit() and int(hh) < 24
                and int(mm) < 60):
            raise ValueError(_l("Enter a time as HH:MM, e.g. 08:30."))
        return time(int(hh), int(mm))
    if rule.kind == "hours":
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise ValueError(_l("Enter hours as a number, e.g. 4 or 1.5.")) from None
        if not value.is_finite() or value < 0 or value > 1000 or value != value.quantize(Decimal("0.1")):
            raise ValueError(_l("Enter hours between 0 and 1000, to one decimal."))
        return value
    if rule.kind == "weeks":
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 52:
            raise ValueError(_l("Enter a whole number of weeks between 1 and 52."))
        return int(raw)
    if rule.kind == "days":
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 90:
            raise ValueError(_l("Enter a whole number of days between 1 and 90."))
        return int(raw)
    if rule.kind == "int":
        if not (raw.isascii() and raw.isdigit()) or int(raw) > 24 * 14:
            raise ValueError(_l("Enter a whole number of hours between 0 and 336."))
        return int(raw)
    return raw in ("1", "true", "on", "yes", "y")


def _stored():
    rows = {r.name: r.value for r in CampusRule.select(CampusRule.name, CampusRule.value)}
    return {rule.name: rows.get(rule.name, rule.default) for rule in RULES}


def all_rules():
    """{name: parsed value} of every rule (read once per request)."""
    if has_app_context() and "campus_rules" in g:
        return g.campus_rules
    raw = _stored()
    values = {}
    for rule in RULES:
        try:
            values[rule.name] = parse(rule, raw[rule.name])
        except ValueError:  # a value written by a newer version or by hand: fall back to the default
            values[rule.name] = parse(rule, rule.default)
    if has_app_context():
        g.campus_rules = values
    return values


def get(name):
    """One rule's value."""
    return all_rules()[name]


def raw_values():
    """{name: text as stored} for the settings form."""
    return _stored()


def text_of(rule, value):
    """The text a rule is stored as: a checkbox's truth as "1" / "0", anything else trimmed."""
    if rule.kind == "bool":
        return "1" if parse(rule, value) else "0"
    return (value or "").strip()


def problems(values):
    """{rule name: message} for every rule `values` ({name: text}) sets wrongly, the opening hours included."""
    errors = {}
    for name, value in values.items():
        try:
            parse(BY_NAME[name], value)
        except ValueError as exc:
            errors[name] = exc.args[0]
    if not errors.keys() & {"opening_time", "closing_time"}:
        now_set = all_rules()
        opens, closes = (parse(BY_NAME[name], values[name]) if name in values else now_set[name]
                         for name in ("opening_time", "closing_time"))
        if closes <= opens:
            errors["closing_time"] = _l("The campus must close after it opens.")
    return errors


def save(by, values):
    """Store the rules `values` sets ({name: text}; a rule it leaves out keeps its value): one transaction, each
    change audited; Invalid with every wrong rule at once."""
    unknown = set(values) - set(BY_NAME)
    if unknown:
        raise KeyError("unknown campus rules: %s" % ", ".join(sorted(unknown)))
    errors = problems(values)
    if errors:
        raise Invalid(errors)
    with write():
        before = _stored()
        for name, value in values.items():
            value = text_of(BY_NAME[name], value)
            if before[name] == value:
                continue
            CampusRule.insert(name=name, value=value, updated_at=clock.now(), updated_by=by).on_conflict(
                conflict_target=[CampusRule.name],
                update={CampusRule.value: value, CampusRule.updated_at: clock.now(), CampusRule.updated_by: by},
            ).execute()
            audit.record(by, "update", "campus_rule", name, before={"value": before[name]}, after={"value": value},
                         summary=name)
    if has_app_context():
        g.pop("campus_rules", None)
    return all_rules()
