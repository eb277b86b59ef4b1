"""The numbers benchmark: dashboards and reports on the 5-year demo campus.

    .venv/bin/python -m tests.bench.numbers [--years 5] [--requests 100] [--data DIR]

1. `xgapp demo --years 5` (reused when --data already holds one): 1,500 students, contracts and payments of five
   years, a year of classes with roll calls, follow-ups, leads, study-room visits.
2. Monthly targets for the campus and every advisor are set through the domain function.
3. `xgapp serve --threads 4` on loopback; the principal (a leader) and an advisor log in; each page gets --requests
   sequential requests on one keep-alive connection → median and p95 ms. Not part of the default test run.
"""

import argparse
import subprocess
import sys

from tests.bench.bench import campus, latency, login, serving

TARGETS = """
import sys
from datetime import date
from xgapp.app import create_app
from xgapp import db
from xgapp.numbers import forms, targets
from xgapp.students import domain as students
app = create_app({"DATA_DIR": sys.argv[1]})
db.ensure_connection()
with app.app_context():
    month = targets.month_of()
    people = list(students.advisors())
    raw = {(None, "new"): str(20000 * len(people)), (None, "hours"): "2000", (None, "new_students"): "20"}
    raw.update({(a.id, "new"): "20000" for a in people})
    targets.save(None, month, forms.target_cells(raw))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--data", help="reuse this folder (built on first use)")
    args = parser.parse_args()
    data, _ = campus(args.data, "xgapp-bench-numbers-", years=args.years)
    subprocess.run([sys.executable, "-c", TARGETS, str(data)], check=True)
    with serving(data) as (port, cookie):
        advisor = login(port, "advisor1")
        pages = [("leader", cookie, "/", "first screen: today per advisor, refunds, complaints, 30-day charts"),
                 ("leader", cookie, "/numbers/campus", "campus daily report"),
                 ("leader", cookie, "/numbers/targets", "targets and every advisor's progress"),
                 ("leader", cookie, "/numbers/ranking", "ranking, rates, 12-month renewal chart"),
                 ("leader", cookie, "/numbers/period", "campus monthly report"),
                 ("leader", cookie, "/numbers/period?kind=week", "campus weekly report"),
                 ("advisor", advisor, "/", "advisor's first screen: her day, month vs target, leads to call"),
                 ("advisor", advisor, "/numbers/", "advisor's daily report (redirect followed separately)"),
                 ("advisor", advisor, "/numbers/period", "advisor's monthly report")]
        print("| who | page | what | median ms | p95 ms |")
        print("|---|---|---|---:|---:|")
        for who, jar, path, what in pages:
            if path == "/numbers/" and who == "advisor":
                path = "/numbers/advisor/%s" % _advisor_id(data)
            median, p95 = latency(port, path, jar, args.requests)
            print("| %s | %s | %s | %.1f | %.1f |" % (who, path, what, median, p95))


def _advisor_id(data):
    import sqlite3

    with sqlite3.connect(data / "xgapp.sqlite3") as conn:
        return conn.execute("SELECT id FROM user WHERE username = 'advisor1'").fetchone()[0]


if __name__ == "__main__":
    main()
