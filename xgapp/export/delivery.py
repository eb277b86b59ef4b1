"""Getting bundles to head office: the settings (kept in the data folder, never in the database or its backups),
the outbox with one row per bundle and channel (email, folder copy), and the attempts, retried with back-off until
delivered — the campus PC may be offline for days."""

import json
import os
import shutil
import smtplib
import socket
import ssl
import threading
from datetime import time, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path


from xgapp import audit, campus, clock, db
from xgapp.export.bundle import file_sha256
from xgapp.export.models import ExportBundle, Outbox, OutboxAttempt

CHANNELS = ("email", "folder")
SECURITY = ("ssl", "starttls", "none")
DEFAULTS = {
    "time": "22:30", "smtp_host": "", "smtp_port": 465, "security": "ssl", "username": "", "password": "",
    "sender": "", "to": "", "cc": "", "max_mb": 20, "folder": "",
}
TIMEOUT = 30  # seconds for every SMTP step (sending the message gets more: see send_email)
MIN_RATE = 16 * 1024  # bytes a second the slowest campus uplink still moves
BACKOFF_MAX = timedelta(hours=1)
PER_ROUND = 20  # a backlog (set up after weeks of bundles) trickles out instead of flooding the mail server
_send_lock = threading.Lock()


def config_path(paths):
    return Path(paths.root) / "export.json"


def load_config(paths):
    """The export settings (defaults where the file says nothing)."""
    values = dict(DEFAULTS)
    target = config_path(paths)
    if target.exists():
        stored = json.loads(target.read_text(encoding="utf-8"))
        values.update({k: v for k, v in stored.items() if k in DEFAULTS})
    return values


def export_time(config):
    hour, minute = config["time"].split(":")
    return time(int(hour), int(minute))


def email_ready(config):
    return bool(config["smtp_host"] and config["sender"] and recipients(config))


def recipients(config):
    return addresses(config["to"]) + addresses(config["cc"])


def addresses(text):
    """The addresses of a To or Cc box (commas or semicolons, full-width too, between them)."""
    return [part.strip() for part in text.replace("；", ",").replace(";", ",").replace("，", ",").split(",")
            if part.strip()]


def has_control(text):
    """True when `text` holds a control character (a line break would forge a mail header)."""
    return any(ord(c) < 32 or ord(c) == 127 for c in text)


def valid_address(address):
    """An address of the form local@domain.tld, without spaces or control characters."""
    local, at, domain = address.partition("@")
    return bool(at and local and "." in domain and " " not in address and not has_control(address))


def save_config(paths, by, values):
    """Store the settings (0600, written whole then renamed), audit the change with the password masked, and queue
    every bundle not yet queued for a channel that just became ready."""
    before = load_config(paths)
    target = config_path(paths)
    partial = target.with_name(target.name + ".part")
    handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # private from the first byte
    with os.fdopen(handle, "w", encoding="utf-8") as fh:
        json.dump(values, fh, ensure_ascii=False, indent=1)
    os.replace(partial, target)

    def shown(config):
        return {k: ("***" if k == "password" and v else v) for k, v in config.items()}

    with db.write():
        audit.record(by, "update", "export_settings", None, before=shown(before), after=shown(values),
                     summary="导出与发送设置")
        for bundle in ExportBundle.select().where(ExportBundle.kind == "nightly"):
            enqueue(bundle, values)


def channels(config):
    """The channels the settings make ready."""
    return [c for c, ready in (("email", email_ready(config)), ("folder", bool(config["folder"]))) if ready]


def enqueue(bundle, config):
    """One pending outbox row per ready channel (never a second one for the same bundle and channel)."""
    for channel in channels(config):
        if not Outbox.select().where(Outbox.bundle == bundle, Outbox.channel == channel).exists():
            Outbox.create(bundle=bundle, channel=channel, status="pending", next_at=clock.now(),
                          created_at=clock.now())


