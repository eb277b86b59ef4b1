"""Roster import (.xlsx / .csv: preview, errors per row, all or nothing) and .xlsx exports."""

import csv
import io
from datetime import date, datetime

from flask_babel import gettext as _

from xgapp import validation
from xgapp.accounts.models import User
from xgapp.db import write
from xgapp.students import domain
from xgapp.students.models import Guardian
from xgapp.validation import Invalid

COLUMNS = ["姓名", "性别", "出生日期", "学校", "年级", "学管师", "来源", "监护人姓名", "关系", "手机", "微信", "可接送",
           "特别关注", "备注"]
REQUIRED = {"姓名", "学管师", "监护人姓名", "关系", "手机"}
MAX_ROWS = 5000
GENDER = {"男": "M", "女": "F", "": ""}
SOURCE = {str(label): code for code, label in {
    "hotline": "热线电话", "walkin": "上门", "street": "地推", "referral": "转介绍", "event": "活动", "online": "网络",
    "other": "其他"}.items()}
YES = {"是", "y", "yes", "1", "true", "√"}


class ImportProblem(Exception):
    """The file as a whole cannot be read (wrong format, columns, merged cells, formulas, too big)."""


def template():
    """The import template as .xlsx bytes: the header row and one example row."""
    from xgapp.xlsx import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "学员"
    sheet.append(COLUMNS)
    sheet.append(["张小明", "男", "2015-03-08", "海淀实验小学", "五年级", "advisor1", "热线电话", "张妈妈", "母亲",
                  "13812345678", "zhangmama", "是", "否", "对花生过敏"])
    for column in "ABCDEFGHIJKLMN":
        sheet.column_dimensions[column].width = 14
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rows_from_xlsx(data):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), data_only=False)
    except Exception as exc:  # noqa: BLE001 - zip, XML and openpyxl's own errors all mean a damaged file
        raise ImportProblem(_("This is not an Excel .xlsx file (or it is damaged).")) from exc
    sheet = book.worksheets[0]
    if sheet.max_row - 1 > MAX_ROWS:
        raise ImportProblem(_("The file has %(n)d rows; at most %(max)d can be imported at once. Split it.",
                              n=sheet.max_row - 1, max=MAX_ROWS))
    if sheet.merged_cells.ranges:
        ranges = ", ".join(str(r) for r in list(sheet.merged_cells.ranges)[:5])
        raise ImportProblem(_("The sheet has merged cells (%(ranges)s). Unmerge them so each row is one student.",
                              ranges=ranges))
    rows = []
    for row in sheet.iter_rows():
        values = []
        for cell in row:
            if cell.data_type == "f":
                raise ImportProblem(_("Cell %(cell)s holds a formula. Paste values only (Paste Special → Values).",
                                      cell=cell.coordinate))
            values.append(cell.value)
        rows.append(values)
    return rows


def _rows_from_csv(data):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportProblem(_("The CSV file is neither UTF-8 nor GBK text."))
    reader = csv.reader(io.StringIO(text))
    try:
        rows = list(reader)
    except csv.Error:
        raise ImportProblem(_("The CSV file is damaged near line %(line)d (a cell too long or a stray quote). "
                              "Save it again from Excel as CSV UTF-8.", line=reader.line_num)) from None
    if len(rows) - 1 > MAX_ROWS:
        raise ImportProblem(_("The file has %(n)d rows; at most %(max)d can be imported at once. Split it.",
                              n=len(rows) - 1, max=MAX_ROWS))
    return rows


