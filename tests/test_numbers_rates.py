"""签约率, 续费率, the monthly ranking, the excellent-team criteria, 周报 and 月报, on hand-built months."""

import io
import re
import subprocess
from datetime import date

import pytest

from tests.conftest import csrf_from, login, make_user
from tests.html import parse, text, texts
from tests.factories import advisor, make_class, make_student, teacher
from tests.test_numbers_daily import advance, at, follow_up, inquiry, sign
from xgapp.changes import domain as changes
from xgapp.classes import domain as classes
from xgapp.classes.models import Enrolment
from xgapp.clock import fixed as clock
from xgapp.clock import month_last
from xgapp.followups import domain as followups
from xgapp.numbers import forms, periods, rates, targets
from xgapp.numbers.models import MonthReport
from xgapp.validation import Invalid

MONTH = date(2026, 10, 1)
MID = date(2026, 10, 15)


@pytest.fixture
def october(app):
    """Two advisors' October: visits and signings, courses ending with and without a renewal, a complaint."""
    with app.app_context():
        a1, a2 = advisor("adv1", name="学管甲"), advisor("adv2", name="学管乙")
        boss = make_user("sup", roles=("supervisor",), name="主管周")
        # 签约率 for a1: L1 visited 10-03 and signed 10-20; L2 visited 10-05, not signed; L3 visited in September
        # and signed in October (not in October's cohort); L4 visited 10-30, signs 11-02 (after the month)
        l1, l2 = inquiry(a1, "甲一", date(2026, 10, 1)), inquiry(a1, "甲二", date(2026, 10, 1))
        l3, l4 = inquiry(a1, "甲三", date(2026, 9, 1)), inquiry(a1, "甲四", date(2026, 10, 1))
        advance(a1, l1, "visited", date(2026, 10, 3))
        advance(a1, l2, "visited", date(2026, 10, 5))
        advance(a1, l3, "visited", date(2026, 9, 20))
        advance(a1, l4, "visited", date(2026, 10, 30))
        sign(l1.student, date(2026, 10, 20), price="300")  # 20 h × 300 = ¥6,000 new
        sign(l3.student, date(2026, 10, 8), price="100")  # ¥2,000 new
        sign(l4.student, date(2026, 11, 2), price="100")
        l5 = inquiry(a1, "甲五", date(2026, 10, 1), channel="walkin")  # walked in, then a trial: no 已上门 step
        advance(a1, l5, "trial", date(2026, 10, 10))
        sign(l5.student, date(2026, 10, 12), price="50")  # ¥1,000 new
        # 续费率: three students whose course ends on 10-25
        klass = make_class(name="数学A班", advisor_user=a1, teacher_user=teacher("t1"), start_on=date(2026, 9, 1))
        kids = [make_student(name=n, advisor_user=a) for n, a in (("续一", a1), ("续二", a1), ("续三", a2))]
        for kid in kids:
            sign(kid, date(2026, 8, 25))  # their first contract
            classes.enrol(None, klass, kid, date(2026, 9, 1))
        for kid in kids:
            enrolment = Enrolment.get(Enrolment.student == kid, Enrolment.klass == klass)
            with clock(at(date(2026, 10, 25), "20:00")):
                changes.leave_class(a1, enrolment, date(2026, 10, 25), "本期结课", finished=True)
        sign(kids[0], date(2026, 10, 12), kind="renewal", price="100")  # 13 days before the end: renewed
        sign(kids[2], date(2026, 11, 20), kind="renewal", price="100")  # 26 days after: too late
        # a complaint about a2's student, received and answered by a call (the call, a 投诉回复 follow-up, is no
        # complaint of its own: the register counts)
        from xgapp.complaints import domain as complaints

        with clock(at(MID, "10:00")):
            complaints.receive(a2, {"student": kids[2], "complainant": "家长", "complainant_kind": "guardian",
                                    "about": "teaching", "about_user": None, "channel": "phone",
                                    "content": "家长投诉作业太多", "severity": "normal",
                                    "received_at": at(MID, "10:00"), "owner": a2})
        with clock(at(MID, "10:05")):
            followups.log(a2, kids[2], {"kind": "complaint", "channel": "phone", "whom": "parent",
                                        "at": at(MID, "10:00"), "purpose": followups.PURPOSES["complaint"],
                                        "content": "家长投诉作业太多，已和老师沟通"})
        follow_up(a1, kids[0], at(MID, "11:00"))
    return a1, a2, boss


