"""Student flows in a real browser at tablet size: pinyin search as you type, opening a file and signing."""

import re
import sqlite3

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, log_in


def test_pinyin_search_from_the_top_bar(page, demo_campus):
    with sqlite3.connect(demo_campus.data / "xgapp.sqlite3") as conn:
        name, search_text = conn.execute(
            "SELECT name, search_text FROM student WHERE length(name) = 3 ORDER BY id LIMIT 1").fetchone()
    initials = next(k for k in search_text.split() if len(k) == 3 and k.isascii())
    log_in(page, demo_campus, "principal")
    box = page.locator(".global-search input")
    box.press_sequentially(initials, delay=60)
    result = page.locator("#global-search-results a", has_text=name).first
    expect(result).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "search.png"))
    result.click()
    expect(page.locator("h1")).to_contain_text(name)
    page.screenshot(path=str(ARTIFACTS / "student-file.png"), full_page=True)


def test_inquiry_invite_trial_then_sign_with_a_split_payment_and_see_the_balance(page, demo_campus):
    log_in(page, demo_campus, "advisor1")
    page.goto(demo_campus.url + "/leads/new")
    page.select_option("#channel", "hotline")
    page.fill("#guardian_name", "欧阳妈妈")
    page.fill("#mobile", "1381234")
    page.fill("#name", "欧阳小雨")
    page.fill("#school", "中关村第一小学")
    page.select_option("#grade", "四年级")
    page.fill("#subject", "数学")
    page.click("main button[type=submit]")
    expect(page.locator("#field-mobile .error")).to_contain_text("11 位")
    page.fill("#mobile", "13898765432")
    page.click("main button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("已登记 欧阳小雨 的咨询")
    expect(page.locator("h1 .badge")).to_have_text("咨询")

    page.select_option("#stage", "invited")
    page.fill("#advance-note", "约周六上午上门")
    page.click("form[action$='/advance'] button")
    expect(page.locator("h1 .badge")).to_have_text("已邀约")
    page.select_option("#stage", "visited")
    page.click("form[action$='/advance'] button")
    expect(page.locator("h1 .badge")).to_have_text("已上门")
    page.select_option("#stage", "trial")
    page.fill("#advance-note", "周六数学试听")
    page.click("form[action$='/advance'] button")
    expect(page.locator("h1 .badge")).to_have_text("已试听")
    page.screenshot(path=str(ARTIFACTS / "lead.png"), full_page=True)

    page.click("text=学员档案")
    expect(page.locator("h1 .badge")).to_have_text("试听")
    page.click("text=新签合同")
    page.fill("#subject", "数学")
    page.fill("#hours", "40")
    page.fill("#free_hours", "2")
    page.fill("#unit_price", "150")
    page.fill("#payments-0-amount", "4000")
    page.select_option("#payments-0-method", "wechat")
    page.fill("#payments-1-amount", "2000")
    page.select_option("#payments-1-method", "cash")
    page.fill("#payments-1-receipt_no", "R-2026-001")
    page.screenshot(path=str(ARTIFACTS / "contract-form.png"), full_page=True)
    page.click("main button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("已签订")
    expect(page.locator("h1 .badge")).to_have_text("在读")
    expect(page.locator(".tiles.balances .tile", has_text="数学")).to_contain_text("42.0")
    row = page.locator("table.list tr", has_text="新签")
    expect(row).to_contain_text("¥6,000.00")
    page.screenshot(path=str(ARTIFACTS / "student-signed.png"), full_page=True)
    with sqlite3.connect(demo_campus.data / "xgapp.sqlite3") as conn:
        methods = conn.execute("SELECT payment.method, payment.amount FROM payment JOIN contract ON contract.id = "
                               "payment.contract_id JOIN student ON student.id = contract.student_id "
                               "WHERE student.name = '欧阳小雨' ORDER BY payment.id").fetchall()
        stage = conn.execute("SELECT stage FROM lead JOIN student ON student.id = lead.student_id "
                             "WHERE student.name = '欧阳小雨'").fetchone()[0]
    assert methods == [("wechat", 400000), ("cash", 200000)]  # stored in fen
    assert stage == "signed"


def test_students_list_filters_as_you_type(page, demo_campus):
    log_in(page, demo_campus, "supervisor")
    page.goto(demo_campus.url + "/students/")
    page.evaluate("window.__marker = 1")
    page.select_option("select[name=status]", "paused")
    expect(page).to_have_url(re.compile(r"status=paused"))
    statuses = page.locator("#student-results tbody td:nth-child(2)").all_inner_texts()
    assert statuses and set(statuses) == {"停课"}
    assert page.evaluate("window.__marker") == 1
    page.screenshot(path=str(ARTIFACTS / "students-list.png"), full_page=True)
