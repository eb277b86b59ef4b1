"""The export settings form read into values (validation.Reader: every problem at once)."""

from datetime import date, time
from pathlib import Path

from flask_babel import gettext as _

from xgapp.export import delivery
from xgapp.validation import Reader

TEXT_FIELDS = ("smtp_host", "username", "sender", "folder")
ONE_LINE = ("smtp_host", "username", "sender", "to", "cc")  # headers and logins: no line break may slip in


def _clock_time(r):
    """The export time HH:MM, late in the day; None (and a message) otherwise."""
    text = r.raw("time")
    try:
        hour, minute = text.split(":")
        time(int(hour), int(minute))
    except ValueError:
        r.fail("time", _("Enter a time such as 22:30."))
        return None
    if int(hour) < 12:  # 00:30 would close a day that began half an hour ago
        r.fail("time", _("Choose a time late in the day (12:00 to 23:59): the bundle closes that day. "
                          "If the PC is off then, it is made at the next start."))
    return "%02d:%02d" % (int(hour), int(minute))


def _whole(r, name, default, low, high, message):
    """A whole number from `low` to `high` (`default` when empty); None (and `message`) otherwise."""
    text = r.raw(name)
    try:
        number = int(text or default)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        r.fail(name, message)
        return None
    return number


def parse_settings(form, current):
    """The settings form -> the settings to store (delivery.DEFAULTS' keys). An empty password keeps the stored
    one; "clear_password" removes it. Invalid carries every message at once, and asks for the password again when
    one was typed (it is never sent back to the browser)."""
    r = Reader(form)
    values = dict(current)
    values["time"] = _clock_time(r)
    for name in TEXT_FIELDS:
        values[name] = r.raw(name)
    if form.get("password"):
        values["password"] = str(form["password"])
    if form.get("clear_password"):
        values["password"] = ""
    security = r.raw("security")
    values["security"] = security if security in delivery.SECURITY else "ssl"
    r.check(security in delivery.SECURITY, "security", _("Choose SSL, STARTTLS or none from the list."))
    values["smtp_port"] = _whole(r, "smtp_port", 465 if values["security"] == "ssl" else 587, 1, 65535,
                                 _("The port is a whole number from 1 to 65535."))
    values["max_mb"] = _whole(r, "max_mb", 20, 1, 1000,
                              _("The attachment limit is a whole number of MB from 1 to 1000."))
    for name in ("to", "cc"):
        addresses = delivery.addresses(r.raw(name))
        bad = [a for a in addresses if not delivery.valid_address(a)]
        if bad:
            r.fail(name, _("Not an email address: %(addresses)s", addresses=", ".join(bad)))
        values[name] = ", ".join(addresses)
    for name in ONE_LINE:  # before the checks below: a line break is the message to see first
        if delivery.has_control(str(form.get(name, "") or "")):
            r.errors[name] = _("Line breaks are not allowed.")
    if values["sender"] and not delivery.valid_address(values["sender"]):
        r.fail("sender", _("The sender is not an email address."))
    if values["smtp_host"] and not values["sender"]:
        r.fail("sender", _("With a mail server, the sender is required."))
    if values["smtp_host"] and not values["to"]:
        r.fail("to", _("With a mail server, at least one recipient is required."))
    if values["folder"] and not Path(values["folder"]).is_absolute():
        r.fail("folder", _("Enter a full path, e.g. E:\\bundles or \\\\server\\share\\bundles."))
    if values["smtp_host"] and values["username"] and values["security"] == "none":
        r.fail("security", _("A login is only sent over an encrypted connection: choose SSL or STARTTLS."))
    if r.errors and form.get("password"):  # never sent back to the browser: say so, or it would be lost unnoticed
        r.fail("password", _("Not saved: type the password again."))
    r.done()
    return values


def parse_listing(args):
    """The export page's ?to=YYYY-MM-DD, the last day listed (None: up to today); Invalid when it is no date."""
    r = Reader(args)
    text, last = r.raw("to"), None
    if text:
        try:
            last = date.fromisoformat(text)
        except ValueError:
            r.fail("to", _("Enter a date, e.g. 2026-09-05."))
    r.done()
    return last


def typed(form, current):
    """What was typed in each box, to show it again beside the messages (never the password)."""
    shown = dict(current)
    shown.update({name: form.get(name, "") for name in delivery.DEFAULTS if name not in ("password", "security")})
    if form.get("security") in delivery.SECURITY:
        shown["security"] = form["security"]
    return shown
