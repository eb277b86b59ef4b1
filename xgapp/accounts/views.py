"""Account pages: the principal manages staff; everyone manages their own password, PIN and language."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from xgapp import htmx, nav, policy
from xgapp.accounts import domain, forms
from xgapp.accounts.models import User, UserRole
from xgapp.security import require, start_session
from xgapp.validation import Invalid

bp = Blueprint("accounts", __name__, url_prefix="/accounts")
nav.register("accounts.index", _l("Staff accounts"), "accounts.manage", order=80)
nav.register("accounts.me", _l("My account"), order=99)

ROLE_OPTIONS = list(policy.ROLES.items())


def _typed(*names):
    """What the user typed into these fields (roles as the list of ticked codes), to show it again."""
    values = {name: request.form.get(name, "") for name in names}
    values["roles"] = request.form.getlist("roles")
    return values


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
    if request.method == "GET":
        return _new_page({})
    try:
        values = forms.parse_new_account(request.form)
        user = domain.create_user(g.user, values["username"], values["display_name"], values["password"],
                                  values["roles"], pin=values["pin"])
    except Invalid as exc:
        return _new_page(_typed("display_name", "username"), exc.errors, 422)
    flash(_("Account %(name)s created.", name=user.display_name), "success")
    return redirect(url_for("accounts.index"), code=303)


def _new_page(values, errors=None, status=200):
    return render_template("accounts/new.html", values=values, errors=errors or {}, role_options=ROLE_OPTIONS), status


def _user_or_404(user_id):
    user = User.get_or_none(User.id == user_id)
    if user is None:
        abort(404)
    return user


def _edit_page(person, values=None, errors=None, password_errors=None, status=200):
    if values is None:
        values = {"display_name": person.display_name, "roles": policy.roles_of(person), "active": person.active}
    return render_template("accounts/edit.html", person=person, values=values, errors=errors or {},
                           password_errors=password_errors or {}, role_options=ROLE_OPTIONS), status


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@require("accounts.manage")
def edit(user_id):
    """Change a person's name, roles or whether the account is active."""
    user = _user_or_404(user_id)
    if request.method == "GET":
        return _edit_page(user)
    try:
        values = forms.parse_account(request.form)
        domain.update_user(g.user, user, values["display_name"], values["roles"], values["active"])
    except Invalid as exc:
        return _edit_page(user, _typed("display_name") | {"active": bool(request.form.get("active"))},
                          exc.errors, status=422)
    flash(_("Account %(name)s saved.", name=values["display_name"]), "success")
    return redirect(url_for("accounts.index"), code=303)


@bp.route("/<int:user_id>/password", methods=["POST"])
@require("accounts.manage")
def reset_password(user_id):
    """Set a new password for someone who forgot theirs (also unlocks and logs them out)."""
    user = _user_or_404(user_id)
    try:
        domain.set_password(g.user, user, forms.parse_new_password(request.form, user)["password"])
    except Invalid as exc:
        if htmx.is_request():
            return render_template("accounts/_password_form.html", person=user, password_errors=exc.errors), 422
        return _edit_page(user, password_errors=exc.errors, status=422)
    flash(_("New password set for %(name)s.", name=user.display_name), "success")
    return redirect(url_for("accounts.edit", user_id=user.id), code=303)


@bp.route("/<int:user_id>/pin/remove", methods=["POST"])
@require("accounts.manage")
def remove_pin(user_id):
    """Remove someone's PIN (e.g. a tablet was lost)."""
    user = _user_or_404(user_id)
    domain.set_pin(g.user, user, None)
    flash(_("PIN removed for %(name)s.", name=user.display_name), "success")
    return redirect(url_for("accounts.edit", user_id=user.id), code=303)


def _me_page(password_errors=None, pin_errors=None, status=200):
    return render_template("accounts/me.html", my_roles=policy.roles_of(g.user), password_errors=password_errors or {},
                           pin_errors=pin_errors or {}), status


@bp.route("/me", methods=["GET"])
def me():
    """The logged-in person's own account: password, PIN, language."""
    return _me_page()


@bp.route("/me/password", methods=["POST"])
def my_password():
    """Change one's own password (the current one is asked for)."""
    try:
        user = domain.set_password(g.user, g.user, forms.parse_own_password(request.form, g.user)["password"])
    except Invalid as exc:
        return _me_page(password_errors=exc.errors, status=422)
    start_session(user)
    flash(_("Your password has been changed."), "success")
    return redirect(url_for("accounts.me"), code=303)


@bp.route("/me/pin", methods=["POST"])
def my_pin():
    """Set one's own PIN for quick tablet login."""
    try:
        domain.set_pin(g.user, g.user, forms.parse_pin(request.form)["pin"])
    except Invalid as exc:
        return _me_page(pin_errors=exc.errors, status=422)
    flash(_("Your PIN has been set."), "success")
    return redirect(url_for("accounts.me"), code=303)


@bp.route("/me/pin/remove", methods=["POST"])
def my_pin_remove():
    """Remove one's own PIN."""
    domain.set_pin(g.user, g.user, None)
    flash(_("Your PIN has been removed."), "success")
    return redirect(url_for("accounts.me"), code=303)
