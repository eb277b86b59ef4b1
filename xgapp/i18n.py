"""Languages and campus-local display of instants."""

from flask import current_app, g, has_request_context, request, session
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
