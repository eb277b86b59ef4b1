"""Excel workbooks for every .xlsx export: a cell never refuses text already stored, and text is never a formula."""

from openpyxl import Workbook as _Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.worksheet import Worksheet


def cell_text(value):
    """Text Excel can hold: a control character (stored before forms refused them) is shown as its code point."""
    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        return ILLEGAL_CHARACTERS_RE.sub(lambda m: "〔U+%04X〕" % ord(m.group()), value)
    return value


class _Sheet(Worksheet):
    def append(self, iterable):
        super().append([cell_text(v) for v in iterable])
        for cell in self[self.max_row]:
            if cell.data_type == "f":  # a name typed as "=HYPERLINK(…)" is text, never run by Excel
                cell.data_type = "s"

    def cell(self, row, column, value=None):
        found = super().cell(row, column, cell_text(value))
        if value is not None and found.data_type == "f":
            found.data_type = "s"
        return found


class Workbook(_Workbook):
    """openpyxl's Workbook whose sheets take any stored text (use it for every export)."""

    def __init__(self):
        super().__init__()
        self._sheets = [_Sheet(self)]

    def create_sheet(self, title=None, index=None):
        sheet = _Sheet(parent=self, title=title)
        self._add_sheet(sheet=sheet, index=index)
        return sheet
