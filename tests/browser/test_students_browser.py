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


def test_open_a_file_take_a_trial_and_sign_with_a_split_payment(page, demo_campus):
    log_in(page, demo_campus, "advisor1")
    page.goto(demo_campus.url + "/students/new")
    page.fill("#name", "欧阳小雨")
    page.select_option("#gender", "F")
    page.fill("#school", "中关村第一小学")
    page.select_option("#grade", "四年级")
    page.select_option("#source", "walkin")
    page.fill("#guardians-0-name", "欧阳妈妈")
    page.fill("#guardians-0-mobile", "1381234")
    page.click("main button[type=submit]")
    expect(page.locator("#field-guardians-0-mobile .error")).to_contain_text("11 位")
    page.fill("#guardians-0-mobile", "13898765432")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("欧阳小雨")
    expect(page.locator("h1 .badge")).to_have_text("意向")

    page.select_option("select[name=status]", "trial")
    page.fill("input[name=reason]", "周六数学试听")
    page.click("form[action$='/status'] button")
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
    expect(row).to_contain_text("¥6000.00")
    page.screenshot(path=str(ARTIFACTS / "student-signed.png"), full_page=True)
    with sqlite3.connect(demo_campus.data / "xgapp.sqlite3") as conn:
        methods = conn.execute("SELECT payment.method, payment.amount FROM payment JOIN contract ON contract.id = payment.contract_id "
                               "JOIN student ON student.id = contract.student_id WHERE student.name = '欧阳小雨' "
                               "ORDER BY payment.id").fetchall()
    assert methods == [("wechat", 400000), ("cash", 200000)]  # stored in fen


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
