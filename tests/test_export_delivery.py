"""Delivering bundles: a real SMTP server (aiosmtpd in this process), retries with back-off while it is down or
refuses, the size limit, the folder copy, the settings page and the export page."""

import email
import email.policy
import re
import socket
from datetime import date, timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests import factories
from tests.conftest import campus_today, csrf_from, login, make_user
from xgapp import db as xdb
from xgapp.export import bundle, delivery, forms, jobs
from xgapp.export.models import Outbox, OutboxAttempt
from xgapp.export.verify import verify
from xgapp.validation import Invalid
from xgapp import clock as xgapp_clock


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """What the SMTP server received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


class Mailserver:
    """aiosmtpd on a fixed port, which a test can stop and start again (the campus PC's mail server comes back)."""

    def __init__(self, login=None):
        self.port = free_port()
        self.inbox = Inbox()
        self.login = login
        self.controller = None

    def _auth(self, server, session, envelope, mechanism, auth_data):
        ok = (auth_data.login.decode(), auth_data.password.decode()) == self.login
        return AuthResult(success=ok, handled=False)

    def start(self):
        kwargs = {}
        if self.login:
            kwargs = {"authenticator": self._auth, "auth_required": True, "auth_require_tls": False}
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **kwargs)
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()


@pytest.fixture
def smtp():
    server = Mailserver().start()
    yield server
    server.stop()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def settings_for(port, **extra):
    values = dict(delivery.DEFAULTS, smtp_host="127.0.0.1", smtp_port=port, security="none",
                  sender="campus@example.com", to="hq@example.com", cc="branch@example.com")
    values.update(extra)
    return values


def configure(app, values):
    delivery.save_config(app.config["XGAPP_PATHS"], None, values)


def make_day(app, day=date(2026, 11, 27)):
    factories.make_student(name="张小明")
    return jobs.catch_up(app.config["XGAPP_PATHS"], now=_night(day))


def _night(day):
    from datetime import datetime, timezone

    return datetime(day.year, day.month, day.day, 23, 0, tzinfo=timezone(timedelta(hours=8)))


def attachment_of(raw, folder):
    message = email.message_from_bytes(raw, policy=email.policy.default)
    [part] = list(message.iter_attachments())
    target = folder / part.get_filename()
    target.write_bytes(part.get_payload(decode=True))
    return message, target


def test_a_bundle_arrives_by_email_as_an_attachment_whose_checksums_verify(ctx, smtp, tmp_path):
    configure(ctx, settings_for(smtp.port))
    [made] = make_day(ctx)
    [row] = delivery.process(ctx.config["XGAPP_PATHS"])
    assert (row.channel, row.status, row.attempts) == ("email", "sent", 1)
    [(sender, rcpts, raw)] = smtp.inbox.messages
    assert sender == "campus@example.com" and sorted(rcpts) == ["branch@example.com", "hq@example.com"]
    message, attached = attachment_of(raw, tmp_path)
    assert "测试校区" in message["Subject"] and "2026-11-27" in message["Subject"]
    assert attached.name == made.name
    found = verify(attached)
    assert found.sha256 == made.sha256 and found.manifest["campus"]["code"] == "T-01"
    assert [a.ok for a in OutboxAttempt.select()] == [True]


def test_with_the_server_down_the_bundle_waits_and_arrives_when_it_is_back(ctx, tmp_path):
    server = Mailserver()
    configure(ctx, settings_for(server.port))
    make_day(ctx)
    paths = ctx.config["XGAPP_PATHS"]
    [row] = delivery.process(paths)
    assert row.status == "pending" and row.attempts == 1
    assert "无法连接邮件服务器" in row.last_error
    assert row.next_at - xgapp_clock.now() > timedelta(seconds=50)  # backs off: not hammered every tick
    assert delivery.process(paths) == []  # not due yet
    [row] = delivery.process(paths, force=True)
    assert row.status == "pending" and row.attempts == 2
    assert delivery.backoff(2) == timedelta(minutes=2) and delivery.backoff(30) == timedelta(hours=1)
    server.start()
    try:
        [row] = delivery.process(paths, now=row.next_at + timedelta(seconds=1))
        assert row.status == "sent" and row.attempts == 3
        assert len(server.inbox.messages) == 1
        verify(attachment_of(server.inbox.messages[0][2], tmp_path)[1])
    finally:
        server.stop()
    assert [a.ok for a in OutboxAttempt.select().order_by(OutboxAttempt.id)] == [False, False, True]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # a loopback test server
