"""Timetable and attendance benchmark over a large generated campus (≥ 5 years, ≥ 500,000 attendance rows).

    .venv/bin/python -m tests.bench.timetable [--years 6] [--tracks 124] [--requests 100] [--data DIR]

1. `xgapp demo --years 5` makes staff, 1,500 students with contracts, this term's classes and roll calls.
2. A bulk generator adds a large campus's history straight into SQLite (executemany, one transaction): 8 more
   rooms, 16 more teachers and --tracks weekly class tracks running back to back in 16-lesson classes for --years
   years and 8 weeks ahead, 12–15 students per class, a roll call for every past lesson (85 % present, 5 % late,
   5 % leave, 5 % absent) with a consumption row in the hour ledger per charged mark and a 32-hour purchase row
   per enrolment. The rows have the shape the app writes; the generator is not the app's write path.
3. `xgapp serve --threads 4` on loopback; the principal logs in; each page gets --requests sequential requests
   on one keep-alive connection → median and p95 ms. Not part of the default test run.
"""

import argparse
import random
import sqlite3
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from tests.bench.bench import campus, latency, serving
from xgapp.migrations.m0019_ledger_facts import BALANCE_SQL, RUN_OUT_SQL

ZONE = ZoneInfo("Asia/Shanghai")
SLOTS = {  # weekday -> lesson start times (2-hour lessons)
    0: ["17:00", "19:10"], 1: ["17:00", "19:10"], 2: ["17:00", "19:10"], 3: ["17:00", "19:10"],
    4: ["17:00", "19:10"], 5: ["08:30", "10:40", "14:00", "16:10"], 6: ["08:30", "10:40", "14:00", "16:10"]}
SUBJECTS = ["数学", "英语", "语文", "物理", "化学"]
ROOMS, TEACHERS = 8, 16


def iso(dt):
    return dt.astimezone(timezone.utc).isoformat(timespec="microseconds")


def generate(db_path, years, tracks, seed=7):
    """Add `years` of timetable and attendance for `tracks` weekly class tracks; returns row counts."""
    rng = random.Random(seed)
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA foreign_keys = ON")
    today = datetime.now(ZONE).date()
    now = iso(datetime.now(timezone.utc))
    with conn:
        hash_ = conn.execute("SELECT password_hash FROM user WHERE username = 'principal'").fetchone()[0]
        teachers = [r[0] for r in conn.execute(
            "SELECT user_id FROM user_role WHERE role = 'teacher'")]
        for n in range(TEACHERS):
            cur = conn.execute(
                "INSERT INTO user (username, display_name, password_hash, active, password_failures, pin_failures, "
                "session_version, created_at) VALUES (?, ?, ?, 1, 0, 0, 1, ?)",
                ("bench-teacher%d" % n, "压测老师%d" % n, hash_, now))
            conn.execute("INSERT INTO user_role (user_id, role) VALUES (?, 'teacher')", (cur.lastrowid,))
            teachers.append(cur.lastrowid)
        rooms = []
        for n in range(ROOMS):
            rooms.append(conn.execute("INSERT INTO classroom (name, seats, active) VALUES (?, 15, 1)",
                                      ("压测%d教室" % (n + 1),)).lastrowid)
        advisors = [r[0] for r in conn.execute("SELECT user_id FROM user_role WHERE role = 'advisor'")]
        students = [r[0] for r in conn.execute("SELECT id FROM student")]
        slots = [(wd, t) for wd, times in SLOTS.items() for t in times]
        used = {}  # (weekday, time) -> tracks in that slot, so rooms and teachers never clash
        start = today - timedelta(days=365 * years)
        counts = {"class": 0, "lesson": 0, "enrolment": 0, "attendance": 0, "hour_entry": 0}
        for track in range(tracks):
            wd, clock = slots[track % len(slots)]
            k = used.get((wd, clock), 0)
            used[(wd, clock)] = k + 1
            room, teacher = rooms[k % ROOMS], teachers[(track * 7 + k) % len(teachers)]
            if k >= ROOMS:
                raise SystemExit("too many tracks for %d rooms" % ROOMS)
            subject = SUBJECTS[track % len(SUBJECTS)]
            hh, mm = map(int, clock.split(":"))
            first = start + timedelta(days=(wd - start.weekday()) % 7)
            term = 0
            while first <= today + timedelta(weeks=8):
                term += 1
                days = [first + timedelta(weeks=i) for i in range(16)]
                status = "ended" if days[-1] < today else "running"
                class_id = conn.execute(
                    "INSERT INTO school_class (name, subject, grade, kind, teacher_id, classroom_id, capacity, "
                    "advisor_id, start_on, planned_lessons, lesson_hours, status, created_at) "
                    "VALUES (?, ?, '初二', 'group', ?, ?, 15, ?, ?, 16, 20, ?, ?)",
                    ("压测%s班%d-%d" % (subject, track, term), subject, teacher, room, rng.choice(advisors),
                     first.isoformat(), status, now)).lastrowid
                counts["class"] += 1
                pupils = rng.sample(students, rng.randrange(12, 16))
                conn.executemany(
                    "INSERT INTO enrolment (class_id, student_id, kind, joined_on, left_on, status, result, "
                    "created_at) VALUES (?, ?, 'regular', ?, ?, ?, '', ?)",
                    [(class_id, s, first.isoformat(), days[-1].isoformat() if status == "ended" else None,
                      "finished" if status == "ended" else "active", now) for s in pupils])
                counts["enrolment"] += len(pupils)
                conn.executemany(
                    "INSERT INTO hour_entry (student_id, subject, kind, hours, at, reason, source, overdraft) "
                    "VALUES (?, ?, 'purchase', 320, ?, '', 'bench', 0)",
                    [(s, subject, iso(datetime.combine(first, datetime.min.time(), ZONE))) for s in pupils])
                counts["hour_entry"] += len(pupils)
                for seq, day in enumerate(days, start=1):
                    begins = datetime(day.year, day.month, day.day, hh, mm, tzinfo=ZONE)
                    held = day < today
                    lesson_id = conn.execute(
                        "INSERT INTO lesson (class_id, seq, kind, day, starts_at, ends_at, teacher_id, classroom_id, "
                        "hours, status, confirmed_at, note) VALUES (?, ?, 'regular', ?, ?, ?, ?, ?, 20, ?, ?, '')",
                        (class_id, seq, day.isoformat(), iso(begins), iso(begins + timedelta(hours=2)), teacher,
                         room, "done" if held else "planned", iso(begins + timedelta(hours=2)) if held else None)
                    ).lastrowid
                    counts["lesson"] += 1
                    if not held:
                        continue
                    marks, ledger = [], []
                    for s in pupils:
                        roll = rng.random()
                        mark = "present" if roll < .85 else "late" if roll < .9 else "leave" if roll < .95 else "absent"
                        hours = 0 if mark == "leave" and rng.random() < .5 else 20
                        at = iso(begins + timedelta(hours=2))
                        marks.append((lesson_id, s, mark, hours, at))
                        if hours:
                            ledger.append((s, subject, -hours, at, "lesson:%d" % lesson_id))
                    conn.executemany("INSERT INTO attendance (lesson_id, student_id, mark, hours, at, note) "
                                     "VALUES (?, ?, ?, ?, ?, '')", marks)
                    conn.executemany("INSERT INTO hour_entry (student_id, subject, kind, hours, at, reason, source, "
                                     "overdraft) VALUES (?, ?, 'consume', ?, ?, '', ?, 0)", ledger)
                    counts["attendance"] += len(marks)
                    counts["hour_entry"] += len(ledger)
                first = days[-1] + timedelta(weeks=1)
    with conn:  # the app keeps balances and run-outs with each ledger row; bulk rows get theirs as migration 19 does
        conn.execute(RUN_OUT_SQL)
        conn.execute(BALANCE_SQL)
    # no ANALYZE: xgapp never gathers planner statistics, so a campus has none and neither may the copy we time
    conn.close()
    return counts


