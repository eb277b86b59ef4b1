"""日报 pages: an advisor's day and the campus's day, the manual counter, the .xlsx, the printed campus report."""

import io
import re
import subprocess
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale

from tests.conftest import csrf_from, earlier_today, login, make_user
from tests.factories import advisor, make_contract, make_student
from xgapp.audit.models import AuditLog
from xgapp.followups import domain as followups
from xgapp.numbers import forms, manual
from xgapp.numbers.models import ManualCount
from xgapp.validation import Invalid

ZONE = ZoneInfo("Asia/Shanghai")


def today():
    return datetime.now(ZONE).date()


@pytest.fixture
def day_of_work(app):
    """Two advisors; the first signs a new contract (¥6,000 paid), logs two follow-ups; the second logs one."""
    with app.app_context():
        a1, a2 = advisor("adv1", name="学管甲"), advisor("adv2", name="学管乙")
        boss = make_user("sup", roles=("supervisor",), name="主管周")
        kid = make_student(name="张小明", advisor_user=a1)
        make_contract(kid, by=a1, subject="数学", hours="40", unit_price="150",
                      payments=[{"amount": "6000", "method": "cash"}], today=today())
        other = make_student(name="李小红", advisor_user=a2)
        at = earlier_today(30)
        for who, student, text in ((a1, kid, "妈妈说作业完成得不错"), (a1, kid, "约好周六面谈"), (a2, other, "询问试听时间")):
            followups.log(who, student, {"kind": "routine", "channel": "phone", "whom": "parent", "at": at,
                                         "purpose": "了解近况", "content": text})
    return a1, a2, boss


def test_manual_counter_rules(app, day_of_work):
    a1, a2, boss = day_of_work
    day = today()
    with app.app_context():
        assert manual.tap(a1, a1, day, "hotline", 1) == 1
        assert manual.tap(a1, a1, day, "hotline", 1) == 2
        assert manual.tap(a1, a1, day, "hotline", -1) == 1
        assert manual.tap(a1, a1, day, "hotline", -1) == 0
        assert manual.tap(a1, a1, day, "hotline", -1) == 0  # never below zero, and nothing written
        for bad in ((a2, a1, day, "hotline", 1), (a1, a1, day + timedelta(days=1), "hotline", 1),
                    (a1, a1, day - timedelta(days=8), "hotline", 1), (a1, a1, day, "flyers", 1),
                    (a1, a1, day, "hotline", 5)):
            with pytest.raises(Invalid):
                manual.tap(*bad)
        assert manual.tap(boss, a1, day - timedelta(days=30), "hotline", 1) == 1  # the supervisor corrects later
        assert manual.counts(day - timedelta(days=30)) == {a1.id: {"hotline": 1}}
        assert ManualCount.select().count() == 2
        assert AuditLog.select().where(AuditLog.table == "manual_count").count() == 5  # each change, not the no-op