def test_a_refused_login_stays_queued_with_the_reason(ctx):
    server = Mailserver(login=("campus", "right")).start()
    try:
        configure(ctx, settings_for(server.port, username="campus", password="wrong"))
        make_day(ctx)
        [row] = delivery.process(ctx.config["XGAPP_PATHS"])
        assert row.status == "pending" and "拒绝登录" in row.last_error and "535" in row.last_error
        configure(ctx, settings_for(server.port, username="campus", password="right"))
        [row] = delivery.process(ctx.config["XGAPP_PATHS"], force=True)
        assert row.status == "sent" and len(server.inbox.messages) == 1
    finally:
        server.stop()


def test_a_server_that_never_answers_times_out_and_stays_queued(ctx, monkeypatch):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)  # accepts the connection, never says hello
    monkeypatch.setattr(delivery, "TIMEOUT", 1)
    try:
        configure(ctx, settings_for(silent.getsockname()[1]))
        make_day(ctx)
        [row] = delivery.process(ctx.config["XGAPP_PATHS"])
    finally:
        silent.close()
    assert row.status == "pending" and "超时" in row.last_error
    assert Outbox.get().status == "pending"


def test_a_bundle_too_large_for_the_mail_server_fails_with_the_reason_and_can_be_resent(ctx, smtp):
    configure(ctx, settings_for(smtp.port, max_mb=1))
    [made] = make_day(ctx)
    xdb.database.execute_sql("UPDATE export_bundle SET size = ? WHERE id = ?", (2 << 20, made.id))
    [row] = delivery.process(ctx.config["XGAPP_PATHS"])
    assert row.status == "failed" and "超过邮件附件上限 1 MB" in row.last_error
    assert delivery.process(ctx.config["XGAPP_PATHS"], force=True) == []  # failed is not retried by itself
    configure(ctx, settings_for(smtp.port, max_mb=20))
    delivery.resend(None, row)
    [row] = delivery.process(ctx.config["XGAPP_PATHS"])
    assert row.status == "sent" and len(smtp.inbox.messages) == 1


def test_the_folder_copy_waits_for_the_usb_drive_and_is_checked(ctx, tmp_path):
    usb = tmp_path / "usb"
    configure(ctx, dict(delivery.DEFAULTS, folder=str(usb)))
    [made] = make_day(ctx)
    [row] = delivery.process(ctx.config["XGAPP_PATHS"])
    assert row.channel == "folder" and row.status == "pending" and "文件夹不存在" in row.last_error
    usb.mkdir()
    [row] = delivery.process(ctx.config["XGAPP_PATHS"], force=True)
    assert row.status == "sent"
    assert sorted(p.name for p in usb.iterdir()) == [made.name]
    assert verify(usb / made.name).sha256 == made.sha256


def test_bundles_made_before_email_was_set_up_are_queued_when_it_is(ctx, smtp):
    made = make_day(ctx, date(2026, 11, 26)) + make_day(ctx, date(2026, 11, 27))
    assert Outbox.select().count() == 0
    configure(ctx, settings_for(smtp.port))
    assert sorted(o.bundle_id for o in Outbox.select()) == sorted(b.id for b in made)
    configure(ctx, settings_for(smtp.port))  # saving again queues nothing twice
    assert Outbox.select().count() == 2
    assert {r.status for r in delivery.process(ctx.config["XGAPP_PATHS"])} == {"sent"}
    assert len(smtp.inbox.messages) == 2


def test_the_scheduler_round_makes_the_bundle_and_sends_it(ctx, smtp, monkeypatch):
    from xgapp import scheduler

    configure(ctx, settings_for(smtp.port, time="00:00"))
    factories.make_student(name="张小明")
    scheduler.run_export(ctx)
    assert bundle.chain_end() is not None
    assert len(smtp.inbox.messages) == 1


# --- pages -------------------------------------------------------------------------------------------------------

def test_export_page_shows_each_day_and_its_delivery_status(app, client, smtp):
    with app.app_context():
        configure(app, settings_for(smtp.port))
        [made] = make_day(app, campus_today() - timedelta(days=2))  # the page shows the last 30 days
        delivery.process(app.config["XGAPP_PATHS"])
    assert login(client).status_code == 303
    page = client.get("/export/").get_data(as_text=True)
    assert made.name in page and "已发送" in page
    download = client.get("/export/file/%s" % made.name)
    assert download.status_code == 200 and download.data[:2] == b"PK"
    download.close()
    assert client.get("/export/file/..%2Fxgapp.sqlite3").status_code == 404


