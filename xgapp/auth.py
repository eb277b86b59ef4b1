"""Logging in and out, and the first-run setup of a campus."""

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from xgapp import campus, connect, i18n
from xgapp.accounts import domain as accounts
from xgapp.accounts import forms
from xgapp.campus import forms as campus_forms
from xgapp.security import end_session, public, safe_next, start_session
from xgapp.validation import Invalid

bp = Blueprint("auth", __name__)

LAST_USER_COOKIE = "xgapp_last_user"


def _login_error(result):
    if result.error == "locked":
        until = i18n.datetime_filter(result.locked_until, "HH:mm")
        return _("Too many wrong tries: this login is locked until %(time)s.", time=until)
    if result.error == "ip_locked":
        return _("Too many failed logins from this device. Wait a while and try again.")
    return _("Wrong username or password.") if result.error else None


def _finish_login(user, next_url):
    start_session(user)
    response = redirect(safe_next(next_url), code=303)
    response.set_cookie(LAST_USER_COOKIE, user.username, max_age=90 * 86400, httponly=True, samesite="Lax")
    return response


def _render_login(username, errors=None, pin_errors=None, status=200, mode="password"):
    """The login page: the password form and the PIN form, both showing `username`."""
    tablet_urls = connect.lan_urls(request.host, request.host_url)[:1] if connect.is_server_pc(request.remote_addr) else []
    return render_template("auth/login.html", username=username, errors=errors or {}, pin_errors=pin_errors or {},
                           mode=mode, next_url=request.values.get("next"), reason=request.args.get("reason"),
                           tablet_urls=tablet_urls, qr=connect.qr_svg), status


def _authenticate(username, secret, kind):
    return accounts.authenticate(username, secret, kind, request.remote_addr, current_app.config["XGAPP"],
                                 current_app.extensions["xgapp_throttle"])


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Password login (and the page that also offers PIN login)."""
    if request.method == "GET":
        if g.user is not None:
            return redirect(url_for("home.index"))
        mode = "pin" if request.args.get("mode") == "pin" else "password"  # the tabs are links without scripts
        return _render_login(request.cookies.get(LAST_USER_COOKIE, ""), mode=mode)
    typed = request.form.get("username", "")
    try:
        values = forms.parse_login(request.form)
    except Invalid as exc:
        return _render_login(typed, errors=exc.errors, status=422)
    result = _authenticate(values["username"], values["password"], "password")
    if result.user is None:
        return _render_login(typed, errors={"password": _login_error(result)},
                             status=401 if result.error == "bad" else 429)
    return _finish_login(result.user, request.form.get("next"))


@bp.route("/login/pin", methods=["POST"])
@public
def login_pin():
    """Quick PIN login for tablets."""
    typed = request.form.get("username", "")
    try:
        values = forms.parse_pin_login(request.form)
    except Invalid as exc:
        return _render_login(typed, pin_errors=exc.errors, status=422, mode="pin")
    result = _authenticate(values["username"], values["pin"], "pin")
    if result.user is None:
        message = _("Wrong username or PIN.") if result.error == "bad" else _login_error(result)
        return _render_login(typed, pin_errors={"pin": message}, status=401 if result.error == "bad" else 429,
                             mode="pin")
    return _finish_login(result.user, request.form.get("next"))


@bp.route("/logout", methods=["POST"])
@public
def logout():
    """End the session."""
    end_session()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"), code=303)


SETUP_FIELDS = ("campus_name", "campus_code", "display_name", "username")


@bp.route("/setup", methods=["GET", "POST"])
@public
def setup():
    """First run: name the campus and create the principal's account."""
    if not campus.needs_setup():
        return redirect(url_for("auth.login"))
    if request.method == "GET":
        return render_template("auth/setup.html", values={}, errors={})
    try:
        values = campus_forms.parse_setup(request.form)
        principal = campus.setup(values["campus_name"], values["campus_code"], values["username"],
                                 values["display_name"], values["password"])[1]
    except Invalid as exc:
        typed = {name: request.form.get(name, "") for name in SETUP_FIELDS}
        return render_template("auth/setup.html", values=typed, errors=exc.errors), 422
    current_app.config["XGAPP_SET_UP"] = True
    response = _finish_login(principal, url_for("accounts.index"))
    flash(_("The campus is set up. Next, create your staff's accounts."), "success")  # after the new session
    return response


@bp.route("/language/<code>", methods=["POST"])
@public
def language(code):
    """Switch the UI language (remembered per user when logged in)."""
    if code in i18n.LANGUAGES:
        session["lang"] = code
        if g.user is not None:
            accounts.set_locale(g.user, code)
    return redirect(safe_next(request.form.get("next")), code=303)
