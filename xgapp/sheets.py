"""Spreadsheet cells the app writes (.xlsx workbooks and the bundle's CSV): user text stays text.

A school name typed as `=HYPERLINK("http://…"&A1,"点我")` must reach the principal's Excel as those characters,
never as a formula. Every workbook is made with `workbook()`, filled with `append()` and written with `saved()`,
which also lays every sheet out the same way (`finish`): columns as wide as their content, the header row bold,
frozen and filterable, dates as dates, money as yuan, hours with one decimal, and a print setup that fits the width
of an A4 page.
"""

import io
import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal

# A cell starting with one of these is read as a formula (or a DDE call) by Excel when typed or pasted as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 cannot carry (openpyxl refuses them), stored before forms refused them: shown as their code
# point 〔U+0007〕, as the printed forms show a character no font has, instead of failing the whole export.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def workbook():
    """A new, empty-sheeted workbook."""
    from openpyxl import Workbook

    return Workbook()


def text(sheet, value):
    """A cell holding `value` as plain text: never a formula, whatever it starts with."""
    from openpyxl.cell.cell import Cell

    cell = Cell(sheet)
    cell.value = _CONTROL.sub(lambda m: "〔U+%04X〕" % ord(m.group()), value)
    cell.data_type = "s"  # openpyxl made "=…" a formula; a string cell is shown as typed
    if cell.value.startswith(FORMULA_START):
        cell.quotePrefix = True  # and Excel keeps it text even when the cell is edited and re-entered
    return cell


def append(sheet, values):
    """Append a row: text as text cells (see `text`), numbers, dates and the rest as they are."""
    sheet.append([text(sheet, v) if isinstance(v, str) else v for v in values])


# Number formats by what a cell holds. Money is the only Decimal kept to the fen and hours the only one kept to a
# tenth (validation.money / validation.hours quantize them so), which is how a cell tells one from the other.
DATE_FORMAT, DATETIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
MONEY_FORMAT, HOURS_FORMAT = '"¥"#,##0.00', "0.0"
MAX_WIDTH = 50  # characters; longer text wraps inside its column instead of making the sheet unreadable
PORTRAIT_WIDTH = 95  # total column width that still fits an A4 page upright; wider sheets print landscape


def display_width(text):
    """How many narrow characters `text` takes in a cell: CJK and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _shown(cell):
    """The text Excel shows for `cell` under its number format (close enough to size a column by)."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, datetime) and cell.number_format != DATE_FORMAT:
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal) and cell.number_format == MONEY_FORMAT:
        return "¥{:,.2f}".format(value)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return "{:,}".format(value) if cell.number_format.startswith("#,##") else str(value)
    return str(value)


def _format(cell):
    value = cell.value
    if value is None or cell.number_format not in ("General", "yyyy-mm-dd h:mm:ss"):  # openpyxl's own default
        return
    if isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    elif isinstance(value, Decimal) and value.is_finite():
        exponent = value.as_tuple().exponent
        cell.number_format = MONEY_FORMAT if exponent == -2 else HOURS_FORMAT if exponent == -1 else "General"


def finish(sheet):
    """Lay a sheet out for Excel, LibreOffice and paper (what the sheet set itself is kept)."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    if sheet.max_row < 1 or sheet.max_column < 1 or sheet.cell(1, 1).value is None and sheet.max_row == 1:
        return
    widths = {}
    for row in sheet.iter_rows():
        for cell in row:
            _format(cell)
            shown = _shown(cell)
            if shown:
                longest = max(display_width(line) for line in shown.splitlines() or [""])
                if cell.row == 1:
                    longest = longest * 11 // 10 + 1  # the header is bold
                widths[cell.column] = max(widths.get(cell.column, 0), longest)
                if longest > MAX_WIDTH and isinstance(cell.value, str):
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    total = 0
    chosen = set(sheet.column_dimensions)  # columns the sheet sized itself keep their width
    for column, width in widths.items():
        letter = get_column_letter(column)
        if letter not in chosen:
            sheet.column_dimensions[letter].width = min(width, MAX_WIDTH) + 2
        total += sheet.column_dimensions[letter].width
    for cell in sheet[1]:
        if cell.value is not None and not cell.font.b:
            cell.font = Font(bold=True)
    if sheet.freeze_panes is None and sheet.max_row > 1:
        sheet.freeze_panes = "A2"
    if not sheet.auto_filter.ref and sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions
    sheet.print_title_rows = "1:1"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if total > PORTRAIT_WIDTH else "portrait"
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0  # one page wide, as many pages long as needed


def saved(book):
    """The workbook as .xlsx bytes, every sheet laid out (`finish`); a formula cell that slipped past `append` is
    written as its text."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
                    cell.quotePrefix = True
        finish(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