def test_signing_and_renewal_rates_are_counted_from_the_records(app, october):
    a1, a2, _ = october
    with app.app_context():
        first, last = MONTH, date(2026, 10, 31)
        assert rates.signing(first, last) == {a1.id: (2, 4)}  # L1 and L5 of L1, L2, L4, L5 (a trial is a visit)
        assert rates.renewal(first, last) == {a1.id: (1, 2), a2.id: (0, 1)}
        assert rates.complaints(first, last) == {a2.id: 1}
        assert rates.signing(date(2026, 9, 1), date(2026, 9, 30)) == {a1.id: (0, 1)}  # L3 signed only in October
        assert rates.renewal(date(2026, 9, 1), date(2026, 9, 30)) == {}


def test_the_ranking_orders_advisors_and_checks_the_team_criteria(app, october):
    a1, a2, boss = october
    with app.app_context():
        targets.save(boss, MONTH, forms.target_cells({(None, "new"): "8000", (a1.id, "new"): "8000"}))
        data = rates.month_ranking(MONTH, today=date(2026, 11, 29))
        first, second = data["rows"]
        assert (first["advisor"].id, first["rank"], second["advisor"].id, second["rank"]) == (a1.id, 1, a2.id, 2)
        assert first["amount"] == 6000 + 2000 + 1000 + 2000 and first["contracts"] == 4  # three new, one renewal
        assert first["signing"] == (2, 4, rates.ratio(2, 4)) and str(first["signing"][2]) == "50.0"
        assert first["renewal"][2] == 50 and second["renewal"][2] == 0
        assert first["targets_met"] is True and second["targets_met"] is None
        assert (first["complaints"], second["complaints"]) == (0, 1)
        assert data["team"]["targets_met"] is True and data["team"]["complaints"] == 1
        assert data["team"]["excellent"] is False  # a complaint, and half a class per advisor
        assert str(data["renewal"][2]) == "33.3" and data["signing"][:2] == (2, 4)
        empty = rates.month_ranking(date(2001, 1, 1), today=date(2026, 11, 29))
        assert [r["amount"] for r in empty["rows"]] == [0, 0] and empty["signing"] == (0, 0, None)


def test_the_ranking_page_shows_advisors_the_order_but_not_the_details(app, october, client):
    a1, a2, _ = october
    login(client, "adv2")
    html = client.get("/numbers/ranking?month=2026-10").get_data(as_text=True)
    names = re.findall(r'<tr data-advisor="([^"]+)"', html)
    assert names == ["学管甲", "学管乙"]
    page = parse(html)
    # the order and the names, her own amount and her own rates; not another advisor's amount
    assert texts(page, "#ranking tr[data-advisor=学管甲] td") == ["1", "学管甲", "—"]
    assert texts(page, "#ranking tr[data-advisor=学管乙] td") == ["2", "学管乙", "0.00"]
    assert "11,000.00" not in html and "签约率" in html
    assert 'id="team"' not in html and "投诉</th>" not in html  # no other advisor's details
    assert client.get("/numbers/ranking.xlsx?month=2026-10").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_from(html)})
    login(client, "sup")
    html = client.get("/numbers/ranking?month=2026-10").get_data(as_text=True)
    assert 'id="team"' in html and "50.0%" in html
    response = client.get("/numbers/ranking.xlsx?month=2026-10")
    import io

    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("名次", "学管师", "签约金额") and rows[1][:3] == (1, "学管甲", 11000)
    assert client.get("/numbers/ranking?month=1999-01").status_code == 404


