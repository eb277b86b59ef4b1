"""Every workbook the app writes is laid out for Excel and paper by `sheets.saved` (the shared workbook helper)."""

import io
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from xgapp import sheets


def fits(sheet):
    """The cells whose shown text is wider than their column (Excel shows ######## for such dates and numbers)."""
    from openpyxl.utils import get_column_letter

    too_wide = []
    for row in sheet.iter_rows():
        for cell in row:
            shown = sheets._shown(cell)
            width = sheet.column_dimensions[get_column_letter(cell.column)].width
            wraps = cell.alignment is not None and cell.alignment.wrap_text
            if shown and not wraps and max(sheets.display_width(x) for x in shown.splitlines()) > width:
                too_wide.append((cell.coordinate, shown, width))
    return too_wide


def reopened(book):
    return load_workbook(io.BytesIO(sheets.saved(book)))


def test_columns_fit_dates_money_and_chinese_text():
    book = sheets.workbook()
    sheet = book.active
    sheets.append(sheet, ["日期", "学员", "金额", "课时", "签约时间", "备注"])
    sheets.append(sheet, [date(2026, 11, 30), "欧阳娜娜娜娜", Decimal("1234567.50"), Decimal("40.0"),
                          datetime(2026, 11, 30, 18, 45), "家长说孩子很喜欢这个老师" * 8])
    sheet = reopened(book).active
    assert fits(sheet) == []
    assert sheet["A2"].is_date and sheet["A2"].number_format == sheets.DATE_FORMAT
    assert sheet["C2"].number_format == sheets.MONEY_FORMAT and sheet["C2"].value == 1234567.5  # a number, not text
    assert sheet["D2"].number_format == sheets.HOURS_FORMAT
    assert sheet["E2"].number_format == sheets.DATETIME_FORMAT
    assert sheet.column_dimensions["B"].width >= sheets.display_width("欧阳娜娜娜娜")
    assert sheet["F2"].alignment.wrap_text and sheet.column_dimensions["F"].width <= sheets.MAX_WIDTH + 2


def test_header_frozen_filtered_bold_and_the_page_fits_the_width():
    book = sheets.workbook()
    sheet = book.active
    sheets.append(sheet, ["列%d" % n for n in range(18)])  # as wide as the campus daily report
    sheets.append(sheet, [Decimal("12345.00")] * 18)
    sheet = reopened(book).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:R2"
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.page_setup.fitToHeight == 0 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$1"


def test_a_narrow_sheet_prints_upright_and_a_set_width_is_kept():
    book = sheets.workbook()
    sheet = book.active
    sheets.append(sheet, ["日期", "人次"])
    sheets.append(sheet, [date(2026, 11, 2), 31])
    sheet.column_dimensions["B"].width = 30
    sheet = reopened(book).active
    assert sheet.page_setup.orientation == "portrait"
    assert sheet.column_dimensions["B"].width == 30
