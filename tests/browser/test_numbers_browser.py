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


def test_the_supervisor_splits_next_months_target_and_sees_the_ranking(page, demo_campus, browser):
    from datetime import date

    from tests.browser.conftest import TABLET
    from tests.conftest import campus_today

    today = campus_today()
    following = date(today.year + (today.month == 12), today.month % 12 + 1, 1).strftime("%Y-%m")
    log_in(page, demo_campus, "supervisor")
    page.click("#mainnav a:text-is('日报')")
    page.click(".subnav a:text-is('业绩目标')")
    page.click("text=下个月 ›")
    expect(page.locator("h1")).to_contain_text(following)
    first = demo_campus.accounts["advisor1"]["name"]
    second = demo_campus.accounts["advisor2"]["name"]
    advisors = ["new-%d" % _user_id(demo_campus, "advisor1"), "new-%d" % _user_id(demo_campus, "advisor2")]
    page.fill("input[name='new-campus']", "30000")
    page.fill("input[name='%s']" % advisors[0], "20000")
    page.fill("input[name='hours-campus']", "abc")
    page.click("[data-testid=save-targets]")
    expect(page.locator("#targets-form .error").first).to_be_visible()  # nothing saved: the bad box is marked
    expect(page.locator("input[name='new-campus']")).to_have_value("30000")  # what she typed is kept
    page.fill("input[name='hours-campus']", "")
    page.click("[data-testid=save-targets]")
    expect(page.locator("[data-mismatch=new]")).to_contain_text("30,000")  # 20,000 split of 30,000: flagged
    page.fill("input[name='%s']" % advisors[1], "10000")
    page.click("[data-testid=save-targets]")
    expect(page.locator("[data-mismatch]")).to_have_count(0)
    expect(page.locator("td[data-who=campus][data-kind=new]")).to_contain_text("30,000")
    expect(page.locator("td[data-who=campus][data-kind=new] .goal-bar")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "numbers-targets.png"), full_page=True)

    page.click(".subnav a:text-is('排名')")
    rows = page.locator("#ranking tbody tr")
    expect(rows.first).to_be_visible()
    names = rows.evaluate_all("rs => rs.map(r => r.dataset.advisor)")
    assert first in names and second in names
    expect(page.locator("#team")).to_be_visible()  # the leader sees the team criteria
    page.screenshot(path=str(ARTIFACTS / "numbers-ranking.png"), full_page=True)

    mine = browser.new_context(viewport=TABLET, locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    log_in(mine, demo_campus, "advisor1")
    mine.goto(demo_campus.url + "/numbers/ranking")
    expect(mine.locator("#mine")).to_contain_text("名次")
    expect(mine.locator("#ranking tr.mine")).to_have_count(1)
    expect(mine.locator("#ranking th:text-is('签约率')")).to_have_count(0)  # not the others' rates
    expect(mine.locator("#team")).to_have_count(0)
    mine.goto(demo_campus.url + "/numbers/targets?month=" + following)
    expect(mine.locator(".progress-item[data-kind=new]")).to_contain_text("20,000")  # her share, only hers
    expect(mine.locator(".progress-item")).to_have_count(6)
    mine.context.close()


def _user_id(server, username):
    with sqlite3.connect(server.data / "xgapp.sqlite3") as conn:
        return conn.execute("SELECT id FROM user WHERE username = ?", (username,)).fetchone()[0]