def test_an_advisor_sees_her_own_figures_on_the_ranking_and_none_of_another_advisors(app, october, client):
    a1, a2, _ = october
    with app.app_context():
        sign(make_student(name="乙新", advisor_user=a2), date(2026, 10, 9), price="123")  # a2 signs ¥2,460
    login(client, "adv1")
    html = client.get("/numbers/ranking?month=2026-10").get_data(as_text=True)
    page = parse(html)
    assert texts(page, "#ranking tr[data-advisor=学管甲] td") == ["1", "学管甲", "11,000.00"]
    assert texts(page, "#ranking tr[data-advisor=学管乙] td") == ["2", "学管乙", "—"]  # position and name only
    assert "2,460.00" not in html and "2460" not in html
    assert "1 / 2" in text(page, "#mine") and "50.0%" in text(page, "#mine")  # her own rates
    client.post("/logout", data={"csrf_token": csrf_from(html)})
    login(client, "sup")
    page = parse(client.get("/numbers/ranking?month=2026-10"))
    assert texts(page, "#ranking tr[data-advisor=学管乙] td")[:3] == ["2", "学管乙", "2,460.00"]  # leaders see all


# --- 周报 and 月报 ---------------------------------------------------------------------------------------------

def test_a_month_sums_its_days_and_keeps_one_text_per_author(app, october):
    a1, a2, boss = october
    with app.app_context():
        month = periods.figures(MONTH, month_last(MONTH), a1)
        assert month["contracts_amount"] == 11000 and month["contracts_count"] == 4
        assert periods.week_of(date(2026, 10, 15)) == (date(2026, 10, 12), date(2026, 10, 18))
        signing, renewal = periods.month_rates(MONTH, a1)
        assert signing[:2] == (2, 4) and renewal[:2] == (1, 2)
        campus_signing, campus_renewal = periods.month_rates(MONTH)
        assert campus_renewal[:2] == (1, 3)
        periods.save_text(a1, MONTH, a1, "本月新签两单", "下月重点跟进续费")
        periods.save_text(a1, MONTH, a1, "本月新签两单，续费一单", "下月重点跟进续费")
        periods.save_text(boss, MONTH, None, "校区整体完成", "下月冲刺")
        with pytest.raises(Invalid):
            periods.save_text(a2, MONTH, a1, "代写", "")  # not her report
        with pytest.raises(Invalid):
            periods.save_text(a1, MONTH, None, "校区", "")  # the campus's is the supervisor's
        with pytest.raises(Invalid):
            periods.save_text(a1, MONTH, a1, "长" * 4001, "")
        assert MonthReport.select().count() == 2
        assert periods.text_of(MONTH, a1).summary == "本月新签两单，续费一单"


def test_the_report_pages_print_and_export(app, october, client, tmp_path):
    a1, a2, boss = october
    with app.app_context():
        targets.save(boss, MONTH, forms.target_cells({(a1.id, "new"): "8000"}))
    login(client, "adv1")
    html = client.get("/numbers/period?month=2026-10").get_data(as_text=True)
    assert re.search(r'data-figure="new.count"><span>新签（单）</span><strong>3</strong>', html)
    assert "50.0%" in html and "¥9,000.00 / ¥8,000.00" in html  # her signing rate; her new signings against the target
    token = csrf_from(html)
    saved = client.post("/numbers/period?month=2026-10", data={"csrf_token": token, "summary": "本月完成新签目标",
                                                               "plan": "下月跟进两位结课学员续费"})
    assert saved.status_code == 303
    too_long = client.post("/numbers/period?month=2026-10", data={"csrf_token": token, "summary": "长" * 4001})
    assert too_long.status_code == 422 and "最多 4000 个字" in too_long.get_data(as_text=True)
    assert client.get("/numbers/period?kind=week&day=2026-10-15").status_code == 200
    assert client.get("/numbers/period.xlsx?month=2026-10").status_code == 403
    pdf = client.get("/print/month-report/%d/2026-10.pdf" % a1.id)
    path = tmp_path / "m.pdf"
    path.write_bytes(pdf.data)
    text = "".join(subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True,
                                  text=True).stdout.split())
    assert "学管师月报" in text and "本月完成新签目标" in text and "下月跟进两位结课学员续费" in text and "50.0%" in text
    assert client.get("/print/month-report/campus/2026-10").status_code == 404  # the campus's: leaders only
    assert client.get("/print/month-report/%d/2026-10" % a2.id).status_code == 404
    assert client.get("/print/month-report/%d/2026-13" % a1.id).status_code == 404
    client.post("/logout", data={"csrf_token": token})
    login(client, "sup")
    html = client.get("/numbers/period?month=2026-10").get_data(as_text=True)
    assert "本月完成新签目标" in html  # the advisors' texts
    assert re.search(r'data-advisor="campus" data-figure="new.amount"><strong>9000.00<', html)
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(client.get("/numbers/period.xlsx?month=2026-10").data)).active
    rows = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    header = [c.value for c in sheet[1]]
    assert header[0] == "期间" and rows["学管甲"][0] == "2026-10" and rows["校区合计"][header.index("新签（单）")] == 3
    week = load_workbook(io.BytesIO(client.get("/numbers/period.xlsx?kind=week&day=2026-10-20").data)).active
    assert week.title.startswith("校区周报")


