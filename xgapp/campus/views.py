"""Campus settings page (principal): name and code, the logo, the campus rules, and the server settings in force."""

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from xgapp import campus, nav, settings
from xgapp.campus import forms, rules
from xgapp.security import require
from xgapp.validation import Invalid

bp = Blueprint("campus", __name__, url_prefix="/campus")
nav.register("campus.edit", _l("Campus settings"), "campus.edit", order=85)


def _page(values=None, errors=None, rule_values=None, rule_errors=None, logo_errors=None, status=200):
    """The settings page; each of its forms shows its own values and messages."""
    config = current_app.config
    row = campus.current()
    return render_template(
        "campus/edit.html", values=values or {"campus_name": row.name, "campus_code": row.code}, errors=errors or {},
        settings_table=settings.SETTINGS, logo=campus.logo_uri(), logo_errors=logo_errors or {},
        settings_values=settings.masked(config["XGAPP"]), sources=config["XGAPP_SOURCES"],
        source_names=settings.SOURCES, data_dir=config["XGAPP_PATHS"].root, rules=rules.RULES,
        rule_values=rule_values or rules.raw_values(), rule_errors=rule_errors or {},
        back=url_for("campus.edit")), status


@bp.route("/", methods=["GET", "POST"])
@require("campus.edit")
def edit():
    """Edit the campus's name and code; show the server settings in force and where each comes from."""
    if request.method == "GET":
        return _page()
    try:
        values = forms.parse_campus(request.form)
        campus.update(g.user, values["campus_name"], values["campus_code"])
    except Invalid as exc:
        typed = {name: request.form.get(name, "") for name in ("campus_name", "campus_code")}
        return _page(typed, exc.errors, status=422)
    flash(_("Campus settings saved."), "success")
    return redirect(url_for("campus.edit"), code=303)


@bp.route("/logo", methods=["POST"])
@require("campus.edit")
def logo():
    """Upload the logo printed at the top of every form."""
    upload = request.files.get("logo")
    try:
        campus.set_logo(g.user, upload.read(campus.LOGO_MAX_BYTES + 1) if upload else b"")
    except Invalid as exc:
        return _page(logo_errors=exc.errors, status=422)
    flash(_("The logo was saved."), "success")
    return redirect(url_for("campus.edit"), code=303)


@bp.route("/logo/remove", methods=["POST"])
@require("campus.edit")
def remove_logo():
    """Print forms without a logo again."""
    campus.remove_logo(g.user)
    flash(_("The logo was removed."), "success")
    return redirect(url_for("campus.edit"), code=303)


@bp.route("/rules", methods=["POST"])
@require("campus.edit")
def save_rules():
    """Save the campus rules (opening hours, the attendance rule, the low-hours alert)."""
    try:
        rules.save(g.user, forms.parse_rules(request.form))
    except Invalid as exc:
        typed = {r.name: request.form.get(r.name, "") for r in rules.RULES}
        return _page(rule_values=typed, rule_errors=exc.errors, status=422)
    flash(_("Campus rules saved."), "success")
    return redirect(url_for("campus.edit"), code=303)
