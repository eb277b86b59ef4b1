"""Follow-up benchmark: the advisor's to-do page and the supervisor's overview on a large campus.

    .venv/bin/python -m tests.bench.followups [--years 5] [--requests 100] [--data DIR]

1. `xgapp demo --years 5` makes staff, 1,500 students, a year of classes with roll calls and a year of the app's own
   follow-ups and tasks.
2. A bulk generator adds --years of older follow-up history straight into SQLite (executemany, one transaction):
   a follow-up every two to four weeks for every student (≈ 134,000 rows), a fifth face to face, and a done task for
   every fourth. The rows have the shape the app writes; the generator is not the app's write path.
3. `xgapp serve --threads 4` on loopback; the principal logs in; each page gets --requests sequential requests on
   one keep-alive connection → median and p95 ms. Not part of the default test run.
"""

import argparse
import random
import sqlite3
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from tests.bench.bench import campus, latency, serving

ZONE = ZoneInfo("Asia/Shanghai")


def iso(dt):
    return dt.astimezone(timezone.utc).isoformat(timespec="microseconds")


def generate(db_path, years, seed=13):
    rng = random.Random(seed)
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA foreign_keys = ON")
    today = datetime.now(ZONE).date()
    counts = {"follow_up": 0, "follow_task": 0}
    with conn:
        students = conn.execute("SELECT id, advisor_id FROM student WHERE advisor_id IS NOT NULL").fetchall()
        for sid, advisor in students:
            day = today - timedelta(days=365 * (years + 1))
            rows, tasks = [], []
            while day < today - timedelta(days=366):
                at = iso(datetime(day.year, day.month, day.day, rng.randrange(9, 20), tzinfo=ZONE))
                channel = "face" if rng.random() < 0.2 else rng.choice(["phone", "wechat"])
                if rng.random() < 0.25:
                    tasks.append((sid, advisor, "routine", day.isoformat(), "bench:%d:%s" % (sid, day), "", "done",
                                  at, advisor, 0, "", at))
                rows.append((sid, advisor, at, "routine", channel, "parent", "了解近期学习状态", "沟通了作业情况", "",
                             "", None, 0, at, at))
                day += timedelta(days=rng.randrange(14, 28))
            conn.executemany(
                "INSERT INTO follow_up (student_id, advisor_id, at, kind, channel, whom, purpose, content, result, "
                "next_step, next_on, escalate, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows)
            conn.executemany(
                "INSERT INTO follow_task (student_id, advisor_id, kind, due_on, source, note, status, done_at, "
                "done_by_id, postponed, postpone_reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", tasks)
            counts["follow_up"] += len(rows)
            counts["follow_task"] += len(tasks)
    # no ANALYZE: xgapp never gathers planner statistics, so a campus has none and neither may the copy we time
    conn.close()
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--data", help="reuse this data folder (generated on first use)")
    args = parser.parse_args()
    data, db_path = campus(args.data, "xgapp-bench-fu-", lambda path: generate(path, args.years))
    with sqlite3.connect(db_path) as conn:
        counts = {t: conn.execute("SELECT COUNT(*) FROM %s" % t).fetchone()[0]
                  for t in ("student", "follow_up", "follow_task", "attendance")}
        busiest = conn.execute("SELECT advisor_id FROM student WHERE status = 'active' GROUP BY advisor_id "
                               "ORDER BY COUNT(*) DESC LIMIT 1").fetchone()[0]
        active = conn.execute("SELECT COUNT(*) FROM student WHERE status = 'active' AND advisor_id = ?",
                              (busiest,)).fetchone()[0]
    print("database %.1f MB: %s" % (db_path.stat().st_size / 1e6, ", ".join("%s %d" % kv for kv in counts.items())))
    with serving(data) as (port, cookie):
        print("| page | what | median ms | p95 ms |")
        print("|---|---|---:|---:|")
        for path, what in [("/followups/?advisor=%d" % busiest,
                            "the busiest advisor's to-do list (%d active students)" % active),
                           ("/followups/overview", "the supervisor's overview of every advisor"),
                           ("/", "home page with follow-ups due")]:
            median, p95 = latency(port, path, cookie, args.requests)
            print("| %s | %s | %.1f | %.1f |" % (path.split("?")[0], what, median, p95))


if __name__ == "__main__":
    main()
