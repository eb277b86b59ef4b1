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