def backoff(attempts):
    """Wait after the n-th failed attempt: 1, 2, 4 … minutes, at most an hour."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), BACKOFF_MAX)


class Permanent(Exception):
    """A failure retrying cannot fix (the bundle is too large for the mail server): status 失败 until resent."""


def _message(config, bundle, data):
    current = campus.current()
    message = EmailMessage()
    period = bundle.day.isoformat() if bundle.day else "%s – %s" % (bundle.date_from, bundle.date_to)
    message["Subject"] = "[xgapp] %s（%s）导出包 %s" % (current.name, current.code, period)
    message["From"] = config["sender"]
    message["To"] = ", ".join(addresses(config["to"]))
    if config["cc"]:
        message["Cc"] = ", ".join(addresses(config["cc"]))
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="xgapp.local")
    message.set_content(
        "校区：%s（%s）\n日期：%s\n文件：%s（%.1f KB，%d 行记录）\nSHA-256：%s\n\n"
        "请用 `xgapp verify` 校验后用 `xgapp ingest` 导入总部数据库。\n"
        % (current.name, current.code, period, bundle.name, bundle.size / 1024, bundle.rows, bundle.sha256))
    message.add_attachment(data, maintype="application", subtype="zip", filename=bundle.name)
    return message


def _smtp(config):
    host, port = config["smtp_host"], int(config["smtp_port"])
    if config["security"] == "ssl":
        client = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, port, timeout=TIMEOUT)
    try:
        if config["security"] == "starttls":
            client.starttls(context=ssl.create_default_context())
        if config["username"]:
            client.login(config["username"], config["password"])
    except BaseException:
        client.close()  # a refused login must not leave the connection open
        raise
    return client


def _explain(exc):
    """What went wrong, in words a campus can act on."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "邮件服务器拒绝登录（用户名或授权码不对）：%s" % _reply(exc)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "收件人被拒绝：%s" % "，".join(exc.recipients)
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return "发件人被拒绝：%s" % _reply(exc)
    if isinstance(exc, smtplib.SMTPResponseException):
        return "邮件服务器返回错误：%s" % _reply(exc)
    if isinstance(exc, (socket.timeout, TimeoutError)) or (
            isinstance(exc, smtplib.SMTPServerDisconnected) and "timed out" in str(exc)):
        return "连接邮件服务器超时（%d 秒）" % TIMEOUT
    if isinstance(exc, ssl.SSLError):
        return "加密连接失败（请检查 SSL/STARTTLS 与端口）：%s" % exc
    if isinstance(exc, OSError):
        return "无法连接邮件服务器（网络不通或服务器未开）：%s" % exc
    return "发送失败：%s" % exc


def _reply(exc):
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return "%s %s" % (exc.smtp_code, text)


def send_email(config, bundle, path):
    limit = int(config["max_mb"]) << 20
    encoded = (bundle.size + 2) // 3 * 4  # base64 grows an attachment by a third
    if encoded > limit:
        raise Permanent("导出包 %.1f MB（编码后 %.1f MB）超过邮件附件上限 %d MB：请在设置中调大上限、改用文件夹副本，"
                        "或按较短期间导出。" % (bundle.size / 2**20, encoded / 2**20, config["max_mb"]))
    message = _message(config, bundle, Path(path).read_bytes())
    try:
        with _smtp(config) as client:
            # smtplib sends the message in one call, and the socket timeout caps that whole call: give a slow
            # uplink the time a big attachment needs (at least MIN_RATE bytes a second) on top of TIMEOUT.
            client.sock.settimeout(TIMEOUT + encoded / MIN_RATE)
            client.send_message(message)
    except smtplib.SMTPResponseException as exc:
        if exc.smtp_code == 552:  # message size exceeds the server's limit: retrying sends the same size
            raise Permanent("邮件服务器拒收：附件太大（%s）。请调小附件上限后改用文件夹副本。" % _reply(exc)) from exc
        raise


def copy_to_folder(config, bundle, path):
    """Copy the bundle into the configured folder (a USB drive, a share) through a .part file, then check it."""
    folder = Path(config["folder"])
    if not folder.is_dir():
        raise OSError("文件夹不存在或未连接：%s" % folder)
    final = folder / bundle.name
    partial = folder / (".%s.part" % bundle.name)
    shutil.copyfile(path, partial)
    if file_sha256(partial) != bundle.sha256:
        partial.unlink()
        raise OSError("复制后校验不符，已删除副本：%s" % final)
    os.replace(partial, final)


