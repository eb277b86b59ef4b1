"""One benchmark that matters: every page each role reaches, on a 5-year campus, against targets.

    .venv/bin/python -m tests.bench.pages [--data DIR] [--small-data DIR] [--requests 20] [--seconds 5]
                                          [--roles principal advisor ...] [--out FILE] [--keep]

--data / --small-data: the 5-year and the 1-year campus folders (a data folder, or a folder holding data/), built
there on first use (`xgapp demo` + the timetable generator of tests/bench/timetable.py) and never served: each run
works on a copy. Defaults: ~/.cache/xgapp-bench/big5-<hash> and small1-<hash>, the hash covering the migrations,
the demo and the generator, so a changed schema builds a new campus. Prints Markdown (or writes --out).
Needs `wrk` (apt-get install wrk). Not part of the default test run.
"""

import argparse
import contextlib
import hashlib
import html
import json
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter, deque
from datetime import datetime
from pathlib import Path

from tests.bench.bench import Client, campus, free_port, hello_floor, latency, login, serving, wait_for
from tests.bench.timetable import generate, sample

REPO = Path(__file__).resolve().parents[2]
TARGET = {"median": 50, "p95": 150, "p95_max": 250, "growth": 1.3, "floor": 0.15, "day": 3, "full": 60, "pdf": 1.2}
SKIP = re.compile(r"logout|\.pdf|\.xlsx|^/static/|/file/|export\.|download|print|restore", re.I)
REDIRECTS = (301, 302, 303, 307, 308)
DRAW = {"Cache-Control": "no-cache"}  # every timed GET draws its page: kept pages (xgapp/pagecache.py) are not timed
STARTED = time.monotonic()

# The server's start-up round (scheduler.run_jobs + run_export), run here first on the copy: today's backups, the
# first nightly bundle (every record). The server's own first round then finds nothing due; it is timed too.
PRIME = """
import json, sys, time
from datetime import datetime, timedelta
from xgapp import clock, db, scheduler
from xgapp.app import create_app
from xgapp.export import bundle
app = create_app({"DATA_DIR": sys.argv[1]})
db.ensure_connection()
with app.app_context():  # the campus was written in one go: date its change log before the first bundle's day
    db.database.execute_sql("UPDATE change_log SET at = ?",
                            (bundle.utc_text(datetime.now(clock.zone()) - timedelta(days=3)),))
out = {}
for name in ("first", "again"):
    start = time.perf_counter(); scheduler.run_jobs(app); jobs = time.perf_counter() - start
    start = time.perf_counter(); scheduler.run_export(app); export = time.perf_counter() - start
    out[name] = {"jobs": jobs, "export": export}
print(json.dumps(out))
"""

# The advisor's 日报 PDF: the app in-process (render.filled + write) and bare WeasyPrint on the same HTML.
PDF = """
import json, statistics, sys, time
from flask import render_template
from flask_babel import force_locale
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from tests.bench.prints import refs
from xgapp import db, paths, printing
from xgapp.app import create_app
from xgapp.prints import render
from xgapp.prints.catalog import FORMS
app = create_app({"DATA_DIR": sys.argv[1]})
db.ensure_connection()
form, n = FORMS["daily-report"], int(sys.argv[2])
def median_ms(fn):
    fn()  # warm: WeasyPrint import, fonts, templates
    times = []
    for _ in range(n):
        start = time.perf_counter(); fn(); times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000
with app.app_context():
    ref = refs(app)["daily-report"]
    app_ms = median_ms(lambda: printing.write(render.filled(form, ref)))
    with force_locale(render.PRINT_LOCALE):
        context = render._common(form, None)
        context.update(form.load(form.check_ref(ref), None))
        context["form_no"] = form.number(form.check_ref(ref))
        page, _ = printing._mark_missing(render_template(form.template, **context))
    fonts, base = FontConfiguration(), paths.resource_dir().as_uri() + "/"
    bare_ms = median_ms(lambda: HTML(string=page, base_url=base).write_pdf(font_config=fonts))
print(json.dumps({"ref": ref, "app_ms": app_ms, "bare_ms": bare_ms}))
"""

