"""The account forms read into values: logging in, new and changed accounts, passwords and PINs.

Each parser reads every field and reports every problem at once (`validation.Invalid`), the account rules
(username taken, password too easy to guess, weak PIN) included, so nobody fixes a form one message at a time.
"""

from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash

from xgapp import policy, validation
from xgapp.accounts import domain
from xgapp.validation import Reader

USERNAME_MAX = 40
SECRET_MAX = 200  # a password longer than any passphrase is refused, not cut
PIN_MAX = 6
PASSWORDS_DIFFER = _l("The two passwords differ.")


def secret(r, name, required=True, limit=SECRET_MAX):
    """A password or PIN exactly as typed (never trimmed: a space may be part of it); '' when empty."""
    value = r.form.get(name) or ""
    problem = validation.control_problem(value, multiline=False)
    if problem:
        r.fail(name, problem)
    elif required and not value:
        r.fail(name, _l("Required."))
    elif validation.too_long(value, limit):
        r.fail(name, validation.too_long(value, limit))
    return value


def _username(r):
    return r.text("username", required=True, limit=USERNAME_MAX).lower()


def confirmed(r, password, name="confirm"):
    """The repeated password: required, and the same as the first."""
    again = secret(r, name)
    if again and password and again != password:
        r.fail(name, PASSWORDS_DIFFER)


def _check(r, name, problem):
    """Record a rule's message beside `name` unless the field already has one."""
    if problem and name not in r.errors:
        r.fail(name, problem)


def parse_login(form):
    """Username and password of the password login."""
    r = Reader(form)
    values = {"username": _username(r), "password": secret(r, "password")}
    r.done()
    return values


def parse_pin_login(form):
    """Username and PIN of the tablet login."""
    r = Reader(form)
    values = {"username": _username(r), "pin": secret(r, "pin", limit=PIN_MAX)}
    r.done()
    return values


def read_principal(r):
    """The new account's name, username and password (twice), with every account rule checked: for setup and
    for a new account alike."""
    display_name = r.text("display_name", required=True, limit=domain.DISPLAY_NAME_MAX)
    username = _username(r)
    password = secret(r, "password")
    _check(r, "username", username and domain.username_problem(username))
    _check(r, "password", password and domain.password_problem(password, (username, display_name)))
    return {"display_name": display_name, "username": username, "password": password}


def _roles(r):
    return set(r.choices("roles", policy.ROLES, required=True, message=_l("Choose at least one role.")))


def parse_new_account(form):
    """A new staff account: name, username, roles, initial password and an optional PIN."""
    r = Reader(form)
    values = read_principal(r)
    values["roles"] = _roles(r)
    pin = secret(r, "pin", required=False, limit=PIN_MAX)
    _check(r, "pin", pin and domain.pin_problem(pin))
    values["pin"] = pin or None
    r.done()
    return values


def parse_account(form):
    """A changed account: name, roles and whether it is active (an unticked box is inactive)."""
    r = Reader(form)
    values = {"display_name": r.text("display_name", required=True, limit=domain.DISPLAY_NAME_MAX),
              "roles": _roles(r), "active": r.flag("active")}
    r.done()
    return values


def _new_password(r, user):
    password = secret(r, "password")
    confirmed(r, password)
    _check(r, "password", password and domain.password_problem(password, (user.username, user.display_name)))
    return password


def parse_new_password(form, user):
    """A new password for `user`, typed twice."""
    r = Reader(form)
    values = {"password": _new_password(r, user)}
    r.done()
    return values


def parse_own_password(form, user):
    """One's own new password, typed twice, and the current one (checked against `user`'s)."""
    r = Reader(form)
    current = secret(r, "current")
    _check(r, "current", current and not check_password_hash(user.password_hash, current)
           and _l("The current password is wrong."))
    values = {"password": _new_password(r, user)}
    r.done()
    return values


def parse_pin(form):
    """A new PIN for tablet login."""
    r = Reader(form)
    pin = secret(r, "pin", limit=PIN_MAX)
    _check(r, "pin", pin and domain.pin_problem(pin))
    r.done()
    return {"pin": pin}
