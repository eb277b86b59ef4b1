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
        status, filed = conn.execute("SELECT status, EXISTS (SELECT 1 FROM signed_copy WHERE form = 'briefing' AND ref = CAST(briefing.id AS TEXT)) "
                                     "FROM briefing WHERE class_id = ?",
                                     (class_id,)).fetchone()
        came = [c for (c,) in conn.execute("SELECT came FROM briefing_attendee JOIN briefing ON briefing.id = "
                                           "briefing_attendee.briefing_id WHERE briefing.class_id = ? ORDER BY "
                                           "briefing_attendee.id", (class_id,))]
    assert (status, filed) == ("held", 1) and came == [1] * (count - 1) + [0]


def test_parent_meeting_minutes_put_the_plan_deadline_on_the_teachers_list(page, demo_campus, browser):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from tests.browser.conftest import TABLET

    with sqlite3.connect(demo_campus.data / "xgapp.sqlite3") as conn:
        meeting_id, class_name, advisor, teacher = conn.execute(
            "SELECT parent_meeting.id, school_class.name, a.username, t.username FROM parent_meeting "
            "JOIN school_class ON school_class.id = parent_meeting.class_id "
            "JOIN user a ON a.id = parent_meeting.host_id JOIN user t ON t.id = school_class.teacher_id "
            "WHERE parent_meeting.status = 'scheduled'").fetchone()
    log_in(page, demo_campus, advisor)
    page.goto(demo_campus.url + "/meetings/")
    page.locator("#parent-meetings a", has_text=class_name).click()
    rows = page.locator("#minutes-form ul.rollcall > li")
    for i in range(rows.count()):
        rows.nth(i).locator("label.mark-present").click()
    page.fill("#teacher_report", "函数部分掌握较好，几何证明需要加强")
    page.fill("#advisor_report", "出勤稳定，个别同学作业拖延")
    page.fill("#parent_questions", "问：寒假有没有集训？")
    page.fill("#problems", "几何证明步骤不规范")
    page.fill("#solutions", "每周一次几何专项")
    page.fill("#parents_to_do", "督促孩子整理错题本")
    page.screenshot(path=str(ARTIFACTS / "parent-meeting-minutes.png"), full_page=True)
    page.click("#save-minutes")
    expect(page.locator(".flash.success")).to_contain_text("会议记录已保存")
    due = (datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(hours=2)).date() + timedelta(days=7)
    expect(page.locator("#plan")).to_contain_text(due.isoformat())
    # The teacher, on another tablet, finds the plan and its deadline on the home page and the meetings page.
    context = browser.new_context(viewport=TABLET, locale="zh-CN", timezone_id="Asia/Shanghai")
    other = context.new_page()
    try:
        log_in(other, demo_campus, teacher)
        expect(other.locator("#plans-due")).to_contain_text(due.isoformat())
        other.goto(demo_campus.url + "/meetings/")
        expect(other.locator("#my-plans")).to_contain_text(class_name)
        other.screenshot(path=str(ARTIFACTS / "teacher-plans.png"), full_page=True)
    finally:
        context.close()
    with sqlite3.connect(demo_campus.data / "xgapp.sqlite3") as conn:
        assert conn.execute("SELECT due_on, status FROM teaching_plan WHERE meeting_id = ?",
                            (meeting_id,)).fetchone() == (due.isoformat(), "due")