# tests/bench/export.py's steps: the busiest day replayed as today's changes, today's bundle (with its 日报 PDFs)
# --repeat times, then the full-history export.
EXPORT = """
import json, sqlite3, statistics, sys, tempfile
from datetime import date
from pathlib import Path
from tests.bench.export import busiest_day, seed_day, timed
from xgapp import clock, db
from xgapp.app import create_app
from xgapp.export import bundle
from xgapp.export.models import ExportBundle
data = Path(sys.argv[1])
app = create_app({"DATA_DIR": str(data)})
db.ensure_connection()
out = Path(tempfile.mkdtemp(prefix="bundles-", dir=data))
with app.app_context():
    today = clock.today()
    with sqlite3.connect(data / "xgapp.sqlite3") as conn:
        day = busiest_day(conn, today)
        seeded = seed_day(conn, day)
    runs = []
    for _ in range(int(sys.argv[2])):
        made, seconds = timed(bundle.make_nightly, today, out)
        runs.append(seconds)
        rows = made.rows
        ExportBundle.delete().where(ExportBundle.id == made.id).execute()
        (out / made.name).unlink()
    first = date.fromisoformat(db.database.execute_sql("SELECT MIN(signed_on) FROM contract").fetchone()[0])
    info, full = timed(bundle.make_range, first, today, out, full=True)
print(json.dumps({"day": day, "seeded": sum(seeded.values()), "day_rows": rows, "day_s": statistics.median(runs),
                  "runs": runs, "first": str(first), "full_s": full, "full_rows": info["rows"],
                  "full_mb": info["size"] / 2**20}))
"""


def note(message):
    print("[%5.0f s] %s" % (time.monotonic() - STARTED, message), file=sys.stderr, flush=True)


