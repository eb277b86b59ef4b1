"""The principal's backup page: list, back up now, download, upload, restore with confirmation."""

from datetime import datetime

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import StringField
from wtforms.validators import DataRequired

from xgapp import audit, backup, campus, db, migrate, nav
from xgapp.forms import Form, render_form
from xgapp.security import end_session, require

bp = Blueprint("backup", __name__, url_prefix="/backups")
nav.register("backup.index", _l("Backups"), "backups.manage", order=87)

KIND_LABELS = {
    "daily": _l("Daily (automatic)"), "monthly": _l("Monthly (automatic)"), "manual": _l("Manual"),
    "uploaded": _l("Uploaded"), "pre-migrate": _l("Before an upgrade"), "pre-restore": _l("Before a restore"),
}


class UploadForm(Form):
    file = FileField(_l("Backup file (.sqlite3)"), validators=[DataRequired(_l("Choose a file."))])


class ConfirmForm(Form):
    confirm = StringField(_l("Type the campus code to confirm"), validators=[DataRequired(_l("Required."))])


def _folder():
    return current_app.config["XGAPP_PATHS"].backups


def _file_or_404(name):
    path = _folder() / name
    if "/" in name or "\\" in name or backup.backup_kind(name) is None or not path.is_file():
        abort(404)
    return path


def _index(upload_form, status=200):
    rows = backup.list_backups(_folder())
    return render_template("backup/index.html", rows=rows, kinds=KIND_LABELS, upload_form=upload_form,
                           fromtimestamp=datetime.fromtimestamp), status


@bp.route("/")
@require("backups.manage")
def index():
    """Every backup in the data folder, newest first."""
    return _index(UploadForm(formdata=None))


@bp.route("/now", methods=["POST"])
@require("backups.manage")
def now():
    """Back up the database now (verified)."""
    target = backup.backup_into_folder(migrate.database_file(db.database.obj), _folder(), "manual")
    audit.record(g.user, "backup", "backup", None, summary=target.name)
    flash(_("Backup %(name)s written and verified.", name=target.name), "success")
    return redirect(url_for("backup.index"), code=303)


@bp.route("/file/<name>")
@require("backups.manage")
def download(name):
    """Download one backup file (to keep it on a USB drive or another PC)."""
    return send_file(_file_or_404(name), as_attachment=True, download_name=name,
                     mimetype="application/vnd.sqlite3", max_age=0)


def _too_new(exc):
    """The message for a backup a newer xgapp wrote (None for any other refusal)."""
    if not isinstance(exc, backup.BackupTooNew):
        return None
    return _("This backup was written by a newer xgapp (data version newer than %(known)d): open it with that "
             "version or a later one. Nothing was changed.", known=migrate.code_version())


@bp.route("/upload", methods=["POST"])
@require("backups.manage")
def upload():
    """Upload a backup file; it is validated, then offered for restore on the confirmation page."""
    form = UploadForm()
    if not form.validate_on_submit():
        return _index(form, 422)
    target = _folder() / ("xgapp-uploaded-%s.sqlite3" % backup.stamp())
    form.file.data.save(target)
    try:
        version = backup.inspect_backup(target)
        if version > migrate.code_version():
            raise backup.BackupTooNew(version)
    except backup.InvalidBackup as exc:
        target.unlink(missing_ok=True)
        form.fail("file", _too_new(exc) or _("This is not a usable xgapp backup (damaged, or another program's file)."))
        return _index(form, 422)
    return redirect(url_for("backup.restore", name=target.name), code=303)


@bp.route("/restore/<name>", methods=["GET", "POST"])
@require("backups.manage")
def restore(name):
    """Confirm, then replace all current data with this backup (the current data is backed up first)."""
    path = _file_or_404(name)
    form = ConfirmForm()
    try:
        info = backup.describe(path)
    except Exception:  # unreadable: say so rather than crash the page
        info = None
    code = campus.current().code
    if form.validate_on_submit():
        if form.confirm.data.strip().upper() != code:
            form.fail("confirm", _("The campus code does not match."))
        else:
            try:
                saved = backup.restore_live(db.database.obj, path, _folder())
            except backup.InvalidBackup as exc:
                form.fail("confirm", _too_new(exc) or _(
                    "This is not a usable xgapp backup (damaged, or another program's file)."))
            else:
                audit.record(None, "restore", "backup", None, summary="%s (saved %s)" % (name, saved.name),
                             actor_name=g.user.display_name)
                current_app.config["XGAPP_SET_UP"] = False
                end_session()
                flash(_("Data restored from %(name)s. The data before the restore was saved as %(saved)s. "
                        "Please log in again.", name=name, saved=saved.name), "success")
                return redirect(url_for("auth.login"), code=303)
    return render_form("backup/restore.html", form, name=name, info=info, code=code,
                       size=path.stat().st_size, expected=migrate.code_version())
