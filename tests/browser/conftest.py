"""Real headless Chromium (the system /usr/bin/chromium) driven by Playwright, against a real `xgapp serve`."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("XGAPP_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent.parent / "artifacts"
TABLET = {"width": 820, "height": 1180}  # iPad Air, portrait
DEMO_PASSWORD = "demo-pass-1"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`xgapp serve` in a subprocess on a data folder."""

    def __init__(self, data):
        self.data = data
        self.port = _free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "xgapp", "serve", "--data", str(data), "--host", "127.0.0.1",
             "--port", str(self.port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(self.proc.stdout.read())
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("xgapp serve did not start")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="session")
def demo_campus(tmp_path_factory):
    """`xgapp demo --data D --password P && xgapp serve --data D`; yields the server and the demo accounts."""
    data = tmp_path_factory.mktemp("demo") / "data"
    out = subprocess.run([sys.executable, "-m", "xgapp", "demo", "--data", str(data), "--password", DEMO_PASSWORD],
                         check=True, capture_output=True, text=True).stdout
    accounts = {}
    for line in out.splitlines():
        match = re.match(r"^(\w+)\s+(\S+)\s+([\w,]+)\s+(\d{6}|-)$", line)
        if match and match.group(1) != "username":
            accounts[match.group(1)] = {"name": match.group(2), "roles": match.group(3).split(","),
                                        "pin": None if match.group(4) == "-" else match.group(4)}
    server = Server(data)
    server.accounts = accounts
    yield server
    server.stop()


@pytest.fixture
def fresh_server(tmp_path):
    """A server on an empty data folder (first run)."""
    server = Server(tmp_path / "data")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        raise RuntimeError("Chromium not found at %s: run the tests through `bash build/dev.sh test`" % CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        yield chromium
        chromium.close()


def _new_page(browser, request, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / (re.sub(r"[^\w.-]", "_", request.node.name) + ".png")), full_page=True)
    context.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser tab at tablet size; a screenshot lands in tests/artifacts/ when the test fails."""
    yield from _new_page(browser, request, TABLET)


@pytest.fixture
def phone(browser, request):
    """A fresh browser tab at phone size."""
    yield from _new_page(browser, request, {"width": 390, "height": 844})


def log_in(page, server, username, password=DEMO_PASSWORD):
    """Log in through the login form like a person would."""
    page.goto(server.url + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#password-login button[type=submit]")
