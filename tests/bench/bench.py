"""Page benchmarks over a generated demo campus, next to a Flask hello-world floor measured in the same run.

    .venv/bin/python -m tests.bench.bench [--years 3] [--requests 200] [--seconds 10] [--concurrency 8]

Starts `xgapp demo` + `xgapp serve` (4 threads) and the hello-world app in subprocesses on loopback, logs in as
the principal, then for each page: --requests sequential requests (median, p95) and a saturation run of
--concurrency keep-alive clients for --seconds (req/s). Not part of the default test run.
"""

import argparse
import contextlib
import http.client
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

PASSWORD = "bench-pass-1"
# (page, logged in as the principal?); {student} is a student with several contracts, {tail} a phone tail
PAGES = [("/healthz", False), ("/login", False), ("/", True), ("/accounts/", True), ("/audit/", True),
         ("/audit/?action=login", True), ("/campus/", True),
         ("/students/search?q=z", True), ("/students/search?q=zxm", True), ("/students/search?q=zhang", True),
         ("/students/search?q={tail}", True), ("/students/", True), ("/students/?q=w", True),
         ("/students/{student}", True), ("/hours/{student}", True), ("/contracts/revenue", True)]


def sample(data):
    """A busy student (most ledger rows) and a guardian phone tail, for the student pages."""
    import sqlite3

    with sqlite3.connect(data / "xgapp.sqlite3") as conn:
        student = conn.execute("SELECT student_id FROM hour_entry GROUP BY student_id ORDER BY COUNT(*) DESC "
                               "LIMIT 1").fetchone()[0]
        tail = conn.execute("SELECT substr(mobile, -4) FROM guardian ORDER BY id LIMIT 1").fetchone()[0]
        counts = {t: conn.execute("SELECT COUNT(*) FROM %s" % t).fetchone()[0]
                  for t in ("student", "contract", "payment", "hour_entry", "audit_log")}
    return {"student": student, "tail": tail}, counts


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port, path):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server on %d did not start" % port)


class Client:
    """One keep-alive connection carrying the session cookie."""

    def __init__(self, port, cookies=None):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies = dict(cookies or {})

    def request(self, method, path, body=None, extra=None):
        headers = {"Cookie": "; ".join("%s=%s" % kv for kv in self.cookies.items())} if self.cookies else {}
        headers.update(extra or {})
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        self.response = response  # the last response, for its headers (Location, Content-Type)
        for cookie in response.msg.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name] = value
        return response.status, data


def login(port, username="principal"):
    client = Client(port)
    _, page = client.request("GET", "/login")
    token = re.search(rb'name="csrf_token"[^>]*? value="([^"]+)"', page).group(1).decode()
    body = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrf_token": token})
    status, _ = client.request("POST", "/login", body)
    assert status == 303, status
    client.request("GET", "/")  # as a browser would: the session cookie now holds its CSRF token (tools like wrk
    return client.cookies       # send one cookie to the end, and a session without one gets a new one each request)


def campus(folder, prefix, generate=None, years=5):
    """A benchmark campus, built once per folder: `xgapp demo --years N`, then the benchmark's own bulk history.

    Returns (data folder, database file). `generate(db_path)` returns row counts, printed with its time.
    """
    data = Path(folder or tempfile.mkdtemp(prefix=prefix)) / "data"
    db_path = data / "xgapp.sqlite3"
    if not db_path.exists():
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "xgapp", "demo", "--data", str(data), "--password", PASSWORD,
                        "--years", str(years)], check=True, stdout=subprocess.DEVNULL)
        print("demo campus (%d years) built in %.1f s" % (years, time.perf_counter() - started))
        if generate is not None:
            started = time.perf_counter()
            counts = generate(db_path)
            print("generated %s in %.1f s" % (counts, time.perf_counter() - started))
    return data, db_path


@contextlib.contextmanager
def serving(data):
    """`xgapp serve --threads 4` on loopback for the block; yields (port, the principal's session cookie)."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "xgapp", "serve", "--data", str(data), "--host", "127.0.0.1",
                             "--port", str(port), "--threads", "4"], stdout=subprocess.DEVNULL)
    try:
        wait_for(port, "/healthz")
        yield port, login(port)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def hello_floor(port, threads=4):
    """The hello-world floor (tests/bench/hello.py) on `port`, started as a module from the repository root: as a
    script, its folder would come first on sys.path, where tests/bench/numbers.py shadows the standard library's
    numbers (decimal imports it) and the floor would never start."""
    return subprocess.Popen([sys.executable, "-m", "tests.bench.hello", str(port), str(threads)],
                            cwd=Path(__file__).resolve().parents[2])


def latency(port, path, cookie, n, headers=None):
    client = Client(port, cookie)
    times = []
    for _ in range(n):
        start = time.perf_counter()
        status, _ = client.request("GET", path, extra=headers)
        times.append((time.perf_counter() - start) * 1000)
        assert status == 200, (path, status)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def saturate(port, path, cookie, concurrency, seconds):
    counts = [0] * concurrency
    stop = time.monotonic() + seconds

    def worker(i):
        client = Client(port, cookie)
        while time.monotonic() < stop:
            client.request("GET", path)
            counts[i] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--data", help="reuse this demo data folder instead of a temporary one")
    args = parser.parse_args()

    data = Path(args.data or tempfile.mkdtemp(prefix="xgapp-bench-")) / "data"
    if not (data / "xgapp.sqlite3").exists():
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "xgapp", "demo", "--data", str(data), "--password", PASSWORD,
                        "--years", str(args.years)], check=True, stdout=subprocess.DEVNULL)
        print("demo campus (%d years) built in %.1f s" % (args.years, time.perf_counter() - started))
    size = (data / "xgapp.sqlite3").stat().st_size / 1e6
    fill, counts = sample(data)
    port, hello_port = free_port(), free_port()
    procs = [
        subprocess.Popen([sys.executable, "-m", "xgapp", "serve", "--data", str(data), "--host", "127.0.0.1",
                          "--port", str(port), "--threads", "4"], stdout=subprocess.DEVNULL),
        hello_floor(hello_port),
    ]
    try:
        wait_for(port, "/healthz")
        wait_for(hello_port, "/hello")
        cookie = login(port)
        print("database %.1f MB (%s); %d sequential requests per page; %d clients for %.0f s saturated"
              % (size, ", ".join("%s %d" % kv for kv in counts.items()), args.requests, args.concurrency,
                 args.seconds))
        print("| page | median ms | p95 ms | req/s saturated |")
        print("|---|---:|---:|---:|")
        rows = [("hello-world floor (/hello)", hello_port, "/hello", None)]
        rows += [(path.format(**fill), port, path.format(**fill), cookie if logged_in else None)
                 for path, logged_in in PAGES]
        for label, p, path, c in rows:
            median, p95 = latency(p, path, c, args.requests)
            rps = saturate(p, path, c, args.concurrency, args.seconds)
            print("| %s | %.1f | %.1f | %.0f |" % (label, median, p95, rps))
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
