"""Key flows in a real browser at tablet size: setup, each role's navigation, PIN login, htmx filters."""

import re
import sqlite3

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, log_in

NAV = {
    "principal": ["首页", "学员", "咨询", "回访", "日报", "会议", "投诉", "班级", "课表", "点名", "自习室", "今日进账", "退费审批", "员工账号", "校区设置", "总部导出", "数据备份",
                  "连接平板", "操作日志", "我的账号"],
    "supervisor": ["首页", "学员", "咨询", "回访", "日报", "会议", "投诉", "班级", "课表", "点名", "自习室", "今日进账", "退费审批", "总部导出",
                   "操作日志", "我的账号"],
    "advisor1": ["首页", "学员", "咨询", "回访", "日报", "会议", "投诉", "班级", "课表", "点名", "自习室", "我的账号"],
    "director": ["首页", "学员", "会议", "投诉", "班级", "课表", "点名", "自习室", "我的账号"],
    "teacher1": ["首页", "学员", "会议", "投诉", "班级", "课表", "点名", "自习室", "我的账号"],
    "frontdesk": ["首页", "学员", "咨询", "投诉", "课表", "自习室", "我的账号"],
    "finance": ["首页", "学员", "今日进账", "我的账号"],
}


@pytest.mark.parametrize("username", sorted(NAV))
def test_each_demo_role_logs_in_and_sees_only_its_navigation(page, demo_campus, username):
    log_in(page, demo_campus, username)
    expect(page.locator("h1")).to_contain_text(demo_campus.accounts[username]["name"])
    assert page.locator("#mainnav a").all_inner_texts() == NAV[username]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / ("home-%s.png" % username)), full_page=True)


def test_wrong_password_shows_the_message_beside_the_field(page, demo_campus):
    log_in(page, demo_campus, "advisor2", "wrong-password")
    error = page.locator("#field-password .error")
    expect(error).to_have_text("用户名或密码错误。")
    expect(page.locator("#username")).to_have_value("advisor2")


def test_pin_login_on_a_tablet(page, demo_campus):
    page.goto(demo_campus.url + "/login")
    page.click("text=PIN 码（平板）")
    expect(page.locator("#pin-login")).to_be_visible()
    page.locator("#pin_username").fill("teacher2")
    page.locator("#pin_pin").fill(demo_campus.accounts["teacher2"]["pin"])
    page.click("#pin-login button[type=submit]")
    expect(page.locator("h1")).to_contain_text(demo_campus.accounts["teacher2"]["name"])


def test_audit_filter_swaps_results_without_reloading(page, demo_campus):
    log_in(page, demo_campus, "principal")
    page.goto(demo_campus.url + "/audit/")
    page.evaluate("window.__marker = 'same page'")
    page.select_option("select[name=action]", "login")
    expect(page).to_have_url(re.compile(r"action=login"))
    rows = page.locator("#audit-results tbody > tr")
    expect(rows.first).to_contain_text("登录")
    assert all("登录" in text for text in page.locator("#audit-results tbody > tr > td:nth-child(3)").all_inner_texts())
    assert page.evaluate("window.__marker") == "same page"
    page.screenshot(path=str(ARTIFACTS / "audit.png"), full_page=True)


def test_first_run_setup_then_creating_a_staff_account(page, fresh_server):
    page.goto(fresh_server.url + "/")
    expect(page).to_have_url(fresh_server.url + "/setup")
    page.fill("#campus_name", "阳光教育 朝阳校区")
    page.fill("#campus_code", "BJ-CY02")
    page.fill("#display_name", "李校长")
    page.fill("#username", "li")
    page.fill("#password", "sunny-campus-1")
    page.fill("#confirm", "sunny-campus-2")
    page.click("main button[type=submit]")
    expect(page.locator("#field-confirm .error")).to_have_text("两次输入的密码不一致。")
    page.fill("#password", "sunny-campus-1")
    page.fill("#confirm", "sunny-campus-1")
    page.click("main button[type=submit]")
    expect(page).to_have_url(fresh_server.url + "/accounts/")
    expect(page.locator(".flash")).to_contain_text("校区已设置完成")

    page.click("text=新建账号")
    page.fill("#display_name", "张晓明")
    page.fill("#username", "zxm")
    page.click("label.chip:has-text('学管师主管')")
    page.click("label.chip:has-text('答疑老师/前台')")
    page.fill("#password", "start-pass-1")
    page.screenshot(path=str(ARTIFACTS / "new-account.png"), full_page=True)
    page.click("main button[type=submit]")
    row = page.locator("tr", has_text="张晓明")
    expect(row).to_contain_text("学管师主管")
    expect(row).to_contain_text("答疑老师/前台")
    with sqlite3.connect(fresh_server.data / "xgapp.sqlite3") as conn:
        roles = {r[0] for r in conn.execute(
            "SELECT role FROM user_role JOIN user ON user.id = user_role.user_id WHERE username = 'zxm'")}
    assert roles == {"supervisor", "frontdesk"}


def test_phone_menu_opens_the_navigation(phone, demo_campus):
    log_in(phone, demo_campus, "principal")
    nav = phone.locator("#mainnav")
    expect(nav).to_be_hidden()
    phone.click(".menu-toggle")
    expect(nav).to_be_visible()
    expect(nav.locator("a", has_text="员工账号")).to_be_visible()
    phone.screenshot(path=str(ARTIFACTS / "phone-menu.png"), full_page=True)


def test_password_reset_form_error_swaps_in_place(page, demo_campus):
    log_in(page, demo_campus, "principal")
    page.goto(demo_campus.url + "/accounts/")
    page.click("text=" + demo_campus.accounts["finance"]["name"])
    page.evaluate("window.__marker = 'same page'")
    page.fill("#password-form #password", "finance-new-1")
    page.fill("#password-form #confirm", "finance-new-2")
    page.click("#password-form button[type=submit]")
    expect(page.locator("#password-form .error")).to_have_text("两次输入的密码不一致。")
    assert page.evaluate("window.__marker") == "same page"
    page.screenshot(path=str(ARTIFACTS / "account-edit.png"), full_page=True)
