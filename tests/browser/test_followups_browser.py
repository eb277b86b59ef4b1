"""Follow-ups in a real browser at tablet size: an advisor logs a phone call from her to-do list in seconds."""

import sqlite3
import time

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, log_in


def test_an_advisor_logs_a_phone_follow_up_in_under_30_seconds(page, demo_campus):
    log_in(page, demo_campus, "advisor1")
    page.click("#mainnav a:text-is('回访')")
    expect(page.locator("h1")).to_contain_text("回访")
    page.screenshot(path=str(ARTIFACTS / "followups-todo.png"), full_page=True)
    started = time.monotonic()
    chip = page.locator("#short a.chip").first
    name = chip.inner_text().split()[0]
    chip.click()
    expect(page.locator("h1")).to_contain_text(name)
    # Defaults: a routine phone call to the parent, now, with the routine purpose filled in.
    expect(page.locator("input[name=channel][value=phone]")).to_be_checked()
    expect(page.locator("input[name=purpose]")).to_have_value("了解近期学习状态和作业情况，与家长商定下一步安排")
    page.fill("textarea[name=content]", "妈妈说这周作业都按时完成，英语听写进步了")
    page.fill("textarea[name=result]", "周末再练一套听力")
    page.screenshot(path=str(ARTIFACTS / "followups-form.png"), full_page=True)
    page.click("#save-followup")
    expect(page.locator(".flash.success")).to_contain_text("%s 的回访已保存" % name)
    assert time.monotonic() - started < 30
    with sqlite3.connect(demo_campus.data / "xgapp.sqlite3") as conn:
        content, channel, advisor = conn.execute(
            "SELECT follow_up.content, channel, user.username FROM follow_up JOIN user ON user.id = follow_up.advisor_id "
            "ORDER BY follow_up.id DESC LIMIT 1").fetchone()
    assert (content, channel, advisor) == ("妈妈说这周作业都按时完成，英语听写进步了", "phone", "advisor1")


def test_choosing_a_kind_fills_in_its_purpose(page, demo_campus):
    log_in(page, demo_campus, "advisor1")
    page.goto(demo_campus.url + "/followups/")
    page.locator("#short a.chip").first.click()
    page.click("label.chip:has(input[name=kind][value=renewal])")
    expect(page.locator("input[name=purpose]")).to_have_value("课时即将用完：沟通续费和下阶段学习计划")
    page.fill("input[name=purpose]", "我自己写的目的")
    page.click("label.chip:has(input[name=kind][value=complaint])")
    expect(page.locator("input[name=purpose]")).to_have_value("我自己写的目的")
