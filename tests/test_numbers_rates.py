"""签约率, 续费率, the monthly ranking and the excellent-team criteria, on hand-built months."""

import re
from datetime import date

import pytest

from tests.conftest import csrf_from, login, make_user
from tests.factories import advisor, make_class, make_student, teacher
from tests.test_numbers_daily import advance, at, follow_up, inquiry, sign
from xgapp.changes import domain as changes
from xgapp.classes import domain as classes
from xgapp.classes.models import Enrolment
from xgapp.db import clock
from xgapp.followups import domain as followups
from xgapp.numbers import rates, targets

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
        # a complaint handled by a2
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
        assert rates.signing(first, last) == {a1.id: (1, 3)}  # L1 of L1, L2, L4
        assert rates.renewal(first, last) == {a1.id: (1, 2), a2.id: (0, 1)}
        assert rates.complaints(first, last) == {a2.id: 1}
        assert rates.signing(date(2026, 9, 1), date(2026, 9, 30)) == {a1.id: (0, 1)}  # L3 signed only in October
        assert rates.renewal(date(2026, 9, 1), date(2026, 9, 30)) == {}


def test_the_ranking_orders_advisors_and_checks_the_team_criteria(app, october):
    a1, a2, boss = october
    with app.app_context():
        targets.save(boss, MONTH, {(None, "new"): "8000", (a1.id, "new"): "8000"})
        data = rates.month_ranking(MONTH, today=date(2026, 11, 29))
        first, second = data["rows"]
        assert (first["advisor"].id, first["rank"], second["advisor"].id, second["rank"]) == (a1.id, 1, a2.id, 2)
        assert first["amount"] == 6000 + 2000 + 2000 and first["contracts"] == 3  # two new, one renewal
        assert first["signing"] == (1, 3, rates._ratio(1, 3)) and str(first["signing"][2]) == "33.3"
        assert first["renewal"][2] == 50 and second["renewal"][2] == 0
        assert first["targets_met"] is True and second["targets_met"] is None
        assert (first["complaints"], second["complaints"]) == (0, 1)
        assert data["team"]["targets_met"] is True and data["team"]["complaints"] == 1
        assert data["team"]["excellent"] is False  # a complaint, and half a class per advisor
        assert str(data["renewal"][2]) == "33.3" and data["signing"][:2] == (1, 3)
        empty = rates.month_ranking(date(2001, 1, 1), today=date(2026, 11, 29))
        assert [r["amount"] for r in empty["rows"]] == [0, 0] and empty["signing"] == (0, 0, None)


def test_the_ranking_page_shows_advisors_the_order_but_not_the_details(app, october, client):
    a1, a2, _ = october
    login(client, "adv2")
    html = client.get("/numbers/ranking?month=2026-10").get_data(as_text=True)
    names = re.findall(r'<tr data-advisor="([^"]+)"', html)
    assert names == ["学管甲", "学管乙"]
    assert "10,000.00" in html and "签约率" in html  # the order and the amount, and her own rates
    assert 'id="team"' not in html and "投诉</th>" not in html  # no other advisor's details
    assert client.get("/numbers/ranking.xlsx?month=2026-10").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_from(html)})
    login(client, "sup")
    html = client.get("/numbers/ranking?month=2026-10").get_data(as_text=True)
    assert 'id="team"' in html and "33.3%" in html
    response = client.get("/numbers/ranking.xlsx?month=2026-10")
    import io

    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("名次", "学管师", "签约金额") and rows[1][:3] == (1, "学管甲", 10000)
    assert client.get("/numbers/ranking?month=1999-01").status_code == 404
