"""The one-file executable, smoke-tested as a campus PC would run it: no Python on PATH, a fresh folder.

The executable is built by build/build.sh when dist/xgapp is missing or older than the sources (about a minute).
"""

import http.cookiejar
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from xgapp import db, migrate

ROOT = Path(__file__).resolve().parent.parent
EXE = ROOT / "dist" / ("xgapp.exe" if sys.platform.startswith("win") else "xgapp")

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux build is tested here")


def _sources():
    for folder in ("xgapp", "templates", "static"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                yield path
    yield ROOT / "build" / "xgapp.spec"
    yield ROOT / "build" / "entry.py"
    yield ROOT / "pyproject.toml"


@pytest.fixture(scope="session")
def executable():
    """dist/xgapp, rebuilt when any source is newer."""
    newest = max(p.stat().st_mtime for p in _sources())
    if not EXE.exists() or EXE.stat().st_mtime < newest:
        subprocess.run(["bash", str(ROOT / "build" / "build.sh")], check=True, timeout=1200,
                       stdout=subprocess.DEVNULL)
    return EXE


def _env(home):
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Running:
    """The executable serving a data folder, started from a fresh folder with a bare environment."""

    def __init__(self, exe, folder, data):
        self.port = _free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        started = time.monotonic()
        self.proc = subprocess.Popen([str(exe), "serve", "--data", str(data), "--port", str(self.port),
                                      "--host", "127.0.0.1", "--no-browser"], cwd=folder, env=_env(folder),
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        while time.monotonic() - started < 60:
            assert self.proc.poll() is None, self.proc.stdout.read()
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        self.start_seconds = time.monotonic() - started
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path):
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read()

    def post(self, path, data):
        page = self.get(path).decode("utf-8")
        token = re.search(r'name="csrf_token"[^>]*? value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode(dict(data, csrf_token=token)).encode()
        with self.opener.open(self.base + path, body, timeout=30) as response:
            return response.geturl()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.communicate(timeout=20)[0]
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.communicate()[0]


def test_executable_serves_sets_up_prints_chinese_pdf_and_keeps_data(executable, tmp_path):
    folder = tmp_path / "fresh"
    folder.mkdir()
    data = folder / "campus-data"
    server = Running(executable, folder, data)
    try:
        landed = server.post("/setup", {"campus_name": "阳光教育 海淀校区", "campus_code": "BJ-HD01",
                                        "display_name": "王校长", "username": "boss",
                                        "password": "campus-pass-1", "confirm": "campus-pass-1"})
        assert landed.endswith("/accounts/")
        pdf = server.get("/connect/sheet.pdf")
        assert pdf[:5] == b"%PDF-"
        (tmp_path / "sheet.pdf").write_bytes(pdf)
        text = subprocess.run(["pdftotext", str(tmp_path / "sheet.pdf"), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "平板连接说明" in text and "阳光教育 海淀校区" in text
        fonts = subprocess.run(["pdffonts", str(tmp_path / "sheet.pdf")], capture_output=True, text=True).stdout
        assert "XG-Sans-SC" in fonts
        preview = server.get("/print/briefing/blank").decode("utf-8")  # pages drawn by the bundled pdfium
        assert "课前说明会记录单" in preview and preview.count("data:image/png;base64,") == 2  # its two pages
        # WeasyPrint's native libraries come from the bundle, not from the host
        children = subprocess.run(["pgrep", "-P", str(server.proc.pid)], capture_output=True, text=True).stdout
        maps = "".join(Path("/proc/%s/maps" % pid).read_text() for pid in children.split())
        pango = {line.split()[-1] for line in maps.splitlines() if "libpango-1.0" in line}
        assert pango and all("/_MEI" in path for path in pango), pango
        # the background jobs run in a low-priority worker process of their own, a few seconds after start
        below = subprocess.run(["pgrep", "-P", ",".join(children.split())], capture_output=True, text=True).stdout
        workers = [pid for pid in below.split() if b"\0jobs\0" in Path("/proc/%s/cmdline" % pid).read_bytes()]
        assert workers, below
        deadline = time.monotonic() + 90
        while not list((data / "backups").glob("xgapp-daily-*.sqlite3")) and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        server.stop()
    assert (data / "logs" / "xgapp.log").exists() and (data / "logs" / "jobs.log").exists()
    assert list((data / "backups").glob("xgapp-daily-*.sqlite3"))  # the worker's first backup

    again = Running(executable, folder, data)
    try:
        assert again.post("/login", {"username": "boss", "password": "campus-pass-1"}).endswith("/")
        assert "阳光教育 海淀校区" in again.get("/").decode("utf-8")
    finally:
        again.stop()


def test_executable_refuses_a_database_from_a_newer_version(executable, tmp_path):
    data = tmp_path / "data"
    subprocess.run([str(executable), "demo", "--data", str(data), "--password", "demo-pass-1"], env=_env(tmp_path),
                   check=True, capture_output=True)
    with sqlite3.connect(data / "xgapp.sqlite3") as conn:
        conn.execute("INSERT INTO schema_migrations VALUES (999, 'm0999_future', NULL, '2031-01-01')")
    result = subprocess.run([str(executable), "serve", "--data", str(data), "--port", str(_free_port())],
                            env=_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "比本程序支持的版本" in result.stderr and "newer xgapp" in result.stderr


def test_executable_upgrades_an_older_database_leaving_a_backup(executable, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    old = db.open_database("sqlite:///" + (data / "xgapp.sqlite3").as_posix())
    old.connect()
    migrate.upgrade(old, target=migrate.code_version() - 1)
    old.execute_sql("INSERT INTO campus (name, code, created_at) VALUES ('旧版校区', 'OLD-1', '2025-01-01T00:00:00.000000+00:00')")
    old.close()
    result = subprocess.run([str(executable), "check", "--data", str(data)], env=_env(tmp_path),
                            capture_output=True, text=True, timeout=60)
    assert "integrity: ok" in result.stdout
    assert "schema: %d" % migrate.code_version() in result.stdout
    assert len(list((data / "backups").glob("xgapp-pre-migrate-v%d-*" % (migrate.code_version() - 1)))) == 1
    with sqlite3.connect(data / "xgapp.sqlite3") as conn:
        assert conn.execute("SELECT name FROM campus").fetchone()[0] == "旧版校区"
