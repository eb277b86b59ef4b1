"""The database layer: pragmas, per-thread connections, the write lock, unambiguous timestamps."""

import threading
from datetime import datetime, timedelta, timezone

import peewee
import pytest

from xgapp import db
from xgapp import clock as xgapp_clock


def test_sqlite_runs_in_wal_with_foreign_keys_and_busy_timeout(app):
    conn = db.database.connection()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_connection_is_kept_per_thread(app):
    first = db.database.connection()
    db.ensure_connection()
    assert db.database.connection() is first
    seen = []

    def other():
        db.ensure_connection()
        seen.append(db.database.connection())
        db.database.close()

    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert seen and seen[0] is not first


def test_concurrent_read_modify_write_loses_nothing(app):
    db.database.execute_sql("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
    db.database.execute_sql("INSERT INTO counter VALUES (1, 0)")
    errors = []

    def bump():
        db.ensure_connection()
        try:
            for _ in range(25):
                with db.write():
                    n = db.database.execute_sql("SELECT n FROM counter WHERE id = 1").fetchone()[0]
                    db.database.execute_sql("UPDATE counter SET n = ? WHERE id = 1", (n + 1,))
        except peewee.OperationalError as exc:  # "database is locked" would land here
            errors.append(exc)
        finally:
            db.database.close()

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert db.database.execute_sql("SELECT n FROM counter").fetchone()[0] == 200


def test_failed_write_block_leaves_nothing_behind(app):
    from xgapp.accounts.models import User

    before = User.select().count()
    with pytest.raises(RuntimeError):
        with db.write():
            User.create(username="ghost", display_name="幽灵", password_hash="x", created_at=xgapp_clock.now())
            raise RuntimeError("boom")
    assert User.select().count() == before


def test_timestamps_are_stored_in_utc_and_come_back_aware(app):
    field = db.UtcDateTimeField()
    field.name = "at"
    beijing = timezone(timedelta(hours=8))
    stored = field.db_value(datetime(2026, 3, 1, 9, 30, tzinfo=beijing))
    assert stored == "2026-03-01T01:30:00.000000+00:00"
    back = field.python_value(stored)
    assert back == datetime(2026, 3, 1, 9, 30, tzinfo=beijing) and back.tzinfo is not None
    with pytest.raises(ValueError, match="naive"):
        field.db_value(datetime(2026, 3, 1, 9, 30))


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"])
def test_campus_dates_computed_in_sql_agree_with_python_across_offset_changes(app, zone):
    from datetime import date
    from zoneinfo import ZoneInfo

    app.config["XGAPP"]["timezone"] = zone
    first, last = date(2026, 1, 1), date(2026, 12, 31)  # every change of offset of the year inside the span
    with app.app_context():
        expression = db.local_date(peewee.SQL("instant"), first, last)
    changes = len(expression.expression_tuples) if isinstance(expression, peewee.Case) else 0  # one per change
    assert changes == (0 if zone == "Asia/Shanghai" else 2)
    instants = []
    for day in range(0, 366, 3):
        for minute in (0, 59, 60 * 2, 60 * 2 + 30, 60 * 3, 60 * 12, 60 * 23 + 59):
            local = datetime(2026, 1, 1, tzinfo=ZoneInfo(zone)) + timedelta(days=day, minutes=minute)
            instants.append(local.astimezone(timezone.utc))
    for change in (datetime(2026, 3, 29, 1, 0, tzinfo=timezone.utc), datetime(2026, 3, 8, 7, 0, tzinfo=timezone.utc),
                   datetime(2026, 10, 25, 1, 0, tzinfo=timezone.utc), datetime(2026, 11, 1, 6, 0, tzinfo=timezone.utc)):
        instants += [change + timedelta(microseconds=step) for step in (-1, 0, 1)]  # both sides of a change
        instants += [change + timedelta(hours=hours) for hours in range(-26, 27)]
    for instant in instants:
        query = peewee.Select(columns=[expression]).from_(
            peewee.SQL("(SELECT ? AS instant)", [instant.isoformat(timespec="microseconds")]))
        (got,) = db.database.execute(query).fetchone()
        assert got == instant.astimezone(ZoneInfo(zone)).date().isoformat(), (zone, instant)
