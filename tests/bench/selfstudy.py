"""Study-room benchmark: kiosk search, sign-in and sign-out, the board and the figures over ≥ 100,000 past visits.

    .venv/bin/python -m tests.bench.selfstudy [--years 5] [--per-day 70] [--requests 100] [--data DIR]

1. `xgapp demo --years 5` makes staff, 1,500 students and a year of the app's own study-room visits.
2. A bulk generator adds --years of history straight into SQLite (executemany, one transaction): every day but
   Sunday, --per-day visits by students drawn from the whole roll (arrival 16:00–18:30, 1–3.5 h stays, pickup by a
   guardian on file, alone, or a named other person), a record on 60 % and a question on 15 % of them. The rows
   have the shape the app writes; the generator is not the app's write path.
3. `xgapp serve --threads 4` on loopback; the principal logs in; each page gets --requests sequential requests on
   one keep-alive connection → median and p95 ms. Sign-in and sign-out are measured as the kiosk sends them
   (htmx POST with the CSRF header), each for --requests different students. Not part of the default test run.
"""

import argparse
import random
import re
import sqlite3
import statistics
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from pypinyin import Style, lazy_pinyin

from tests.bench.bench import Client, campus, latency, serving

ZONE = ZoneInfo("Asia/Shanghai")
SUBJECTS = ["数学", "英语", "语文", "物理", "化学"]


def iso(dt):
    return dt.astimezone(timezone.utc).isoformat(timespec="microseconds")


def generate(db_path, years, per_day, seed=11):
    """Add `years` of study-room visits (before the demo's own year); returns row counts."""
    rng = random.Random(seed)
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA foreign_keys = ON")
    today = datetime.now(ZONE).date()
    counts = {"study_visit": 0, "study_question": 0}
    with conn:
        desk = conn.execute("SELECT id FROM user WHERE username = 'frontdesk'").fetchone()[0]
        teachers = [r[0] for r in conn.execute("SELECT user_id FROM user_role WHERE role = 'teacher'")]
        students = [r[0] for r in conn.execute("SELECT id FROM student")]
        guardians = {}
        for gid, sid, name, relation in conn.execute(
                "SELECT id, student_id, name, relation FROM guardian WHERE can_pickup"):
            guardians.setdefault(sid, []).append((gid, name, relation))
        first = today - timedelta(days=365 * (years + 1))
        last = today - timedelta(days=366)  # the demo's own year of visits follows
        day = first
        while day <= last:
            if day.weekday() != 6:
                visits = []
                for sid in rng.sample(students, per_day):
                    arrive = datetime(day.year, day.month, day.day, 16, 0, tzinfo=ZONE) + timedelta(
                        minutes=rng.randrange(150))
                    leave = arrive + timedelta(minutes=rng.randrange(60, 210))
                    roll = rng.random()
                    if roll < 0.8 and guardians.get(sid):
                        gid, name, relation = rng.choice(guardians[sid])
                        pickup = ("guardian", gid, name, relation, 1)
                    elif roll < 0.97:
                        pickup = ("alone", None, "", "", 1)
                    else:
                        pickup = ("other", None, "王阿姨", "邻居", 0)
                    noted = rng.random() < 0.6
                    visits.append((sid, day.isoformat(), iso(arrive), desk, iso(leave), desk) + pickup + (
                        rng.choice(SUBJECTS) if noted else "", (1 if rng.random() < 0.8 else 0) if noted else None,
                        "作业已完成" if noted else "", "", "", desk if noted else None))
                conn.executemany(
                    "INSERT INTO study_visit (student_id, day, arrived_at, signed_in_by_id, left_at, "
                    "signed_out_by_id, pickup_kind, pickup_guardian_id, pickup_name, pickup_relation, pickup_on_file, "
                    "subjects, homework_checked, homework_note, behaviour_note, parent_note, teacher_id, "
                    "resolved_note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')", visits)
                counts["study_visit"] += len(visits)
                questions = [(v[0], v[1], rng.choice(SUBJECTS), "这道题怎么做", "讲解了思路", desk, v[2])
                             for v in visits if rng.random() < 0.15]
                conn.executemany(
                    "INSERT INTO study_question (student_id, day, subject, question, answer, teacher_id, status, "
                    "created_at) VALUES (?, ?, ?, ?, ?, ?, 'resolved', ?)", questions)
                counts["study_question"] += len(questions)
            day += timedelta(days=1)
        del teachers
    # no ANALYZE: xgapp never gathers planner statistics, so a campus has none and neither may the copy we time
    conn.close()
    return counts


