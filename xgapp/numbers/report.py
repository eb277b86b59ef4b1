"""The day's figures as rows for screens, printed forms and .xlsx: one list of columns, used everywhere."""

from flask_babel import lazy_gettext as _l

from xgapp import clock, sheets
from xgapp.numbers import manual, targets

# (key, Chinese header for paper and .xlsx, kind, label on screen); kind is "count", "money", "hours" or "manual"
COLUMNS = [
    ("inquiries", "咨询电话", "count", _l("Inquiry calls")), ("invitations", "邀约", "count", _l("Invitations")),
    ("visits", "上门", "count", _l("Walk-ins")), ("trials", "试听", "count", _l("Trial lessons")),
    ("followups", "回访", "count", _l("Follow-ups")),
    ("new.count", "新签（单）", "count", _l("New signings")), ("new.amount", "新签金额", "money", _l("New signings (yuan)")),
    ("renewal.count", "续费/续班（单）", "count", _l("Renewals")),
    ("renewal.amount", "续费金额", "money", _l("Renewals (yuan)")),
    ("expansion.count", "扩科（单）", "count", _l("Added subjects")),
    ("expansion.amount", "扩科金额", "money", _l("Added subjects (yuan)")),
    ("referral.count", "转介绍（单）", "count", _l("Referrals")),
    ("referral.amount", "转介绍金额", "money", _l("Referrals (yuan)")),
    ("hours_consumed", "课消（课时）", "hours", _l("Hours consumed")), ("revenue", "进账", "money", _l("Money in")),
    ("manual.hotline", "热线电话（手工）", "manual", _l("Hotline calls (manual)")),
]
assert {c[0].split(".")[1] for c in COLUMNS if c[2] == "manual"} == set(manual.KINDS)
SCREEN_COLUMNS = [(key, label, kind) for key, _header, kind, label in COLUMNS]


def value(figures, key):
    """One figure by its dotted key (new.count, manual.hotline, revenue …)."""
    head, _, tail = key.partition(".")
    item = figures[head]
    return item[tail] if tail else item


def row(figures):
    return [value(figures, key) for key, _, _, _ in COLUMNS]


def xlsx(day, campus, title="校区日报", period=None):
    """The campus day (or a period: `period` is its label, e.g. 2026-11) as .xlsx: one row per advisor and the
    campus total (Chinese headers, numbers as numbers)."""
    from openpyxl.styles import Font

    label = period or day
    book, sheet = _book("%s %s" % (title, period or day.isoformat()),
                        ["日期" if period is None else "期间", "学管师"] + [header for _, header, _, _ in COLUMNS])
    for advisor, figures in campus["by_advisor"]:
        sheets.append(sheet, [label, advisor.display_name] + row(figures))  # Decimal cells are written as numbers
    sheets.append(sheet, [label, "校区合计"] + row(campus))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    if period is None:
        for line in range(2, sheet.max_row + 1):
            sheet.cell(line, 1).number_format = "yyyy-mm-dd"
    _formats(sheet, 3, [kind for _, _, kind, _ in COLUMNS])
    low = book.create_sheet("剩余课次4次以内")
    sheets.append(low, ["班级", "学管师", "剩余课次"])
    names = {advisor.id: advisor.display_name for advisor, _ in campus["by_advisor"]}
    for klass, left in campus["low_classes"]:
        sheets.append(low, [klass.name, names.get(klass.advisor_id, ""), left])
    return sheets.saved(book)


def ranking_xlsx(data):
    """The month's ranking as .xlsx (Chinese headers, numbers as numbers; rates as percentages)."""
    book, sheet = _book("排名 %s" % data["month"].strftime("%Y-%m"),
                        ["名次", "学管师", "签约金额", "签约单数", "进账", "课消（课时）", "签约率(%)", "上门", "签约",
                         "续费率(%)", "到期（结课或课时用完）", "续费", "完成目标", "投诉", "在带班级"])
    for r in data["rows"]:
        sheets.append(sheet, [
            r["rank"], r["advisor"].display_name, r["amount"], r["contracts"], r["revenue"], r["hours"],
            r["signing"][2], r["signing"][1], r["signing"][0], r["renewal"][2], r["renewal"][1], r["renewal"][0],
            {True: "是", False: "否", None: "未设目标"}[r["targets_met"]], r["complaints"], r["classes"]])
        for column in (3, 5):
            sheet.cell(sheet.max_row, column).number_format = "#,##0.00"
    return sheets.saved(book)


def _book(title, headers):
    from openpyxl.styles import Font

    book = sheets.workbook()
    sheet = book.active
    sheet.title = title
    sheets.append(sheet, headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    return book, sheet


def _formats(sheet, first_column, kinds, row=None):
    """Number formats for the figure cells of `row` (every data row when None)."""
    rows = [row] if row else range(2, sheet.max_row + 1)
    for line in rows:
        for index, kind in enumerate(kinds, start=first_column):
            if kind == "money":
                sheet.cell(line, index).number_format = "#,##0.00"
            elif kind == "hours":
                sheet.cell(line, index).number_format = "0.0"


def advisor_xlsx(person, figures):
    """One advisor's 日报 as .xlsx: the day's figures, her follow-ups, her classes with few lessons left."""
    day = figures["day"]
    book, sheet = _book("学管师日报 %s" % day.isoformat(), ["日期", "学管师"] + [h for _, h, _, _ in COLUMNS])
    sheets.append(sheet, [day, person.display_name] + row(figures))
    sheet.cell(2, 1).number_format = "yyyy-mm-dd"
    _formats(sheet, 3, [kind for _, _, kind, _ in COLUMNS])
    calls = book.create_sheet("当日回访")
    sheets.append(calls, ["时间", "学员", "回访内容"])
    for item in figures["followup_rows"]:
        sheets.append(calls, [clock.local(item.at).strftime("%H:%M"), item.student.name, item.content or item.purpose])
    low = book.create_sheet("剩余课次4次以内")
    sheets.append(low, ["班级", "剩余课次"])
    for klass, left in figures["low_classes"]:
        sheets.append(low, [klass.name, left])
    return sheets.saved(book)


TARGET_HEADERS = {"new": "新签金额", "renewal": "续费金额", "referral": "转介绍金额", "expansion": "扩科金额",
                  "hours": "课消（课时）", "new_students": "新生人数"}


def targets_xlsx(data):
    """The month's targets and progress as .xlsx: per advisor and the campus, per kind the target, what is done,
    the percentage, what is missing and what that needs per remaining day."""
    headers = ["学管师", "剩余天数"]
    for kind in targets.KINDS:
        name = TARGET_HEADERS[kind]
        headers += [name + "目标", name + "完成", name + "完成率(%)", name + "差额", name + "每天需完成"]
    book, sheet = _book("业绩目标 %s" % data["month"].strftime("%Y-%m"), headers)
    for who, cells in data["rows"]:
        line = [who.display_name if who else "校区合计", data["days_left"]]
        kinds = []
        for kind, (_, unit, _m) in targets.KINDS.items():
            cell = cells[kind]
            line += [cell["target"], cell["actual"], cell["percent"], cell["missing"], cell["per_day"]]
            kinds += [unit, unit, "count", unit, unit]
        sheets.append(sheet, line)
        _formats(sheet, 3, kinds, row=sheet.max_row)
    return sheets.saved(book)
