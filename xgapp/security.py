"""Who may do what: roles, permissions, the login gate, session expiry and the Origin check."""

import functools
import hashlib
import secrets
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, request, session, url_for

from xgapp import clock, htmx
from xgapp.accounts.models import LoginSession, User
from xgapp.db import Prepared, write
from xgapp.policy import PERMISSIONS, can

SESSION_TOKEN = "sid"  # names the login_session row (its SHA-256 is stored, not the token)
SESSION_SEEN = "seen"
SESSION_KIOSK = "kiosk"
COOKIE_SEEN_STEP = 15  # seconds: the cookie's last-seen time is renewed at most this often (idle limits are minutes)
SEEN_STEP = 60  # seconds: a session's last-seen time in the database is written at most this often


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
    token = session.get(SESSION_TOKEN)
    if token:
        LoginSession.update(kiosk=True).where(LoginSession.token_hash == _digest(token)).execute()


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


def _digest(token):
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def _idle_seconds(kiosk):
    limit = "kiosk_idle_minutes" if kiosk else "session_idle_minutes"
    return timedelta(minutes=current_app.config["XGAPP"][limit]).total_seconds()


def start_session(user):
    """Log `user` in: a fresh session record (its token in the cookie), bound to their session version."""
    lang = session.get("lang")
    end_session()
    token = secrets.token_urlsafe(32)
    now = clock.now()
    with write():
        stale = now - timedelta(seconds=max(_idle_seconds(True), _idle_seconds(False)) + SEEN_STEP)
        LoginSession.delete().where(LoginSession.seen_at < stale).execute()  # sessions nobody came back to
        LoginSession.create(token_hash=_digest(token), user=user, version=user.session_version, created_at=now,
                            seen_at=now)
    session.permanent = True
    session[SESSION_TOKEN] = token
    session[SESSION_SEEN] = _now_ts()
    if lang:
        session["lang"] = lang


def end_session():
    """Log out, keeping only the chosen language: the session record is deleted, so no copy of the cookie works."""
    token = session.get(SESSION_TOKEN)
    if token:
        LoginSession.delete().where(LoginSession.token_hash == _digest(token)).execute()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _now_ts():
    return int(datetime.now(timezone.utc).timestamp())


# The session record joined with its user, for every request: composed once (db.Prepared).
_SESSION_RECORD = Prepared(lambda token_hash: LoginSession.select(LoginSession, User).join(User)
                           .where(LoginSession.token_hash == token_hash).limit(1))


def load_user():
    """Set g.user from the session record its cookie names; an unknown, idle or revoked session is ended.

    One indexed lookup per request (the record joined with its user); the record's last-seen time is written at
    most once a minute. Returns why a session ended, or None.
    """
    g.user = None
    token = session.get(SESSION_TOKEN)
    if token is None:
        return None
    if _now_ts() - session.get(SESSION_SEEN, 0) > _idle_seconds(session.get(SESSION_KIOSK)):
        end_session()
        return "expired"
    record = next(iter(_SESSION_RECORD.run(_digest(token))), None)
    if record is None:  # logged out (from this copy of the cookie or another), or expired on the server
        end_session()
        return "revoked"
    now = clock.now()
    idle = (now - record.seen_at).total_seconds()
    if idle > _idle_seconds(record.kiosk) + SEEN_STEP:
        end_session()
        return "expired"
    user = record.user
    if not user.active or user.session_version != record.version:
        end_session()
        return "revoked"
    if record.kiosk:
        session[SESSION_KIOSK] = True
    if request.headers.get("X-Xgapp-Poll") != "1":  # a board refreshing itself is not someone at the screen
        if _now_ts() - session.get(SESSION_SEEN, 0) >= COOKIE_SEEN_STEP:  # not a new cookie on every request
            session[SESSION_SEEN] = _now_ts()
        if idle >= SEEN_STEP:
            LoginSession.update(seen_at=now).where(LoginSession.id == record.id).execute()
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
