"""Who may do what: roles, permissions, the login gate, session expiry and the Origin check."""

import functools
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l

from xgapp import htmx

ROLES = {
    "principal": _l("Principal"),
    "supervisor": _l("Advisor supervisor"),
    "advisor": _l("Advisor"),
    "director": _l("Teaching director"),
    "teacher": _l("Teacher"),
    "frontdesk": _l("Study-room teacher / front desk"),
    "finance": _l("Finance"),
}

# permission -> roles holding it; the principal holds every permission.
PERMISSIONS = {
    "accounts.manage": set(),
    "campus.edit": set(),
    "audit.view": {"supervisor"},
    "backups.manage": set(),
    "students.list": {"supervisor", "advisor", "frontdesk", "teacher", "director", "finance"},
    "students.reassign": {"supervisor"},
    "leads.view": {"supervisor", "advisor", "frontdesk"},
    "students.import": {"supervisor"},
    "hours.overdraft": {"supervisor"},
    "refunds.approve": {"supervisor"},
    "revenue.view": {"supervisor", "finance"},
    "classes.view": {"supervisor", "advisor", "teacher", "director"},
    "timetable.view": {"supervisor", "advisor", "teacher", "director", "frontdesk"},
    "attendance.take": {"supervisor", "advisor", "teacher", "director"},
    "rooms.manage": {"supervisor", "director"},
    "followups.view": {"supervisor", "advisor"},
    "meetings.view": {"supervisor", "advisor", "director", "teacher"},
    "followups.manage": {"supervisor"},
    "numbers.view": {"supervisor", "advisor"},
    "selfstudy.view": {"supervisor", "advisor", "frontdesk", "teacher", "director"},
    "selfstudy.desk": {"supervisor", "frontdesk"},
    "selfstudy.questions": {"supervisor", "frontdesk", "teacher", "director"},
    "export.view": {"supervisor"},
    "export.settings": set(),
}

SESSION_USER = "uid"
SESSION_VERSION = "uver"
SESSION_SEEN = "seen"
SESSION_KIOSK = "kiosk"


def can(user, permission):
    """True when `user` holds `permission` through one of their roles."""
    if permission not in PERMISSIONS:
        raise KeyError("unknown permission %r" % permission)
    if user is None:
        return False
    roles = user.role_set
    return "principal" in roles or bool(roles & PERMISSIONS[permission])


def require(permission):
    """View decorator: 403 unless the logged-in user holds `permission`."""
    if permission not in PERMISSIONS:
        raise KeyError("unknown permission %r" % permission)

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not can(g.get("user"), permission):
                abort(403)
            return view(*args, **kwargs)

        wrapped.permission = permission
        return wrapped

    return decorator


def public(view):
    """Mark a view as reachable without login (login, setup, health)."""
    view.public = True
    return view


def kiosk_allowed(view):
    """Mark a view as part of the kiosk: the only pages a kiosk session can reach (besides public ones)."""
    view.kiosk = True
    return view


def in_kiosk():
    """True when this browser is a kiosk (the front-desk sign-in tablet)."""
    return bool(session.get(SESSION_KIOSK))


def start_kiosk():
    """Turn this login into a kiosk session: one screen, a long idle limit, leaving it means logging out."""
    session[SESSION_KIOSK] = True


def kiosk_gate(endpoint, home):
    """In a kiosk session every other page is out of reach: pages lead back to the kiosk, anything else is 403."""
    if not in_kiosk() or is_public(endpoint):
        return None
    view = current_app.view_functions.get(endpoint)
    if getattr(view, "kiosk", False):
        return None
    if request.method == "GET" and not htmx.is_request():
        return redirect(home)
    abort(403)


def is_public(endpoint):
    """True for endpoints that need no login."""
    if endpoint is None or endpoint == "static":
        return True
    view = current_app.view_functions.get(endpoint)
    return bool(getattr(view, "public", False))


def start_session(user):
    """Log `user` in: a fresh session bound to their session version."""
    lang = session.get("lang")
    session.clear()
    session.permanent = True
    session[SESSION_USER] = user.id
    session[SESSION_VERSION] = user.session_version
    session[SESSION_SEEN] = _now_ts()
    if lang:
        session["lang"] = lang


def end_session():
    """Log out, keeping only the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _now_ts():
    return int(datetime.now(timezone.utc).timestamp())


def load_user():
    """Set g.user from the session; a stale, idle or revoked session is ended. Returns why it ended."""
    from xgapp.accounts.models import User

    g.user = None
    uid = session.get(SESSION_USER)
    if uid is None:
        return None
    limit = "kiosk_idle_minutes" if session.get(SESSION_KIOSK) else "session_idle_minutes"
    idle = timedelta(minutes=current_app.config["XGAPP"][limit]).total_seconds()
    if _now_ts() - session.get(SESSION_SEEN, 0) > idle:
        end_session()
        return "expired"
    user = User.get_or_none(User.id == uid)
    if user is None or not user.active or user.session_version != session.get(SESSION_VERSION):
        end_session()
        return "revoked"
    if request.headers.get("X-Xgapp-Poll") != "1":  # a board refreshing itself is not someone at the screen
        session[SESSION_SEEN] = _now_ts()
    g.user = user
    return None


def login_redirect(reason=None):
    """Send an anonymous request to the login page, remembering where it was going."""
    if htmx.is_request():
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        same_site = current.netloc.lower() == request.host.lower()
        target = current.path + ("?" + current.query if current.query else "") if same_site else None
    else:
        target = request.full_path if request.method == "GET" else None
    url = url_for("auth.login", next=local_path(target), reason=reason)
    if htmx.is_request():
        return htmx.redirect(url, status=401)
    return redirect(url)


def local_path(target):
    """Keep only a same-site path for ?next= (no open redirects)."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return None  # browsers read "/\\evil" as "//evil": a backslash or control character is never a local path
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//"):
        return None
    return path + ("?" + parts.query if parts.query else "")


def safe_next(target):
    """The ?next= target if it is a local path, else the home page."""
    return local_path(target) or url_for("home.index")


def check_origin():
    """Second line behind CSRF tokens: a state-changing request must come from this site."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source or source == "null":
        if request.headers.get("Origin") == "null":
            abort(403)
        return
    if urlsplit(source).netloc.lower() != request.host.lower():
        abort(403)
