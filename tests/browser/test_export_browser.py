"""The head-office export in a real browser at tablet size: the principal sets up email, sends a test email, then
sends the waiting bundle, and sees it marked sent; the bundle arrives at a real SMTP server and verifies."""

import email
import email.policy

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, log_in
from tests.test_export_delivery import Mailserver
from xgapp.export.verify import verify


def test_the_principal_sets_up_email_and_the_bundle_arrives(page, demo_campus, tmp_path):
    smtp = Mailserver().start()
    try:
        log_in(page, demo_campus, "principal")
        page.click("#mainnav a:text-is('总部导出')")
        expect(page.locator("h1")).to_contain_text("总部导出")
        expect(page.locator("#no-channel")).to_be_visible()  # nothing set up yet: said plainly
        page.click("text=立即生成待做的导出包")
        expect(page.locator("#export-days")).to_contain_text(".zip")  # yesterday's bundle exists
        page.click(".heading a:text-is('设置')")
        page.fill("#smtp_host", "127.0.0.1")
        page.select_option("#security", "none")
        page.fill("#smtp_port", "not a port")
        page.fill("#sender", "campus@example.com")
        page.fill("#to", "hq@example.com")
        page.click("#export-settings button[type=submit]")
        expect(page.locator("#field-smtp_port .error")).to_have_text("端口应为 1–65535 的整数。")
        page.fill("#smtp_port", str(smtp.port))
        page.click("#export-settings button[type=submit]")
        expect(page.locator(".flash.success")).to_contain_text("已保存")
        page.click("text=发送测试邮件")
        expect(page.locator("#test-result")).to_contain_text("测试邮件已发送")
        page.screenshot(path=str(ARTIFACTS / "export-settings.png"), full_page=True)
        page.click("text=‹ 总部导出")
        page.click("text=立即发送待发送的")
        row = page.locator("#export-days tbody tr").filter(has_text=".zip").first
        expect(row).to_contain_text("已发送")
        page.screenshot(path=str(ARTIFACTS / "export-days.png"), full_page=True)
        bundles = [m for m in smtp.inbox.messages if b"application/zip" in m[2]]
        assert len(bundles) >= 1
        message = email.message_from_bytes(bundles[0][2], policy=email.policy.default)
        [part] = list(message.iter_attachments())
        target = tmp_path / part.get_filename()
        target.write_bytes(part.get_payload(decode=True))
        manifest = verify(target).manifest
        assert manifest["campus"]["code"] and manifest["full"] is True
        assert manifest["tables"]["student"]["rows"] > 50
    finally:
        smtp.stop()