def test_older_undelivered_bundles_stay_in_sight_and_older_days_page_back(app, client):
    today = campus_today()
    with app.app_context():
        configure(app, settings_for(free_port()))
        config, folder = delivery.load_config(app.config["XGAPP_PATHS"]), app.config["XGAPP_PATHS"].exports
        factories.make_student(name="张小明")
        old = bundle.make_nightly(today - timedelta(days=45), folder, on_made=lambda b: delivery.enqueue(b, config))
        recent = bundle.make_nightly(today - timedelta(days=2), folder,
                                     on_made=lambda b: delivery.enqueue(b, config))
        Outbox.update(status="failed", last_error="附件太大").where(Outbox.bundle == old.id).execute()
    assert login(client).status_code == 303
    page = client.get("/export/").get_data(as_text=True)
    older = page.split('id="older-undelivered"')[1].split("</section>")[0]
    days = page.split('id="export-days"')[1].split("</table>")[0]
    assert old.name in older and "附件太大" in older and "/export/delivery/" in older  # with "send again"
    assert recent.name in days and old.name not in days and recent.name not in older
    back = (today - timedelta(days=30)).isoformat()
    assert 'href="/export/?to=%s"' % back in page and "更早的日子" in page
    earlier = client.get("/export/?to=%s" % back).get_data(as_text=True)
    assert old.name in earlier.split('id="export-days"')[1] and 'id="older-undelivered"' not in earlier
    assert "day-%s" % (today - timedelta(days=30)).isoformat() in earlier and recent.name not in earlier
    assert 'href="/export/">较近的日子' in earlier
    assert client.get("/export/?to=2026-13-40").status_code == 404
    first_days = client.get("/export/?to=0001-01-01")  # before the first bundle: the first bundle's days
    assert first_days.status_code == 200 and old.name in first_days.get_data(as_text=True)
    with app.app_context():
        Outbox.update(status="sent").execute()
    assert 'id="older-undelivered"' not in client.get("/export/").get_data(as_text=True)


def test_only_leaders_see_the_export_and_only_the_principal_the_settings(app, client):
    with app.app_context():
        make_user("sup", ("supervisor",))
        make_user("adv", ("advisor",))
    login(client, "adv")
    assert client.get("/export/").status_code == 403
    client = app.test_client()
    login(client, "sup")
    assert client.get("/export/").status_code == 200
    assert client.get("/export/settings").status_code == 403
    assert "/export/settings" not in client.get("/export/").get_data(as_text=True)


def _settings_form(client, **fields):
    page = client.get("/export/settings").get_data(as_text=True)
    data = {"time": "22:30", "smtp_host": "", "smtp_port": "465", "security": "ssl", "username": "",
            "password": "", "sender": "", "to": "", "cc": "", "max_mb": "20", "folder": "",
            "csrf_token": csrf_from(page)}
    data.update(fields)
    return client.post("/export/settings", data=data)


def test_settings_are_checked_field_by_field_and_nothing_is_saved_when_wrong(app, client):
    login(client)
    bad = _settings_form(client, time="25:99", smtp_host="smtp.example.com", to="hq@, ok@example.com",
                         smtp_port="99999", max_mb="0", folder="relative/path")
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    for message in ("请填写时间，例如 22:30。", "端口应为 1–65535 的整数。", "邮箱地址不正确：hq@",
                    "填写了邮件服务器时必须填写发件人。", "附件上限应为 1–1000 的整数（MB）。", "请填写完整路径"):
        assert message in html
    assert not delivery.config_path(app.config["XGAPP_PATHS"]).exists()
    # what was typed stays in its box beside the message, so the mistake can be seen and corrected
    for name, typed in (("time", "25:99"), ("smtp_port", "99999"), ("max_mb", "0"), ("folder", "relative/path")):
        assert re.search(r'name="%s"[^>]*value="%s"' % (name, re.escape(typed)), html), name
    retyped = _settings_form(client, smtp_port="abc", password="s3cret-code")
    assert "请重新输入密码" in retyped.get_data(as_text=True) and "s3cret-code" not in retyped.get_data(as_text=True)


def test_the_password_is_kept_when_left_empty_masked_in_the_audit_and_the_file_is_private(app, client):
    login(client)
    first = _settings_form(client, smtp_host="smtp.example.com", sender="a@example.com", to="hq@example.com",
                           username="campus", password="s3cret-code", security="starttls", smtp_port="587")
    assert first.status_code == 303
    again = _settings_form(client, smtp_host="smtp.example.com", sender="a@example.com", to="hq@example.com",
                           username="campus", password="", security="starttls", smtp_port="587", cc="b@example.com")
    assert again.status_code == 303
    paths = app.config["XGAPP_PATHS"]
    with app.app_context():
        stored = delivery.load_config(paths)
        assert stored["password"] == "s3cret-code" and stored["cc"] == "b@example.com"
        from xgapp.audit.models import AuditLog

        rows = [r for r in AuditLog.select().where(AuditLog.table == "export_settings")]
        assert len(rows) == 2 and all("s3cret" not in (r.after or "") + (r.before or "") for r in rows)
    assert oct(delivery.config_path(paths).stat().st_mode & 0o777) == "0o600"
    assert "s3cret-code" not in client.get("/export/settings").get_data(as_text=True)


