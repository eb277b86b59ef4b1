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


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_errors_after_a_blank_row_name_the_row_excel_shows(app, kind):
    advisor("adv1")
    rows = [_row(), ["" for _ in HEADER], _row("李四", mobile="12345")]  # the bad child is on row 4 in Excel
    if kind == "xlsx":
        data, name = _xlsx(rows), "r.xlsx"
    else:
        data = "\n".join(",".join(r) for r in [HEADER] + rows).encode("utf-8")
        name = "r.csv"
    with app.test_request_context():
        parsed, errors = transfer.parse(name, data)
    assert list(errors) == [4] and "12345" in errors[4][0]
    assert [number for number, _data, _guardians in parsed] == [2]


def _rezip(data, replace):
    """The workbook `data` with some parts' XML replaced: {name: bytes or function(old bytes) -> bytes}."""
    import zipfile

    good, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bad:
        for item in good.infolist():
            body = good.read(item)
            change = replace.get(item.filename)
            bad.writestr(item.filename, change(body) if callable(change) else change if change else body)
        for name in set(replace) - set(good.namelist()):
            bad.writestr(name, replace[name])
    return out.getvalue()


def test_a_workbook_unpacking_huge_is_refused_before_it_is_parsed(app, monkeypatch):
    import openpyxl

    advisor("adv1")
    huge = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
            b'main" count="1" uniqueCount="1"><si><t>' + b"x" * (60 << 20) + b"</t></si></sst>")
    data = _rezip(_xlsx([_row()]), {"xl/sharedStrings.xml": huge})
    assert len(data) < 1 << 20  # a small upload
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("parsed before the size check"))
    with pytest.raises(transfer.ImportProblem) as caught, app.test_request_context():
        transfer.parse("r.xlsx", data)
    assert "解压后超过 40 MB" in str(caught.value), str(caught.value)


def test_a_sheet_with_more_rows_than_it_declares_is_refused_while_it_is_read(app, monkeypatch):
    from openpyxl import Workbook as Book
    from openpyxl.worksheet import _reader

    advisor("adv1")
    book = Book(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for i in range(6000):
        sheet.append(_row("学生%d" % i, mobile="138%08d" % i))
    out = io.BytesIO()
    book.save(out)
    lie = _rezip(out.getvalue(), {"xl/worksheets/sheet1.xml": lambda body: body.replace(
        b'<dimension ref="A1:N6001"/>', b'<dimension ref="A1:N2"/>')})
    read, parse = [], _reader.WorkSheetParser.parse

    def counting(self):
        for row in parse(self):
            read.append(row[0])
            yield row

    monkeypatch.setattr(_reader.WorkSheetParser, "parse", counting)
    with pytest.raises(transfer.ImportProblem) as caught, app.test_request_context():
        transfer.parse("r.xlsx", lie)
    assert "5000" in str(caught.value) and Student.select().count() == 0
    assert len(read) < 5100  # refused as soon as the limit was passed, not after reading all 6001 rows
