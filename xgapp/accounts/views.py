"""Account pages: the principal manages staff; everyone manages their own password, PIN and language."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash
from wtforms import BooleanField, PasswordField, SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from xgapp import htmx, nav
from xgapp.accounts import domain
from xgapp.accounts.models import User, UserRole
from xgapp.forms import Form, render_form
from xgapp.security import ROLES, require, start_session

bp = Blueprint("accounts", __name__, url_prefix="/accounts")
nav.register("accounts.index", _l("Staff accounts"), "accounts.manage", order=80)
nav.register("accounts.me", _l("My account"), order=99)

REQUIRED = _l("Required.")


class RolesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _role_choices():
    return [(code, label) for code, label in ROLES.items()]


class UserForm(Form):
    display_name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=60)])
    roles = RolesField(_l("Roles"))
    active = BooleanField(_l("Account active"), default=True)


class NewUserForm(UserForm):
    username = StringField(_l("Username"), validators=[DataRequired(REQUIRED), Length(max=40)],
                           description=_l("Lower-case letters and digits, used to log in."))
    password = PasswordField(_l("Initial password"), validators=[DataRequired(REQUIRED), Length(max=200)])
    pin = PasswordField(_l("PIN for tablet login (optional)"), validators=[Optional(), Length(max=6)])


class PasswordForm(Form):
    password = PasswordField(_l("New password"), validators=[DataRequired(REQUIRED), Length(max=200)])
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(REQUIRED), EqualTo("password", _l("The two passwords differ."))])


class OwnPasswordForm(PasswordForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED), Length(max=200)])


class PinForm(Form):
    pin = PasswordField(_l("New PIN (4–6 digits)"), validators=[DataRequired(REQUIRED), Length(max=6)])


def _with_choices(form):
    form.roles.choices = _role_choices()
    return form


@bp.route("/")
@require("accounts.manage")
def index():
    """All staff accounts with their roles."""
    users = list(User.select().order_by(User.active.desc(), User.display_name))
    roles = {}
    for row in UserRole.select().order_by(UserRole.role):
        roles.setdefault(row.user_id, []).append(row.role)
    return render_template("accounts/index.html", users=users, user_roles=roles)


@bp.route("/new", methods=["GET", "POST"])
@require("accounts.manage")
def create():
    """Create a staff account."""
    form = _with_choices(NewUserForm())
    if form.validate_on_submit():
        try:
            user = domain.create_user(g.user, form.username.data, form.display_name.data,
                                      form.password.data, form.roles.data, pin=form.pin.data or None)
        except domain.AccountError as exc:
            form.fail(exc.field, exc.message)
        else:
            flash(_("Account %(name)s created.", name=user.display_name), "success")
            return redirect(url_for("accounts.index"), code=303)
    return render_form("accounts/new.html", form)


def _user_or_404(user_id):
    user = User.get_or_none(User.id == user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@require("accounts.manage")
def edit(user_id):
    """Change a person's name, roles or whether the account is active."""
    user = _user_or_404(user_id)
    form = _with_choices(UserForm(obj=user) if request.method == "GET" else UserForm())
    if request.method == "GET":
        form.roles.data = sorted(user.role_set)
    if form.validate_on_submit():
        try:
            domain.update_user(g.user, user, form.display_name.data, form.roles.data, form.active.data)
        except domain.AccountError as exc:
            form.fail(exc.field, exc.message)
        else:
            flash(_("Account %(name)s saved.", name=form.display_name.data), "success")
            return redirect(url_for("accounts.index"), code=303)
    return render_form("accounts/edit.html", form, person=user, password_form=PasswordForm(formdata=None))


@bp.route("/<int:user_id>/password", methods=["POST"])
@require("accounts.manage")
def reset_password(user_id):
    """Set a new password for someone who forgot theirs (also unlocks and logs them out)."""
    user = _user_or_404(user_id)
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            domain.set_password(g.user, user, form.password.data)
        except domain.AccountError as exc:
            form.fail(exc.field, exc.message)
        else:
            flash(_("New password set for %(name)s.", name=user.display_name), "success")
            return redirect(url_for("accounts.edit", user_id=user.id), code=303)
    status = 422
    if htmx.is_request():
        return render_template("accounts/_password_form.html", password_form=form, person=user), status
    edit_form = _with_choices(UserForm(obj=user, formdata=None))
    edit_form.roles.data = sorted(user.role_set)
    return render_form("accounts/edit.html", edit_form, status=status, person=user, password_form=form)


@bp.route("/<int:user_id>/pin/remove", methods=["POST"])
@require("accounts.manage")
def remove_pin(user_id):
    """Remove someone's PIN (e.g. a tablet was lost)."""
    user = _user_or_404(user_id)
    domain.set_pin(g.user, user, None)
    flash(_("PIN removed for %(name)s.", name=user.display_name), "success")
    return redirect(url_for("accounts.edit", user_id=user.id), code=303)


@bp.route("/me", methods=["GET"])
def me():
    """The logged-in person's own account: password, PIN, language."""
    return render_template("accounts/me.html", password_form=OwnPasswordForm(formdata=None),
                           pin_form=PinForm(formdata=None))


@bp.route("/me/password", methods=["POST"])
def my_password():
    """Change one's own password (the current one is asked for)."""
    form = OwnPasswordForm()
    if form.validate_on_submit():
        if not check_password_hash(g.user.password_hash, form.current.data):
            form.fail("current", _("The current password is wrong."))
        else:
            try:
                user = domain.set_password(g.user, g.user, form.password.data)
            except domain.AccountError as exc:
                form.fail(exc.field, exc.message)
            else:
                start_session(user)
                flash(_("Your password has been changed."), "success")
                return redirect(url_for("accounts.me"), code=303)
    return render_template("accounts/me.html", password_form=form, pin_form=PinForm(formdata=None)), 422


@bp.route("/me/pin", methods=["POST"])
def my_pin():
    """Set one's own PIN for quick tablet login."""
    form = PinForm()
    if form.validate_on_submit():
        try:
            domain.set_pin(g.user, g.user, form.pin.data)
        except domain.AccountError as exc:
            form.fail(exc.field, exc.message)
        else:
            flash(_("Your PIN has been set."), "success")
            return redirect(url_for("accounts.me"), code=303)
    return render_template("accounts/me.html", password_form=OwnPasswordForm(formdata=None), pin_form=form), 422


@bp.route("/me/pin/remove", methods=["POST"])
def my_pin_remove():
    """Remove one's own PIN."""
    domain.set_pin(g.user, g.user, None)
    flash(_("Your PIN has been removed."), "success")
    return redirect(url_for("accounts.me"), code=303)