def run_json(script, *args):
    done = subprocess.run([sys.executable, "-c", script, *map(str, args)], cwd=REPO, check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def digest():
    files = sorted([*REPO.glob("xgapp/migrations/*.py"), *REPO.glob("xgapp/demo/*.py"),
                    REPO / "tests/bench/timetable.py"])
    return hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()[:10]


def built(folder, years, default):
    """The cached campus's data folder: `xgapp demo --years N` + generate(years, 124 tracks), built on first use; a
    copied demo without the generator's rows (no bench-teacher0) gets them now."""
    folder = Path(folder or Path.home() / ".cache/xgapp-bench" / ("%s-%s" % (default, digest())))
    if (folder / "xgapp.sqlite3").exists():
        data, db_path = folder, folder / "xgapp.sqlite3"
    else:
        data, db_path = campus(folder, "xgapp-pages-", lambda p: generate(p, years, 124), years=years)
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        done = conn.execute("SELECT 1 FROM user WHERE username = 'bench-teacher0'").fetchone()
    if not done:
        note("adding %d years of generated timetable to %s" % (years, data))
        generate(db_path, years, 124)
    return data


def counts(db_path):
    tables = ("student", "contract", "payment", "school_class", "lesson", "enrolment", "attendance", "hour_entry",
              "follow_up", "study_visit", "audit_log")
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        rows = {t: conn.execute("SELECT COUNT(*) FROM %s" % t).fetchone()[0] for t in tables}
    rows["MB"] = round(db_path.stat().st_size / 1e6)
    return rows


def role_users(wanted):
    """role -> its demo user (xgapp/demo/common.py STAFF: the prefix, with 1 when the role has several)."""
    from xgapp.demo.common import STAFF
    from xgapp.policy import ROLES

    users = {}
    for role in ROLES:
        prefix, _, count = next((s for s in STAFF if s[0] == role), None) or next(s for s in STAFF if role in s[1])
        users[role] = prefix if count == 1 else prefix + "1"
    return {r: u for r, u in users.items() if not wanted or r in wanted}


def pattern(url):
    return re.sub(r"\d+", "{id}", url)


def crawl(port, cookies, cap):
    """Same-site pages reachable from / (BFS): ≤ 2 URLs per path pattern and ≤ 2 query variants; → (pages, other)."""
    client, queue, seen, per_key, pages, other = Client(port, cookies), deque(["/"]), {"/"}, Counter(), [], []

    def admit(url):
        url = html.unescape(url).split("#")[0]
        if not url.startswith("/") or url.startswith("//") or SKIP.search(url) or url in seen:
            return
        path, _, query = url.partition("?")
        key = (pattern(path), bool(query))
        if per_key[key] < 2:
            per_key[key] += 1
            seen.add(url)
            queue.append(url)

    while queue and len(pages) < cap:
        url = queue.popleft()
        status, body = client.request("GET", url)
        if status in REDIRECTS:
            target = urllib.parse.urlsplit(client.response.getheader("Location", ""))
            if target.netloc in ("", "127.0.0.1:%d" % port):
                admit(target.path + ("?" + target.query if target.query else ""))
            continue
        if status != 200 or "html" not in (client.response.getheader("Content-Type") or ""):
            other.append((url, status))
            continue
        pages.append(url)
        for link in re.findall(rb'href="(/[^"]*)"', body):
            admit(link.decode("utf-8", "replace"))
    return pages, other


@contextlib.contextmanager
def measure(data, users, args):
    """Serve a campus copy, crawl and time every role's pages; yields (port, the principal's cookies,
    {role: [(url, median, p95)]}, [(role, url, status)] of links not timed) while still serving."""
    results, problems = {}, []
    with serving(data) as (port, principal):
        time.sleep(args.settle)  # the server's own first scheduler round (nothing due: see PRIME)
        for role, user in users.items():
            cookies = principal if user == "principal" else login(port, user)
            pages, other = crawl(port, cookies, args.cap)
            problems += [(role, url, status) for url, status in other]
            rows = []
            for url in pages:
                try:
                    rows.append((url, *latency(port, url, cookies, args.requests, DRAW)))
                except AssertionError as exc:
                    problems.append((role, url, str(exc)))
            results[role] = rows
            note("%s (%s): %d pages, %d others" % (role, user, len(pages), len(other)))
        yield port, principal, results, problems


def wrk(port, path, cookies, seconds, headers=None):
    cmd = ["wrk", "-t2", "-c8", "-d%ds" % max(1, round(seconds)), "http://127.0.0.1:%d%s" % (port, path)]
    if cookies:
        cmd[1:1] = ["-H", "Cookie: " + "; ".join("%s=%s" % kv for kv in cookies.items())]
    for name, value in (headers or {}).items():
        cmd[1:1] = ["-H", "%s: %s" % (name, value)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), int(bad.group(1)) if bad else 0


def throughput(port, hello, targets, args):
    """Floor, page, floor, page … for --rounds rounds → {label: [(req/s, ratio to the round's mean floor, bad)]}."""
    found, floors = {label: [] for label, _, _, _ in targets}, []
    for _ in range(args.rounds):
        floor, runs = [], []
        for label, path, cookies, headers in targets:
            floor.append(wrk(hello, "/hello", None, args.seconds)[0])
            runs.append((label, *wrk(port, path, cookies, args.seconds, headers)))
        mean = statistics.mean(floor)
        floors.append(mean)
        for label, rps, bad in runs:
            found[label].append((rps, rps / mean, bad))
    return found, floors


def flag(value, limit, fmt="%.1f", above=True):
    bad = value > limit if above else value < limit
    return (fmt % value) + (" ⚠" if bad else "")


def machine():
    def sh(*cmd):
        return subprocess.run(cmd, capture_output=True, text=True, cwd=REPO).stdout.strip()

    return ("%s CPUs (`nproc`), Linux %s, Python %s, SQLite %s, xgapp %s, %s" % (
        sh("nproc"), platform.release(), platform.python_version(), sqlite3.sqlite_version,
        sh("git", "rev-parse", "--short", "HEAD"), datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")))


def report(args, info):
    out = ["# Benchmarks: every page of every role on a 5-year campus", "",
           "How to run (about 20 minutes; needs `wrk`; not part of the default test run):", "",
           "    .venv/bin/python -m tests.bench.pages --requests 20 --seconds 4 [--out tests/bench/RESULTS.md]", "",
           "## Method", "",
           "- Campuses: `xgapp demo --years N` plus the timetable generator of `tests/bench/timetable.py` (124 weekly "
           "tracks of 16-lesson classes with roll calls and ledger rows) for 5 years and for 1 year, cached outside "
           "the repository, without planner statistics (xgapp never runs ANALYZE, so neither does the generator); "
           "each run serves a fresh copy (`xgapp serve --threads 4` migrates it on start).",
           "- Start-up jobs: the server runs them in its low-priority worker (`xgapp jobs`) a few seconds after it "
           "answers; to time pages apart from them, the worker's first round (`scheduler.run_jobs` + `run_export`: "
           "today's daily and monthly backups, the follow-up tasks, the first nightly bundle of every record) runs "
           "once on the copy before serving (timed below); the worker's own first round then finds nothing due, and "
           "measuring starts %.0f s after the server answers (1.5 × that no-op round + 2 s). Its next rounds "
           "(export tick every 60 s, daily jobs every 30 min) are no-ops; the nightly bundle is due at 22:30 campus "
           "time." % args.settle,
           "- Pages: each role's demo user logs in through the login form; a crawl from `/` follows same-site "
           "`href=\"/…\"` links (not logout, PDFs, .xlsx, /static, file downloads and exports, print, restore), at "
           "most 2 URLs per path pattern (digit runs → {id}) and 2 query-string variants, %d pages a role. Each "
           "page: %d sequential GETs on one keep-alive connection, each with `Cache-Control: no-cache` so that it "
           "is drawn from the database, not sent from the page cache → median and p95. The 1-year column is the same "
           "role's median on the 1-year campus for the same URL pattern; ratio = 5-year / 1-year."
           % (args.cap, args.requests),
           "- Throughput: `wrk -t2 -c8 -d%ds` with the session cookie, interleaved with the Flask hello-world "
           "floor (`tests/bench/hello.py`, waitress, 4 threads): floor, page, floor, page …, %d rounds; ratio = "
           "page req/s ÷ the mean floor of its round. wrk and the server share the machine's cores."
           % (round(args.seconds), args.rounds),
           "- Targets (⚠ = missed): median ≤ %(median)d ms, p95 ≤ %(p95)d ms, no p95 > %(p95_max)d ms, growth "
           "≤ %(growth).1f×, throughput ≥ %(floor).2f × floor, day bundle ≤ %(day)d s, full export ≤ %(full)d s, "
           "PDF ≤ %(pdf).1f × bare WeasyPrint." % TARGET, "",
           "Hello-world floor: median %.1f ms, p95 %.1f ms." % info["floor"], "",
           "Machine: " + info["machine"] + "; run took %.1f min." % ((time.monotonic() - STARTED) / 60), "",
           "| campus | " + " | ".join(info["counts"]["5-year"]) + " |",
           "|---|" + "---:|" * len(info["counts"]["5-year"])]
    out += ["| %s | %s |" % (name, " | ".join("{:,}".format(v) for v in c.values())) for name, c in info["counts"].items()]
    out += ["", "Start-up round before serving (5-year copy): %s." % "; ".join(
        "%s %.1f s jobs + %.1f s export" % (k, v["jobs"], v["export"]) for k, v in info["prime"].items()), ""]
    small = {}
    for role, rows in info["small"].items():
        groups = {}
        for url, median, _ in rows:
            groups.setdefault(pattern(url), []).append(median)
        small[role] = {k: statistics.median(v) for k, v in groups.items()}
    over = []
    for role, rows in info["big"].items():
        out += ["## %s (`%s`): %d pages" % (role, info["users"][role], len(rows)), "",
                "| page | median ms | p95 ms | 1-year median ms | ratio |", "|---|---:|---:|---:|---:|"]
        for url, median, p95 in sorted(rows, key=lambda r: -r[1]):
            base = small.get(role, {}).get(pattern(url))
            ratio = median / base if base else None
            over += [url] if p95 > TARGET["p95_max"] else []
            out.append("| %s | %s | %s | %s | %s |" % (
                url, flag(median, TARGET["median"]), flag(p95, TARGET["p95"]) + (" (> 250)" if p95 > 250 else ""),
                "%.1f" % base if base else "–", flag(ratio, TARGET["growth"], "%.2f") if ratio else "–"))
        out.append("")
    if info["problems"]:
        out += ["Links that did not answer 200 with HTML (not timed): " + ", ".join(
            "%s %s → %s" % p for p in info["problems"]), ""]
    out += ["## Throughput (5-year campus)", "",
            "*kept*: the same page asked again and again with nothing written in between, as a page cache serves it "
            "(xgapp/pagecache.py: sent again while the database's generation, the minute and the session are the "
            "same); *drawn*: every request sent with `Cache-Control: no-cache` (a hard reload), so each one is "
            "rendered from the database.", "",
            "| page | as | how | " + " | ".join("round %d req/s (× floor)" % (i + 1) for i in range(args.rounds))
            + " | median × floor |", "|---|---|---|" + "---:|" * (args.rounds + 1),
            "| hello-world floor | – | – | " + " | ".join("%.0f" % f for f in info["floors"]) + " | 1 |"]
    for (label, who, how), runs in info["wrk"].items():
        bad = sum(b for _, _, b in runs)
        out.append("| %s | %s | %s | %s | %s |" % (label, who, how, " | ".join("%.0f (%.3f)" % (r, x) for r, x, _ in runs),
                                             flag(statistics.median(x for _, x, _ in runs), TARGET["floor"], "%.3f",
                                                  above=False) + (" (%d non-2xx/3xx)" % bad if bad else "")))
    e, p = info["export"], info["pdf"]
    out += ["", "## Export and PDF (5-year campus)", "",
            "| what | figure |", "|---|---:|",
            "| first nightly bundle (every record), in the start-up round | %.1f s |" % info["prime"]["first"]["export"],
            "| a busy day's bundle (%s replayed: %d change-log rows → %d rows, with its 日报 PDFs), median of %d | %s |"
            % (e["day"], e["seeded"], e["day_rows"], len(e["runs"]), flag(e["day_s"], TARGET["day"], "%.2f s")),
            "| full-history export (%s – today, %s rows, %.1f MB) | %s |"
            % (e["first"], "{:,}".format(e["full_rows"]), e["full_mb"], flag(e["full_s"], TARGET["full"], "%.1f s")),
            "| 学管师日报 PDF `/print/daily-report/%s.pdf` over HTTP, median of %d | %.0f ms (p95 %.0f) |"
            % (p["ref"], args.requests, p["route_ms"], p["route_p95"]),
            "| the same form in-process (render.filled + write) | %.0f ms |" % p["app_ms"],
            "| bare WeasyPrint on the same HTML (`HTML(string).write_pdf`) | %.0f ms |" % p["bare_ms"],
            "| ratio route ÷ bare (in-process ÷ bare) | %s (%.2f) |"
            % (flag(p["route_ms"] / p["bare_ms"], TARGET["pdf"], "%.2f"), p["app_ms"] / p["bare_ms"]), ""]
    if over:
        out += ["Pages with a p95 over %d ms: %s." % (TARGET["p95_max"], ", ".join(over)), ""]
    return "\n".join(out)


def working_copy(data, work, name):
    target = Path(work) / name
    shutil.copytree(data, target, ignore=shutil.ignore_patterns("backups", "exports", "logs"))
    note("copied %s → %s; start-up round …" % (data, target))
    return target, run_json(PRIME, target)


def main():
    from xgapp.policy import ROLES

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", help="5-year campus folder (built on first use)")
    parser.add_argument("--small-data", help="1-year campus folder (built on first use)")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cap", type=int, default=60, help="pages per role")
    parser.add_argument("--roles", nargs="+", choices=list(ROLES))
    parser.add_argument("--out", help="write the Markdown report here (default: stdout)")
    parser.add_argument("--keep", action="store_true", help="keep the working copies")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: apt-get install -y wrk")
    users = role_users(args.roles)
    big, small = built(args.data, 5, "big5"), built(args.small_data, 1, "small1")
    work = tempfile.mkdtemp(prefix="xgapp-pages-")
    info = {"machine": machine(), "users": users, "counts": {}}
    try:
        data, prime = working_copy(small, work, "small")
        args.settle = 1.5 * sum(prime["again"].values()) + 2
        info["counts"]["1-year"] = counts(data / "xgapp.sqlite3")
        with measure(data, users, args) as (_, _, info["small"], _):
            pass
        data, info["prime"] = working_copy(big, work, "big")
        args.settle = 1.5 * sum(info["prime"]["again"].values()) + 2
        info["counts"] = {"5-year": counts(data / "xgapp.sqlite3"), **info["counts"]}
        tt, _ = sample(data / "xgapp.sqlite3")
        student = next(p for p, _ in tt if p.startswith("/students/"))
        roll = next(p for p, _ in tt if p.startswith("/attendance/lesson/"))
        hello_port = free_port()
        floor = hello_floor(hello_port)
        try:
            wait_for(hello_port, "/hello")
            with measure(data, users, args) as (port, principal, info["big"], info["problems"]):
                info["floor"] = latency(hello_port, "/hello", None, args.requests)
                targets = [(("/", role, "kept"), "/", principal if user == "principal" else login(port, user), None)
                           for role, user in users.items()]
                for path in ("/", student, roll, "/timetable/"):
                    targets += [((path, "principal", "kept"), path, principal, None)] if path != "/" else []
                    targets += [((path, "principal", "drawn"), path, principal, DRAW)]
                note("throughput: %d pages × %d rounds" % (len(targets), args.rounds))
                found, info["floors"] = throughput(port, hello_port, targets, args)
                info["wrk"] = found
                note("PDF …")
                info["pdf"] = run_json(PDF, data, args.requests)
                info["pdf"]["route_ms"], info["pdf"]["route_p95"] = latency(
                    port, "/print/daily-report/%s.pdf" % info["pdf"]["ref"], principal, args.requests)
        finally:
            floor.terminate()
            floor.wait(timeout=10)
        note("export …")
        info["export"] = run_json(EXPORT, data, 3)
        text = report(args, info)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
        note("written to %s" % args.out)
    else:
        print(text)


if __name__ == "__main__":
    main()