def test_an_advisor_sees_her_day_and_taps_the_counter(app, day_of_work, client):
    a1, a2, _ = day_of_work
    login(client, "adv1")
    assert client.get("/numbers/").headers["Location"].endswith("/numbers/advisor/%d" % a1.id)
    page = client.get("/numbers/advisor/%d" % a1.id)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "学管甲" in html
    assert re.search(r'data-figure="followups"><span>回访</span><strong>2</strong>', html)
    assert re.search(r'data-figure="new.count"><span>新签（单）</span><strong>1</strong>', html)
    assert re.search(r'data-figure="revenue"><span>进账</span><strong>¥6,000.00</strong>', html)
    assert "约好周六面谈" in html and "手工" in html
    token = csrf_from(html)
    tapped = client.post("/numbers/tap", data={"csrf_token": token, "advisor": a1.id, "day": today().isoformat(),
                                               "kind": "hotline", "delta": "1"}, headers={"HX-Request": "true"})
    fragment = tapped.get_data(as_text=True)
    assert tapped.status_code == 200 and "<html" not in fragment
    assert re.search(r'data-testid="count-hotline">1<', fragment)
    assert client.post("/numbers/tap", data={"advisor": a1.id, "day": today().isoformat(), "kind": "hotline",
                                             "delta": "1"}).status_code == 403  # no CSRF token
    refused = client.post("/numbers/tap", data={"csrf_token": token, "advisor": a1.id, "kind": "hotline",
                                                "day": (today() - timedelta(days=20)).isoformat(), "delta": "1"},
                          headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "请联系学管师主管" in refused.get_data(as_text=True)
    # her own numbers only: not another advisor's, not the campus report
    assert client.get("/numbers/advisor/%d" % a2.id).status_code == 404
    assert client.get("/numbers/campus").status_code == 403
    assert client.get("/numbers/campus.xlsx").status_code == 403
    assert client.post("/numbers/tap", data={"csrf_token": token, "advisor": a2.id, "day": today().isoformat(),
                                             "kind": "hotline", "delta": "1"}).status_code == 404
    assert client.get("/numbers/advisor/%d?day=2026-13-40" % a1.id).status_code == 404
    assert ManualCount.select().count() == 1


def test_the_supervisor_reads_the_campus_day_and_exports_it(app, day_of_work, client, tmp_path):
    a1, a2, boss = day_of_work
    with app.app_context():
        manual.tap(a1, a1, today(), "hotline", 1)
        manual.tap(a1, a1, today(), "hotline", 1)
    login(client, "sup")
    html = client.get("/numbers/campus").get_data(as_text=True)

    def cell(who, key):
        found = re.search(r'data-advisor="%s" data-figure="%s">(?:<strong>)?([^<]*)<' % (who, re.escape(key)), html)
        return found.group(1)

    assert [cell("学管甲", k) for k in ("followups", "new.count", "new.amount", "revenue", "manual.hotline")] == \
        ["2", "1", "6000.00", "6000.00", "2"]
    assert [cell("学管乙", k) for k in ("followups", "new.count", "manual.hotline")] == ["1", "0", "0"]
    assert cell("campus", "followups") == "3" and cell("campus", "manual.hotline") == "2"
    assert client.get("/numbers/advisor/%d" % a2.id).status_code == 200  # the supervisor opens each advisor
    response = client.get("/numbers/campus.xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["日期", "学管师", "咨询电话"] and header[-1] == "热线电话（手工）"
    rows = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["学管甲"][header.index("回访")] == 2 and rows["校区合计"][header.index("回访")] == 3
    assert rows["学管甲"][header.index("进账")] == 6000
    assert isinstance(rows["学管甲"][header.index("新签金额")], (int, float, Decimal))  # numbers, not text
    pdf = client.get("/print/campus-daily/%s.pdf" % today().isoformat())
    path = tmp_path / "campus.pdf"
    path.write_bytes(pdf.data)
    text = "".join(subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True,
                                  text=True).stdout.split())
    assert "校区日报" in text and "学管甲" in text and "学管乙" in text and "校区合计" in text
    assert "热线电话（手工）" in text


def test_months_and_days_without_data_show_zeros(app, client):
    make_user("sup", roles=("supervisor",), name="主管周")
    advisor("adv1", name="学管甲")
    login(client, "sup")
    html = client.get("/numbers/campus?day=2001-01-01").get_data(as_text=True)
    totals = re.findall(r'data-advisor="campus" data-figure="[^"]+"><strong>([^<]*)<', html)
    assert len(totals) == 16 and set(totals) == {"0", "0.00", "0.0"}


def test_the_first_screen_shows_each_role_its_numbers(app, day_of_work, client):
    a1, a2, boss = day_of_work
    with app.app_context():
        from xgapp.numbers import targets

        targets.save(boss, today().replace(day=1), forms.target_cells({(a1.id, "new"): "12000"}))
    login(client, "adv1")
    html = client.get("/").get_data(as_text=True)
    assert 'id="home-my-numbers"' in html and 'id="home-campus-numbers"' not in html
    assert re.search(r"<span>回访</span><strong>2</strong>", html)
    assert re.search(r'data-kind="new">.*?¥6,000.00 / ¥12,000.00.*?50%', html, re.S)
    client.post("/logout", data={"csrf_token": csrf_from(html)})
    login(client, "sup")
    html = client.get("/").get_data(as_text=True)
    assert 'id="home-campus-numbers"' in html and html.count("<svg class=\"chart\"") == 2
    assert "近 30 天签约金额" in html and "<rect" in html  # today's ¥6,000 is a bar
    make_user("t1", roles=("teacher",), name="老师")
    client.post("/logout", data={"csrf_token": csrf_from(html)})
    login(client, "t1")
    html = client.get("/").get_data(as_text=True)
    assert "home-my-numbers" not in html and "home-campus-numbers" not in html


def test_trends_and_charts(app, day_of_work):
    from xgapp.numbers import charts, trends

    with app.app_context():
        series = trends.daily_series(today() - timedelta(days=2), today())
    assert [(d, str(s), str(r)) for d, s, r in series][-1] == (today(), "6000.00", "6000.00")
    assert [str(s) for _, s, _ in series[:2]] == ["0.00", "0.00"]
    points = [("a", Decimal("3")), ("b", None), ("c", Decimal("0")), ("d", Decimal("12000"))]
    with app.test_request_context("/"):
        svg = charts.bars(points, "测试", money=True)
        assert svg.count("<rect") == 2 and "2万元" in svg and "<title>测试</title>" in svg  # axis up to 20,000
        assert "<title>d: 12,000元</title>" in svg
    with app.test_request_context("/"), force_locale("en"):
        english = charts.bars(points, "Test", money=True)
        assert "¥20K" in english and "¥10K" in english and "d: ¥12,000" in english
    assert charts._nice(Decimal("0")) == 1 and charts._nice(Decimal("83")) == 100 and charts._nice(1800) == 2000


def test_the_first_screen_shows_shortfalls_to_leaders_and_the_room_to_the_desk(app, day_of_work, client):
    a1, a2, boss = day_of_work
    with app.app_context():
        from xgapp.numbers import targets
        from xgapp.selfstudy import domain as selfstudy

        targets.save(boss, today().replace(day=1), forms.target_cells({
            (a1.id, "new"): "12000", (a2.id, "new"): "1000"
        }))
        desk = make_user("desk", roles=("frontdesk",), name="前台小李")
        kid = make_student(name="王小虎", advisor_user=a1)
        selfstudy.sign_in(desk, kid)
    login(client, "sup")
    html = client.get("/").get_data(as_text=True)
    rows = re.findall(r"<tr><td>([^<]+)</td><td>新签金额（元）</td><td class=\"num\">(\d+)%</td>"
                      r"<td class=\"num\">([^<]+)</td>", html)
    assert sorted(rows) == [("学管乙", "0", "¥1,000.00"), ("学管甲", "50", "¥6,000.00")]
    assert "home-risk" not in html  # no class starts soon without its briefing
    with app.app_context():
        from datetime import time, timedelta

        from tests.factories import make_class, teacher
        from xgapp.timetable import domain as timetable

        first = today() + timedelta(days=3)
        klass = make_class(name="初三化学新班", advisor_user=a2, teacher_user=teacher("t9"), start_on=first)
        timetable.schedule(None, klass, [first.weekday()], time(18), time(20), first, 4)
    html = client.get("/").get_data(as_text=True)
    risk = html[html.index('id="home-risk"'):]
    assert "初三化学新班" in risk and "学管乙" in risk and "还没有安排课前说明会" in risk
    client.post("/logout", data={"csrf_token": csrf_from(html)})
    login(client, "desk")
    html = client.get("/").get_data(as_text=True)
    assert 'id="home-study-room"' in html and "王小虎" in html and "home-campus-numbers" not in html


def test_an_advisors_day_and_the_targets_export_to_excel_with_only_what_she_may_see(app, day_of_work, client):
    from openpyxl import load_workbook

    a1, a2, boss = day_of_work
    with app.app_context():
        from xgapp.numbers import targets

        targets.save(boss, today().replace(day=1), forms.target_cells({(None, "new"): "20000", (a1.id, "new"): "12000",
                                                                       (a2.id, "new"): "8000"}))
    login(client, "adv1")
    book = load_workbook(io.BytesIO(client.get("/numbers/advisor/%d.xlsx" % a1.id).data))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    [row] = list(sheet.iter_rows(min_row=2, values_only=True))
    assert row[1] == "学管甲" and row[header.index("回访")] == 2 and row[header.index("新签金额")] == 6000
    calls = [r for r in book["当日回访"].iter_rows(min_row=2, values_only=True)]
    assert sorted(r[2] for r in calls) == ["妈妈说作业完成得不错", "约好周六面谈"]
    assert client.get("/numbers/advisor/%d.xlsx" % a2.id).status_code == 404  # not another advisor's day
    sheet = load_workbook(io.BytesIO(client.get("/numbers/targets.xlsx").data)).active
    header = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ["学管甲"]  # her own row only
    assert rows[0][header.index("新签金额目标")] == 12000 and rows[0][header.index("新签金额完成")] == 6000
    assert rows[0][header.index("新签金额完成率(%)")] == 50 and rows[0][header.index("新签金额差额")] == 6000
    client = app.test_client()
    login(client, "sup")
    rows = list(load_workbook(io.BytesIO(client.get("/numbers/targets.xlsx").data)).active.iter_rows(
        min_row=2, values_only=True))
    assert {r[0] for r in rows[:-1]} == {"学管甲", "学管乙"} and rows[-1][0] == "校区合计"
    assert client.get("/numbers/advisor/%d.xlsx" % a2.id).status_code == 200
