"""Every .xlsx the app offers for download, opened with openpyxl: no cell is wider than its column (Excel would
show ######## for a date or an amount), the header is frozen and filterable, dates are dates and money is money."""

import io
import re
from datetime import time, timedelta
from decimal import Decimal

from openpyxl import load_workbook

from tests.conftest import campus_today, login
from tests.factories import advisor, make_class, make_contract, make_student, teacher
from tests.test_sheets import fits
from xgapp.attendance import domain as attendance
from xgapp.classes import domain as classes
from xgapp.clock import fixed as clock
from xgapp.selfstudy import domain as selfstudy
from xgapp.timetable import domain as timetable

DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?")


def _busy_campus():
    """A month with long names, large amounts, a roll call and a study-room visit: the widest cells an export has."""
    adv = advisor("adv1", name="欧阳学管师娜娜")
    today = campus_today()
    first_day = today.replace(day=1)
    klass = make_class(name="初二数学暑期冲刺提高班（周六上午）", teacher_user=teacher("t1", name="司马老师晓明"),
                       advisor_user=adv, start_on=first_day)
    kids = []
    for n in range(3):
        kid = make_student(name="诸葛小明%d" % n, school="北京市海淀区中关村第一小学", advisor_user=adv)
        make_contract(kid, hours="120", unit_price="1234.50", today=first_day)
        classes.enrol(None, klass, kid, first_day)
        kids.append(kid)
    [lesson] = timetable.schedule(None, klass, [first_day.weekday()], time(9), time(11), first_day, 1)
    with clock(lesson.starts_at + timedelta(minutes=30)):
        attendance.confirm(None, lesson, {k.id: "present" for k in kids}, today=first_day)
    visit = selfstudy.sign_in(None, kids[0])
    guardian = kids[0].guardians.get()
    selfstudy.sign_out(None, visit, {"kind": "guardian", "guardian": guardian.id, "name": "", "relation": "",
                                     "phone": ""})
    return adv, today


def test_every_xlsx_download_fits_its_columns(app, client):
    adv, today = _busy_campus()
    assert login(client).status_code == 303  # the principal sees every export
    rules = sorted({r.rule for r in app.url_map.iter_rules() if r.rule.endswith(".xlsx")})
    assert len(rules) >= 10, rules  # the test must not pass by finding nothing
    month = today.strftime("%Y-%m")
    checked = []
    for rule in rules:
        url = rule.replace("<int:advisor_id>", str(adv.id))
        url += "?month=%s&first=%s&last=%s" % (month, today.replace(day=1).isoformat(), today.isoformat())
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", url
        book = load_workbook(io.BytesIO(response.data))
        for sheet in book.worksheets:
            assert fits(sheet) == [], (url, sheet.title)
            if sheet.max_row > 1:
                assert sheet.freeze_panes is not None and sheet.auto_filter.ref, (url, sheet.title)
            for row in sheet.iter_rows(min_row=2):  # a date written as text sorts and sums as text in Excel
                for cell in row:
                    assert not (isinstance(cell.value, str) and DATE_TEXT.fullmatch(cell.value)), \
                        (url, sheet.title, cell.coordinate, cell.value)
        checked.append((rule, sum(s.max_row for s in book.worksheets)))
    assert all(rows >= 1 for _, rows in checked), checked
    contracts = load_workbook(io.BytesIO(client.get("/contracts/export.xlsx").data)).active
    header = [c.value for c in contracts[1]]
    amount = contracts.cell(row=2, column=header.index("金额") + 1)
    assert isinstance(amount.value, (int, float)) and Decimal(str(amount.value)) == Decimal("148140")
    assert contracts.cell(row=2, column=header.index("签约日期") + 1).is_date