def test_the_test_email_button_sends_or_says_why_not(app, client, smtp):
    login(client)
    page = client.get("/export/settings").get_data(as_text=True)
    token = csrf_from(page)
    missing = client.post("/export/settings/test", headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert "请先填写邮件服务器" in missing.get_data(as_text=True)
    with app.app_context():
        configure(app, settings_for(smtp.port))
    sent = client.post("/export/settings/test", headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert "测试邮件已发送" in sent.get_data(as_text=True)
    assert len(smtp.inbox.messages) == 1 and b"xgapp" in smtp.inbox.messages[0][2]
    assert client.post("/export/settings/test").status_code == 403  # no CSRF token
    assert len(smtp.inbox.messages) == 1


def test_make_now_and_send_now_buttons(app, client, smtp):
    with app.app_context():
        configure(app, settings_for(smtp.port))
        factories.make_student(name="张小明")
    login(client)
    page = client.get("/export/").get_data(as_text=True)
    made = client.post("/export/run", data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    html = made.get_data(as_text=True)
    assert "已生成 1 个导出包" in html and "已发送" in html
    assert len(smtp.inbox.messages) == 1
    again = client.post("/export/run", data={"csrf_token": csrf_from(html)}, follow_redirects=True)
    assert "每个已结束的日子都已有导出包" in again.get_data(as_text=True)


def test_a_down_server_is_asked_once_per_round_and_a_backlog_goes_out_in_rounds(ctx, monkeypatch):
    server = Mailserver()
    configure(ctx, settings_for(server.port))
    made = make_day(ctx, date(2026, 11, 25)) + make_day(ctx, date(2026, 11, 26)) + make_day(ctx, date(2026, 11, 27))
    paths = ctx.config["XGAPP_PATHS"]
    tried = delivery.process(paths)
    assert len(tried) == 1 and tried[0].bundle_id == made[0].id  # the oldest first; the rest wait
    assert [o.attempts for o in Outbox.select().order_by(Outbox.id)] == [1, 0, 0]
    server.start()
    try:
        first = delivery.process(paths, force=True, limit=2)
        assert [r.bundle_id for r in first] == [made[0].id, made[1].id]
        rest = delivery.process(paths, force=True, limit=2)
        assert [r.bundle_id for r in rest] == [made[2].id]
        subjects = [email.message_from_bytes(m[2], policy=email.policy.default)["Subject"]
                    for m in server.inbox.messages]
        assert [s[-10:] for s in subjects] == ["2026-11-25", "2026-11-26", "2026-11-27"]
    finally:
        server.stop()


def test_control_characters_an_early_hour_and_a_login_in_clear_text_are_refused(app):
    with app.test_request_context():
        current = dict(delivery.DEFAULTS)
        with pytest.raises(Invalid) as refused:
            forms.parse_settings({"time": "00:30", "smtp_host": "smtp.example.com", "sender": "a@example.com",
                                  "to": "hq@example.com\r", "security": "none", "username": "campus",
                                  "smtp_port": "25", "max_mb": "20"}, current)
        errors = refused.value.errors
    assert set(errors) == {"time", "to", "security"}
    assert "12:00" in errors["time"] and "加密" in errors["security"]


def test_a_big_attachment_gets_time_for_a_slow_uplink(ctx, smtp, monkeypatch):
    seen = []
    real = delivery._smtp

    def watching(config):
        client = real(config)
        original = client.send_message

        def send_message(message):
            seen.append(client.sock.gettimeout())  # what the socket allows the one big send
            return original(message)

        client.send_message = send_message
        return client

    monkeypatch.setattr(delivery, "_smtp", watching)
    configure(ctx, settings_for(smtp.port))
    [made] = make_day(ctx)
    xdb.database.execute_sql("UPDATE export_bundle SET size = ? WHERE id = ?", (15 << 20, made.id))
    [row] = delivery.process(ctx.config["XGAPP_PATHS"])
    assert row.status == "sent"
    assert seen and seen[0] >= delivery.TIMEOUT + (20 << 20) / delivery.MIN_RATE  # 15 MB → 20 MB in base64


def test_an_unknown_security_value_is_refused_not_saved_as_ssl(app, client):
    login(client)
    bad = _settings_form(client, security="tls13")
    assert bad.status_code == 422 and "请从列表中选择 SSL、STARTTLS 或不加密" in bad.get_data(as_text=True)
    assert not delivery.config_path(app.config["XGAPP_PATHS"]).exists()
