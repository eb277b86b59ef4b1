"""Languages and campus-local display of instants."""

from zoneinfo import ZoneInfo

from flask import current_app, g, has_app_context, has_request_context, request, session
from flask_babel import format_datetime

LANGUAGES = {"zh_CN": "中文", "en": "English"}


def select_locale():
    """The user's choice, then the session's, then the campus default."""
    if has_request_context():
        user = g.get("user")
        if user is not None and user.locale in LANGUAGES:
            return user.locale
        if session.get("lang") in LANGUAGES:
            return session["lang"]
    return current_app.config["XGAPP"]["default_locale"]


def select_timezone():
    """The campus time zone."""
    return current_app.config["XGAPP"]["timezone"]


def campus_zone():
    """ZoneInfo of the campus (the default campus zone outside an app context, e.g. in domain tests)."""
    if has_app_context():
        return ZoneInfo(current_app.config["XGAPP"]["timezone"])
    from .settings import BY_NAME

    return ZoneInfo(BY_NAME["timezone"].default)


def campus_today():
    """Today's date on the campus clock (the default campus zone outside an app context)."""
    from datetime import datetime

    return datetime.now(campus_zone()).date()


def parse_local(day_text, time_text):
    """A campus-local date (YYYY-MM-DD) and time (HH:MM) typed on a form, as an aware instant; None if unreadable."""
    from datetime import datetime

    try:
        from xgapp.validation import FIRST_DAY, LAST_DAY

        day = datetime.strptime((day_text or "").strip(), "%Y-%m-%d").date()
        if not FIRST_DAY <= day <= LAST_DAY:  # 9999-12-31 is no meeting date (and overflows a day later)
            return None
        hh, mm = (time_text or "").strip().split(":")
        return datetime(day.year, day.month, day.day, int(hh), int(mm), tzinfo=campus_zone())
    except ValueError:
        return None


def local(dt):
    """An aware instant converted to campus time."""
    return None if dt is None else dt.astimezone(campus_zone())


def datetime_filter(dt, fmt="yyyy-MM-dd HH:mm"):
    """Jinja filter: an instant shown in campus time."""
    if dt is None:
        return ""
    return format_datetime(dt, fmt)


def wants_lang_param():
    """A ?lang= on any page switches the language for this browser."""
    lang = request.args.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang
