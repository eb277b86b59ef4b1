"""The xgapp command: demo, create-user, backup, restore, check, serve."""

import http.cookiejar
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

import pytest
from click.testing import CliRunner

from xgapp import db, migrate
from xgapp.cli import main


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """One demo campus built once per test run; tests that only need a campus start from a copy of it."""
    data = tmp_path_factory.mktemp("demo-template") / "data"
    result = CliRunner().invoke(main, ["demo", "--data", str(data), "--password", "demo-pass-1"],
                                catch_exceptions=False)
    db.database.close()
    assert result.exit_code == 0, result.output
    return data


@pytest.fixture
def run(tmp_path, demo_template):
    """Invoke `xgapp ...` in-process on a data folder under tmp_path; `run.demo()` puts a demo campus there."""
    import shutil

    data = tmp_path / "data"

    def _run(*args, input=None):
        result = CliRunner().invoke(main, [args[0], "--data", str(data), *args[1:]], input=input,
                                    catch_exceptions=False)
        db.database.close()
        return result

    def _demo():
        shutil.copytree(demo_template, data)

    _run.data = data
    _run.demo = _demo
    return _run


def _count(data, sql):
    with sqlite3.connect(data / "xgapp.sqlite3") as conn:
        return conn.execute(sql).fetchone()[0]


def test_demo_builds_a_campus_with_every_role_and_prints_the_accounts(run, demo_template):
    result = run("demo", "--password", "demo-pass-1")
    assert result.exit_code == 0, result.output
    assert "demo-pass-1" in result.output
    for username in ("principal", "supervisor", "advisor1", "director", "teacher1", "frontdesk", "finance"):
        assert re.search(r"^%s\s" % username, result.output, re.M), username
    roles = _count(run.data, "SELECT COUNT(DISTINCT role) FROM user_role")
    assert roles == 7
    again = run("demo", "--password", "demo-pass-1")
    assert again.exit_code != 0 and "already holds a campus" in again.output
    # Same seed, same campus: this build and the session's template (built the same way) hold the same people.
    people = []
    for data in (run.data, demo_template):
        with sqlite3.connect(data / "xgapp.sqlite3") as conn:
            people.append((conn.execute("SELECT username, display_name FROM user ORDER BY id").fetchall(),
                           conn.execute("SELECT name, school, advisor_id FROM student ORDER BY id").fetchall(),
                           conn.execute("SELECT name FROM school_class ORDER BY id").fetchall()))
    assert people[0] == people[1] and len(people[0][0]) == 15 and len(people[0][1]) == 300


def test_demo_without_password_generates_one(run):
    result = run("demo")
    password = re.search(r"Password of every account: (\S+)", result.output).group(1)
    assert len(password) >= 12


def test_create_user_from_the_command_line(run):
    run.demo()  # a copy of the demo campus built once
    result = run("create-user", "--username", "deputy", "--name", "副校长", "--role", "principal",
                 "--password", "deputy-pass-1")
    assert result.exit_code == 0, result.output
    assert _count(run.data, "SELECT COUNT(*) FROM user_role JOIN user ON user.id = user_role.user_id "
                            "WHERE username = 'deputy' AND role = 'principal'") == 1
    bad = run("create-user", "--username", "x y", "--name", "错", "--role", "advisor", "--password", "deputy-pass-1")
    assert bad.exit_code != 0 and "username" in bad.output


def test_backup_then_restore_brings_back_exactly_the_backed_up_data(run, tmp_path):
    run.demo()  # a copy of the demo campus built once
    out = tmp_path / "copy.sqlite3"
    assert run("backup", "--out", str(out)).exit_code == 0
    run("create-user", "--username", "later", "--name", "后来者", "--role", "advisor", "--password", "later-pass-1")
    assert _count(run.data, "SELECT COUNT(*) FROM user") == 16
    result = run("restore", str(out), "--yes")
    assert result.exit_code == 0, result.output
    assert _count(run.data, "SELECT COUNT(*) FROM user") == 15
    saved = list((run.data / "backups").glob("xgapp-pre-restore-*.sqlite3"))
    assert len(saved) == 1
    with sqlite3.connect(saved[0]) as conn:
        assert conn.execute("SELECT COUNT(*) FROM user").fetchone()[0] == 16


@pytest.mark.parametrize("content", [b"not a database at all", b"SQLite format 3\x00" + b"\x00" * 200, "foreign"])
def test_restore_refuses_corrupt_or_foreign_files_and_keeps_the_data(run, tmp_path, content):
    run.demo()  # a copy of the demo campus built once
    bad = tmp_path / "bad.sqlite3"
    if content == "foreign":
        with sqlite3.connect(bad) as conn:
            conn.execute("CREATE TABLE notes (body TEXT)")
    else:
        bad.write_bytes(content)
    result = run("restore", str(bad), "--yes")
    assert result.exit_code != 0 and "refused" in result.output
    assert _count(run.data, "SELECT COUNT(*) FROM user") == 15
    assert list((run.data / "backups").glob("xgapp-pre-restore-*")) == []


def test_check_reports_integrity_schema_and_settings(run):
    run.demo()  # a copy of the demo campus built once
    result = run("check")
    assert result.exit_code == 0, result.output
    assert "integrity: ok" in result.output and "schema: %d (this xgapp: %d)" % ((migrate.code_version(),) * 2) in result.output
    assert "setting port = 8080 (default)" in result.output


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(port, proc, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read()
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("server did not answer /healthz")


def _serve(data, port):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-m", "xgapp", "serve", "--data", str(data), "--port", str(port),
                             "--host", "127.0.0.1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env)


def test_serve_prints_addresses_and_refuses_a_taken_port(run):
    run.demo()  # a copy of the demo campus built once
    port = _free_port()
    proc = _serve(run.data, port)
    try:
        _wait_healthy(port, proc)
        second = _serve(run.data, port)
        out, _ = second.communicate(timeout=30)
        assert second.returncode == 0 and "already running" in out  # a second start opens the first
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert "http://127.0.0.1:%d/" % port in out


def _read(path, mode="r"):
    with open(path, mode) as handle:
        return handle.read()


def _workers(parent):
    """Pids of `xgapp jobs` processes whose parent is `parent`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = _read("/proc/%s/stat" % entry).rsplit(")", 1)[1].split()
                cmdline = _read("/proc/%s/cmdline" % entry, "rb").split(b"\0")
            except OSError:
                continue
            if int(stat[1]) == parent and b"jobs" in cmdline:
                found.append(int(entry))
    return found


def _alive(pid):
    try:
        return _read("/proc/%d/stat" % pid).rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_the_background_jobs_run_in_a_low_priority_worker_that_ends_with_the_server(run):
    run.demo()
    port = _free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1", XGAPP_JOBS_DELAY_SECONDS="1")
    proc = subprocess.Popen([sys.executable, "-m", "xgapp", "serve", "--data", str(run.data), "--port", str(port),
                             "--host", "127.0.0.1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env)
    try:
        _wait_healthy(port, proc)  # answered before any job ran
        workers = _workers(proc.pid)
        assert len(workers) == 1
        server_nice = os.getpriority(os.PRIO_PROCESS, proc.pid)
        deadline = time.monotonic() + 30  # the worker lowers itself as its first step
        while os.getpriority(os.PRIO_PROCESS, workers[0]) != server_nice + 10 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert os.getpriority(os.PRIO_PROCESS, workers[0]) == server_nice + 10
        deadline = time.monotonic() + 60
        while not list((run.data / "backups").glob("xgapp-daily-*.sqlite3")) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert list((run.data / "backups").glob("xgapp-daily-*.sqlite3"))  # the worker's first backup
        os.kill(proc.pid, signal.SIGKILL)  # even a killed server leaves no worker behind
        proc.communicate(timeout=10)
        deadline = time.monotonic() + 30
        while _alive(workers[0]) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(workers[0])
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)
    assert "automatic backup written" in (run.data / "logs" / "jobs.log").read_text(encoding="utf-8")


def test_serve_refuses_a_port_taken_by_another_program(run):
    run.demo()  # a copy of the demo campus built once
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        result = run("serve", "--host", "127.0.0.1", "--port", str(port))
    assert result.exit_code != 0 and "已被其他程序占用" in result.output


class _Browser:
    """A tiny cookie-keeping HTTP client that logs in like a user (CSRF token from the page)."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path):
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.read().decode("utf-8")

    def post(self, path, data, page):
        token = re.search(r'name="csrf_token"[^>]*? value="([^"]+)"', self.get(page)).group(1)
        body = urllib.parse.urlencode(dict(data, csrf_token=token), doseq=True).encode()
        try:
            with self.opener.open(self.base + path, body, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code


def test_killing_the_server_during_writes_leaves_an_intact_database(run):
    run.demo()  # a copy of the demo campus built once
    port = _free_port()
    proc = _serve(run.data, port)
    stop = threading.Event()
    statuses = []
    try:
        _wait_healthy(port, proc)

        def writer(n):
            browser = _Browser("http://127.0.0.1:%d" % port)
            try:
                browser.post("/login", {"username": "principal", "password": "demo-pass-1"}, "/login")
                i = 0
                while not stop.is_set():
                    i += 1
                    statuses.append(browser.post("/accounts/new", {
                        "display_name": "压测%d-%d" % (n, i), "username": "load%d-%d" % (n, i),
                        "password": "load-pass-1", "roles": "advisor"}, "/accounts/new"))
            except OSError:
                pass  # the server was killed under us: expected

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 20
        while statuses.count(200) < 8 and time.monotonic() < deadline:
            time.sleep(0.1)
        os.kill(proc.pid, signal.SIGKILL)
        stop.set()
        for t in threads:
            t.join(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)
    assert statuses.count(200) >= 8  # redirects are followed: 200 is the list page after a save
    result = run("check")
    assert result.exit_code == 0, result.output
    assert "integrity: ok" in result.output
    created = _count(run.data, "SELECT COUNT(*) FROM user WHERE username LIKE 'load%'")
    audited = _count(run.data, "SELECT COUNT(*) FROM audit_log WHERE action = 'create' AND summary LIKE 'load%'")
    assert created >= 8 and created == audited  # each saved account has its audit row: nothing half-saved


def test_a_bad_setting_is_a_clear_message_not_a_traceback(run, monkeypatch):
    run.demo()
    monkeypatch.setenv("XGAPP_PORT", "abc")
    result = run("serve", "--host", "127.0.0.1")
    assert result.exit_code == 1 and "XGAPP_PORT" in result.output and "Traceback" not in result.output
    monkeypatch.delenv("XGAPP_PORT")
    monkeypatch.setenv("XGAPP_TIMEZONE", "Mars/Base")
    result = run("check")
    assert result.exit_code == 1 and "Setting timezone" in result.output and "XGAPP_TIMEZONE" in result.output


def test_check_on_a_folder_without_a_campus_creates_nothing(run, tmp_path):
    typo = tmp_path / "typo"
    result = CliRunner().invoke(main, ["check", "--data", str(typo)])
    assert result.exit_code == 1 and "no data folder" in result.output and not typo.exists()
    typo.mkdir()
    result = CliRunner().invoke(main, ["check", "--data", str(typo)])
    assert result.exit_code == 1 and "no campus" in result.output and list(typo.iterdir()) == []


def test_demo_history_is_stamped_when_it_happened(demo_template):
    """A printed refund form of the demo must not say it was asked for months after it was decided."""
    with sqlite3.connect(demo_template / "xgapp.sqlite3") as conn:
        refunds = conn.execute("SELECT requested_at, decided_at FROM refund WHERE decided_at IS NOT NULL").fetchall()
        later = [r for r in refunds if r[0] > r[1]]
        signed = conn.execute("SELECT COUNT(*) FROM contract c JOIN refund r ON r.contract_id = c.id "
                              "WHERE substr(r.requested_at, 1, 10) < c.signed_on").fetchone()[0]
    assert refunds and not later and signed == 0, later[:3]


def test_the_command_help_reads_chinese_first():
    """`xgapp --help` and every command's --help start in Chinese, the English follows."""
    from xgapp import cli

    listing = CliRunner().invoke(cli.main, ["--help"]).output
    assert "学管师工作台" in listing and "备份数据库" in listing
    for name, command in cli.main.commands.items():
        assert name in cli.CHINESE, name  # a new command gets its Chinese help too
        page = CliRunner().invoke(cli.main, [name, "--help"]).output
        assert cli.CHINESE[name][:8] in page.replace("\n", "").replace("  ", ""), name
        for param in command.params:
            if getattr(param, "help", None):
                assert re.search(r"[\u4e00-\u9fff]", param.help), (name, param.opts)
