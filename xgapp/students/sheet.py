"""Reading an uploaded roster (.xlsx or .csv) safely into numbered rows: sizes and row counts are checked before
and while parsing, so an oversized or hostile file is refused in a moment instead of holding a server thread."""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

from flask_babel import gettext as _

MAX_ROWS = 5000
TITLE_ROWS = 20  # rows above the header (titles, notes) a campus's own sheet may have
MAX_COLUMNS = 60
XLSX_MEMBER_MAX = 16 << 20  # bytes of one part of the workbook once unpacked: a full roster needs < 4 MB
XLSX_TOTAL_MAX = 40 << 20
XLSX_MEMBERS_MAX = 500
MERGE_CELL = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')


class ImportProblem(Exception):
    """The file as a whole cannot be read (wrong format, no header row, too big)."""


@dataclass
class Row:
    number: int  # the row number Excel shows
    values: list
    formulas: set = field(default_factory=set)  # indexes of the cells holding a formula


@dataclass
class Merge:
    ref: str  # e.g. A2:A3
    first_row: int
    last_row: int
    first_col: int  # 0-based
    last_col: int


@dataclass
class Sheet:
    rows: list  # the non-blank rows, in order
    merges: list


def blank(value):
    """True when a cell shows nothing."""
    return value is None or (isinstance(value, str) and not value.strip())


def too_many(n=None):
    """The refusal of a file with more rows than one import takes."""
    if n is None:
        return ImportProblem(_("The file has more than %(max)d rows; at most %(max)d can be imported at once. "
                               "Split it.", max=MAX_ROWS))
    return ImportProblem(_("The file has %(n)d rows; at most %(max)d can be imported at once. Split it.",
                           n=n, max=MAX_ROWS))


def _damaged():
    return ImportProblem(_("This is not an Excel .xlsx file (or it is damaged)."))


def check_unpacked_size(data):
    """Refuse a workbook that unpacks too big before openpyxl parses it (as `xgapp verify` does for bundles).

    Declared sizes are checked first, then every part is streamed with a read limit, since a header may lie.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _damaged() from exc
    too_big = ImportProblem(_("The workbook unpacks to more than %(mb)d MB, far more than a roster of %(max)d "
                              "students needs. Copy only the roster sheet's values into a new workbook and upload "
                              "that.", mb=XLSX_TOTAL_MAX >> 20, max=MAX_ROWS))
    with archive:
        infos = archive.infolist()
        if len(infos) > XLSX_MEMBERS_MAX or sum(i.file_size for i in infos) > XLSX_TOTAL_MAX or any(
                i.file_size > XLSX_MEMBER_MAX for i in infos):
            raise too_big
        total = 0
        for info in infos:
            size = 0
            try:
                with archive.open(info) as member:
                    while block := member.read(1 << 20):
                        size += len(block)
                        total += len(block)
                        if size > XLSX_MEMBER_MAX or total > XLSX_TOTAL_MAX:
                            raise too_big
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
                raise _damaged() from exc


def _merges(sheet):
    from openpyxl.utils.cell import range_boundaries

    with sheet._get_source() as source:  # read-only sheets do not parse merges: find them in the XML
        refs = [m.decode("ascii") for m in MERGE_CELL.findall(source.read(XLSX_MEMBER_MAX + 1))]
    merges = []
    for ref in refs:
        first_col, first_row, last_col, last_row = range_boundaries(ref)
        merges.append(Merge(ref, first_row, last_row, first_col - 1, last_col - 1))
    return merges


def _read_xlsx(data):
    from openpyxl import load_workbook

    check_unpacked_size(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        sheet = book.worksheets[0]
        if sheet.max_row and sheet.max_row - 1 > MAX_ROWS + TITLE_ROWS:
            raise too_many(sheet.max_row - 1)
        sheet.reset_dimensions()  # a declared size may lie: read the rows that are there
        merges = _merges(sheet)
        rows = []
        for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
            if number > 2 * MAX_ROWS + TITLE_ROWS:
                raise too_many()
            values = [cell.value for cell in cells]
            if all(blank(v) for v in values):
                continue
            rows.append(Row(number, values, {i for i, cell in enumerate(cells) if cell.data_type == "f"}))
            if len(rows) > MAX_ROWS + 1 + TITLE_ROWS:
                raise too_many()
        book.close()
    except ImportProblem:
        raise
    except Exception as exc:  # noqa: BLE001 - zip, XML and openpyxl's own errors all mean a damaged file
        raise _damaged() from exc
    return Sheet(rows, merges)


def _read_csv(data):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportProblem(_("The CSV file is neither UTF-8 nor GBK text."))
    reader = csv.reader(io.StringIO(text))
    rows = []
    try:
        for number, values in enumerate(reader, start=1):  # one record is one row when Excel opens the file
            if all(blank(v) for v in values):
                continue
            rows.append(Row(number, values[:MAX_COLUMNS]))
            if len(rows) > MAX_ROWS + 1 + TITLE_ROWS:
                raise too_many()
    except csv.Error:
        raise ImportProblem(_("The CSV file is damaged near line %(line)d (a cell too long or a stray quote). "
                              "Save it again from Excel as CSV UTF-8.", line=reader.line_num)) from None
    return Sheet(rows, [])


def read(filename, data):
    """The first sheet of an uploaded .xlsx (or a .csv) as a Sheet of its non-blank rows; raises ImportProblem."""
    sheet = _read_csv(data) if filename.lower().endswith(".csv") else _read_xlsx(data)
    if not sheet.rows:
        raise ImportProblem(_("The file is empty."))
    return sheet
