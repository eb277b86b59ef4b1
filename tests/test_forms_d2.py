"""Every form page of numbers and export reports all its errors in one response (422), and saves nothing.

Also the decisions of the policy section "numbers, home, export": who sees which advisor's numbers, who taps a
counter, who writes which 月报, who sees which ranking figures, and which first-screen panels each role gets.
"""

from datetime import date, timedelta

from tests import html
from tests.conftest import campus_today, csrf_from, login, make_user
from tests.factories import advisor
from xgapp import policy
from xgapp.audit.models import AuditLog
from xgapp.export import delivery
from xgapp.numbers.models import MonthReport, Target


def _token(client, url):
    return csrf_from(client.get(url).get_data(as_text=True))


def test_the_targets_form_marks_every_bad_box_at_once(app, client):
    with app.app_context():
        a1, a2 = advisor("adv1", name="学管甲"), advisor("adv2", name="学管乙")
    login(client)
    month = campus_today().replace(day=1).strftime("%Y-%m")
    token = _token(client, "/numbers/targets?month=" + month)
    response = client.post("/numbers/targets", data={
        "csrf_token": token, "month": month, "new-campus": "abc", "renewal-%d" % a1.id: "-5",
        "hours-%d" % a1.id: "1.25", "new_students-%d" % a2.id: "2.5", "new-%d" % a2.id: "1000"})
    assert response.status_code == 422
    page = html.parse(response)
    assert html.errors(page) == {
        "new-campus": "请输入以元为单位的金额，例如 3600 或 3600.50。", "renewal-%d" % a1.id: "金额不能为负数。",
        "hours-%d" % a1.id: "最多 1 位小数。", "new_students-%d" % a2.id: "请填写整数。"}
    assert page.select_one("#new-campus")["value"] == "abc"  # what was typed stays in its box
    assert page.select_one("#new-%d" % a2.id)["value"] == "1000"
    assert Target.select().count() == 0 and not AuditLog.select().where(AuditLog.table == "target").exists()


def test_the_month_report_marks_both_texts_at_once(app, client):
    login(client)
    token = _token(client, "/numbers/period?month=2026-10")
    response = client.post("/numbers/period?month=2026-10", data={"csrf_token": token, "summary": "长" * 4001,
                                                                   "plan": "计" * 4001})
    assert response.status_code == 422
    page = html.parse(response)
    assert html.errors(page) == {"summary": "最多 4000 个字。", "plan": "最多 4000 个字。"}
    assert page.select_one("textarea#plan").get_text() == "计" * 4001
    assert MonthReport.select().count() == 0


def test_the_export_settings_mark_every_wrong_box_at_once(app, client):
    login(client)
    token = _token(client, "/export/settings")
    response = client.post("/export/settings", data={
        "csrf_token": token, "time": "25:99", "smtp_host": "smtp.example.com", "security": "plain",
        "smtp_port": "99999", "username": "", "password": "s3cret-code", "sender": "", "to": "hq@",
        "cc": "ok@example.com, cc@", "max_mb": "0", "folder": "relative/path"})
    assert response.status_code == 422
    errors = html.errors(html.parse(response))
    assert errors == {
        "time": "请填写时间，例如 22:30。", "security": "请从列表中选择 SSL、STARTTLS 或不加密。",
        "smtp_port": "端口应为 1–65535 的整数。", "max_mb": "附件上限应为 1–1000 的整数（MB）。",
        "to": "邮箱地址不正确：hq@", "cc": "邮箱地址不正确：cc@", "sender": "填写了邮件服务器时必须填写发件人。",
        "folder": "请填写完整路径，例如 E:\\导出包 或 \\\\服务器\\共享\\导出包。", "password": "密码未保存：请重新输入密码。"}
    assert "s3cret-code" not in response.get_data(as_text=True)
    assert not delivery.config_path(app.config["XGAPP_PATHS"]).exists()
    assert not AuditLog.select().where(AuditLog.table == "export_settings").exists()


def test_the_numbers_home_and_export_policy(app):
    with app.app_context():
        a1, a2 = advisor("adv1"), advisor("adv2")
        boss = make_user("sup", roles=("supervisor",))
        desk, maths = make_user("desk", roles=("frontdesk",)), make_user("t1", roles=("teacher",))
        today = date(2026, 11, 20)
        # an advisor sees her own numbers and ranking figures; leaders everyone's
        assert policy.may_see_advisor_numbers(a1, a1) and not policy.may_see_advisor_numbers(a1, a2)
        assert policy.may_see_advisor_numbers(boss, a2) and policy.may_see_ranking_figures(boss, a2)
        assert policy.may_see_ranking_figures(a1, a1) and not policy.may_see_ranking_figures(a1, a2)
        # her own counter for a week, never tomorrow's; a leader any day that has been
        assert policy.may_tap_counter(a1, a1, today - timedelta(days=7), today)
        assert not policy.may_tap_counter(a1, a1, today - timedelta(days=8), today)
        assert not policy.may_tap_counter(a1, a2, today, today)
        assert policy.may_tap_counter(boss, a1, today - timedelta(days=300), today)
        assert not policy.may_tap_counter(boss, a1, today + timedelta(days=1), today)
        # her own 月报; the campus's is the leaders'
        assert policy.may_write_month_report(a1, a1) and not policy.may_write_month_report(a1, a2)
        assert policy.may_write_month_report(boss, None) and not policy.may_write_month_report(a1, None)
        # the first screen: leaders get the campus's numbers, an advisor hers, the desk the study room
        assert "campus_numbers" in policy.home_panels(boss) and "my_numbers" not in policy.home_panels(boss)
        assert "my_numbers" in policy.home_panels(a1) and "campus_numbers" not in policy.home_panels(a1)
        # (and, as everyone who receives complaints, the late ones it still owns)
        assert policy.home_panels(desk) == ["study_overdue", "complaints_due", "in_room", "my_questions", "notices"]
        assert "complaints_due" not in policy.home_panels(maths)  # a teacher records none
        assert "plans_due" in policy.home_panels(maths) and "low_students" not in policy.home_panels(maths)
        assert not policy.may_print_own_daily_report(boss) and policy.may_print_own_daily_report(a1)
        # only the principal sets up the export; the supervisor watches it
        assert not policy.can(boss, "export.settings") and policy.can(boss, "export.view")
        assert not policy.can(a1, "export.view")