def sample(db_path):
    today = datetime.now(ZONE).date()
    with sqlite3.connect(db_path) as conn:
        lesson = conn.execute(
            "SELECT lesson.id FROM lesson JOIN enrolment ON enrolment.class_id = lesson.class_id "
            "WHERE lesson.day = ? AND lesson.status = 'planned' GROUP BY lesson.id ORDER BY COUNT(*) DESC LIMIT 1",
            (today.isoformat(),)).fetchone()[0]
        teacher = conn.execute("SELECT teacher_id FROM lesson GROUP BY teacher_id ORDER BY COUNT(*) DESC "
                               "LIMIT 1").fetchone()[0]
        klass = conn.execute("SELECT class_id FROM lesson WHERE id = ?", (lesson,)).fetchone()[0]
        student = conn.execute("SELECT student_id FROM attendance GROUP BY student_id ORDER BY COUNT(*) DESC "
                               "LIMIT 1").fetchone()[0]
        counts = {t: conn.execute("SELECT COUNT(*) FROM %s" % t).fetchone()[0]
                  for t in ("student", "school_class", "lesson", "enrolment", "attendance", "hour_entry")}
    old_week = (today - timedelta(days=3 * 365)).isoformat()
    month = today.strftime("%Y-%m")
    pages = [("/timetable/", "week timetable, whole campus"),
             ("/timetable/?week=%s" % old_week, "week timetable 3 years ago"),
             ("/timetable/?teacher=%d" % teacher, "week timetable of the busiest teacher"),
             ("/attendance/", "today's lessons"),
             ("/attendance/lesson/%d" % lesson, "today's roll call (largest class)"),
             ("/", "home: today's lessons + hour alerts"),
             ("/classes/", "class list with hours left and places"),
             ("/classes/%d" % klass, "one class with students and lessons"),
             ("/students/%d" % student, "student file with years of lessons on the timeline"),
             ("/classes/teachers?month=%s" % month, "teacher hours of the month"),
             ("/classes/figures?month=%s" % month, "monthly teaching figures")]
    return pages, counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--years", type=int, default=6)
    parser.add_argument("--tracks", type=int, default=124)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--data", help="reuse this data folder (generated on first use)")
    args = parser.parse_args()
    data, db_path = campus(args.data, "xgapp-bench-tt-", lambda path: generate(path, args.years, args.tracks))
    pages, counts = sample(db_path)
    print("database %.1f MB: %s" % (db_path.stat().st_size / 1e6, ", ".join("%s %d" % kv for kv in counts.items())))
    with serving(data) as (port, cookie):
        print("| page | what | median ms | p95 ms |")
        print("|---|---|---:|---:|")
        for path, what in pages:
            median, p95 = latency(port, path, cookie, args.requests)
            print("| %s | %s | %.1f | %.1f |" % (path, what, median, p95))


if __name__ == "__main__":
    main()
