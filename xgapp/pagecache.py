"""Rendered pages kept while nothing they were drawn from has changed: a page asked for again (a tablet going back
to the home page, a timetable left open and reloaded, a roll call opened twice) is sent again, not drawn again.

A view opts in with `@cached`. Its 200 HTML response is kept under a key made of everything it was drawn from
besides the database's content: the login session (user and device) and its CSRF token, the language, the host,
the URL with its query, the HTMX request headers, the campus-local minute (pages show "today" and "now" to the
minute), the job worker's state file — and the database's *generation*: the high-water marks of

- `change_log`, which SQLite triggers append to on every insert, update and delete of every exported table,
  whatever process wrote it (a page, the job worker, the command line; xgapp/export/tracking.py);
- `audit_log`, which every write a person makes appends to (covering the few tables the change log leaves out);
- `outbox_attempt` and `export_bundle`, the delivery of the nightly bundles (written by the job worker).

Any committed write anywhere makes a new generation, and every page is drawn again on its next request.

Never kept: other methods and statuses, a response that sets a cookie, a page drawn while a flash message was
waiting (it shows the message once), a request sent with `Cache-Control: no-cache` (a browser's hard reload, which
also draws the page anew and keeps the new one), and any page on a database other than SQLite (no change log).
The one-time submission key of every form (xgapp/submissions.py) is replaced with a fresh one each time a kept
page is sent, so two tabs of one kept page never share a key. Kept pages live in memory, least recently used
first out past `MAX_BYTES`; a restore of the database (done under `db.write_lock()`, which starts a new epoch of
the key) leaves none of them reachable.
"""

import hashlib
import re
import threading
from collections import OrderedDict

from flask import current_app, g, request, session

from xgapp import clock, db, i18n
from xgapp.security import SESSION_KIOSK, SESSION_TOKEN
from xgapp.submissions import FIELD, new_key

MAX_BYTES = 48 * 1024 * 1024
MAX_ENTRY = 2 * 1024 * 1024  # a page bigger than this is drawn every time rather than crowd out the others
HEADER = "X-Xgapp-Cache"  # hit / miss / bypass: for the curious and for the tests
REQUEST_HEADERS = ("HX-Request", "HX-Target", "HX-Trigger", "HX-Trigger-Name", "HX-Boosted", "HX-Current-URL",
                   "HX-History-Restore-Request", "X-Xgapp-Poll")
KEPT_HEADERS = ("Content-Type", "HX-Trigger", "HX-Trigger-After-Settle", "HX-Trigger-After-Swap", "HX-Push-Url",
                "HX-Replace-Url", "HX-Retarget", "HX-Reswap", "HX-Refresh", "HX-Location", "HX-Redirect")
GENERATION_SQL = (
    "SELECT (SELECT seq FROM sqlite_sequence WHERE name = 'change_log'), (SELECT MAX(id) FROM audit_log), "
    "(SELECT MAX(id) FROM outbox_attempt), (SELECT MAX(id) FROM export_bundle)")
_SUBMISSION = re.compile(rb'(name="%s" value=")[0-9a-f]{32}(")' % FIELD.encode("ascii"))

_lock = threading.Lock()
_pages = OrderedDict()  # key -> (body, headers)
_size = 0


def cached(view):
    """Mark a GET view whose page depends on nothing but the database, the request and the clock."""
    view.page_cached = True  # (functools.wraps of an outer decorator carries it along)
    return view


def clear():
    """Forget every kept page (after a restore replaced the database)."""
    global _size
    with _lock:
        _pages.clear()
        _size = 0


def generation():
    """The database's generation: it changes with every committed write of any process."""
    return tuple(db.database.execute_sql(GENERATION_SQL).fetchone())


def _key():
    try:
        jobs = current_app.config["XGAPP_PATHS"].jobs_state.stat().st_mtime_ns
    except OSError:
        jobs = None
    parts = (session.get(SESSION_TOKEN), session.get("csrf_token"), bool(session.get(SESSION_KIOSK)),
             i18n.select_locale(), request.host, request.remote_addr, request.full_path,
             tuple(request.headers.get(h) for h in REQUEST_HEADERS), clock.local_now().strftime("%Y-%m-%d %H:%M"),
             jobs, db.epoch(), generation())
    return hashlib.sha256(repr(parts).encode("utf-8", "replace")).digest()


def _fresh_keys(body):
    return _SUBMISSION.sub(lambda m: m.group(1) + new_key().encode("ascii") + m.group(2), body)


def _wanted():
    if request.method != "GET" or not db.is_sqlite() or "_flashes" in session:
        return False
    view = current_app.view_functions.get(request.endpoint)
    return bool(getattr(view, "page_cached", False))


def lookup():
    """before_request (after the login gate): the kept page for this request, if there is one."""
    if g.get("user") is None or session.get("csrf_token") is None or not _wanted():
        return None  # (a page drawn before its session has a CSRF token would carry one the next cannot use)
    g.page_cache_key = _key()
    bypass = "no-cache" in request.headers.get("Cache-Control", "") or request.headers.get("Pragma") == "no-cache"
    if bypass:
        g.page_cache_state = "bypass"
        return None
    with _lock:
        found = _pages.get(g.page_cache_key)
        if found is not None:
            _pages.move_to_end(g.page_cache_key)
    if found is None:
        g.page_cache_state = "miss"
        return None
    g.page_cache_state = "hit"
    body, headers = found
    response = current_app.response_class(_fresh_keys(body), status=200)
    for name, value in headers:
        response.headers[name] = value
    return response


def store(response):
    """after_request: keep a page drawn for a cached view; mark every cached view's response hit/miss/bypass."""
    global _size
    state = g.get("page_cache_state")
    if state is None:
        return response
    response.headers[HEADER] = state
    if state == "hit" or response.status_code != 200 or response.mimetype != "text/html" or response.is_streamed:
        return response
    if "Set-Cookie" in response.headers or response.headers.get("Cache-Control", "no-store") != "no-store":
        return response
    body = response.get_data()
    if len(body) > MAX_ENTRY:
        return response
    headers = [(name, response.headers[name]) for name in KEPT_HEADERS if name in response.headers]
    key = g.page_cache_key
    with _lock:
        old = _pages.pop(key, None)
        if old is not None:
            _size -= len(old[0])
        _pages[key] = (body, headers)
        _size += len(body)
        while _size > MAX_BYTES and _pages:
            _size -= len(_pages.popitem(last=False)[1][0])
    return response
