"""With JavaScript switched off (an old tablet, a locked-down browser): PIN login, the top-bar search, the study-room
kiosk and a roll call still work as plain links and forms (the house rule)."""

import sqlite3
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, TABLET, log_in
from tests.browser.test_selfstudy_browser import _free_students


@pytest.fixture
def plain(browser):
    """A tablet-sized tab with JavaScript disabled."""
    context = browser.new_context(viewport=TABLET, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


def _db(server):
    return sqlite3.connect(server.data / "xgapp.sqlite3")


def test_pin_login_without_javascript(plain, demo_campus):
    plain.goto(demo_campus.url + "/login")
    expect(plain.locator("#pin-login")).to_be_hidden()
    plain.click("text=PIN 码（平板）")  # a link: the server opens the PIN panel
    expect(plain.locator("#pin-login")).to_be_visible()
    plain.locator("#pin_username").fill("teacher3")
    plain.locator("#pin_pin").fill(demo_campus.accounts["teacher3"]["pin"])
    plain.click("#pin-login button[type=submit]")
    expect(plain.locator("h1")).to_contain_text(demo_campus.accounts["teacher3"]["name"])


def test_the_top_bar_search_without_javascript(plain, demo_campus):
    with _db(demo_campus) as conn:
        name = conn.execute("SELECT s.name FROM student s JOIN user u ON u.id = s.advisor_id "
                            "WHERE u.username = 'advisor1' ORDER BY s.id LIMIT 1").fetchone()[0]
    log_in(plain, demo_campus, "advisor1")
    box = plain.locator("form.global-search input[name=q]")
    box.fill(name)
    with plain.expect_navigation():
        box.press("Enter")
    assert "/students/" in plain.url
    expect(plain.locator("main")).to_contain_text(name)


def test_the_kiosk_without_javascript(plain, demo_campus):
    [(student_id, name, initials)] = _free_students(demo_campus, 1, need_guardian=True)
    with _db(demo_campus) as conn:
        guardian = conn.execute("SELECT name FROM guardian WHERE student_id = ? AND can_pickup ORDER BY position",
                                (student_id,)).fetchone()[0]
    log_in(plain, demo_campus, "frontdesk")
    plain.goto(demo_campus.url + "/selfstudy/kiosk")
    plain.fill("#kiosk-q", initials)
    plain.click("form.kiosk-search button[type=submit]")
    card = plain.locator("#kiosk-results li.kiosk-card[data-student='%s']" % name)
    card.locator("button.in").click()
    expect(plain.locator("main")).to_contain_text("%s 已签到" % name)
    plain.fill("#kiosk-q", initials)
    plain.click("form.kiosk-search button[type=submit]")
    plain.locator("#kiosk-results li.kiosk-card[data-student='%s'] a.out" % name).click()
    panel = plain.locator("[data-testid=pickup-panel]")
    expect(panel).to_contain_text("谁来接 %s" % name)
    plain.screenshot(path=str(ARTIFACTS / "nojs-kiosk-pickup.png"), full_page=True)
    panel.locator("button.big", has_text=guardian).first.click()
    expect(plain.locator("main")).to_contain_text("%s 已签退" % name)
    with _db(demo_campus) as conn:
        assert conn.execute("SELECT pickup_name FROM study_visit WHERE student_id = ? AND left_at IS NOT NULL "
                            "ORDER BY id DESC", (student_id,)).fetchone()[0] == guardian


def test_a_roll_call_without_javascript(plain, demo_campus):
    zone = ZoneInfo("Asia/Shanghai")
    with _db(demo_campus) as conn:  # today's smaller class (the JavaScript roll-call test takes the full one)
        lesson_id, username, members = conn.execute(
            "SELECT lesson.id, user.username, (SELECT count(*) FROM enrolment e WHERE e.class_id = lesson.class_id "
            "AND e.left_on IS NULL) AS n FROM lesson JOIN user ON user.id = lesson.teacher_id "
            "WHERE lesson.day = ? AND lesson.status = 'planned' AND n BETWEEN 1 AND 14 ORDER BY lesson.starts_at",
            (datetime.now(zone).date().isoformat(),)).fetchone()
        midnight = datetime.now(zone).replace(hour=0, minute=0, second=0, microsecond=0)
        started = max(datetime.now(timezone.utc) - timedelta(minutes=30), midnight.astimezone(timezone.utc))
        conn.execute("UPDATE lesson SET starts_at = ? WHERE id = ?",
                     (started.isoformat(timespec="microseconds"), lesson_id))
    log_in(plain, demo_campus, username)
    plain.goto(demo_campus.url + "/attendance/lesson/%d" % lesson_id)
    expect(plain.locator("#all-present")).to_be_hidden()  # it needs JavaScript: not offered without
    rows = plain.locator("ul.rollcall > li")
    expect(rows).to_have_count(members)
    for n in range(members):
        rows.nth(n).locator("label.mark-present").click()
    rows.nth(0).locator("label.mark-late").click()
    plain.click("#confirm")
    expect(plain.locator("#confirmed")).to_be_visible()
    with _db(demo_campus) as conn:
        assert conn.execute("SELECT status FROM lesson WHERE id = ?", (lesson_id,)).fetchone()[0] == "done"
        marks = dict(conn.execute("SELECT mark, count(*) FROM attendance WHERE lesson_id = ? GROUP BY mark",
                                  (lesson_id,)))
    assert marks == ({"late": 1, "present": members - 1} if members > 1 else {"late": 1})
