"""Account rules: passwords, PINs, lockout, creating and changing staff accounts.

Every rule broken by an input is reported at once, as `validation.Invalid` ({field: message}).
"""

import re
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from xgapp import audit, clock, policy, validation
from xgapp.accounts.models import LoginSession, User, UserRole
from xgapp.db import write
from xgapp.validation import Invalid

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,39}$")
PIN_RE = re.compile(r"^[0-9]{4,6}$")
MIN_PASSWORD = 8
# Checked against when the username is unknown, so both cases cost one KDF run.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


def hash_secret(secret):
    """Hash a password or PIN with scrypt."""
    return generate_password_hash(secret, method="scrypt")


DISPLAY_NAME_MAX = 60
MIN_STRENGTH = 3  # zxcvbn's score (0–4): 3 is "safely unguessable", well beyond a list of common passwords


def password_problem(password, about=()):
    """Why a new password is unacceptable, or None; `about` are words a guesser knows (username, name, campus)."""
    if len(password or "") < MIN_PASSWORD:
        return _l("At least %(n)d characters.", n=MIN_PASSWORD)
    if password.isdigit():
        return _l("Must not be digits only.")
    from zxcvbn import zxcvbn  # its dictionaries take a while to load: only when a password is set

    hints = [w for w in about if w] + ["xgapp"]
    if zxcvbn(password[:72], user_inputs=hints)["score"] < MIN_STRENGTH:  # it refuses longer input
        return _l("Too easy to guess (a common password, word, name or pattern). Use a longer one, e.g. three "
                  "words of your own with a digit.")
    return None


def pin_problem(pin):
    """Why a PIN is unacceptable, or None."""
    if not PIN_RE.match(pin or ""):
        return _l("4 to 6 digits.")
    if len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210":
        return _l("Too easy to guess; avoid repeated or consecutive digits.")
    return None


def username_problem(username, exclude_id=None):
    """Why a username is unacceptable, or None."""
    if not USERNAME_RE.match(username or ""):
        return _l("2–40 characters: lower-case letters, digits, . _ -")
    query = User.select().where(User.username == username)
    if exclude_id is not None:
        query = query.where(User.id != exclude_id)
    if query.exists():
        return _l("This username is taken.")
    return None


def roles_problem(roles):
    """Why a set of role codes is unacceptable, or None."""
    if not roles:
        return _l("Choose at least one role.")
    if set(roles) - set(policy.ROLES):
        return _l("Unknown role.")
    return None


def name_problem(display_name):
    """Why a person's name is unacceptable, or None."""
    if not display_name:
        return _l("Enter the person's name.")
    return validation.too_long(display_name, DISPLAY_NAME_MAX)


def _raise_problems(problems):
    """Invalid carrying every message of {field: message or None}, when any."""
    errors = {name: message for name, message in problems.items() if message}
    if errors:
        raise Invalid(errors)


def _active_principals(exclude_id=None):
    query = (User.select().join(UserRole)
             .where(UserRole.role == policy.PRINCIPAL, User.active == True))  # noqa: E712
    if exclude_id is not None:
        query = query.where(User.id != exclude_id)
    return query.count()


def _set_roles(user, roles):
    UserRole.delete().where(UserRole.user == user).execute()
    for role in sorted(roles):
        UserRole.create(user=user, role=role)
    user.__dict__.pop("_role_set", None)


def create_user(by, username, display_name, password, roles, pin=None):
    """Create a staff account (audited); raises Invalid with every problem of the input at once."""
    username = (username or "").strip().lower()
    display_name = (display_name or "").strip()
    roles = set(roles)
    with write():
        _raise_problems({
            "display_name": name_problem(display_name),
            "username": username_problem(username),
            "roles": roles_problem(roles),
            "password": password_problem(password, (username, display_name)),
            "pin": pin_problem(pin) if pin else None,
        })
        user = User.create(username=username, display_name=display_name,
                           password_hash=hash_secret(password),
                           pin_hash=hash_secret(pin) if pin else None, created_at=clock.now())
        _set_roles(user, roles)
        after = audit.snapshot(user) | {"roles": sorted(roles)}
        audit.record(by, "create", "user", user.id, after=after, summary=username)
    return user