def send_test(config):
    """Send a short test email now → None when it went, else the reason."""
    if not email_ready(config):
        return "请先填写邮件服务器、发件人和收件人。"
    try:
        message = _test_message(config, campus.current().name)
        with _smtp(config) as client:
            client.send_message(message)
    except Exception as exc:  # every failure is reported to the user, none is fatal
        return _explain(exc)
    return None


def _test_message(config, campus_name):
    message = EmailMessage()
    message["Subject"] = "[xgapp] 测试邮件 — %s" % campus_name
    message["From"] = config["sender"]
    message["To"] = ", ".join(addresses(config["to"]))
    if config["cc"]:
        message["Cc"] = ", ".join(addresses(config["cc"]))
    message["Date"] = formatdate(localtime=True)
    message.set_content("这是 xgapp 的测试邮件：导出包将按此设置发送。")
    return message


def attempt(row, config, folder):
    """Try one delivery now and record the attempt; return the updated row."""
    bundle = row.bundle
    path = Path(folder) / bundle.name
    ok, detail, permanent = False, "", False
    try:
        if not path.is_file():
            raise OSError("导出包文件不见了：%s（下一轮会自动重新生成）" % bundle.name)
        if row.channel == "email":
            if not email_ready(config):
                raise OSError("邮件设置不完整")
            send_email(config, bundle, path)
        else:
            if not config["folder"]:
                raise OSError("未设置副本文件夹")
            copy_to_folder(config, bundle, path)
        ok = True
    except Permanent as exc:
        detail, permanent = str(exc), True
    except Exception as exc:  # network, server and disk failures are all retried
        detail = _explain(exc) if row.channel == "email" else "复制失败：%s" % exc
    now = clock.now()
    with db.write():
        row = Outbox.get_by_id(row.id)
        row.attempts += 1
        if ok:
            row.status, row.sent_at, row.next_at, row.last_error = "sent", now, None, ""
        elif permanent:
            row.status, row.next_at, row.last_error = "failed", None, detail[:500]
        else:
            row.status, row.next_at, row.last_error = "pending", now + backoff(row.attempts), detail[:500]
        row.save()
        OutboxAttempt.create(outbox=row, at=now, ok=ok, detail=(detail or "ok")[:500])
    return row


def due(now=None):
    now = now or clock.now()
    return (Outbox.select(Outbox, ExportBundle).join(ExportBundle)
            .where(Outbox.status == "pending", (Outbox.next_at.is_null()) | (Outbox.next_at <= now))
            .order_by(ExportBundle.date_from, Outbox.id))


def process(paths, now=None, force=False, limit=PER_ROUND):
    """Try the deliveries that are due (every pending one when `force`), oldest bundle first, at most `limit`;
    return the rows tried. After a channel fails once, its other deliveries wait for the next round: a server
    that is down is not asked again for every bundle (each try can cost the whole timeout)."""
    config = load_config(paths)
    tried, broken = [], set()
    if not _send_lock.acquire(blocking=False):
        return tried  # another thread is sending right now
    try:
        rows = (Outbox.select(Outbox, ExportBundle).join(ExportBundle).where(Outbox.status == "pending")
                .order_by(ExportBundle.date_from, Outbox.id)) if force else due(now)
        for row in rows.limit(limit):
            if row.channel in broken:
                continue
            row = attempt(row, config, paths.exports)
            tried.append(row)
            if row.status == "pending":
                broken.add(row.channel)
    finally:
        _send_lock.release()
    return tried


def resend(by, row):
    """Put a failed (or sent) delivery back in the queue, e.g. after the size limit was raised."""
    with db.write():
        before = audit.snapshot(row)
        row.status, row.next_at = "pending", clock.now()
        row.save()
        audit.record(by, "update", "outbox", row.id, before=before, after=audit.snapshot(row),
                     summary="重新发送 %s（%s）" % (row.bundle.name, row.channel))
