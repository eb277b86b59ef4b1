"""Thirty tablets confirming full roll calls at once, against `xgapp serve` on a campus copy.

    .venv/bin/python -m tests.bench.rollcall [--data DIR] [--tablets 30] [--rounds 4]

--data: a campus data folder (default: the 5-year campus of tests/bench/pages.py, built on first use); the run
works on a copy, whose start-up jobs (backups, the follow-up round, the first bundle) run before it is served, as
they have by the time of a morning's lessons. A first round of 10 tablets warms the server up and is not counted.
Before each round, --tablets lessons starting five minutes ago are added straight into the copy
for as many running classes with at least 12 students (other classes each round) (the bench's fixture, as the generator's rows are), each
taught by its class's teacher. Each tablet is a keep-alive connection logged in as that teacher; it opens its
lesson's roll call (for the CSRF token), then all wait at a barrier and post every student present at the same
instant. Reported: the confirmation POST (until its 303) and the page it leads to, median / p95 / p99 / max over
all rounds, and the errors (any answer but 303 and 200). Target (issue 20): p99 ≤ 1 s, 0 errors. Not part of the
default test run.
"""

import argparse
import re
import shutil
import sqlite3
import statistics
import tempfile
import threading
import time
import urllib.parse
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.bench.bench import Client, login, serving
from tests.bench.pages import PRIME, run_json
from xgapp import paths, settings


WARM_UP = 10  # tablets of the first, uncounted round
MARK = "roll-call benchmark"  # the note of the lessons the benchmark adds: each round takes other classes


def iso(dt):
    return dt.astimezone(timezone.utc).isoformat(timespec="microseconds")


def add_lessons(db_path, count, zone):
    """`count` lessons starting five minutes ago for the running classes with the most students (≥ 12) that have
    no benchmark lesson yet; returns [(lesson id, teacher username)]."""
    from zoneinfo import ZoneInfo

    now = datetime.now(timezone.utc)
    today = now.astimezone(ZoneInfo(zone)).date().isoformat()
    with closing(sqlite3.connect(db_path)) as conn, conn:
        rows = conn.execute(
            "SELECT c.id, c.teacher_id, u.username, COUNT(e.id) AS n FROM school_class c "
            "JOIN user u ON u.id = c.teacher_id JOIN enrolment e ON e.class_id = c.id "
            "AND e.status = 'active' AND e.kind IN ('regular', 'join') "
            "WHERE c.status = 'running' AND NOT EXISTS (SELECT 1 FROM lesson l WHERE l.class_id = c.id "
            "AND l.note = ?) GROUP BY c.id HAVING n >= 12 ORDER BY n DESC, c.id LIMIT ?", (MARK, count)).fetchall()
        if len(rows) < count:
            raise SystemExit("only %d running classes with 12 students left for a round" % len(rows))
        made = []
        for class_id, teacher_id, username, _ in rows:
            top_up(conn, class_id, now)
            seq, hours = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1, COALESCE(MAX(hours), 20) FROM lesson "
                                      "WHERE class_id = ?", (class_id,)).fetchone()
            cur = conn.execute(
                "INSERT INTO lesson (class_id, seq, kind, day, starts_at, ends_at, teacher_id, classroom_id, hours, "
                "status, note) VALUES (?, ?, 'regular', ?, ?, ?, ?, NULL, ?, 'planned', ?)",
                (class_id, seq, today, iso(now - timedelta(minutes=5)), iso(now + timedelta(hours=1)), teacher_id,
                 hours, MARK))
            made.append((cur.lastrowid, username))
    return made


def top_up(conn, class_id, now):
    """The generator books its purchases without a contract, and a roll call consumes contract by contract: give
    each member of the class who holds fewer than 4 hours on contracts a paid 40-hour contract (as a signing
    would: contract, payment, purchase row, kept balance)."""
    subject, advisor = conn.execute("SELECT subject, advisor_id FROM school_class WHERE id = ?", (class_id,)).fetchone()
    members = [r[0] for r in conn.execute(
        "SELECT e.student_id FROM enrolment e WHERE e.class_id = ? AND e.status = 'active' AND e.kind IN "
        "('regular', 'join') AND (SELECT COALESCE(SUM(h.hours), 0) FROM hour_entry h WHERE h.student_id = "
        "e.student_id AND h.subject = ? AND h.contract_id IS NOT NULL) < 40", (class_id, subject))]
    at, day = iso(now - timedelta(days=1)), (now - timedelta(days=1)).date().isoformat()
    for student in members:
        contract = conn.execute(
            "INSERT INTO contract (number, student_id, kind, subject, hours, free_hours, unit_price, discount, "
            "amount, signed_on, advisor_id, status, notes, created_at) VALUES (?, ?, 'renewal', ?, 400, 0, 15000, "
            "0, 600000, ?, ?, 'open', '', ?)", ("RC-%d-%d" % (class_id, student), student, subject, day, advisor,
                                                at)).lastrowid
        conn.execute("INSERT INTO payment (contract_id, amount, method, receipt_no, at, day, note) "
                     "VALUES (?, 600000, 'card', '', ?, ?, '')", (contract, at, day))
        conn.execute("INSERT INTO hour_entry (student_id, contract_id, subject, kind, hours, at, reason, source, "
                     "overdraft) VALUES (?, ?, ?, 'purchase', 400, ?, '', ?, 0)",
                     (student, contract, subject, at, "contract:%d" % contract))
        conn.execute("INSERT INTO hour_balance (student_id, subject, hours) VALUES (?, ?, 400) ON CONFLICT "
                     "(student_id, subject) DO UPDATE SET hours = hours + excluded.hours", (student, subject))


