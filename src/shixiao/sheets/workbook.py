"""Reading one table out of an .xlsx or .xls file and writing tidy ones. No Django models here:
the importers and exporters decide what the columns mean.

A readable table is one sheet with its column headers in row 1 and one record per row
below. Everything else (merged cells, formulas, unknown headers, too many rows) is refused
with a `SheetError` whose message says what to fix, before any row is looked at.
"""

import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook

#: Where the templates keep the allowed values of list columns (hidden; never read back).
LISTS_SHEET = "选项"
#: How far down a template's drop-down lists reach.
VALIDATION_ROWS = 2000

_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_REQUIRED_MARK = re.compile(r"\s*(\*|＊|[（(]必填[)）])\s*$")
_HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
_REQUIRED_FONT = Font(bold=True, color="B0231C")


class SheetError(Exception):
    """The file as a whole cannot be read as the expected table; the message says why."""


@dataclass
class Table:
    """The rows of a sheet: (Excel row number, {header: cell value}), blank rows left out."""

    headers: list[str]
    rows: list[tuple[int, dict[str, object]]]


def clean_header(value) -> str:
    """A header as typed, without the required mark (*) or stray spaces."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    return _REQUIRED_MARK.sub("", re.sub(r"\s+", "", text))


@dataclass
class _Cell:
    """One cell as read from either file format: where it is, its value, and why it is not
    a plain value if it is not (a formula or an error value)."""

    row: int
    column: int
    value: object
    problem: str | None = None

    @property
    def coordinate(self) -> str:
        return f"{get_column_letter(self.column)}{self.row}"


@dataclass
class _Sheet:
    names: list[str]
    merged: list[str]
    grid: list[list[_Cell]]


def _load(data: bytes, sheet: str) -> _Sheet:
    """The named sheet of an .xlsx or .xls workbook: the workbook's sheet names, the sheet's
    merged ranges and its cells (an empty grid if the workbook has no such sheet)."""
    if not data:
        raise SheetError(_("The file is empty."))
    if data.startswith(_OLE_MAGIC):
        return _load_xls(data, sheet)
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise SheetError(_("This is not an Excel workbook (.xlsx or .xls). Download the "
                           "template, fill it in and upload it."))
    try:
        # Not read-only: merged cells are only known to a fully loaded sheet. The upload
        # size limit bounds the memory this takes.
        wb = load_workbook(io.BytesIO(data), data_only=False)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise _unreadable(exc) from exc
    if sheet not in wb.sheetnames:
        return _Sheet(wb.sheetnames, [], [])
    ws = wb[sheet]
    return _Sheet(wb.sheetnames, [str(r) for r in ws.merged_cells.ranges],
                  [[_Cell(c.row, c.column, c.value, _bad_cell(c)) for c in row]
                   for row in ws.iter_rows()])


def _unreadable(exc: Exception) -> SheetError:
    return SheetError(_("The file could not be read as an Excel workbook (%(error)s).")
                      % {"error": exc.__class__.__name__})


def _load_xls(data: bytes, sheet: str) -> _Sheet:
    """An old-style .xls workbook (Excel 97-2003, still what many offices keep), read with
    calamine. Its values come out as the .xlsx reader gives them, so both import alike: a
    number is an int when whole, an empty cell is None. A formula cell reads as the value
    Excel last computed and stored with it."""
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(wb.sheet_names)
        if sheet not in names:
            return _Sheet(names, [], [])
        ws = wb.get_sheet_by_name(sheet)
        merged = [f"{get_column_letter(c0 + 1)}{r0 + 1}:{get_column_letter(c1 + 1)}{r1 + 1}"
                  for (r0, c0), (r1, c1) in ws.merged_cell_ranges or ()]
        values = ws.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own types for damaged or locked files
        raise _unreadable(exc) from exc
    return _Sheet(names, merged, [[_Cell(r, c, _xls_value(v)) for c, v in enumerate(row, 1)]
                                  for r, row in enumerate(values, 1)])


def _xls_value(value):
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time())  # as openpyxl gives a date cell
    return value


_PLAIN = (str, int, float, bool, type(None), dt.date, dt.time, dt.timedelta)


def _bad_cell(cell) -> str | None:
    """Why an openpyxl cell's content is not a plain value, or None. openpyxl gives a
    formula as its text (data type "f") or as an array-formula object."""
    if cell.data_type == "f" or not isinstance(cell.value, _PLAIN):
        return _("Cell %(cell)s holds a formula; paste the values instead (Paste Special → "
                 "Values).") % {"cell": cell.coordinate}
    if cell.data_type == "e":
        return _("Cell %(cell)s shows an error value (%(value)s).") % {
            "cell": cell.coordinate, "value": cell.value}
    return None


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_table(data: bytes, *, sheet: str, known: Sequence[str], required: Iterable[str],
               max_rows: int) -> Table:
    """The table on `sheet` of an .xlsx or .xls file: headers from row 1 (each one of
    `known`, all of `required` present), then every non-blank row. Raises SheetError for
    anything else."""
    book = _load(data, sheet)
    if sheet not in book.names:
        raise SheetError(_("The workbook has no sheet named “%(sheet)s” (it has: %(names)s). "
                           "Put the data on a sheet of that name, as in the template.")
                         % {"sheet": sheet, "names": "、".join(book.names)})
    if book.merged:
        raise SheetError(_("The sheet has merged cells (%(ranges)s). Unmerge them and give "
                           "every row its own values.") % {"ranges": "、".join(book.merged[:3])})
    grid = book.grid
    if not grid or all(_blank(c.value) for c in grid[0]):
        if all(_blank(c.value) for row in grid for c in row):
            raise SheetError(_("The sheet “%(sheet)s” is empty.") % {"sheet": sheet})
        raise SheetError(_("Row 1 must hold the column headers; it is empty."))
    for row in grid:
        for cell in row:
            if cell.problem:
                raise SheetError(cell.problem)
    columns: dict[int, str] = {}
    for cell in grid[0]:
        header = clean_header(cell.value)
        if not header:
            continue
        if header not in known:
            raise SheetError(_("Unknown column “%(header)s” (column %(letter)s). The columns "
                               "of this sheet are: %(known)s.")
                             % {"header": header, "letter": get_column_letter(cell.column),
                                "known": "、".join(known)})
        if header in columns.values():
            raise SheetError(_("The column “%(header)s” appears twice.") % {"header": header})
        columns[cell.column] = header
    missing = [h for h in required if h not in columns.values()]
    if missing:
        raise SheetError(_("Missing column: %(headers)s. Row 1 must hold the template's "
                           "headers.") % {"headers": "、".join(missing)})
    rows = []
    for row in grid[1:]:
        if all(_blank(c.value) for c in row):
            continue
        for cell in row:
            if cell.column not in columns and not _blank(cell.value):
                raise SheetError(_("Cell %(cell)s has a value but its column has no header.")
                                 % {"cell": cell.coordinate})
        rows.append((row[0].row, {columns[c.column]: c.value for c in row
                                  if c.column in columns}))
    if not rows:
        raise SheetError(_("The sheet has headers but no data rows."))
    if len(rows) > max_rows:
        raise SheetError(_("The sheet has %(count)s rows; at most %(max)s can be imported at "
                           "once. Split the file.") % {"count": len(rows), "max": max_rows})
    return Table(headers=list(columns.values()), rows=rows)


# Writing ------------------------------------------------------------------------------------

def display_width(text: str) -> int:
    """Columns a text takes in Excel: CJK characters are about two wide."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def write_table(ws, *, title: str, headers: Sequence[str], rows: Iterable[Sequence],
                required: Iterable[str] = (), text_columns: Iterable[str] = (),
                widths: dict[str, int] | None = None) -> int:
    """Fill `ws` with a header row (frozen, bold, filtered) and `rows`; sensible widths.
    Returns how many rows were written."""
    ws.title = title
    required, text_columns, widths = set(required), set(text_columns), widths or {}
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = _REQUIRED_FONT if cell.value in required else Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="center")
    measured = [display_width(h) for h in headers]
    count = 0
    for values in rows:
        ws.append(["" if v is None else v for v in values])
        count += 1
        if count <= 200:  # measuring the first rows is enough for the widths
            measured = [max(m, display_width(str(v or ""))) for m, v in zip(measured, values,
                                                                           strict=False)]
    for index, header in enumerate(headers, 1):
        letter = get_column_letter(index)
        width = widths.get(header) or min(max(measured[index - 1] + 2, 8), 60)
        ws.column_dimensions[letter].width = width
        if header in text_columns:
            # Text, so Excel does not round an 18-digit ID number or drop a phone's leading 0:
            # the column's own format for what people type in, each written cell's too.
            ws.column_dimensions[letter].number_format = "@"
            for (cell,) in ws.iter_rows(min_row=2, max_row=count + 1, min_col=index,
                                        max_col=index):
                cell.number_format = "@"
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(ws.max_row, 1)}"
    return count


