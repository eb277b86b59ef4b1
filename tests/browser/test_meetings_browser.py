"""Meetings in a real browser at tablet size: the advisor records a pre-class briefing with its attendees."""

import sqlite3

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, log_in


def test_an_advisor_holds_a_briefing_and_records_who_came(page, demo_campus):
    with sqlite3.connect(demo_campus.data / "xgapp.sqlite3") as conn:
        class_id, name, username = conn.execute(
            "SELECT school_class.id, school_class.name, user.username FROM briefing "
            "JOIN school_class ON school_class.id = briefing.class_id JOIN user ON user.id = school_class.advisor_id "
            "WHERE briefing.status = 'scheduled'").fetchone()
    log_in(page, demo_campus, username)
    page.click("#mainnav a:text-is('会议')")
    risk = page.locator("#at-risk li[data-class='%s']" % name)
    expect(risk).to_contain_text("说明会时间已过")
    page.screenshot(path=str(ARTIFACTS / "meetings-index.png"), full_page=True)
    risk.locator("a").click()
    rows = page.locator("#record-form ul.rollcall > li")
    count = rows.count()
    assert count >= 3  # advisor, teacher and at least one parent
    for i in range(count):
        rows.nth(i).locator("label.mark-%s" % ("absent" if i == count - 1 else "present")).click()
    page.fill("#syllabus", "函数与方程、几何证明、统计初步")
    page.fill("#goals", "能独立完成中考数学压轴题的前两问")
    page.fill("#qa", "问：每次课有作业吗？答：有，约40分钟")
    page.screenshot(path=str(ARTIFACTS / "meetings-record.png"), full_page=True)
    page.click("#save-record")
    expect(page.locator(".flash.success")).to_contain_text("说明会记录已保存")
    expect(page.locator("#attendees li")).to_have_count(count)
    expect(page.locator("#attendees li").last).to_contain_text("未出席")
    page.click("text=已收到签字记录单")
    expect(page.locator("#record")).to_contain_text("签字记录单已由")
    page.screenshot(path=str(ARTIFACTS / "meetings-held.png"), full_page=True)
    with sqlite3.connect(demo_campus.data / "xgapp.sqlite3") as conn:
        status, filed = conn.execute("SELECT status, paper_received_at IS NOT NULL FROM briefing WHERE class_id = ?",
                                     (class_id,)).fetchone()
        came = [c for (c,) in conn.execute("SELECT came FROM briefing_attendee JOIN briefing ON briefing.id = "
                                           "briefing_attendee.briefing_id WHERE briefing.class_id = ? ORDER BY "
                                           "briefing_attendee.id", (class_id,))]
    assert (status, filed) == ("held", 1) and came == [1] * (count - 1) + [0]
