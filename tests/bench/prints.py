"""Printed-forms benchmark: cold and warm render of every form, and a 50-page batch, on the demo campus.

    .venv/bin/python -m tests.bench.prints [--years 5] [--rounds 20] [--data DIR]

1. `xgapp demo --years N` (reused when --data already holds one).
2. Cold: for each form, a fresh Python process builds the app and times its first render + PDF write: that is
   what the first print after starting xgapp costs (WeasyPrint import, font parsing, template compile).
3. Warm: one process renders each form --rounds times after one untimed render → median and p95 ms.
4. Batch: the study-room logs of consecutive days until the batch has at least 50 pages, as one PDF (what the
   batch page runs in the background) → total seconds and ms per page, median of 3 runs.
Render + write only (no HTTP); the records are the demo's own. Not part of the default test run.
"""

import argparse
import json
import statistics
import subprocess
import sys
import time

from tests.bench.bench import campus

COLD = """
import json, sys, time
from xgapp.app import create_app
from xgapp import printing
from xgapp.prints import render
from xgapp.prints.catalog import FORMS
app = create_app({"DATA_DIR": sys.argv[1]})
with app.app_context():
    start = time.perf_counter()
    data = printing.write(render.filled(FORMS[sys.argv[2]], sys.argv[3]))
    print(json.dumps({"ms": (time.perf_counter() - start) * 1000, "bytes": len(data)}))
"""


def refs(app):
    """One record per form: the fullest of each (most attendees, busiest day)."""
    from xgapp.db import database

    def one(sql):
        return str(database.execute_sql(sql).fetchone()[0])

    with app.app_context():
        busiest = one("SELECT day FROM study_visit GROUP BY day ORDER BY count(*) DESC LIMIT 1")
        return {
            "briefing": one("SELECT briefing_id FROM briefing_attendee GROUP BY briefing_id ORDER BY count(*) DESC"),
            "parent-meeting": one("SELECT meeting_id FROM parent_meeting_attendee GROUP BY meeting_id "
                                  "ORDER BY count(*) DESC"),
            "selfstudy-log": busiest,
            "first-lesson": one("SELECT max(id) FROM first_lesson_feedback"),
            "qa-log": one("SELECT day FROM study_question GROUP BY day ORDER BY count(*) DESC LIMIT 1"),
            "daily-report": "%s/%s" % (one("SELECT advisor_id FROM follow_up GROUP BY advisor_id ORDER BY count(*) "
                                           "DESC"), one("SELECT date(max(at)) FROM follow_up")),
            "change-form": "TK-" + one("SELECT max(id) FROM student_change WHERE kind = 'suspend'"),
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--data", help="reuse this folder (built on first use)")
    args = parser.parse_args()
    data, _ = campus(args.data, "xgapp-bench-prints-", years=args.years)

    from xgapp import db, printing
    from xgapp.app import create_app
    from xgapp.prints import render
    from xgapp.prints.catalog import FORMS

    app = create_app({"DATA_DIR": str(data)})
    db.ensure_connection()
    chosen = refs(app)
    print("%-16s %10s %10s %10s %6s %8s" % ("form", "cold ms", "warm p50", "warm p95", "pages", "KiB"))
    for name, ref in chosen.items():
        cold = json.loads(subprocess.run([sys.executable, "-c", COLD, str(data), name, ref], check=True,
                                         capture_output=True, text=True).stdout)
        times = []
        with app.app_context():
            printing.write(render.filled(FORMS[name], ref))
            for _ in range(args.rounds):
                start = time.perf_counter()
                rendered = render.filled(FORMS[name], ref)
                pdf = printing.write(rendered)
                times.append((time.perf_counter() - start) * 1000)
        times.sort()
        print("%-16s %10.0f %10.0f %10.0f %6d %8.0f" % (name, cold["ms"], statistics.median(times),
                                                        times[int(len(times) * 0.95) - 1], rendered.pages,
                                                        len(pdf) / 1024))
    with app.app_context():
        from xgapp.selfstudy.models import Visit

        days = [d.isoformat() for (d,) in Visit.select(Visit.day).distinct().order_by(Visit.day.desc()).tuples()]
        form = FORMS["selfstudy-log"]
        batch, pages = [], 0
        for day in days:
            batch.append(day)
            pages += render.filled(form, day).pages
            if pages >= 50:
                break
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            pdf, pages, _missing = render.batch(form, batch)
            runs.append(time.perf_counter() - start)
    seconds = statistics.median(runs)
    print("batch: %d study-room logs, %d pages, %.1f MiB: %.2f s (%.0f ms per page), median of 3"
          % (len(batch), pages, len(pdf) / 2 ** 20, seconds, seconds * 1000 / pages))


if __name__ == "__main__":
    main()
