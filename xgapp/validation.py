"""Input rules shared by every module: mobiles, money, hours, dates, text (length, control characters, search terms);
errors keyed by form field."""

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l

MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
MAX_AMOUNT = Decimal("10000000")  # ¥10 million: far above any contract, far below overflow
MAX_HOURS = Decimal("10000")
SEARCH_MAX = 100  # characters of a search term: longer than any name, pinyin or phone, and LIKE stays cheap


class Invalid(Exception):
    """Bad input: `errors` maps a field name to the message shown beside it.

    Fields of this request refused for control characters are always among them (see `refuse_control_characters`).
    """

    def __init__(self, errors, warning=False):
        errors = dict(errors) | refused_fields()
        super().__init__("; ".join("%s: %s" % (k, v) for k, v in errors.items()))
        self.errors = dict(errors)
        self.warning = warning  # True when the user may confirm and go on (e.g. a duplicate family)


def mobile(value):
    """A mainland mobile number (11 digits starting with 1) as people write it: full-width digits, spaces, dashes
    and dots removed, a leading +86 / 0086 / 86 dropped; raises ValueError."""
    digits = re.sub(r"[\s\-–—.()]", "", unicodedata.normalize("NFKC", value or ""))
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix):]
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if not MOBILE_RE.match(digits):
        raise ValueError(_l("A mainland mobile number has 11 digits and starts with 1."))
    return digits


def money(value, allow_zero=True):
    """Yuan to the fen as Decimal: no more than 2 decimals, not negative; raises ValueError."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, AttributeError):
        raise ValueError(_l("Enter an amount in yuan, e.g. 3600 or 3600.50.")) from None
    if not amount.is_finite():
        raise ValueError(_l("Enter an amount in yuan, e.g. 3600 or 3600.50."))
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValueError(_l("The amount must be more than zero.") if not allow_zero else
                         _l("The amount cannot be negative."))
    if amount > MAX_AMOUNT:
        raise ValueError(_l("That amount is too large."))
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(_l("At most 2 decimals (fen)."))
    return amount.quantize(Decimal("0.01"))


def hours(value, allow_zero=False):
    """Lesson hours as Decimal: positive multiples of 0.5; raises ValueError."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, AttributeError):
        raise ValueError(_l("Enter hours as a number, e.g. 40 or 1.5.")) from None
    if not amount.is_finite() or amount < 0 or (amount == 0 and not allow_zero):
        raise ValueError(_l("Hours must be more than zero."))
    if amount > MAX_HOURS:
        raise ValueError(_l("That is more hours than any contract holds."))
    if (amount * 2) != (amount * 2).to_integral_value():
        raise ValueError(_l("Hours go in steps of 0.5."))
    return amount.quantize(Decimal("0.1"))


MAX_ROW_ID = 2**63 - 1  # SQLite's largest INTEGER; bigger numbers cannot name a row


def row_id(value):
    """A positive whole number that fits a database id (for `request.args.get(..., type=row_id)`).

    Raises ValueError otherwise, which werkzeug turns into the default value.
    """
    number = int(str(value).strip())
    if not 0 < number <= MAX_ROW_ID:
        raise ValueError("out of range")
    return number


def search_term(value):
    """A free-text search term, trimmed and cut to SEARCH_MAX characters (SQLite refuses huge LIKE patterns)."""
    return (value or "").strip()[:SEARCH_MAX]


CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # every C0/C1 control but \t \n \r
LINE_RE = re.compile(r"[\t\n\r]")
CONTROL_MESSAGE = _l("This contains an invisible control character (often pasted from another program): delete "
                     "it and type the text again.")


def control_problem(text, multiline=True):
    """The message for text holding a control character (tab and line breaks only in multi-line text), or None."""
    if not isinstance(text, str):
        return None
    if CONTROL_RE.search(text) or (not multiline and LINE_RE.search(text)):
        return CONTROL_MESSAGE
    return None


def refuse_control_characters(form):
    """Remember, for this request, every submitted field holding a control character: {field name: message}.

    Called once per request for every form; nothing is written while one is pending (`check_input`), and every
    Invalid raised in the request carries the message beside its field.
    """
    refused = {}
    for name, value in form.items(multi=True):
        if control_problem(name):
            refused["_form"] = CONTROL_MESSAGE
        elif control_problem(value):
            refused[name] = CONTROL_MESSAGE
    g.xgapp_refused = refused


def refused_fields():
    """The fields of this request refused for control characters (empty outside a request)."""
    return dict(g.get("xgapp_refused") or {}) if has_request_context() else {}


def check_input():
    """Raise Invalid when this request's form holds a control character: nothing of it may be written."""
    if refused_fields():
        raise Invalid({})


FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)  # any date a campus record can sensibly carry


def day(value):
    """A date typed in a form or URL (YYYY-MM-DD, 2000–2099), or None when empty, not a date or out of range."""
    try:
        found = date.fromisoformat((value or "").strip())
    except (ValueError, TypeError):
        return None
    return found if FIRST_DAY <= found <= LAST_DAY else None


def too_long(text, limit):
    """The message for text longer than `limit` characters (it is refused, never cut), or None."""
    return _l("Keep it under %(n)d characters.", n=limit) if len(text or "") > limit else None


