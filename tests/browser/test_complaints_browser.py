"""A complaint in a real browser at tablet size: received at a student's file, handled and closed by the supervisor
with the family's answer."""

import re
import sqlite3

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, log_in


def test_a_complaint_is_received_handled_and_closed_with_the_familys_answer(page, demo_campus, browser):
    log_in(page, demo_campus, "advisor1")
    page.click("#mainnav a:text-is('学员')")
    page.locator("table a[href^='/students/']").first.click()
    student = page.locator("h1").inner_text().split()[0]
    page.click("a:text-is('登记投诉')")
    expect(page.locator("h1")).to_have_text("登记投诉")
    expect(page.locator("#student")).to_have_value(re.compile("^%s #\\d+$" % student))
    page.click("button:text-is('保存')")  # nothing filled in: every message at once, beside its field
    expect(page.locator("#err-complainant")).to_be_visible()
    expect(page.locator("#err-about")).to_be_visible()
    expect(page.locator("#err-content")).to_be_visible()
    page.fill("#complainant", student + "妈妈")
    page.select_option("#about", "service")
    page.select_option("#channel", "phone")
    page.fill("#content", "调课通知发得太晚，来不及安排接送")
    page.screenshot(path=str(ARTIFACTS / "complaint-new.png"), full_page=True)
    page.click("button:text-is('保存')")
    expect(page.locator(".flash.success")).to_contain_text("投诉已登记")
    url = page.url

    boss = browser.new_page(viewport=page.viewport_size)
    log_in(boss, demo_campus, "supervisor")
    boss.goto(url)
    boss.fill("#text", "已电话向家长致歉，说明调课原因")
    boss.click("button:text-is('保存处理记录')")
    expect(boss.locator(".flash.success")).to_contain_text("处理记录已保存")
    boss.click("button:text-is('结案')")  # no resolution, no answer: refused beside both
    expect(boss.locator("#err-resolution")).to_be_visible()
    expect(boss.locator("#err-satisfaction")).to_be_visible()
    boss.fill("#resolution", "以后调课提前两天通知并电话确认")
    boss.select_option("#satisfaction", "satisfied")
    boss.click("button:text-is('结案')")
    expect(boss.locator("#resolution")).to_contain_text("家长意见：满意")
    boss.screenshot(path=str(ARTIFACTS / "complaint-closed.png"), full_page=True)
    boss.close()
    with sqlite3.connect(demo_campus.data / "xgapp.sqlite3") as conn:
        row = conn.execute("SELECT complainant, about, satisfaction, closed_at IS NOT NULL, first_response_at IS NOT NULL, "
                           "u.username FROM complaint JOIN user u ON u.id = complaint.closed_by_id "
                           "ORDER BY complaint.id DESC LIMIT 1").fetchone()
    assert row == (student + "妈妈", "service", "satisfied", 1, 1, "supervisor")
