"""Spreadsheet cells the app writes (.xlsx workbooks and the bundle's CSV): user text stays text.

A school name typed as `=HYPERLINK("http://…"&A1,"点我")` must reach the principal's Excel as those characters,
never as a formula. Every workbook is made with `workbook()`, filled with `append()` and written with `saved()`.
"""

import io
import re

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


def saved(book):
    """The workbook as .xlsx bytes; a formula cell that slipped past `append` is written as its text."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
                    cell.quotePrefix = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