class Tablet:
    def __init__(self, port, cookies, lesson_id):
        self.client, self.lesson_id = Client(port, cookies), lesson_id

    def ready(self):
        """Open the roll call: the form's token and the students to mark."""
        status, page = self.client.request("GET", "/attendance/lesson/%d" % self.lesson_id)
        assert status == 200, status
        token = re.search(rb'name="csrf_token"[^>]*? value="([^"]+)"', page).group(1).decode()
        marks = {m.decode(): "present" for m in set(re.findall(rb'name="(mark-\d+)"', page))}
        key = re.search(rb'name="submission_key" value="([^"]+)"', page).group(1).decode()
        self.body = urllib.parse.urlencode({"csrf_token": token, "submission_key": key, **marks})
        self.students = len(marks)

    def confirm(self, barrier):
        barrier.wait()
        start = time.perf_counter()
        status, answer = self.client.request("POST", "/attendance/lesson/%d" % self.lesson_id, self.body)
        self.post = (time.perf_counter() - start) * 1000, status
        self.refused = re.findall(r'class="error[^"]*"[^>]*>\s*([^<]+?)\s*<', answer.decode())[:3] if status != 303 \
            else []
        start = time.perf_counter()
        status, page = self.client.request("GET", "/attendance/lesson/%d" % self.lesson_id)
        self.page = (time.perf_counter() - start) * 1000, status
        self.confirmed = status == 200 and b'id="confirmed"' in page


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p * len(values)) - 1))]


def figures(values):
    return "median %.0f ms · p95 %.0f ms · p99 %.0f ms · max %.0f ms" % (
        statistics.median(values), percentile(values, 0.95), percentile(values, 0.99), max(values))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", help="campus data folder (default: the 5-year benchmark campus)")
    parser.add_argument("--tablets", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    if args.data:
        source = Path(args.data)
        source = source / "data" if (source / "data" / "xgapp.sqlite3").exists() else source
    else:
        from tests.bench.pages import built

        source = built(None, 5, "big5")
    work = Path(tempfile.mkdtemp(prefix="xgapp-rollcall-")) / "data"
    shutil.copytree(source, work, ignore=shutil.ignore_patterns("backups", "exports", "logs"))
    db_path = work / "xgapp.sqlite3"
    print("the campus's start-up jobs (backups, follow-up round, first bundle) before serving: %s"
          % run_json(PRIME, work))
    zone = settings.load(paths.DataPaths(work))[0]["timezone"]
    posts, pages, errors, students = [], [], [], 0
    try:
        with serving(work) as (port, _):
            sessions = {}
            for round_ in range(-1, args.rounds):  # round -1 warms the server up (templates, caches); not counted
                lessons = add_lessons(db_path, args.tablets if round_ >= 0 else WARM_UP, zone)
                tablets = []
                for lesson_id, username in lessons:
                    if username not in sessions:
                        sessions[username] = login(port, username)
                    tablets.append(Tablet(port, sessions[username], lesson_id))
                for tablet in tablets:
                    tablet.ready()
                barrier = threading.Barrier(len(tablets))
                threads = [threading.Thread(target=t.confirm, args=(barrier,)) for t in tablets]
                for th in threads:
                    th.start()
                for th in threads:
                    th.join()
                if round_ < 0:
                    continue
                for t in tablets:
                    posts.append(t.post[0])
                    pages.append(t.page[0])
                    students += t.students
                    if t.post[1] != 303 or t.page[1] != 200 or not t.confirmed:
                        errors.append((t.lesson_id, t.post[1], t.page[1], t.refused[:2]))
                print("round %d: %d tablets, slowest confirmation %.0f ms" % (round_ + 1, len(tablets),
                                                                               max(t.post[0] for t in tablets)))
    finally:
        shutil.rmtree(work.parent, ignore_errors=True)
    print("%d roll calls (%d students, %.1f a lesson) by %d tablets at once, %d rounds, campus %s"
          % (len(posts), students, students / len(posts), args.tablets, args.rounds, source))
    print("confirmation (POST → 303): " + figures(posts))
    print("the confirmed page after it: " + figures(pages))
    print("errors: %d %s" % (len(errors), errors[:5]))
    print("target p99 ≤ 1000 ms, 0 errors: %s" % ("met" if percentile(posts, 0.99) <= 1000 and not errors
                                                   else "MISSED"))


if __name__ == "__main__":
    main()
