"""Logging in and out, and the first-run setup of a campus."""

from flask import Blueprint, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from xgapp import campus, i18n
from xgapp.accounts import domain as accounts
from xgapp.forms import Form, render_form
from xgapp.security import end_session, public, safe_next, start_session

bp = Blueprint("auth", __name__)

LAST_USER_COOKIE = "xgapp_last_user"
REQUIRED = _l("Required.")


class LoginForm(Form):
    username = StringField(_l("Username"), validators=[DataRequired(REQUIRED), Length(max=40)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=200)])


class PinForm(Form):
    username = StringField(_l("Username"), validators=[DataRequired(REQUIRED), Length(max=40)], id="pin_username")
    pin = PasswordField(_l("PIN"), validators=[DataRequired(REQUIRED), Length(max=6)], id="pin_pin")


class SetupForm(Form):
    campus_name = StringField(_l("Campus name"), validators=[DataRequired(REQUIRED), Length(max=100)])
    campus_code = StringField(_l("Campus code"), validators=[DataRequired(REQUIRED), Length(max=20)])
    display_name = StringField(_l("Principal's name"), validators=[DataRequired(REQUIRED), Length(max=60)])
    username = StringField(_l("Username"), validators=[DataRequired(REQUIRED), Length(max=40)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=200)])
    confirm = PasswordField(_l("Password again"), validators=[
        DataRequired(REQUIRED), EqualTo("password", _l("The two passwords differ."))])


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


def _render_login(form, pin_form, status=None, mode="password"):
    from xgapp import connect

    tablet_urls = connect.lan_urls()[:1] if connect.is_server_pc() else []
    return render_form("auth/login.html", form, status=status, pin_form=pin_form, mode=mode,
                       next_url=request.values.get("next"), reason=request.args.get("reason"),
                       tablet_urls=tablet_urls, qr=connect.qr_svg)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Password login (and the page that also offers PIN login)."""
    if g.user is not None and request.method == "GET":
        return redirect(url_for("home.index"))
    last = request.cookies.get(LAST_USER_COOKIE, "")
    form = LoginForm(username=last)
    pin_form = PinForm(username=last, formdata=None)
    if not form.validate_on_submit():
        return _render_login(form, pin_form)
    result = accounts.authenticate(form.username.data, form.password.data, "password",
                                   request.remote_addr, current_app.config["XGAPP"],
                                   current_app.extensions["xgapp_throttle"])
    if result.user is None:
        form.fail("password", _login_error(result))
        return _render_login(form, pin_form, status=401 if result.error == "bad" else 429)
    return _finish_login(result.user, request.form.get("next"))


@bp.route("/login/pin", methods=["POST"])
@public
def login_pin():
    """Quick PIN login for tablets."""
    pin_form = PinForm()
    form = LoginForm(username=pin_form.username.data, formdata=None)
    if not pin_form.validate_on_submit():
        return _render_login(form, pin_form, status=422, mode="pin")
    result = accounts.authenticate(pin_form.username.data, pin_form.pin.data, "pin",
                                   request.remote_addr, current_app.config["XGAPP"],
                                   current_app.extensions["xgapp_throttle"])
    if result.user is None:
        message = _login_error(result)
        if result.error == "bad":
            message = _("Wrong username or PIN.")
        pin_form.fail("pin", message)
        return _render_login(form, pin_form, status=401 if result.error == "bad" else 429, mode="pin")
    return _finish_login(result.user, request.form.get("next"))


@bp.route("/logout", methods=["POST"])
@public
def logout():
    """End the session."""
    end_session()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/setup", methods=["GET", "POST"])
@public
def setup():
    """First run: name the campus and create the principal's account."""
    if not campus.needs_setup():
        return redirect(url_for("auth.login"))
    form = SetupForm()
    if form.validate_on_submit():
        try:
            principal = campus.setup(form.campus_name.data, form.campus_code.data, form.username.data,
                                        form.display_name.data, form.password.data)[1]
        except accounts.AccountError as exc:
            form.fail(exc.field, exc.message)
        else:
            current_app.config["XGAPP_SET_UP"] = True
            response = _finish_login(principal, url_for("accounts.index"))
            flash(_("The campus is set up. Next, create your staff's accounts."), "success")  # after the new session
            return response
    return render_form("auth/setup.html", form)


@bp.route("/language/<code>", methods=["POST"])
@public
def language(code):
    """Switch the UI language (remembered per user when logged in)."""
    if code in i18n.LANGUAGES:
        session["lang"] = code
        if g.user is not None:
            accounts.set_locale(g.user, code)
    return redirect(safe_next(request.form.get("next")), code=303)
