"""Printing in a real browser at tablet size: print a briefing record, batch-print a week, file a signed copy."""

import sqlite3
import subprocess

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, log_in


def pdf_text(path):
    return "".join(subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True,
                                  text=True).stdout.split())


def test_an_advisor_prints_a_briefing_record_and_gets_the_pdf(page, demo_campus, tmp_path):
    with sqlite3.connect(demo_campus.data / "xgapp.sqlite3") as conn:
        briefing_id, class_id, class_name, username, syllabus = conn.execute(
            "SELECT briefing.id, school_class.id, school_class.name, user.username, briefing.syllabus FROM briefing "
            "JOIN school_class ON school_class.id = briefing.class_id JOIN user ON user.id = school_class.advisor_id "
            "WHERE briefing.status = 'held' AND EXISTS (SELECT 1 FROM briefing_attendee a WHERE "
            "a.briefing_id = briefing.id AND a.role = 'parent') ORDER BY briefing.id DESC").fetchone()
        parent = conn.execute("SELECT name FROM briefing_attendee WHERE briefing_id = ? AND role = 'parent' "
                              "ORDER BY id", (briefing_id,)).fetchone()[0]
    log_in(page, demo_campus, username)
    page.goto(demo_campus.url + "/meetings/briefing/%d" % class_id)
    page.click("[data-testid=print-briefing]")
    expect(page.locator("h1")).to_contain_text("课前说明会记录单")
    expect(page.locator("[data-testid=print-pages] img")).to_have_count(1)  # the page as the printer gets it
    assert page.locator("[data-testid=print-pages] img").evaluate("img => img.naturalWidth") > 800
    expect(page.locator("[data-testid=open-pdf]")).to_have_attribute("href", "/print/briefing/%d.pdf" % briefing_id)
    page.screenshot(path=str(ARTIFACTS / "print-preview.png"), full_page=True)
    with page.expect_download() as download:
        page.click("[data-testid=download-pdf]")
    target = tmp_path / "briefing.pdf"
    download.value.save_as(target)
    assert target.read_bytes()[:5] == b"%PDF-"
    text = pdf_text(target)
    assert "课前说明会记录单" in text and "".join(class_name.split()) in text and parent in text
    assert "".join(syllabus.split()) in text
    # Back on the preview, the advisor records that the signed copy is in the files.
    expect(page.locator("[data-testid=signed-state]")).to_contain_text("签字件已由")  # the demo filed it already


def test_the_desk_batch_prints_a_week_of_study_logs_with_progress_and_files_one(page, demo_campus, tmp_path):
    from datetime import date, timedelta

    with sqlite3.connect(demo_campus.data / "xgapp.sqlite3") as conn:
        last = date.fromisoformat(conn.execute("SELECT max(day) FROM study_visit").fetchone()[0])
        days = conn.execute("SELECT count(DISTINCT day) FROM study_visit WHERE day BETWEEN ? AND ?",
                            ((last - timedelta(days=6)).isoformat(), last.isoformat())).fetchone()[0]
    log_in(page, demo_campus, "frontdesk")
    page.goto(demo_campus.url + "/selfstudy/")
    page.click("text=批量打印")
    page.select_option("#batch-kind", "selfstudy-log")
    page.fill("#batch-first", (last - timedelta(days=6)).isoformat())
    page.fill("#batch-last", last.isoformat())
    page.click("[data-testid=batch-start]")
    expect(page.locator("#job-card")).to_be_visible()  # the progress card replaces nothing: the form stays
    expect(page.locator("[data-testid=batch-done]")).to_contain_text("共 %d 份表单" % days, timeout=60000)
    page.screenshot(path=str(ARTIFACTS / "print-batch.png"), full_page=True)
    href = page.locator("[data-testid=batch-open]").get_attribute("href")
    response = page.request.get(demo_campus.url + href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    target = tmp_path / "batch.pdf"
    target.write_bytes(response.body())
    assert pdf_text(target).count("学员自习登记表") >= days
    # Today's log: print it from the board and mark the signed copy received.
    page.goto(demo_campus.url + "/selfstudy/")
    page.click("[data-testid=print-selfstudy-log]")
    page.fill("input[name=note]", "已装订入册")
    page.click("[data-testid=mark-signed]")
    expect(page.locator(".flash.success")).to_contain_text("已登记签字件收回")
    expect(page.locator("[data-testid=signed-state]")).to_contain_text("已装订入册")
