"""日报 in a real browser at tablet size: an advisor taps a manual counter; the supervisor reads the campus day."""

import sqlite3

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, log_in


def test_an_advisor_taps_her_hotline_counter_and_the_supervisor_sees_it(page, demo_campus, browser):
    from tests.browser.conftest import TABLET

    log_in(page, demo_campus, "advisor1")
    expect(page.locator("#home-my-numbers")).to_contain_text("我的今天")  # her dashboard on the first screen
    expect(page.locator("#home-my-numbers")).to_contain_text("待联系的咨询")
    page.click("#mainnav a:text-is('日报')")
    expect(page.locator("h1")).to_contain_text("日报")
    before = int(page.locator("[data-testid=count-hotline]").inner_text())
    page.evaluate("window.kept = true")  # the page is not reloaded by a tap
    for _ in range(3):
        page.click("#counter-hotline button[value='1']")
        page.wait_for_timeout(150)
    expect(page.locator("[data-testid=count-hotline]")).to_have_text(str(before + 3))
    page.click("#counter-hotline button[value='-1']")
    expect(page.locator("[data-testid=count-hotline]")).to_have_text(str(before + 2))
    assert page.evaluate("window.kept") is True
    page.screenshot(path=str(ARTIFACTS / "numbers-advisor.png"), full_page=True)
    name = demo_campus.accounts["advisor1"]["name"]

    boss = browser.new_context(viewport=TABLET, locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    log_in(boss, demo_campus, "supervisor")
    boss.click("#mainnav a:text-is('日报')")
    expect(boss.locator("h1")).to_contain_text("校区日报")
    def cell(key):
        return boss.locator("#campus-numbers td[data-advisor='%s'][data-figure='%s']" % (name, key))

    expect(cell("manual.hotline")).to_have_text(str(before + 2))  # 热线电话（手工）
    with sqlite3.connect(demo_campus.data / "xgapp.sqlite3") as conn:
        followups = conn.execute(
            "SELECT count(*) FROM follow_up JOIN user ON user.id = follow_up.advisor_id WHERE user.username = "
            "'advisor1' AND date(follow_up.at, '+8 hours') = date('now', '+8 hours')").fetchone()[0]
    expect(cell("followups")).to_have_text(str(followups))  # 回访, counted from the records
    boss.screenshot(path=str(ARTIFACTS / "numbers-campus.png"), full_page=True)
    with boss.expect_download() as download:
        boss.click("text=导出 Excel")
    assert download.value.suggested_filename.startswith("校区日报_")
    boss.context.close()