class Reader:
    """Reads one submitted form into values, collecting every problem at once (never the first one only).

        r = Reader(request.form)
        values = {"name": r.text("name", required=True, limit=20), "amount": r.money("amount"),
                  "on": r.date("on", default=clock.today())}
        r.check(values["end"] >= values["start"], "end", _("The end comes after the start."))
        r.done()      # raises Invalid with every field's message, or returns the values read so far

    Each reader method returns the value (None when it is missing or wrong) and records a message beside the field
    when it is wrong. Domain rules that need valid values (a clash, a balance) are checked after `done()`.
    """

    def __init__(self, form):
        self.form = form
        self.errors = {}
        self.values = {}

    def fail(self, name, message):
        """Record `message` beside `name` (the first message of a field wins)."""
        self.errors.setdefault(name, message)

    def check(self, condition, name, message):
        """Record `message` beside `name` unless `condition` holds (skipped when `name` already has a message)."""
        if not condition:
            self.fail(name, message)
        return bool(condition)

    def raw(self, name):
        """The submitted text of `name`, trimmed ('' when absent)."""
        return (self.form.get(name) or "").strip()

    def _keep(self, name, value):
        self.values[name] = value
        return value

    def text(self, name, required=False, limit=None, multiline=False, message=None):
        """Text, trimmed; '' when empty and not required."""
        value = self.raw(name) if not multiline else (self.form.get(name) or "").strip()
        problem = control_problem(value, multiline=multiline)
        if problem:
            self.fail(name, problem)
        elif required and not value:
            self.fail(name, message or _l("Required."))
        elif limit and too_long(value, limit):
            self.fail(name, too_long(value, limit))
        return self._keep(name, value)

    def choice(self, name, options, required=True, default=None, message=None):
        """One of `options` (a dict or a collection of codes); `default` when empty and not required."""
        value = self.raw(name)
        if not value:
            if required:
                self.fail(name, message or _l("Choose one."))
            return self._keep(name, default)
        if value not in options:
            self.fail(name, message or _l("Choose one of the offered options."))
            return self._keep(name, default)
        return self._keep(name, value)

    def choices(self, name, options, required=False, message=None):
        """Several of `options` (checkboxes or a multiple select), in the order given."""
        picked = [v for v in self.form.getlist(name)] if hasattr(self.form, "getlist") else []
        if any(v not in options for v in picked):
            self.fail(name, _l("Choose one of the offered options."))
            picked = [v for v in picked if v in options]
        if required and not picked:
            self.fail(name, message or _l("Choose at least one."))
        return self._keep(name, list(dict.fromkeys(picked)))

    def flag(self, name):
        """A checkbox: True when ticked."""
        return self._keep(name, bool(self.raw(name)))

    def _convert(self, name, convert, required, default, message):
        value = self.raw(name)
        if not value:
            if required:
                self.fail(name, message or _l("Required."))
            return self._keep(name, default)
        try:
            return self._keep(name, convert(value))
        except ValueError as exc:
            self.fail(name, message or str(exc))
            return self._keep(name, None)

    def money(self, name, required=True, allow_zero=True, default=None, message=None):
        """Yuan to the fen (Decimal)."""
        return self._convert(name, lambda v: money(v, allow_zero=allow_zero), required, default, message)

    def hours(self, name, required=True, allow_zero=False, default=None, message=None):
        """Lesson hours (Decimal, steps of 0.5)."""
        return self._convert(name, lambda v: hours(v, allow_zero=allow_zero), required, default, message)

    def mobile(self, name, required=True, default=None, message=None):
        """A mainland mobile number, normalised."""
        return self._convert(name, mobile, required, default, message)

    def integer(self, name, minimum=None, maximum=None, required=True, default=None, message=None):
        """A whole number within [minimum, maximum]."""
        def convert(value):
            try:
                number = int(value)
            except ValueError:
                raise ValueError(_l("Enter a whole number.")) from None
            if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
                raise ValueError(_l("Enter a number from %(low)s to %(high)s.", low=minimum, high=maximum))
            return number
        return self._convert(name, convert, required, default, message)

    def row(self, name, required=True, default=None, message=None):
        """A row id (a positive whole number that fits the database)."""
        def convert(value):
            try:
                return row_id(value)
            except ValueError:
                raise ValueError(_l("Choose one of the offered options.")) from None
        return self._convert(name, convert, required, default, message)

    def date(self, name, required=True, default=None, message=None):
        """A date YYYY-MM-DD (2000–2099)."""
        def convert(value):
            found = day(value)
            if found is None:
                raise ValueError(_l("Enter a date, e.g. 2026-09-05."))
            return found
        return self._convert(name, convert, required, default, message)

    def time(self, name, required=True, default=None, message=None):
        """A clock time HH:MM."""
        from datetime import time as clock_time

        def convert(value):
            try:
                found = clock_time.fromisoformat(value)
            except ValueError:
                raise ValueError(_l("Enter a time, e.g. 18:30.")) from None
            if found.tzinfo is not None:
                raise ValueError(_l("Enter a time, e.g. 18:30."))
            return found.replace(second=0, microsecond=0)
        return self._convert(name, convert, required, default, message)

    def done(self):
        """The values read, or Invalid carrying every message at once (plus any control-character refusals)."""
        if self.errors or refused_fields():
            raise Invalid(self.errors)
        return self.values
