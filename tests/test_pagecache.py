"""Kept pages (xgapp/pagecache.py): sent again only while nothing they were drawn from changed."""

import re
import sqlite3
from datetime import timedelta

from xgapp import clock, pagecache, scheduler
from tests.conftest import login, make_user, post
from tests.factories import advisor, make_contract, make_student

KEY = re.compile(r'name="submission_key" value="([0-9a-f]{32})"')


def _file(client, student, **headers):
    response = client.get("/students/%d" % student.id, headers=headers)
    assert response.status_code == 200
    return response, response.get_data(as_text=True)


def _seen(app, login_as):
    with app.app_context():
        student = make_student(name="缓存生", advisor_user=advisor())
    client = login_as("principal")
    _file(client, student)  # the first page of a session gives it its CSRF token
    return client, student


def test_a_page_asked_again_is_sent_again_with_fresh_submission_keys(app, login_as):
    client, student = _seen(app, login_as)
    first, first_html = _file(client, student)
    again, again_html = _file(client, student)
    assert (first.headers[pagecache.HEADER], again.headers[pagecache.HEADER]) == ("miss", "hit")
    assert "缓存生" in again_html and again.headers["Cache-Control"] == "no-store"
    keys_first, keys_again = KEY.findall(first_html), KEY.findall(again_html)
    assert keys_first and len(keys_first) == len(keys_again)
    assert not set(keys_first) & set(keys_again)  # two tabs of one kept page never share a one-time key
    assert KEY.sub("", first_html) == KEY.sub("", again_html)


def test_a_write_through_a_page_draws_it_again(app, login_as):
    client, student = _seen(app, login_as)
    _file(client, student)
    with app.app_context():
        make_contract(student, hours="40")
    response, html = _file(client, student)
    assert response.headers[pagecache.HEADER] == "miss" and "40" in html


def test_a_write_by_another_process_draws_it_again(app, login_as):
    client, student = _seen(app, login_as)
    _file(client, student)
    assert _file(client, student)[0].headers[pagecache.HEADER] == "hit"
    path = app.config["XGAPP_PATHS"].root / "xgapp.sqlite3"
    with sqlite3.connect(path) as other:  # the command line or the job worker: the change log's trigger sees it
        other.execute("UPDATE student SET name = '改名生' WHERE id = ?", (student.id,))
    response, html = _file(client, student)
    assert response.headers[pagecache.HEADER] == "miss"
    assert "改名生" in html and "缓存生" not in html


def test_another_user_never_gets_a_page_drawn_for_someone_else(app, client, login_as):
    client, student = _seen(app, login_as)
    with app.app_context():
        make_contract(student, hours="40", unit_price="150")
    _, boss_html = _file(client, student)
    assert "6,000.00" in boss_html  # the principal sees the money
    make_user("t-cache", ("teacher",))
    teacher = app.test_client()
    login(teacher, "t-cache")
    response = teacher.get("/students/%d" % student.id)
    assert response.headers.get(pagecache.HEADER) != "hit"
    assert "6,000.00" not in response.get_data(as_text=True)


def test_a_waiting_message_is_shown_once_and_the_kept_page_stays_clean(app, login_as):
    client, student = _seen(app, login_as)
    _file(client, student)
    bad = post(client, "/students/%d/status" % student.id, {"status": "nonsense"}, page="/students/%d" % student.id)
    assert bad.status_code == 303
    response, html = _file(client, student)
    assert pagecache.HEADER not in response.headers  # drawn with its message, not kept
    assert "请选择状态并填写有效日期" in html
    response, html = _file(client, student)
    assert response.headers[pagecache.HEADER] == "hit"
    assert "请选择状态并填写有效日期" not in html


def test_the_language_the_minute_and_the_job_worker_are_part_of_the_key(app, login_as, monkeypatch):
    client, student = _seen(app, login_as)
    _file(client, student)
    english = client.get("/students/%d?lang=en" % student.id)
    assert english.headers[pagecache.HEADER] == "miss" and 'lang="en"' in english.get_data(as_text=True)
    later = clock.now() + timedelta(minutes=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert client.get("/students/%d?lang=en" % student.id).headers[pagecache.HEADER] == "miss"
    assert client.get("/students/%d?lang=en" % student.id).headers[pagecache.HEADER] == "hit"
    scheduler.write_state(app.config["XGAPP_PATHS"], daily="2000-01-01")  # the worker wrote
    assert client.get("/students/%d?lang=en" % student.id).headers[pagecache.HEADER] == "miss"


def test_a_hard_reload_draws_the_page_and_keeps_the_new_one(app, login_as):
    client, student = _seen(app, login_as)
    _file(client, student)
    assert _file(client, student, **{"Cache-Control": "no-cache"})[0].headers[pagecache.HEADER] == "bypass"
    assert _file(client, student)[0].headers[pagecache.HEADER] == "hit"


def test_only_marked_pages_are_kept_and_a_restore_forgets_them(app, login_as):
    from xgapp import db

    client, student = _seen(app, login_as)
    assert pagecache.HEADER not in client.get("/students/").headers  # the list is not marked
    home = client.get("/")
    assert client.get("/").headers[pagecache.HEADER] == "hit", home.headers
    with db.write_lock():  # as a restore holds it while it replaces the file
        pass
    assert client.get("/").headers[pagecache.HEADER] == "miss"
    assert client.get("/").headers[pagecache.HEADER] == "hit"
    pagecache.clear()
    assert client.get("/").headers[pagecache.HEADER] == "miss"


def test_a_logged_out_session_gets_no_kept_page(app, login_as):
    client, student = _seen(app, login_as)
    _file(client, student)
    post(client, "/logout", page="/students/%d" % student.id)
    response = client.get("/students/%d" % student.id)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
