"""The study room in a real browser at tablet size: the kiosk, pickups, the live board, the closing-time alarm."""

import sqlite3

import pytest
from playwright.sync_api import expect
from pypinyin import Style, lazy_pinyin

from tests.browser.conftest import ARTIFACTS, TABLET, log_in


def _db(server):
    return sqlite3.connect(server.data / "xgapp.sqlite3")


def _free_students(server, count, need_guardian=False):
    """Active students not in the room whose pinyin initials find at most a dozen students (one search page)."""
    with _db(server) as conn:
        rows = conn.execute(
            "SELECT id, name FROM student WHERE status = 'active' AND id NOT IN "
            "(SELECT student_id FROM study_visit WHERE left_at IS NULL) ORDER BY id").fetchall()
        texts = [t for (t,) in conn.execute("SELECT search_text FROM student")]
        picked = []
        for student_id, name in rows:
            initials = "".join(p[0] for p in lazy_pinyin(name, style=Style.NORMAL))
            if len(initials) < 2 or sum(initials in t for t in texts) > 12:
                continue
            if need_guardian and not conn.execute(
                    "SELECT 1 FROM guardian WHERE student_id = ? AND can_pickup", (student_id,)).fetchone():
                continue
            picked.append((student_id, name, initials))
            if len(picked) == count:
                return picked
    raise AssertionError("the demo has too few free students")


@pytest.fixture
def second(browser):
    """Another tablet."""
    context = browser.new_context(viewport=TABLET, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


def _kiosk(page, server):
    log_in(page, server, "frontdesk")
    page.goto(server.url + "/selfstudy/kiosk")
    with page.expect_navigation():
        page.click("text=将本平板锁定为签到屏")
    page.wait_for_load_state()  # htmx has wired the search box (typing earlier would send nothing)
    expect(page.locator("#kiosk-q")).to_be_visible()
    expect(page.locator("#mainnav")).to_have_count(0)


def _sign_in(page, name, initials):
    page.fill("#kiosk-q", initials)
    card = page.locator("#kiosk-results li.kiosk-card[data-student='%s']" % name)
    card.locator("button.in").click()
    expect(page.locator("#kiosk-message")).to_contain_text("%s 已签到" % name)


def test_the_front_desk_signs_in_ten_students_by_pinyin_initials(page, demo_campus):
    kids = _free_students(demo_campus, 10)
    _kiosk(page, demo_campus)
    for _, name, initials in kids:
        _sign_in(page, name, initials)
        expect(page.locator("#kiosk-q")).to_have_value("")  # ready for the next child
    for _, name, _ in kids:
        expect(page.locator("#kiosk-room li.kiosk-card[data-student='%s']" % name)).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "selfstudy-kiosk.png"), full_page=True)
    # The kiosk cannot reach any other page.
    page.goto(demo_campus.url + "/students/")
    expect(page).to_have_url(demo_campus.url + "/selfstudy/kiosk")
    with _db(demo_campus) as conn:
        open_ids = {r for (r,) in conn.execute("SELECT student_id FROM study_visit WHERE left_at IS NULL")}
    assert {student_id for student_id, _, _ in kids} <= open_ids


