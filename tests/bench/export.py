"""The export benchmark: the nightly bundle and a full-history export on the 5-year demo campus.
from xgapp import clock as xgapp_clock

    .venv/bin/python -m tests.bench.export [--years 5] [--data DIR] [--repeat 3]

1. `xgapp demo --years 5` (reused when --data already holds one).
2. The first nightly bundle (every record, yesterday's 日报 and PDFs), timed in-process.
3. A busy day's bundle: the change log is given one entry for every row the demo dated on its busiest recent day
   (roll calls, ledger rows, follow-ups, lead steps, contracts, payments, study-room visits, and their students),
   as if that day had happened after the first bundle; then today's incremental bundle is built --repeat times
   (the bundle row and file are removed between runs). Each run includes the 日报 PDFs (campus + every advisor).
4. A full-history export: `make_range(first day, today, full=True)`: every record plus the 日报 figures of every
   day (PDFs only for periods up to 31 days).
5. `verify` of each bundle, timed.
6. Head office: `ingest` of the full-history bundle, the first nightly bundle (older) and the full one again, into a
   SQLite file and into a local PostgreSQL with fsync on (started like the tests' one), each timed.
Not part of the default test run.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

DAY_TABLES = {  # table -> SQL giving the ids it holds for campus day :day
    "attendance": "SELECT a.id FROM attendance a JOIN lesson l ON l.id = a.lesson_id WHERE date(l.starts_at, '+8 hours') = :day",
    "hour_entry": "SELECT id FROM hour_entry WHERE date(at, '+8 hours') = :day",
    "follow_up": "SELECT id FROM follow_up WHERE date(at, '+8 hours') = :day",
    "lead_step": "SELECT id FROM lead_step WHERE date(at, '+8 hours') = :day",
    "contract": "SELECT id FROM contract WHERE signed_on = :day",
    "payment": "SELECT id FROM payment WHERE day = :day",
    "study_visit": "SELECT id FROM study_visit WHERE day = :day",
}


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def busiest_day(conn, today):
    """The recent day with the most roll-call marks and follow-ups."""
    rows = conn.execute(
        "SELECT d, SUM(n) FROM (SELECT date(l.starts_at, '+8 hours') AS d, COUNT(*) AS n FROM attendance a "
        "JOIN lesson l ON l.id = a.lesson_id GROUP BY d UNION ALL SELECT date(at, '+8 hours') AS d, COUNT(*) "
        "FROM follow_up GROUP BY d) WHERE d < ? GROUP BY d ORDER BY 2 DESC LIMIT 1", (today.isoformat(),)).fetchone()
    return rows[0]


def seed_day(conn, day):
    """Change-log entries for every row the demo dated on `day` (and the students they belong to)."""
    counts = {}
    for table, sql in DAY_TABLES.items():
        try:
            ids = [r[0] for r in conn.execute(sql.replace(":day", "?"), (day,))]
        except Exception as exc:  # a column named differently in this schema: report and go on
            print("  (skipped %s: %s)" % (table, exc))
            continue
        conn.executemany("INSERT INTO change_log (tbl, row_id, op) VALUES (?, ?, 'U')", [(table, i) for i in ids])
        counts[table] = len(ids)
    students = [r[0] for r in conn.execute(
        "SELECT DISTINCT student_id FROM hour_entry WHERE date(at, '+8 hours') = ?", (day,))]
    conn.executemany("INSERT INTO change_log (tbl, row_id, op) VALUES ('student', ?, 'U')", [(s,) for s in students])
    counts["student"] = len(students)
    conn.commit()
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--data", help="reuse this folder (built on first use)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = Path(args.data or tempfile.mkdtemp(prefix="xgapp-bench-export-"))
    if not (data / "xgapp.sqlite3").exists():
        subprocess.run([sys.executable, "-m", "xgapp", "demo", "--data", str(data), "--password", "bench-pass-1",
                        "--years", str(args.years)], check=True, stdout=subprocess.DEVNULL)

    import sqlite3

    from xgapp import clock as xgapp_clock
    from xgapp import db
    from xgapp.app import create_app
    from xgapp.export import bundle
    from xgapp.export.models import ExportBundle
    from xgapp.export.verify import verify

    app = create_app({"DATA_DIR": str(data)})
    db.ensure_connection()
    out = Path(tempfile.mkdtemp(prefix="xgapp-bench-bundles-"))
    with app.app_context():
        today = xgapp_clock.today()
        ExportBundle.delete().execute()
        counts = {t: db.database.execute_sql("SELECT COUNT(*) FROM %s" % t).fetchone()[0]
                  for t in ("student", "contract", "payment", "hour_entry", "attendance", "follow_up",
                            "study_visit", "change_log")}
        print("campus:", ", ".join("%s %d" % kv for kv in counts.items()))
        # The demo wrote its years of history just now: date its change log before the first bundle's day.
        db.database.execute_sql("UPDATE change_log SET at = ?", (bundle.utc_text(
            datetime.now(xgapp_clock.zone()) - timedelta(days=3)),))
        first, seconds = timed(bundle.make_nightly, today - timedelta(days=1), out)
        print("first nightly bundle (every record): %.2f s, %d rows, %.1f MB" % (seconds, first.rows, first.size / 2**20))
        _, seconds = timed(verify, out / first.name)
        print("  verify: %.2f s" % seconds)

        with sqlite3.connect(data / "xgapp.sqlite3") as conn:
            day = busiest_day(conn, today)
            seeded = seed_day(conn, day)
        print("busy day %s seeded: %s" % (day, seeded))
        runs = []
        for _ in range(args.repeat):
            made, seconds = timed(bundle.make_nightly, today, out)
            runs.append(seconds)
            rows, size, name = made.rows, made.size, made.name
            _, checked = timed(verify, out / name)
            ExportBundle.delete().where(ExportBundle.id == made.id).execute()
            (out / name).unlink()
        print("a busy day's bundle: median %.2f s (runs %s), %d rows, %.1f KB; verify %.2f s" % (
            statistics.median(runs), ", ".join("%.2f" % r for r in runs), rows, size / 1024, checked))

        start = date.fromisoformat(db.database.execute_sql(
            "SELECT MIN(signed_on) FROM contract").fetchone()[0])
        info, seconds = timed(bundle.make_range, start, today, out, full=True)
        print("full history %s – %s: %.1f s, %d rows, %.1f MB" % (start, today, seconds, info["rows"],
                                                                 info["size"] / 2**20))
        _, seconds = timed(verify, info["path"])
        print("  verify: %.2f s" % seconds)
    ingest_all([info["path"], out / first.name], out)
    print("bundles in", out, "at", datetime.now().isoformat(timespec="seconds"))


def ingest_all(paths, out):
    """Head office: the full-history bundle, then the first nightly one (older: nothing to overwrite), then the
    full one again (already ingested), into a SQLite file and, when PostgreSQL is installed, a durable local server
    (fsync on, unlike the test server)."""
    from tests import pg
    from xgapp.export import ingest

    targets = [("SQLite", "sqlite:///%s" % (out / "hq.sqlite3"))]
    server = None
    if pg.bin_dir() is not None:
        pg.SERVER_OPTIONS = "-c max_connections=20 -c shared_buffers=128MB"
        server = pg.Server(pg.bin_dir()).start()
        targets.append(("PostgreSQL", server.url()))
    try:
        for engine, url in targets:
            for path in paths + paths[:1]:
                [result], seconds = timed(ingest.ingest, [path], url)
                print("ingest into %s: %s %s, %d rows (%d newer than held): %.2f s" % (
                    engine, Path(path).name, result.status, result.rows, result.applied, seconds))
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
