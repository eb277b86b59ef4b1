"""Backups: daily with rotation, verified; the principal's page to back up, download and restore."""

import io
import sqlite3
from datetime import date, timedelta

from xgapp import backup
from xgapp.accounts.models import User
from xgapp.audit.models import AuditLog
from xgapp.scheduler import run_jobs
from tests.conftest import csrf_from, login, make_user


def _paths(app):
    return app.config["XGAPP_PATHS"]


def test_daily_backup_is_made_once_a_day_and_verified(app):
    folder = _paths(app).backups
    made = backup.daily_backup(_paths(app).database, folder, date(2026, 3, 5))
    assert sorted(p.name for p in made) == ["xgapp-daily-2026-03-05.sqlite3", "xgapp-monthly-2026-03.sqlite3"]
    assert backup.daily_backup(_paths(app).database, folder, date(2026, 3, 5)) == []
    assert backup.integrity(folder / "xgapp-daily-2026-03-05.sqlite3") == []
    with sqlite3.connect(folder / "xgapp-daily-2026-03-05.sqlite3") as conn:
        assert conn.execute("SELECT username FROM user").fetchone()[0] == "boss"


def test_rotation_keeps_30_daily_and_12_monthly_and_never_deletes_other_kinds(app):
    folder = _paths(app).backups
    start = date(2025, 1, 1)
    for n in range(400):
        backup.daily_backup(_paths(app).database, folder, start + timedelta(days=n))
    (folder / "xgapp-manual-20250101-000000-000000.sqlite3").write_bytes(b"keep me")
    backup.rotate(folder)
    daily = sorted(p.name for p in folder.glob("xgapp-daily-*"))
    monthly = sorted(p.name for p in folder.glob("xgapp-monthly-*"))
    assert len(daily) == 30 and daily[-1] == "xgapp-daily-%s.sqlite3" % (start + timedelta(days=399)).isoformat()
    assert len(monthly) == 12 and monthly[-1] == "xgapp-monthly-2026-02.sqlite3"
    assert (folder / "xgapp-manual-20250101-000000-000000.sqlite3").exists()


def test_scheduler_job_backs_up_today(app):
    run_jobs(app)
    assert len(list(_paths(app).backups.glob("xgapp-daily-*.sqlite3"))) == 1


def test_principal_backs_up_now_and_downloads_it(client):
    login(client)
    token = csrf_from(client.get("/backups/").get_data(as_text=True))
    assert client.post("/backups/now", data={"csrf_token": token}).status_code == 303
    html = client.get("/backups/").get_data(as_text=True)
    name = next(p.name for p in _paths(client.application).backups.glob("xgapp-manual-*"))
    assert name in html and "手动" in html
    response = client.get("/backups/file/" + name)
    assert response.status_code == 200 and response.data[:16] == b"SQLite format 3\x00"
    response.close()
    assert client.get("/backups/file/..%2Fxgapp.sqlite3").status_code == 404
    assert client.get("/backups/file/secret_key").status_code == 404


def test_restore_from_the_page_brings_back_exactly_the_backed_up_data(app, client):
    login(client)
    token = csrf_from(client.get("/backups/").get_data(as_text=True))
    client.post("/backups/now", data={"csrf_token": token})
    name = next(p.name for p in _paths(app).backups.glob("xgapp-manual-*"))
    make_user("later")
    page = client.get("/backups/restore/" + name).get_data(as_text=True)
    assert "校区：测试校区（T-01）· 1 个账号" in page
    wrong = client.post("/backups/restore/" + name, data={"csrf_token": csrf_from(page), "confirm": "NOPE"})
    assert wrong.status_code == 422 and "校区代码不一致" in wrong.get_data(as_text=True)
    assert User.select().where(User.username == "later").exists()
    response = client.post("/backups/restore/" + name, data={"csrf_token": csrf_from(page), "confirm": "t-01"})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert not User.select().where(User.username == "later").exists()
    assert User.select().count() == 1
    saved = list(_paths(app).backups.glob("xgapp-pre-restore-*.sqlite3"))
    assert len(saved) == 1
    with sqlite3.connect(saved[0]) as conn:
        assert conn.execute("SELECT COUNT(*) FROM user WHERE username = 'later'").fetchone()[0] == 1
    assert AuditLog.select().where(AuditLog.action == "restore").count() == 1
    assert client.get("/backups/").status_code == 302  # logged out: everyone logs in again


def test_uploading_a_foreign_file_is_refused_and_changes_nothing(app, client):
    login(client)
    token = csrf_from(client.get("/backups/").get_data(as_text=True))
    response = client.post("/backups/upload", data={"csrf_token": token, "file": (io.BytesIO(b"hello"), "x.sqlite3")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "不是可用的 xgapp 备份" in response.get_data(as_text=True)
    assert list(_paths(app).backups.glob("xgapp-uploaded-*")) == []
    assert User.select().count() == 1


def test_uploading_a_good_backup_leads_to_the_confirmation(app, client):
    source = _paths(app).database
    copy = backup.backup_database(source, _paths(app).root / "elsewhere.sqlite3")
    login(client)
    token = csrf_from(client.get("/backups/").get_data(as_text=True))
    # encode the body here: werkzeug's test client spools bodies over 500 KB to a temporary file it never closes
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    boundary, body = encode_multipart({"csrf_token": token, "file": FileStorage(io.BytesIO(copy.read_bytes()),
                                                                                 "campus.sqlite3")})
    response = client.post("/backups/upload", data=body,
                           content_type="multipart/form-data; boundary=%s" % boundary)
    assert response.status_code == 303 and response.headers["Location"].startswith("/backups/restore/xgapp-uploaded-")


def test_only_the_principal_manages_backups(login_as):
    client = login_as("supervisor")
    assert client.get("/backups/").status_code == 403


def test_uploading_a_backup_of_a_newer_xgapp_says_so_not_damaged(app, client):
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    from xgapp import migrate

    copy = backup.backup_database(_paths(app).database, _paths(app).root / "newer.sqlite3")
    with sqlite3.connect(copy) as conn:
        conn.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'm9999_future', 'x')",
                     (migrate.code_version() + 1,))
    conn.close()
    login(client)
    token = csrf_from(client.get("/backups/").get_data(as_text=True))
    boundary, body = encode_multipart({"csrf_token": token, "file": FileStorage(io.BytesIO(copy.read_bytes()),
                                                                                 "newer.sqlite3")})
    response = client.post("/backups/upload", data=body, content_type="multipart/form-data; boundary=%s" % boundary)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "更新版本的 xgapp" in html and "不是可用的 xgapp 备份" not in html
    assert list(_paths(app).backups.glob("xgapp-uploaded-*")) == []
