"""Head office's cross-campus report from the merged database: the 日报 campus totals of every campus and day of a
period, as .xlsx (numbers as numbers) and as a printable A4 landscape PDF.

Rows are sorted by day, then campus code. A campus that has reported before but not for a day of the period gets a
row marked 未收到 (not received), so a missing night is seen instead of silently lowering the totals. Besides the
rows: a total per day over every campus, and a total per campus over the period with the grand total.
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from peewee import fn

from xgapp import clock, sheets
from xgapp.export import ingest
from xgapp.export.ingest import HqCampus, HqDay, HqReportColumn

TITLE = "各校区日报汇总"
MISSING = "未收到日报"
DAYS_MAX = 366
EXACT = {"money": Decimal("0.01"), "hours": Decimal("0.1")}  # kinds held as Decimal; the others are whole numbers
XLSX_FORMATS = {"money": "#,##0.00", "hours": "0.0"}


class ReportError(Exception):
    """The report cannot be made (the message is shown to the user as is)."""


@dataclass
class Line:
    """One row of the report: a campus day, a day's total, a campus's period total or the grand total."""

    day: date = None
    code: str = ""
    name: str = ""
    values: list = field(default_factory=list)  # in column order; None where a figure is missing
    missing: bool = False  # the campus day was not received
    received: int = 0  # totals: campus days that went into them
    expected: int = 0  # totals: campus days that should have


@dataclass
class Report:
    first: date
    last: date
    columns: list  # [(key, Chinese header, kind)]
    rows: list  # [Line] one per campus per day
    day_totals: list  # [Line] one per day that has any campus
    campus_totals: list  # [Line] one per campus
    total: Line


# --- the figures -------------------------------------------------------------------------------------------------

def _columns():
    """The report columns as the newest bundle described them (the app's own when nothing was ingested)."""
    found = [(c.key, c.header, c.kind) for c in HqReportColumn.select().order_by(HqReportColumn.position,
                                                                                   HqReportColumn.key)]
    if found:
        return found
    from xgapp.numbers.report import COLUMNS  # a fresh head-office database only: no campus model otherwise

    return [(key, header, kind) for key, header, kind, _ in COLUMNS]


def _number(value, kind):
    """A figure from its JSON form: Decimal for money and hours, int otherwise; None when absent or unreadable."""
    if value is None or isinstance(value, bool):
        return None
    try:
        if kind in EXACT:
            return Decimal(str(value)).quantize(EXACT[kind])
        return int(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return None


def _sum(lines, width):
    """Column sums of `lines` (None where no line has that figure)."""
    sums = [None] * width
    for line in lines:
        for at, value in enumerate(line.values):
            if value is not None:
                sums[at] = value if sums[at] is None else sums[at] + value
    return sums


def _as_date(value):
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _days(first, last):
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def build(db_url, first, last):
    """The report of [first, last] from the head-office database at `db_url`."""
    if last < first:
        raise ReportError("结束日期早于开始日期。The last day is before the first.")
    if (last - first).days >= DAYS_MAX:
        raise ReportError("一次最多 %d 天。At most %d days at a time." % (DAYS_MAX, DAYS_MAX))
    with ingest.open_hq(db_url, create=False):
        columns = _columns()
        names = dict(HqCampus.select(HqCampus.code, HqCampus.name).tuples())
        starts = {code: _as_date(start) for code, start in
                  HqDay.select(HqDay.campus_code, fn.MIN(HqDay.day)).where(HqDay.advisor_id == ingest.TOTAL_ID)
                  .group_by(HqDay.campus_code).tuples()}
        found = {(_as_date(day), code): json.loads(figures) for code, day, figures in
                 HqDay.select(HqDay.campus_code, HqDay.day, HqDay.figures)
                 .where(HqDay.advisor_id == ingest.TOTAL_ID, HqDay.day.between(first, last)).tuples()}
    rows = []
    for day in _days(first, last):
        for code in sorted(code for code, start in starts.items() if start <= day):
            figures = found.get((day, code))
            values = [None] * len(columns) if figures is None else \
                [_number(figures.get(key), kind) for key, _, kind in columns]
            rows.append(Line(day, code, names.get(code, code), values, missing=figures is None))
    return _with_totals(Report(first, last, columns, rows, [], [], None))


def _total(lines, width, **labels):
    received = [line for line in lines if not line.missing]
    return Line(values=_sum(received, width), received=len(received), expected=len(lines), **labels)


def _with_totals(report):
    width = len(report.columns)
    by_day, by_campus = {}, {}
    for line in report.rows:
        by_day.setdefault(line.day, []).append(line)
        by_campus.setdefault(line.code, []).append(line)
    report.day_totals = [_total(lines, width, day=day, name="当日合计") for day, lines in by_day.items()]
    report.campus_totals = [_total(lines, width, code=code, name=lines[0].name)
                            for code, lines in sorted(by_campus.items())]
    report.total = _total(report.rows, width, name="全部校区合计")
    return report


SIGNED = ("new.amount", "renewal.amount", "expansion.amount", "referral.amount")  # 签约金额, as advisors are ranked


def ranking(report):
    """The campuses of the period ranked by the amount signed (新签 + 续费 + 扩科 + 转介绍), then money in:
    [(rank, Line, signed)]; the branch's 校区排名."""
    keys = [key for key, _, _ in report.columns]
    positions = [keys.index(key) for key in SIGNED if key in keys]
    money_in = keys.index("revenue") if "revenue" in keys else None

    def signed(line):
        return sum((line.values[at] or Decimal(0) for at in positions), Decimal(0))

    def revenue(line):
        return (line.values[money_in] or Decimal(0)) if money_in is not None else Decimal(0)

    ordered = sorted(report.campus_totals, key=lambda line: (-signed(line), -revenue(line), line.code))
    return [(rank, line, signed(line)) for rank, line in enumerate(ordered, 1)]


# --- .xlsx -------------------------------------------------------------------------------------------------------

def _sheet(book, title, head, lines, first_cells, columns, bold_last=False):
    from openpyxl.styles import Font

    sheet = book.create_sheet(title)
    sheets.append(sheet, head + [header for _, header, _ in columns] + ["备注"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in lines:
        note = MISSING if line.missing else (
            "收到 %d/%d" % (line.received, line.expected) if line.received != line.expected else "")
        sheets.append(sheet, first_cells(line) + list(line.values) + [note])  # Decimal cells are written as numbers
    for row in range(2, sheet.max_row + 1):
        for at, (_, _, kind) in enumerate(columns, start=len(head) + 1):
            if kind in XLSX_FORMATS:
                sheet.cell(row, at).number_format = XLSX_FORMATS[kind]
        if isinstance(sheet.cell(row, 1).value, (date, datetime)):
            sheet.cell(row, 1).number_format = "yyyy-mm-dd"
    if bold_last and sheet.max_row > 1:
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    sheet.freeze_panes = sheet.cell(2, len(head) + 1)
    sheet.column_dimensions["A"].width = 12
    return sheet


def xlsx(report):
    """The report as .xlsx bytes: the campus days, the day totals, and the campus totals over the period."""
    book = sheets.workbook()
    book.remove(book.active)
    cols = report.columns
    detail = _sheet(book, "各校区日报", ["日期", "校区代码", "校区"], report.rows,
                    lambda line: [line.day, line.code, line.name], cols)
    if detail.max_row > 1:
        detail.auto_filter.ref = detail.dimensions
    _sheet(book, "每日合计", ["日期", "校区数"], report.day_totals,
           lambda line: [line.day, line.received], cols)
    _sheet(book, "期间汇总", ["校区代码", "校区", "天数"], report.campus_totals + [report.total],
           lambda line: [line.code, line.name, line.received], cols, bold_last=True)
    ranked = book.create_sheet("校区排名")
    sheets.append(ranked, ["名次", "校区代码", "校区", "签约金额", "进账", "收到天数"])
    for rank, line, signed in ranking(report):
        money_in = dict(zip([key for key, _, _ in cols], line.values)).get("revenue")
        sheets.append(ranked, [rank, line.code, line.name, signed, money_in, line.received])
        for column in (4, 5):
            ranked.cell(ranked.max_row, column).number_format = XLSX_FORMATS["money"]
    return sheets.saved(book)


# --- PDF ---------------------------------------------------------------------------------------------------------

def cell(value, kind):
    """A figure as printed: money with 2 decimals, hours with 1, counts as they are; blank when absent."""
    if value is None:
        return ""
    if kind == "money":
        return "%.2f" % value
    if kind == "hours":
        return "%.1f" % value
    return str(value)


WIDTHS = {"day": 8.6, "campus": 10.0, "money": 7.6, "hours": 5.0, "count": 3.8, "manual": 4.6}


def _widths(columns):
    """Column widths in % of the page (day, campus, then each figure), from WIDTHS scaled to 100."""
    raw = [WIDTHS["day"], WIDTHS["campus"]] + [WIDTHS.get(kind, WIDTHS["count"]) for _, _, kind in columns]
    scale = 100 / sum(raw)
    return ["%.2f" % (w * scale) for w in raw]


def _printed(line, columns):
    return [cell(value, kind) for value, (_, _, kind) in zip(line.values, columns)]


def context(report):
    """What templates/print/hq_report.html needs (figures already formatted as printed)."""
    cols = report.columns
    days = []
    totals = {line.day: line for line in report.day_totals}
    for line in report.rows:
        if not days or days[-1]["day"] != line.day.isoformat():
            total = totals[line.day]
            days.append({"day": line.day.isoformat(), "rows": [], "total": _printed(total, cols),
                         "received": total.received, "expected": total.expected})
        days[-1]["rows"].append({"code": line.code, "name": line.name, "missing": line.missing,
                                 "cells": _printed(line, cols)})
    campuses = [{"code": line.code, "name": line.name, "received": line.received, "expected": line.expected,
                 "cells": _printed(line, cols)} for line in report.campus_totals]
    keys = [key for key, _, _ in cols]
    money_in = keys.index("revenue") if "revenue" in keys else None
    ranked = [{"rank": rank, "code": line.code, "name": line.name, "signed": cell(signed, "money"),
               "revenue": cell(line.values[money_in], "money") if money_in is not None else "",
               "received": line.received, "expected": line.expected} for rank, line, signed in ranking(report)]
    return {"columns": cols, "widths": _widths(cols), "days": days, "campuses": campuses, "ranked": ranked,
            "total": {"cells": _printed(report.total, cols), "received": report.total.received,
                      "expected": report.total.expected},
            "period": "%s 至 %s" % (report.first.isoformat(), report.last.isoformat()), "missing_label": MISSING,
            "missing": sum(1 for line in report.rows if line.missing)}


@lru_cache(maxsize=1)
def _print_app():
    """A bare Flask app for the print engine (templates, the css_string filter, a data folder for the frozen
    executable's font cache): head office has no campus data folder and needs no database of the app."""
    from flask import Flask

    from xgapp import paths, printing  # WeasyPrint is heavy: loaded for a PDF only

    resources = paths.resource_dir()
    app = Flask(__name__, template_folder=str(resources / "templates"), static_folder=None)
    app.jinja_env.filters["css_string"] = printing.css_string
    app.config["XGAPP_PATHS"] = paths.DataPaths(paths.data_dir())
    return app


def pdf(report, printed_by="xgapp"):
    """The report as PDF bytes (A4 landscape, the project's print engine)."""
    from xgapp import printing  # WeasyPrint is heavy: loaded for a PDF only

    now = clock.local_now()
    filled = context(report)
    with _print_app().app_context():
        rendered = printing.render(
            "print/hq_report.html", campus={"name": "总部", "code": "全部校区"}, logo=None, printed_by=printed_by,
            printed_at=now.strftime("%Y-%m-%d %H:%M"), form_date=filled["period"],
            form_no="HQ-%s-%s" % (report.first.strftime("%Y%m%d"), report.last.strftime("%Y%m%d")), **filled)
    return printing.write(rendered)
