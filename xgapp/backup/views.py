"""The principal's backup page: list, back up now, download, upload, restore with confirmation."""

from datetime import datetime, timezone

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from xgapp import audit, backup, campus, db, migrate, nav
from xgapp.backup import forms, restore as restoring
from xgapp.security import end_session, require
from xgapp.validation import Invalid

bp = Blueprint("backup", __name__, url_prefix="/backups")
nav.register("backup.index", _l("Backups"), "backups.manage", order=87)

KIND_LABELS = {
    "daily": _l("Daily (automatic)"), "monthly": _l("Monthly (automatic)"), "manual": _l("Manual"),
    "uploaded": _l("Uploaded"), "pre-migrate": _l("Before an upgrade"), "pre-restore": _l("Before a restore"),
}
NOT_A_BACKUP = _l("This is not a usable xgapp backup (damaged, or another program's file).")


def _folder():
    return current_app.config["XGAPP_PATHS"].backups


def _file_or_404(name):
    path = _folder() / name
    if "/" in name or "\\" in name or backup.backup_kind(name) is None or not path.is_file():
        abort(404)
    return path


def _index(errors=None, status=200):
    rows = [(path, kind, size, datetime.fromtimestamp(mtime, timezone.utc))
            for path, kind, size, mtime in backup.list_backups(_folder())]
    return render_template("backup/index.html", rows=rows, kinds=KIND_LABELS, errors=errors or {}), status


@bp.route("/")
@require("backups.manage")
def index():
    """Every backup in the data folder, newest first."""
    return _index()


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
    try:
        upload = forms.parse_upload(request.files)["file"]
    except Invalid as exc:
        return _index(exc.errors, 422)
    target = backup.free_name(_folder(), "uploaded")
    upload.save(target)
    try:
        version = backup.inspect_backup(target)
        if version > migrate.code_version():
            raise backup.BackupTooNew(version)
    except backup.InvalidBackup as exc:
        target.unlink(missing_ok=True)
        return _index({"file": _too_new(exc) or NOT_A_BACKUP}, 422)
    return redirect(url_for("backup.restore", name=target.name), code=303)


def _restore_page(name, path, code, errors=None, status=200):
    try:
        info = backup.describe(path)
    except Exception:  # unreadable: say so rather than crash the page
        info = None
    return render_template("backup/restore.html", name=name, info=info, code=code, errors=errors or {},
                           typed=request.form.get("confirm", ""), size=path.stat().st_size,
                           expected=migrate.code_version()), status


@bp.route("/restore/<name>", methods=["GET", "POST"])
@require("backups.manage")
def restore(name):
    """Confirm, then replace all current data with this backup (the current data is backed up first)."""
    path = _file_or_404(name)
    code = campus.current().code
    if request.method == "GET":
        return _restore_page(name, path, code)
    try:
        forms.parse_restore(request.form, code)
        saved = restoring.restore_live(db.database.obj, path, _folder())
    except Invalid as exc:
        return _restore_page(name, path, code, exc.errors, 422)
    except backup.InvalidBackup as exc:
        return _restore_page(name, path, code, {"confirm": _too_new(exc) or NOT_A_BACKUP}, 422)
    audit.record(None, "restore", "backup", None, summary="%s (saved %s)" % (name, saved.name),
                 actor_name=g.user.display_name)
    current_app.config["XGAPP_SET_UP"] = False
    end_session()
    flash(_("Data restored from %(name)s. The data before the restore was saved as %(saved)s. "
            "Please log in again.", name=name, saved=saved.name), "success")
    return redirect(url_for("auth.login"), code=303)