def test_signing_a_student_out_with_a_guardian_and_with_someone_not_on_file(page, demo_campus):
    (first_id, first, first_initials), (second_id, other, other_initials) = _free_students(
        demo_campus, 2, need_guardian=True)
    _kiosk(page, demo_campus)
    _sign_in(page, first, first_initials)
    _sign_in(page, other, other_initials)
    with _db(demo_campus) as conn:
        guardian = conn.execute("SELECT name FROM guardian WHERE student_id = ? AND can_pickup ORDER BY position",
                                (first_id,)).fetchone()[0]
    page.locator("#kiosk-room li.kiosk-card[data-student='%s'] a.out" % first).click()
    panel = page.locator("[data-testid=pickup-panel]")
    expect(panel).to_contain_text("谁来接 %s" % first)
    page.screenshot(path=str(ARTIFACTS / "selfstudy-pickup.png"), full_page=True)
    panel.locator("button.big", has_text=guardian).first.click()
    expect(page.locator("#kiosk-message")).to_contain_text("%s 已签退" % first)
    expect(page.locator("#kiosk-room li.kiosk-card[data-student='%s']" % first)).to_have_count(0)
    # Someone not in the file: the name and relation are required, then recorded and flagged.
    page.locator("#kiosk-room li.kiosk-card[data-student='%s'] a.out" % other).click()
    page.fill("[data-testid=pickup-panel] input[name=name]", "赵阿姨")
    page.click("text=由此人接走并签退")
    expect(page.locator("[data-testid=pickup-panel]")).to_contain_text("请填写与孩子的关系")
    page.fill("[data-testid=pickup-panel] input[name=relation]", "邻居")
    page.click("text=由此人接走并签退")
    expect(page.locator("#kiosk-message")).to_contain_text("%s 已签退" % other)
    with _db(demo_campus) as conn:
        rows = dict(conn.execute(
            "SELECT student_id, pickup_name || '/' || pickup_on_file || '/' || (left_at IS NOT NULL) FROM study_visit "
            "WHERE student_id IN (?, ?) AND day = (SELECT max(day) FROM study_visit)", (first_id, second_id)))
    assert rows == {first_id: "%s/1/1" % guardian, second_id: "赵阿姨/0/1"}


def test_the_board_updates_on_a_second_tablet_without_reload(page, second, demo_campus):
    (_, name, initials), = _free_students(demo_campus, 1, need_guardian=True)
    log_in(second, demo_campus, "supervisor")
    second.goto(demo_campus.url + "/selfstudy/")
    row = second.locator("#study-board tr[data-student='%s']" % name)
    expect(row).to_have_count(0)
    second.evaluate("window.notReloaded = true")
    _kiosk(page, demo_campus)
    _sign_in(page, name, initials)
    expect(row).to_be_visible(timeout=15000)  # the board polls every 5 s
    second.screenshot(path=str(ARTIFACTS / "selfstudy-board.png"), full_page=True)
    page.locator("#kiosk-room li.kiosk-card[data-student='%s'] a.out" % name).click()
    page.locator("[data-testid=pickup-panel] button.big").first.click()
    expect(page.locator("#kiosk-message")).to_contain_text("已签退")
    expect(row).to_have_count(0, timeout=15000)
    assert second.evaluate("window.notReloaded") is True


def test_at_closing_time_the_child_still_in_the_room_is_red_until_resolved(page, second, demo_campus):
    (student_id, name, initials), = _free_students(demo_campus, 1)
    _kiosk(second, demo_campus)
    _sign_in(second, name, initials)
    log_in(page, demo_campus, "principal")
    page.goto(demo_campus.url + "/campus/")
    try:
        page.fill("#study_closing_time", "00:00")  # the room "closed" at midnight: everyone inside is overdue
        page.click("#rules-form button[type=submit]")
        page.goto(demo_campus.url + "/")
        alert = page.locator("#study-overdue")
        expect(alert).to_contain_text(name)
        page.screenshot(path=str(ARTIFACTS / "selfstudy-overdue-home.png"), full_page=True)
        page.goto(demo_campus.url + "/selfstudy/")
        expect(page.locator("#study-board tr.overdue[data-student='%s']" % name)).to_be_visible()
        page.goto(demo_campus.url + "/")
        alert.locator("li", has_text=name).locator("a", has_text="处理").click()
        page.fill("#note", "已电话联系妈妈，孩子由妈妈接走")
        page.click("#resolve button[type=submit]")
        expect(page.locator(".flash.success")).to_contain_text("记录已关闭")
        page.screenshot(path=str(ARTIFACTS / "selfstudy-resolved.png"), full_page=True)
        page.goto(demo_campus.url + "/")
        expect(page.locator("#study-overdue li", has_text=name)).to_have_count(0)
    finally:
        with _db(demo_campus) as conn:
            conn.execute("UPDATE campus_rule SET value = '21:00' WHERE name = 'study_closing_time'")
    with _db(demo_campus) as conn:
        note, = conn.execute("SELECT resolved_note FROM study_visit WHERE student_id = ? AND resolved_at IS NOT NULL "
                             "ORDER BY id DESC", (student_id,)).fetchone()
    assert note == "已电话联系妈妈，孩子由妈妈接走"