def _text(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse(filename, data):
    """Read a roster file into (rows, errors): rows as dicts ready for `domain.create`, errors per row number."""
    rows = _rows_from_csv(data) if filename.lower().endswith(".csv") else _rows_from_xlsx(data)
    rows = [r for r in rows if any(_text(v) for v in r)]
    if not rows:
        raise ImportProblem(_("The file is empty."))
    header = [_text(v) for v in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c and c not in COLUMNS]
    if missing or unknown:
        raise ImportProblem(_("The columns do not match the template. Missing: %(missing)s. Unknown: %(unknown)s.",
                              missing="、".join(missing) or "—", unknown="、".join(unknown) or "—"))
    index = {name: header.index(name) for name in COLUMNS}
    people = {u.username: u for u in domain.advisors()}
    people.update({u.display_name: u for u in domain.advisors()})
    known_mobiles = {g.mobile: g.student_id for g in Guardian.select(Guardian.mobile, Guardian.student)}
    seen_mobiles = {}
    parsed, errors = [], {}
    for number, raw in enumerate(rows[1:], start=2):
        cell = {name: _text(raw[i]) if i < len(raw) else "" for name, i in index.items()}
        problems = []
        for name in sorted(REQUIRED):
            if not cell[name]:
                problems.append(_("%(column)s is empty.", column=name))
        advisor = people.get(cell["学管师"])
        if cell["学管师"] and advisor is None:
            problems.append(_("Unknown advisor “%(name)s”.", name=cell["学管师"]))
        mobile = ""
        if cell["手机"]:
            try:
                mobile = validation.mobile(cell["手机"])
            except ValueError:
                problems.append(_("Mobile “%(value)s” is not an 11-digit mainland number.", value=cell["手机"]))
        if mobile and mobile in known_mobiles:
            problems.append(_("Mobile %(mobile)s is already on file (duplicate family).", mobile=mobile))
        elif mobile and mobile in seen_mobiles:
            problems.append(_("Mobile %(mobile)s is also on row %(row)d.", mobile=mobile, row=seen_mobiles[mobile]))
        seen_mobiles.setdefault(mobile, number)
        if cell["性别"] not in GENDER:
            problems.append(_("Gender must be 男 or 女."))
        birthday = None
        if cell["出生日期"]:
            try:
                birthday = date.fromisoformat(cell["出生日期"][:10].replace("/", "-"))
            except ValueError:
                problems.append(_("Birthday “%(value)s” is not a date like 2015-03-08.", value=cell["出生日期"]))
        if cell["年级"] and cell["年级"] not in domain.GRADES:
            problems.append(_("Unknown grade “%(value)s”.", value=cell["年级"]))
        if cell["来源"] and cell["来源"] not in SOURCE:
            problems.append(_("Unknown source “%(value)s”.", value=cell["来源"]))
        if cell["关系"] and cell["关系"] not in domain.RELATIONS:
            problems.append(_("Relation must be one of %(list)s.", list="、".join(domain.RELATIONS)))
        if problems:
            errors[number] = problems
            continue
        parsed.append((number, {
            "name": cell["姓名"], "gender": GENDER[cell["性别"]], "birthday": birthday, "school": cell["学校"],
            "grade": cell["年级"], "advisor": advisor, "source": SOURCE.get(cell["来源"], ""),
            "special_attention": cell["特别关注"].lower() in YES, "notes": cell["备注"],
        }, [{"name": cell["监护人姓名"], "relation": cell["关系"], "mobile": mobile, "wechat": cell["微信"],
             "can_pickup": cell["可接送"].lower() in YES or not cell["可接送"]}]))
    return parsed, errors


def import_all(by, parsed):
    """Create every parsed student in one transaction: all or nothing."""
    with write():
        made = []
        for number, data, guardians in parsed:
            try:
                made.append(domain.create(by, data, guardians, confirm_duplicate=True))
            except Invalid as exc:
                raise ImportProblem(_("Row %(row)d: %(problem)s", row=number,
                                      problem="; ".join(str(m) for m in exc.errors.values()))) from exc
        return made


def export_students(students):
    """Students with their guardians as .xlsx bytes (the same columns as the import template)."""
    from xgapp.xlsx import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "学员"
    sheet.append(COLUMNS + ["状态"])
    labels = {code: label for label, code in SOURCE.items()}
    advisors = {u.id: u.display_name for u in User.select(User.id, User.display_name)}
    ids = [s.id for s in students]
    guardians = {}
    for g in Guardian.select().where(Guardian.student.in_(ids)).order_by(Guardian.position):
        guardians.setdefault(g.student_id, []).append(g)
    for s in students:
        for g in guardians.get(s.id, [None])[:1] or [None]:
            sheet.append([s.name, {"M": "男", "F": "女"}.get(s.gender, ""),
                          s.birthday.isoformat() if s.birthday else "", s.school, s.grade,
                          advisors.get(s.advisor_id, ""), labels.get(s.source, ""), g.name if g else "",
                          g.relation if g else "", g.mobile if g else "", g.wechat if g else "",
                          ("是" if g.can_pickup else "否") if g else "", "是" if s.special_attention else "否", s.notes,
                          str(domain.STATUSES[s.status])])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_contracts(contracts, paid):
    """Contracts with amounts and money received as .xlsx bytes."""
    from xgapp.xlsx import Workbook

    from xgapp.contracts.domain import KINDS

    book = Workbook()
    sheet = book.active
    sheet.title = "合同"
    sheet.append(["合同号", "学员", "类型", "科目", "购买课时", "赠送课时", "单价", "优惠", "金额", "已收", "签约日期",
                  "学管师", "状态"])
    for c in contracts:
        sheet.append([c.number, c.student.name, str(KINDS[c.kind]), c.subject, c.hours, c.free_hours,
                      c.unit_price, c.discount, c.amount, paid.get(c.id, 0), c.signed_on.isoformat(),
                      c.advisor.display_name, {"open": "在读", "refunded": "已退费"}.get(c.status, c.status)])
        for col in (7, 8, 9, 10):
            sheet.cell(row=sheet.max_row, column=col).number_format = "#,##0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