def test_hours_running_out_is_a_renewal_event_like_a_course_end(app):
    from xgapp.hours import domain as hours

    with app.app_context():
        a1 = advisor("adv1", name="学管甲")

        def use(kid, day, n):
            with clock(at(day, "19:00")):
                hours.consume(None, kid, "数学", n, "上课")

        out_renewed, out_gone, still, september = (make_student(name=n, advisor_user=a1)
                                                   for n in ("耗一", "耗二", "耗三", "耗四"))
        for kid in (out_renewed, out_gone, still, september):
            sign(kid, date(2026, 9, 1), hours_="10")
        use(out_renewed, date(2026, 10, 10), "10")
        sign(out_renewed, date(2026, 10, 15), kind="renewal", hours_="10")  # renewed 5 days later
        use(out_gone, date(2026, 10, 5), "6")
        use(out_gone, date(2026, 10, 20), "4")  # ran out on 10-20, never renewed
        use(still, date(2026, 10, 5), "4")  # 6 hours left: not due
        use(september, date(2026, 9, 20), "10")  # ran out in September
        assert rates.ran_out(date(2026, 10, 1), date(2026, 10, 31)) == {
            out_renewed.id: (a1.id, date(2026, 10, 10)), out_gone.id: (a1.id, date(2026, 10, 20))}
        assert rates.renewal(date(2026, 10, 1), date(2026, 10, 31)) == {a1.id: (1, 2)}
        assert rates.renewal(date(2026, 9, 1), date(2026, 9, 30)) == {a1.id: (0, 1)}
        assert rates.ran_out(date(2026, 11, 1), date(2026, 11, 30)) == {}


def test_the_run_out_facts_the_ledger_writes_are_what_a_walk_of_the_whole_ledger_finds(app):
    """Booked with each consumption (hours.add_entry), and rebuilt by migration 19's walk for older campuses."""
    from xgapp import db
    from xgapp.hours import domain as hours
    from xgapp.hours.models import RunOut
    from xgapp.migrations.m0019_ledger_facts import RUN_OUT_SQL

    with app.app_context():
        a1 = advisor("adv1", name="学管甲")
        kid, other = make_student(name="耗尽", advisor_user=a1), make_student(name="未尽", advisor_user=a1)
        sign(kid, date(2026, 9, 1), hours_="6")
        sign(other, date(2026, 9, 1), hours_="6")
        boss = make_user("boss-sup", roles=("supervisor",))
        for day, who, n in ((5, kid, "4"), (6, other, "4"), (7, kid, "2"), (8, kid, "1")):
            with clock(at(date(2026, 10, day), "19:00")):
                hours.consume(boss, who, "数学", n, "上课", overdraft_reason="补课" if day == 8 else None)
        booked = sorted((r.student_id, clock_local_day(r.at)) for r in RunOut.select())
        assert booked == [(kid.id, date(2026, 10, 7))]  # 6 → 2 → 0 ran out; 0 → −1 was already out
        RunOut.delete().execute()
        db.database.execute_sql(RUN_OUT_SQL)
        assert sorted((r.student_id, clock_local_day(r.at)) for r in RunOut.select()) == booked


def clock_local_day(instant):
    from xgapp import clock as campus_clock

    return campus_clock.local(instant).date()
