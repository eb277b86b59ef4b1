"""业绩目标: the campus target split per advisor, all-or-nothing saving, the split flagged, progress per day left."""

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import csrf_from, login, make_user
from tests.factories import advisor, make_contract, make_student
from xgapp.audit.models import AuditLog
from xgapp.numbers import forms, targets
from xgapp.numbers.models import Target
from xgapp.validation import Invalid

ZONE = ZoneInfo("Asia/Shanghai")


def this_month():
    return datetime.now(ZONE).date().replace(day=1)


@pytest.fixture
def team(app):
    with app.app_context():
        a1, a2 = advisor("adv1", name="学管甲"), advisor("adv2", name="学管乙")
        boss = make_user("sup", roles=("supervisor",), name="主管周")
        kid = make_student(name="张小明", advisor_user=a1)
        make_contract(kid, by=a1, subject="数学", hours="40", unit_price="150",
                      today=datetime.now(ZONE).date())  # a new signing of ¥6,000 this month
    return a1, a2, boss


def test_targets_are_saved_all_or_nothing_and_a_bad_split_is_flagged(app, team):
    a1, a2, boss = team
    month = this_month()
    with app.app_context():
        with pytest.raises(Invalid) as bad:
            targets.save(boss, month, forms.target_cells({
                (None, "new"): "20000", (a1.id, "new"): "-5", (a2.id, "hours"): "1.25",
                (a2.id, "new_students"): "2.5", (a1.id, "renewal"): "abc", (a2.id, "new"): "1.005"
            }))
        assert set(bad.value.errors) == {"new-%d" % a1.id, "hours-%d" % a2.id, "new_students-%d" % a2.id,
                                         "renewal-%d" % a1.id, "new-%d" % a2.id}
        assert Target.select().count() == 0  # nothing half-saved
        assert targets.save(boss, month, forms.target_cells({
            (None, "new"): "20,000", (a1.id, "new"): "12000", (a2.id, "new"): "6000", (None, "hours"): "",
            (a1.id, "hours"): "120.5"
        })) == 4
        assert targets.load(month) == {(None, "new"): Decimal("20000.00"), (a1.id, "new"): Decimal("12000.00"),
                                       (a2.id, "new"): Decimal("6000.00"), (a1.id, "hours"): Decimal("120.50")}
        assert targets.mismatches(month) == {"new": (Decimal("20000.00"), Decimal("18000.00"))}
        assert targets.save(boss, month, forms.target_cells({
            (a2.id, "new"): "8000", (a1.id, "hours"): ""
        })) == 2  # fixed; one removed
        assert targets.mismatches(month) == {} and (a1.id, "hours") not in targets.load(month)
        assert AuditLog.select().where(AuditLog.table == "target").count() == 6


def test_progress_counts_the_month_and_what_is_needed_per_day(app, team):
    a1, a2, boss = team
    month = this_month()
    with app.app_context():
        targets.save(boss, month, forms.target_cells({
            (None, "new"): "20000", (a1.id, "new"): "12000", (a2.id, "new"): "8000", (a1.id, "new_students"): "3"
        }))
        today = datetime.now(ZONE).date()
        data = targets.progress(month, today=today)
        left = data["days_left"]
        rows = {who.id if who else None: cells for who, cells in data["rows"]}
        mine = rows[a1.id]["new"]
        assert (mine["actual"], mine["target"], mine["percent"], mine["missing"]) == \
            (Decimal("6000.00"), Decimal("12000.00"), 50, Decimal("6000.00"))
        assert mine["per_day"] == (Decimal("6000") / left).quantize(Decimal("0.01"), rounding="ROUND_CEILING")
        assert rows[a1.id]["new_students"]["actual"] == 1 and rows[a1.id]["new_students"]["percent"] == 33
        assert rows[a2.id]["new"]["actual"] == 0 and rows[None]["new"]["percent"] == 30
        assert rows[a2.id]["hours"]["target"] is None
        own = targets.progress(month, today=today, advisor=a1)
        assert [who.id for who, _ in own["rows"]] == [a1.id]
    assert targets.days_left(date(2026, 11, 1), today=date(2026, 11, 29)) == 2
    assert targets.days_left(date(2026, 10, 1), today=date(2026, 11, 29)) == 0
    assert targets.days_left(date(2026, 12, 1), today=date(2026, 11, 29)) == 31
    assert targets.days_left(date(2026, 2, 1), today=date(2026, 2, 1)) == 28


def test_the_targets_page(app, team, client):
    a1, a2, boss = team
    month = this_month().strftime("%Y-%m")
    login(client, "sup")
    page = client.get("/numbers/targets")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="new-campus"' in html and 'name="new-%d"' % a1.id in html
    token = csrf_from(html)
    bad = client.post("/numbers/targets", data={"csrf_token": token, "month": month, "new-campus": "1万",
                                                 "new-%d" % a1.id: "12000"})
    assert bad.status_code == 422 and "请输入以元为单位的金额" in bad.get_data(as_text=True)
    assert Target.select().count() == 0
    good = client.post("/numbers/targets", data={"csrf_token": token, "month": month, "new-campus": "20000",
                                                  "new-%d" % a1.id: "12000", "new-%d" % a2.id: "6000"})
    assert good.status_code == 303
    html = client.get("/numbers/targets?month=%s" % month).get_data(as_text=True)
    assert 'data-mismatch="new"' in html  # 12,000 + 6,000 is not 20,000
    assert re.search(r'data-who="%d" data-kind="new">.*?¥6,000.00.*?/ ¥12,000.00.*?50%%' % a1.id, html, re.S)
    assert client.get("/numbers/targets?month=2026-13").status_code == 404
    client.post("/logout", data={"csrf_token": token})
    login(client, "adv1")
    html = client.get("/numbers/targets").get_data(as_text=True)
    assert 'data-who="%d"' % a1.id in html and 'data-who="%d"' % a2.id not in html and "targets-form" not in html
    assert 'data-who="campus"' not in html  # her own numbers, not the others' details
    token = csrf_from(html)
    assert client.post("/numbers/targets", data={"csrf_token": token, "month": month,
                                                  "new-campus": "1"}).status_code == 403
    own = client.get("/numbers/advisor/%d" % a1.id).get_data(as_text=True)
    assert 'id="month-progress"' in own and "50%" in own


def test_found_in_review_zero_targets_odd_args_early_months_and_mid_month_copies(app, team, client):
    a1, a2, boss = team
    month = this_month()
    with app.app_context():
        for text in ("0", "-0", "0.00"):
            with pytest.raises(Invalid):
                targets.save(boss, month, forms.target_cells({(a1.id, "new"): text}))
            with pytest.raises(Invalid):
                targets.save(boss, month, forms.target_cells({(a1.id, "new_students"): text}))
        assert Target.select().count() == 0
    login(client, "adv1")
    for odd in ("?advisor_id=7", "?endpoint=x", "?_method=POST", "?_external=1&day=2026-11-01"):
        response = client.get("/numbers/" + odd)
        assert response.status_code == 302 and "_external" not in response.headers["Location"], odd
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    login(client, "sup")
    assert client.get("/numbers/ranking?month=2000-01").status_code == 200
    assert client.get("/numbers/ranking?month=2000-06").status_code == 200
    page = client.get("/print/month-report/campus/%s" % month.strftime("%Y-%m")).get_data(as_text=True)
    assert "mark-signed" not in page  # this month's report is not finished: no signed copy yet
    token = csrf_from(page)
    assert client.post("/print/month-report/campus/%s/signed" % month.strftime("%Y-%m"),
                       data={"csrf_token": token}).status_code == 403
