"""Campus settings page (principal): name and code, and the server settings in force."""

from flask import Blueprint, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from xgapp import campus, nav, settings
from xgapp.campus import rules
from xgapp.validation import Invalid
from xgapp.forms import Form, render_form
from xgapp.security import require

bp = Blueprint("campus", __name__, url_prefix="/campus")
nav.register("campus.edit", _l("Campus settings"), "campus.edit", order=85)


class CampusForm(Form):
    campus_name = StringField(_l("Campus name"), validators=[DataRequired(_l("Required.")), Length(max=100)])
    campus_code = StringField(_l("Campus code"), validators=[DataRequired(_l("Required.")), Length(max=20)],
                              description=_l("Used in export bundles sent to head office."))


@bp.route("/", methods=["GET", "POST"])
@require("campus.edit")
def edit():
    """Edit the campus's name and code; show the server settings in force and where each comes from."""
    row = campus.current()
    form = CampusForm(data={"campus_name": row.name, "campus_code": row.code})
    if form.validate_on_submit():
        try:
            campus.update(g.user, form.campus_name.data, form.campus_code.data)
        except campus.CampusError as exc:
            form.fail(exc.field, exc.message)
        else:
            flash(_("Campus settings saved."), "success")
            return redirect(url_for("campus.edit"), code=303)
    return _page(form)


def _page(form, rule_errors=None, rule_values=None, status=None, logo_error=None):
    config = current_app.config
    return render_form("campus/edit.html", form, status=status, settings_table=settings.SETTINGS,
                       logo=campus.logo_uri(), logo_error=logo_error,
                       values=settings.masked(config["XGAPP"]), sources=config["XGAPP_SOURCES"],
                       source_names=settings.SOURCES,
                       data_dir=config["XGAPP_PATHS"].root, rules=rules.RULES,
                       rule_values=rule_values or rules.raw_values(), rule_errors=rule_errors or {})


@bp.route("/logo", methods=["POST"])
@require("campus.edit")
def logo():
    """Upload (or remove) the logo printed at the top of every form."""
    if request.form.get("remove"):
        campus.remove_logo(g.user)
        flash(_("The logo was removed."), "success")
        return redirect(url_for("campus.edit"), code=303)
    upload = request.files.get("logo")
    try:
        campus.set_logo(g.user, upload.read(campus.LOGO_MAX_BYTES + 1) if upload else b"")
    except campus.CampusError as exc:
        row = campus.current()
        form = CampusForm(data={"campus_name": row.name, "campus_code": row.code}, formdata=None)
        return _page(form, status=422, logo_error=exc.message)
    flash(_("The logo was saved."), "success")
    return redirect(url_for("campus.edit"), code=303)


@bp.route("/rules", methods=["POST"])
@require("campus.edit")
def save_rules():
    """Save the campus rules (opening hours, the attendance rule, the low-hours alert)."""
    try:
        rules.save(g.user, request.form)
    except Invalid as exc:
        row = campus.current()
        form = CampusForm(data={"campus_name": row.name, "campus_code": row.code}, formdata=None)
        values = {r.name: request.form.get(r.name, "") for r in rules.RULES}
        return _page(form, exc.errors, values, status=422)
    flash(_("Campus rules saved."), "success")
    return redirect(url_for("campus.edit"), code=303)