def add_choice_lists(wb: Workbook, ws, choices: dict[str, Sequence[str]],
                     headers: Sequence[str]) -> None:
    """Drop-down lists for the columns named in `choices`, kept on a hidden sheet so long
    lists (every sector of the committee) fit."""
    if not choices:
        return
    lists = wb.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    for index, (header, options) in enumerate(choices.items(), 1):
        letter = get_column_letter(index)
        lists.cell(row=1, column=index, value=header)
        for row, option in enumerate(options, 2):
            lists.cell(row=row, column=index, value=option)
        target = get_column_letter(list(headers).index(header) + 1)
        rule = DataValidation(type="list", allow_blank=True, showErrorMessage=False,
                              formula1=f"'{LISTS_SHEET}'!${letter}$2:${letter}$"
                                       f"{len(options) + 1}")
        rule.add(f"{target}2:{target}{VALIDATION_ROWS}")
        ws.add_data_validation(rule)


def add_notes(wb: Workbook, *, title: str, headers: Sequence[str],
              rows: Iterable[Sequence[str]], intro: Sequence[str] = ()) -> None:
    """A sheet that explains each column: required or not, what it holds, allowed values."""
    ws = wb.create_sheet(title)
    for line in intro:
        ws.append([line])
    start = ws.max_row + 1 if intro else 1
    ws.append(list(headers))
    for cell in ws[start]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for values in rows:
        ws.append(list(values))
    for index, width in enumerate((16, 10, 60, 40), 1):
        ws.column_dimensions[get_column_letter(index)].width = width
    for row in ws.iter_rows(min_row=start + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def to_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
