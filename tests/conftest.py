"""Test harness: a fresh data folder per test, built by the real migrations; login-as-role fixtures."""

import re

import pytest

from xgapp.app import create_app
from xgapp import db as xdb

PASSWORD = "correct-horse-9"


@pytest.fixture
def app(tmp_path):
    """An app on an empty campus whose setup is done (principal 'boss')."""
    application = create_app({"DATA_DIR": str(tmp_path / "data"), "TESTING": True})
    xdb.ensure_connection()
    # No app context is held open during the test: each request must get its own (and its own `g`).
    with application.app_context():
        from xgapp import campus

        campus.setup("测试校区", "T-01", "boss", "王校长", PASSWORD)
    yield application
    xdb.database.close()


@pytest.fixture
def fresh_app(tmp_path):
    """An app on a brand-new data folder: no campus, no account."""
    application = create_app({"DATA_DIR": str(tmp_path / "data"), "TESTING": True})
    xdb.ensure_connection()
    yield application
    xdb.database.close()


@pytest.fixture
def client(app):
    return app.test_client()


def make_user(username="staff", roles=("advisor",), name=None, password=PASSWORD, pin=None, by=None):
    """Create a staff account through the domain function."""
    from xgapp.accounts import domain

    return domain.create_user(by, username, name or "员工" + username, password, set(roles), pin=pin)


def csrf_from(html):
    """The CSRF token embedded in a rendered page."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'"X-CSRFToken": "([^"]+)"', html)
    assert match, "no CSRF token in page"
    return match.group(1)


def login(client, username="boss", password=PASSWORD):
    """Log in through the real login form, from a fresh session; return the response.

    A session still alive from an earlier login (the fixed clock may sit close to the wall clock) would make
    /login redirect home instead of showing the form."""
    with client.session_transaction() as session:
        session.clear()
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


@pytest.fixture
def login_as(app, client):
    """login_as('advisor') creates a user holding that role and logs the client in as them."""

    def _login(*roles, username=None):
        username = username or "u-" + "-".join(roles)
        make_user(username, roles)
        response = login(client, username)
        assert response.status_code == 303, response.get_data(as_text=True)
        return client

    return _login


def post(client, url, data=None, **kwargs):
    """POST with the CSRF token taken from the page the user would have open."""
    page = client.get(kwargs.pop("page", "/"))
    data = dict(data or {})
    data.setdefault("csrf_token", csrf_from(page.get_data(as_text=True)))
    return client.post(url, data=data, **kwargs)


def earlier_today(minutes):
    """`minutes` ago on the campus clock, but never before today's midnight there: a test that records something
    "a moment ago" and counts today's (or this month's) figures must pass at 00:05 on the 1st too."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    return max(now - timedelta(minutes=minutes), now.replace(hour=0, minute=0, second=0, microsecond=0))


def campus_today():
    """Today on the campus clock (Asia/Shanghai by default), as the app sees it."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


@pytest.fixture(autouse=True)
def today_is_read_per_test(request):
    """A module's TODAY is the campus date when each test starts, not when the module was imported: a run that
    crosses midnight on the campus clock (16:00 UTC) must not see yesterday's visits as left open overnight."""
    module = request.module
    if module is not None and hasattr(module, "TODAY"):
        module.TODAY = campus_today()


@pytest.fixture(autouse=True)
def no_boxes_in_pdfs():
    """Fail any test during which WeasyPrint drew a .notdef box (a character no font could draw)."""
    import logging

    class Watch(logging.Handler):
        def __init__(self):
            super().__init__(logging.WARNING)
            self.seen = []

        def emit(self, record):
            if ".notdef" in record.getMessage():
                self.seen.append(record.getMessage())

    watch = Watch()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(watch)
    yield
    logger.removeHandler(watch)
    assert not watch.seen, "WeasyPrint printed boxes: %s" % watch.seen[:3]
