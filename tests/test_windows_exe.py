"""xgapp.exe, the campus PC's executable, smoke-tested under Wine on this Linux machine.

The executable is built by `bash build/build.sh windows` when dist/xgapp.exe is missing or older than its sources:
WeasyPrint's natives and the Windows CPython come from the build cache (~/.cache/xgapp-build), PyInstaller runs
under Wine (a few minutes). Wine is not Windows, but it runs the same binary: the same bundled DLLs, fonts and
fontconfig, the same sockets API, the same paths.

What a principal does with it: start it on a fresh folder, set the campus up in the browser, print a filled
briefing record and a self-study log with rare name characters (pages compared pixel by pixel with the Linux
build's pages of the same forms), back up, stop, start again and find the data, start it a second time (it opens
the running one), and start it on a port another program holds (a clear message).
"""

import http.cookiejar
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, time as clock_time, timedelta, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXE = ROOT / "dist" / "xgapp.exe"
CACHE = Path(os.environ.get("XGAPP_BUILD_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
             / "xgapp-build")
NAMES = ("张喆", "李䶮", "王𠮷")  # 喆: outside GB 2312; 䶮, 𠮷: only in the extension font
FOOTER = 0.07  # the bottom margin (18 mm of 297) holds "who printed it when": not compared
TOLERANCE = 4  # differing pixels allowed per page; one wrong glyph is 60 or more at 100 dpi (tested below)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Wine runs on the Linux build host")


def _sources():
    for folder in ("xgapp", "templates", "static", "build/windows"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                yield path
    yield ROOT / "build" / "xgapp.spec"
    yield ROOT / "build" / "entry.py"


@pytest.fixture(scope="session")
def windows_exe():
    """dist/xgapp.exe, rebuilt when any source is newer."""
    newest = max(p.stat().st_mtime for p in _sources())
    if not EXE.exists() or EXE.stat().st_mtime < newest:
        subprocess.run(["bash", str(ROOT / "build" / "build.sh"), "windows"], check=True, timeout=3600)
    return EXE


def _wine_env():
    """A bare environment: the build's Wine prefix, no FONTCONFIG_* or Python variables from the host."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(Path.home()), "LANG": "C.UTF-8", "WINEDEBUG": "-all",
            "WINEPREFIX": str(CACHE / "wine"), "WINEARCH": "win64"}


def winpath(path):
    """The Windows name Wine gives a Linux path (drive Z: is the Linux root)."""
    return "Z:" + str(Path(path).resolve()).replace("/", "\\")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wine(args, timeout=120, extra_env=None):
    """Run xgapp.exe to completion (no console: stdin from /dev/null, output through a pipe)."""
    env = dict(_wine_env(), **(extra_env or {}))
    return subprocess.run(["wine", str(EXE), *args], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          errors="replace", env=env, timeout=timeout)


class WineServer:
    """xgapp.exe serving a data folder under Wine."""

    def __init__(self, exe, data, port=None):
        self.port = port or _free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        started = time.monotonic()
        self.proc = subprocess.Popen(["wine", str(exe), "serve", "--data", winpath(data), "--port", str(self.port),
                                      "--host", "127.0.0.1", "--no-browser"], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=_wine_env(),
                                     start_new_session=True)
        while True:
            assert self.proc.poll() is None, self.proc.stdout.read().decode("utf-8", "replace")
            assert time.monotonic() - started < 180, "xgapp.exe did not answer /healthz in 180 s"
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as response:
                    self.health = json.loads(response.read())
                break
            except OSError:
                time.sleep(0.2)
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path):
        try:
            with self.opener.open(self.base + path, timeout=120) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            raise AssertionError("GET %s: %s %s" % (path, exc.code, exc.read()[:2000])) from None

    def post(self, path, data, form_page=None):
        page = self.get(form_page or path).decode("utf-8")
        token = re.search(r'name="csrf_token"[^>]*? value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode(dict(data, csrf_token=token)).encode()
        with self.opener.open(self.base + path, body, timeout=120) as response:
            return response.geturl(), response.read().decode("utf-8")

    def stop(self):
        """End the server and every Windows process it started (PyInstaller's one-file exe is two)."""
        import signal

        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            return self.proc.communicate(timeout=30)[0].decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            return self.proc.communicate()[0].decode("utf-8", "replace")


def _fill(data):
    """A class with a briefing record and a day of the study room, written by the Linux code into the data
    folder the executable made (same schema): every name printed below comes from here."""
    from tests.conftest import make_user
    from tests.factories import advisor, make_class, make_contract, make_student, teacher
    from xgapp.app import create_app
    from xgapp import db as xdb
    from xgapp.classes import domain as classes
    from xgapp.meetings import briefings
    from xgapp.selfstudy import domain as selfstudy
    from xgapp.timetable import domain as timetable
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Asia/Shanghai")
    app = create_app({"DATA_DIR": str(data)})
    xdb.ensure_connection()
    try:
        with app.app_context():
            adv = advisor("adv1", name="学管甲")
            maths = teacher("t1", name="数学刘老师")
            desk = make_user("desk", roles=("frontdesk",), name="前台小李")
            first = datetime.now(zone).date() + timedelta(days=5)
            klass = make_class(name="初二数学新班", advisor_user=adv, teacher_user=maths, start_on=first,
                               capacity=40, classroom=None)
            timetable.schedule(None, klass, [first.weekday()], clock_time(18), clock_time(20), first, 8)
            kids = []
            for name in NAMES:
                kid = make_student(name=name, advisor_user=adv)
                make_contract(kid, subject="数学", hours="40")
                classes.enrol(None, klass, kid, first)
                kids.append(kid)
            start = datetime.combine(first, clock_time(18), tzinfo=zone)
            briefing = briefings.schedule(adv, klass, start - timedelta(days=2), "101教室")
            came = {row["key"]: "yes" for row in briefings.expected(briefing)}
            briefing = briefings.record(adv, briefing, {"syllabus": "一元二次方程；函数初步", "sessions": "16",
                                                        "goals": "能独立完成期中压轴题", "qa": "问：作业多吗？答：每次课一份"},
                                        came, now=start - timedelta(days=2) + timedelta(hours=2))
            day = datetime.now(zone).date() - timedelta(days=1)

            def at(hhmm):
                hh, mm = map(int, hhmm.split(":"))
                return datetime(day.year, day.month, day.day, hh, mm, tzinfo=zone).astimezone(timezone.utc)

            visit = selfstudy.sign_in(desk, kids[0], now=at("16:05"))
            selfstudy.sign_out(desk, visit, {"kind": "guardian", "guardian": kids[0].guardians.get().id},
                               now=at("19:42"))
            other = selfstudy.sign_in(desk, kids[1], now=at("16:30"))
            selfstudy.sign_out(desk, other, {"kind": "other", "name": "赵叔叔", "relation": "邻居"}, now=at("20:10"))
            third = selfstudy.sign_in(desk, kids[2], now=at("17:15"))
            selfstudy.sign_out(desk, third, {"kind": "guardian", "guardian": kids[2].guardians.get().id},
                               now=at("20:30"))
            return {"briefing": briefing.id, "day": day.isoformat(), "kids": [k.id for k in kids]}
    finally:
        xdb.database.close()


def _linux_pdf(data, path):
    """The same form printed by the Linux build of the same code, on a copy of the data."""
    from tests.conftest import csrf_from
    from xgapp.app import create_app
    from xgapp import db as xdb

    app = create_app({"DATA_DIR": str(data), "TESTING": True})
    xdb.ensure_connection()
    try:
        client = app.test_client()
        token = csrf_from(client.get("/login").get_data(as_text=True))
        client.post("/login", data={"username": "boss", "password": "campus-pass-1", "csrf_token": token})
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        return response.get_data()
    finally:
        xdb.database.close()


def _pages(pdf, folder, name):
    """Each page of a PDF as a greyscale image at 100 dpi (poppler, the same for both builds)."""
    from PIL import Image

    pages = folder / ("pages-" + name)
    pages.mkdir()
    (pages / "form.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "100", "-gray", str(pages / "form.pdf"), str(pages / "page")], check=True)
    return [Image.open(p) for p in sorted(pages.glob("page-*.pgm"))]


def differing_pixels(page, other):
    """Pixels that differ clearly (by more than a quarter of the grey scale) above the footer."""
    from PIL import ImageChops

    assert page.size == other.size
    box = (0, 0, page.width, int(page.height * (1 - FOOTER)))
    diff = ImageChops.difference(page.crop(box), other.crop(box)).point(lambda v: 255 if v > 64 else 0)
    return diff.histogram()[255]


def _text(pdf, folder, name):
    path = folder / (name + ".pdf")
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_windows_exe_sets_up_prints_chinese_forms_like_linux_and_keeps_data(windows_exe, tmp_path):
    size = windows_exe.stat().st_size
    assert size <= 80 * 2**20, "xgapp.exe is %.1f MiB" % (size / 2**20)
    data = tmp_path / "campus-data"
    server = WineServer(windows_exe, data)
    try:
        assert server.health["status"] == "ok" and server.health["database"] == "ok"
        landed, _ = server.post("/setup", {"campus_name": "阳光教育 海淀校区", "campus_code": "BJ-HD01",
                                           "display_name": "王校长", "username": "boss",
                                           "password": "campus-pass-1", "confirm": "campus-pass-1"})
        assert landed.endswith("/accounts/")
    finally:
        server.stop()
    assert (data / "xgapp.sqlite3").exists()  # in the folder it was given, through Windows paths
    made = _fill(data)

    server = WineServer(windows_exe, data)
    try:
        landed, _ = server.post("/login", {"username": "boss", "password": "campus-pass-1"})
        assert landed.endswith("/")
        assert "阳光教育 海淀校区" in server.get("/").decode("utf-8")  # the data is there after a restart
        forms = {"briefing": "/print/briefing/%d.pdf" % made["briefing"],
                 "selfstudy": "/print/selfstudy-log/%s.pdf" % made["day"]}
        printed = {name: server.get(path) for name, path in forms.items()}
        landed, page = server.post("/backups/now", {}, form_page="/backups/")
        assert "备份" in page
    finally:
        log = server.stop()
    backups = list((data / "backups").glob("xgapp-manual-*.sqlite3"))
    assert backups, log
    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("SELECT name FROM campus").fetchone()[0] == "阳光教育 海淀校区"
        assert {r[0] for r in conn.execute("SELECT name FROM student")} >= set(NAMES)

    for name, pdf in printed.items():
        assert pdf[:5] == b"%PDF-"
        text = _text(pdf, tmp_path, "win-" + name)
        for kid in NAMES:
            assert kid in text, (name, kid)
        fonts = subprocess.run(["pdffonts", str(tmp_path / ("win-%s.pdf" % name))], capture_output=True,
                               text=True, check=True).stdout
        assert "XG-Sans-SC" in fonts and "Ext" in fonts  # the shipped fonts, the rare characters from Ext
        assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:]), fonts  # embedded
    assert "课前说明会记录单" in _text(printed["briefing"], tmp_path, "win-briefing")
    assert "学员自习登记表" in _text(printed["selfstudy"], tmp_path, "win-selfstudy")

    # The Linux build's pages of the same forms, on a copy of the same data
    copy = tmp_path / "linux-copy"
    shutil.copytree(data, copy, ignore=shutil.ignore_patterns("cache", "logs"))
    for name, path in forms.items():
        windows_pages = _pages(printed[name], tmp_path, "win-" + name)
        linux_pages = _pages(_linux_pdf(copy, path), tmp_path, "linux-" + name)
        assert len(windows_pages) == len(linux_pages) >= 1
        counts = [differing_pixels(win, lin) for win, lin in zip(windows_pages, linux_pages)]
        assert max(counts) <= TOLERANCE, (name, counts)

    # The comparison sees one wrong glyph: the same log with one character of one name changed
    with sqlite3.connect(copy / "xgapp.sqlite3") as conn:
        conn.execute("UPDATE student SET name = '李明' WHERE name = '李䶮'")
    wrong = _pages(_linux_pdf(copy, forms["selfstudy"]), tmp_path, "wrong-selfstudy")
    right = _pages(printed["selfstudy"], tmp_path, "win-selfstudy-again")
    assert max(differing_pixels(a, b) for a, b in zip(right, wrong)) > 10 * TOLERANCE


def test_windows_exe_second_start_opens_the_running_one_and_a_taken_port_is_refused(windows_exe, tmp_path):
    data = tmp_path / "data"
    server = WineServer(windows_exe, data)
    try:
        # A second start on the same port opens the browser on the running one (BROWSER: a script that records
        # the address it was given) and leaves it serving.
        opened = tmp_path / "opened.txt"
        script = tmp_path / "browser.bat"
        script.write_text("@echo %%1> %s\r\n" % winpath(opened))
        second = wine(["serve", "--data", winpath(data), "--port", str(server.port), "--browser"],
                      extra_env={"BROWSER": "'%s' %%s" % winpath(script)})  # quoted: webbrowser splits it like a shell
        assert second.returncode == 0, second.stdout + second.stderr
        assert "xgapp 已经在运行" in second.stdout and "already running" in second.stdout
        for _ in range(100):
            if opened.exists() and opened.read_text().strip():
                break
            time.sleep(0.1)
        assert opened.read_text().strip() == "http://127.0.0.1:%d/" % server.port
        assert json.loads(urllib.request.urlopen(server.base + "/healthz", timeout=5).read())["status"] == "ok"
    finally:
        server.stop()

    with socket.socket() as other:  # another program holds the port
        other.bind(("127.0.0.1", 0))
        other.listen(1)
        port = other.getsockname()[1]
        taken = wine(["serve", "--data", winpath(tmp_path / "other"), "--port", str(port), "--host", "127.0.0.1",
                      "--no-browser"])
    assert taken.returncode != 0
    assert "端口 %d 已被其他程序占用" % port in taken.stderr and "used by another program" in taken.stderr


def test_windows_exe_carries_exactly_the_natives_closure_and_cpythons_own_dlls(windows_exe):
    """Every top-level DLL in the bundle is either the Windows CPython's own or, taken from the natives' folder,
    one of the computed closure of WeasyPrint's roots (dist/xgapp.exe.natives.txt, written by the build): no stray
    libgcc, winpthread or host DLL."""
    import ast

    toc = ast.literal_eval((ROOT / "build" / "work-win" / "xgapp" / "PKG-00.toc").read_text(encoding="utf-8"))[2]
    bundled = {dest.lower(): source for dest, source, kind in toc if kind == "BINARY" and "\\" not in dest
               and dest.lower().endswith(".dll")}
    closure = {line.strip().lower() for line in (ROOT / "dist" / "xgapp.exe.natives.txt").read_text().splitlines()
               if line.strip().endswith(".dll")}
    assert len(closure) == 15 and {"libpango-1.0-0.dll", "libharfbuzz-subset-0.dll", "zlib1.dll"} <= closure
    for name in closure:  # each from the natives build (CPython's own zlib1.dll is not the one shipped)
        assert "\\natives-" in bundled[name] and bundled[name].endswith("\\dlls\\" + name), bundled[name]
    python = next(CACHE.glob("winpython-*/python/python313.dll")).parent
    cpython = {p.name.lower() for p in list(python.glob("*.dll")) + list(python.glob("DLLs/*.dll"))}
    assert set(bundled) - closure <= cpython, set(bundled) - closure - cpython
