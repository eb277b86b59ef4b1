"""The export page (each day's bundle and its delivery: 待发送 / 已发送 / 失败) and the principal's settings page
(time, mail server, recipients, folder copy, a test email)."""

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from peewee import fn

from xgapp import clock, nav
from xgapp.export import bundle, delivery, forms, jobs
from xgapp.export.models import ExportBundle, Outbox
from xgapp.policy import can
from xgapp.security import require
from xgapp.validation import Invalid

bp = Blueprint("export", __name__, url_prefix="/export")
nav.register("export.index", _l("Head-office export"), "export.view", order=86)

DAYS_SHOWN = 30
STATUS = {"pending": _l("Waiting to send"), "sent": _l("Sent"), "failed": _l("Failed")}
CHANNEL = {"email": _l("Email"), "folder": _l("Folder copy")}
SECURITY = [("ssl", _l("SSL (port 465)")), ("starttls", _l("STARTTLS (port 587)")), ("none", _l("None (port 25)"))]


def _paths():
    return current_app.config["XGAPP_PATHS"]


def _deliveries(bundles):
    """{bundle id: [its deliveries]} in one query."""
    found = {}
    for row in Outbox.select().where(Outbox.bundle.in_([b.id for b in bundles])).order_by(Outbox.channel):
        found.setdefault(row.bundle_id, []).append(row)
    return found


def _days(config, last, now, earliest):
    """DAYS_SHOWN campus days ending at `last`, newest first: (day, bundle or None, state, deliveries)."""
    today = now.date()
    first = last - timedelta(days=DAYS_SHOWN - 1)
    bundles = {b.day: b for b in ExportBundle.select().where(ExportBundle.kind == "nightly",
                                                             ExportBundle.day.between(first, last))}
    deliveries = _deliveries(bundles.values())
    closes = delivery.export_time(config)
    rows = []
    for n in range(DAYS_SHOWN):
        day = last - timedelta(days=n)
        if day < (earliest or today - timedelta(days=1)):
            break  # the first bundle holds every record made before it (a new install starts with yesterday)
        made = bundles.get(day)
        if made is not None:
            state = "made"
        elif day == today and now.time() < closes:
            state = "later"
        else:
            state = "due"
        rows.append((day, made, state, deliveries.get(made.id, []) if made else []))
    return rows


def _older_undelivered(before):
    """Bundles from before `before` with a delivery still waiting or failed: they must not drop out of sight
    just because they are older than the days on the page (a PC offline for weeks, a bundle too big to mail)."""
    bundles = list(ExportBundle.select().where(
        ExportBundle.kind == "nightly", ExportBundle.day < before,
        ExportBundle.id.in_(Outbox.select(Outbox.bundle).where(Outbox.status != "sent")))
        .order_by(ExportBundle.day.desc()))
    deliveries = _deliveries(bundles)
    return [(b.day, b, "made", deliveries.get(b.id, [])) for b in bundles]


@bp.route("/")
@require("export.view")
def index():
    """Each day's bundle and where it stands; ?to=YYYY-MM-DD pages back through older days."""
    config = delivery.load_config(_paths())
    now = clock.local_now()
    today = last = now.date()
    earliest = ExportBundle.select(fn.MIN(ExportBundle.day)).where(ExportBundle.kind == "nightly").scalar()
    try:
        asked = forms.parse_listing(request.args)
    except Invalid:
        abort(404)
    if asked is not None:
        last = min(max(asked, earliest or today), today)
    first = last - timedelta(days=DAYS_SHOWN - 1)
    counts = {status: Outbox.select().where(Outbox.status == status).count() for status in STATUS}
    future = (ExportBundle.select(fn.MAX(ExportBundle.day))
              .where(ExportBundle.kind == "nightly", ExportBundle.day > today).scalar())
    return render_template("export/index.html", rows=_days(config, last, now, earliest), config=config,
                           older_open=_older_undelivered(first) if last == today else [],
                           newer=None if last == today else min(last + timedelta(days=DAYS_SHOWN), today),
                           older=first - timedelta(days=1) if earliest is not None and earliest < first else None,
                           today=today, failure=jobs.last_error, future=future, folder=_paths().exports,
                           channels=delivery.channels(config), counts=counts, status=STATUS, channel=CHANNEL,
                           may_configure=can(g.user, "export.settings"),
                           total=ExportBundle.select().where(ExportBundle.kind == "nightly").count())


@bp.route("/run", methods=["POST"])
@require("export.view")
def run():
    """Make every bundle that is due now (instead of waiting for the scheduler) and try sending."""
    try:
        made = jobs.catch_up(_paths(), by=g.user)
    except bundle.ExportError as exc:
        flash(str(exc), "error")
        return redirect(url_for("export.index"), code=303)
    tried = delivery.process(_paths())
    if made:
        flash(_("%(n)d bundle(s) made.", n=len(made)), "success")
    else:
        flash(_("Every closed day already has its bundle."), "info")
    _flash_tried(tried)
    return redirect(url_for("export.index"), code=303)


def _flash_tried(tried):
    sent = sum(1 for row in tried if row.status == "sent")
    if tried:
        flash(_("%(sent)d of %(n)d deliveries went through.", sent=sent, n=len(tried)),
              "success" if sent == len(tried) else "error")


@bp.route("/send", methods=["POST"])
@require("export.view")
def send():
    """Try every waiting delivery now, whatever its back-off says."""
    tried = delivery.process(_paths(), force=True)
    if not tried:
        flash(_("Nothing is waiting to be sent."), "info")
    _flash_tried(tried)
    return redirect(url_for("export.index"), code=303)


@bp.route("/delivery/<int:delivery_id>/resend", methods=["POST"])
@require("export.view")
def resend(delivery_id):
    """Queue a failed delivery again (after the cause was fixed, e.g. the size limit raised)."""
    row = Outbox.get_or_none(Outbox.id == delivery_id)
    if row is None:
        abort(404)
    delivery.resend(g.user, row)
    delivery.process(_paths())
    return redirect(url_for("export.index"), code=303)


@bp.route("/file/<name>")
@require("export.view")
def download(name):
    """Download a bundle (to carry it by hand when mail is down)."""
    made = ExportBundle.get_or_none(ExportBundle.name == name)
    path = _paths().exports / name
    if made is None or not path.is_file():
        abort(404)
    return send_file(path, as_attachment=True, download_name=name, mimetype="application/zip", max_age=0)


@bp.route("/settings", methods=["GET"])
@require("export.settings")
def settings():
    """Export time, mail server and recipients, folder copy."""
    current = delivery.load_config(_paths())
    return _settings_page(current, current)


def _settings_page(current, values, errors=None):
    return render_template("export/settings.html", values=values, errors=errors or {}, security=SECURITY,
                           has_password=bool(current["password"])), 422 if errors else 200


@bp.route("/settings", methods=["POST"])
@require("export.settings")
def save_settings():
    """Store the settings (every wrong box marked at once, nothing stored); then queue what they make sendable."""
    current = delivery.load_config(_paths())
    try:
        values = forms.parse_settings(request.form, current)
    except Invalid as exc:  # show what was typed beside its message, not the stored value it would have replaced
        return _settings_page(current, forms.typed(request.form, current), exc.errors)
    delivery.save_config(_paths(), g.user, values)
    flash(_("Export settings saved."), "success")
    return redirect(url_for("export.settings"), code=303)


@bp.route("/settings/test", methods=["POST"])
@require("export.settings")
def test_email():
    """Send a test email with the settings as saved."""
    problem = delivery.send_test(delivery.load_config(_paths()))
    return render_template("export/_test_result.html", problem=problem)