def year_ago(n):
    return (datetime.now(ZONE).date() - timedelta(days=365 * n)).isoformat()


def initials(name):
    return "".join(p[0] for p in lazy_pinyin(name, style=Style.NORMAL))


def sample(db_path, n):
    """Students for the kiosk: not in the room now, most visits first; a busy student's file."""
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT student.id, student.name FROM student JOIN study_visit ON study_visit.student_id = student.id "
            "WHERE student.id NOT IN (SELECT student_id FROM study_visit WHERE left_at IS NULL) "
            "GROUP BY student.id ORDER BY COUNT(*) DESC LIMIT ?", (n,)).fetchall()
        guardian = dict(conn.execute("SELECT student_id, id FROM guardian WHERE can_pickup GROUP BY student_id"))
        counts = {t: conn.execute("SELECT COUNT(*) FROM %s" % t).fetchone()[0]
                  for t in ("student", "study_visit", "study_question", "audit_log")}
    return rows, guardian, counts


def timed(client, method, path, body=None, extra=None):
    start = time.perf_counter()
    status, data = client.request(method, path, body, extra)
    return (time.perf_counter() - start) * 1000, status, data


def summary(times):
    times = sorted(times)
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--per-day", type=int, default=70)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--data", help="reuse this data folder (generated on first use)")
    args = parser.parse_args()
    data, db_path = campus(args.data, "xgapp-bench-ss-", lambda path: generate(path, args.years, args.per_day))
    kids, guardian, counts = sample(db_path, args.requests)
    print("database %.1f MB: %s" % (db_path.stat().st_size / 1e6, ", ".join("%s %d" % kv for kv in counts.items())))
    with serving(data) as (port, cookie):
        client = Client(port, cookie)
        _, page = client.request("GET", "/selfstudy/kiosk")
        token = re.search(rb'"X-CSRFToken": "([^"]+)"', page).group(1).decode()
        hx = {"HX-Request": "true", "X-CSRFToken": token, "Origin": "http://127.0.0.1:%d" % port}
        rows = []
        search = [timed(client, "GET", "/selfstudy/kiosk/search?q=%s" % initials(name), extra={"HX-Request": "true"})
                  for _, name in kids]
        assert all(status == 200 for _, status, _ in search)
        rows.append(("/selfstudy/kiosk/search?q=…", "kiosk search by pinyin initials (%d students)" % len(kids),
                     summary([t for t, _, _ in search])))
        signin = [timed(client, "POST", "/selfstudy/kiosk/in/%d" % sid, "", hx) for sid, _ in kids]
        assert all(status == 200 for _, status, _ in signin), [s for _, s, _ in signin]
        rows.append(("POST /selfstudy/kiosk/in/…", "sign-in (%d students)" % len(kids),
                     summary([t for t, _, _ in signin])))
        for path, what in [("/selfstudy/", "the board with %d in the room" % len(kids)),
                           ("/selfstudy/board", "the board's polled fragment"),
                           ("/selfstudy/kiosk", "the kiosk with the room list"),
                           ("/selfstudy/report", "this month's figures"),
                           ("/selfstudy/report?from=%s&to=%s" % (year_ago(3), year_ago(2)),
                            "a year of figures three years back (~21,000 visits)"),
                           ("/selfstudy/questions", "today's Q&A records"),
                           ("/students/%d" % kids[0][0], "the file of the most frequent visitor"),
                           ("/", "home page (overdue check)")]:
            rows.append((path.split("?")[0] + ("?…" if "?" in path else ""), what,
                         latency(port, path, cookie, args.requests)))
        with sqlite3.connect(db_path) as conn:
            open_visits = dict(conn.execute("SELECT student_id, id FROM study_visit WHERE left_at IS NULL"))
        signout = []
        for sid, _ in kids:
            body = ("kind=guardian&guardian=%d" % guardian[sid]) if sid in guardian else "kind=other&name=%E7%8E%8B&relation=%E9%82%BB"
            signout.append(timed(client, "POST", "/selfstudy/kiosk/out/%d" % open_visits[sid], body, hx))
        assert all(status == 200 for _, status, _ in signout), [s for _, s, _ in signout]
        rows.append(("POST /selfstudy/kiosk/out/…", "sign-out with a pickup person (%d students)" % len(kids),
                     summary([t for t, _, _ in signout])))
        print("| request | what | median ms | p95 ms |")
        print("|---|---|---:|---:|")
        for path, what, (median, p95) in rows:
            print("| %s | %s | %.1f | %.1f |" % (path, what, median, p95))


if __name__ == "__main__":
    main()