def update_user(by, user, display_name, roles, active):
    """Change name, roles and active flag (audited); the last active principal stays a principal."""
    display_name = (display_name or "").strip()
    roles = set(roles)
    _raise_problems({"display_name": name_problem(display_name), "roles": roles_problem(roles)})
    with write():
        user = User.get_by_id(user.id)
        before = audit.snapshot(user) | {"roles": policy.roles_of(user)}
        if policy.loses_principal(user, roles, active) and _active_principals(exclude_id=user.id) == 0:
            raise Invalid({"roles": _l("The campus needs at least one active principal.")})
        user.display_name = display_name
        if user.active and not active:
            user.session_version += 1  # disabling logs them out everywhere
            LoginSession.delete().where(LoginSession.user == user).execute()
        user.active = bool(active)
        user.save()
        _set_roles(user, roles)
        after = audit.snapshot(user) | {"roles": sorted(roles)}
        audit.record(by, "update", "user", user.id, before=before, after=after, summary=user.username)
    return user


def set_password(by, user, password):
    """Set a new password, unlock the account and end its other sessions (audited)."""
    _raise_problems({"password": password_problem(password, (user.username, user.display_name))})
    with write():
        user = User.get_by_id(user.id)
        user.password_hash = hash_secret(password)
        user.password_failures = 0
        user.password_locked_until = None
        user.session_version += 1
        user.save()
        LoginSession.delete().where(LoginSession.user == user).execute()  # every browser logs in again
        audit.record(by, "password", "user", user.id, summary=user.username)
    return user


def set_pin(by, user, pin):
    """Set (or with pin=None remove) the quick-login PIN (audited)."""
    if pin is not None:
        _raise_problems({"pin": pin_problem(pin)})
    with write():
        user = User.get_by_id(user.id)
        user.pin_hash = hash_secret(pin) if pin else None
        user.pin_failures = 0
        user.pin_locked_until = None
        user.save()
        audit.record(by, "pin" if pin else "pin_removed", "user", user.id, summary=user.username)
    return user


def set_locale(user, locale):
    """Remember the user's UI language (a preference, not audited)."""
    User.update(locale=locale).where(User.id == user.id).execute()


@dataclass
class LoginResult:
    user: User | None
    error: str | None = None  # "bad", "locked", "ip_locked"
    locked_until: object = None


class IpThrottle:
    """Failed logins per client address within a sliding window (in memory)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._failures = defaultdict(deque)

    def _trim(self, ip, window):
        stamps = self._failures[ip]
        cutoff = time.monotonic() - window
        while stamps and stamps[0] < cutoff:
            stamps.popleft()
        return stamps

    def blocked(self, ip, limit, window):
        """True when `ip` has failed `limit` times within `window` seconds."""
        with self._lock:
            return len(self._trim(ip, window)) >= limit

    def fail(self, ip, window):
        """Count one failure from `ip`."""
        with self._lock:
            self._trim(ip, window).append(time.monotonic())


def authenticate(username, secret, kind, ip, config, throttle):
    """Check a password (kind="password") or PIN (kind="pin"), applying lockout; audited."""
    window = config["login_lock_minutes"] * 60
    if throttle.blocked(ip, config["ip_max_failures"], window):
        return LoginResult(None, "ip_locked")
    username = (username or "").strip().lower()
    now = clock.now()
    with write():
        user = User.get_or_none(User.username == username)
        stored = None if user is None else (user.password_hash if kind == "password" else user.pin_hash)
        locked_until = None if user is None else getattr(user, kind + "_locked_until")
        if locked_until and locked_until > now:
            return LoginResult(None, "locked", locked_until)
        ok = check_password_hash(stored or _DUMMY_HASH, secret or "") and stored is not None
        if ok and user.active:
            setattr(user, kind + "_failures", 0)
            setattr(user, kind + "_locked_until", None)
            user.last_login_at = now
            user.save()
            audit.record(user, "login", "user", user.id, summary=kind)
            return LoginResult(user)
        throttle.fail(ip, window)
        if user is None:
            audit.record(None, "login_failed", "user", None, summary="%s: %s" % (kind, username[:40]))
            return LoginResult(None, "bad")
        failures = getattr(user, kind + "_failures") + 1
        result = LoginResult(None, "bad")
        if failures >= config["login_max_failures"]:
            failures = 0
            result = LoginResult(None, "locked", now + timedelta(minutes=config["login_lock_minutes"]))
            setattr(user, kind + "_locked_until", result.locked_until)
        setattr(user, kind + "_failures", failures)
        user.save()
        audit.record(None, "login_failed" if result.error == "bad" else "locked", "user", user.id,
                     summary="%s: %s" % (kind, user.username))
        return result
