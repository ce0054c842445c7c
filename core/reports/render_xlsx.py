"""A report table as an XLSX workbook a county bureau hands in (XlsxWriter).

Layout, top to bottom: the title (merged across the table, large and bold), the place and
period, the header (two rows where the form groups columns under one heading: the heading is
merged across its columns, every other header merged down both rows), the rows, the 合计 row,
then the sign-off lines (单位主要负责同志 (审核、签字、盖章)：), where it goes and the clause it
implements. The header is frozen and repeated on every printed page; column widths follow the
longest value (a Chinese character counting double); numbers, percentages and dates are typed
cells, so the county can add them up.

The workbook is written row by row in XlsxWriter's ``constant_memory`` mode: each row goes to
a temporary file as soon as it is written, so a county-wide 学户册 of a hundred thousand rows
neither holds a cell object per value nor grows the process (everything about a row — its
height, its cells' formats — is known before it is written: widths come from the table first).
:class:`SheetWriter` writes the sheet a row at a time, for a whole table here and for a
学户册 streamed in chunks (:mod:`core.reports.register`).
"""

from __future__ import annotations

import io
import math
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from xlsxwriter import Workbook

from core.reports.table import ReportTable
from core.rules.enums import FieldKind

_HEADER_FILL = "#D9E1F2"
_BODY_FONT = "SimSun"
_TITLE_FONT = "SimHei"
_MIN_WIDTH, _MAX_WIDTH = 6, 40

#: The sheet's name: Excel allows 31 characters and none of []:*?/\ .
_SHEET_NAME_BAD = str.maketrans({c: "_" for c in "[]:*?/\\"})

_FORMATS = {
    FieldKind.DECIMAL: "0.00",
    FieldKind.PERCENT: "0.00%",
    FieldKind.DATE: "yyyy-mm-dd",
    FieldKind.INTEGER: "General",
}


def render_xlsx(table: ReportTable) -> bytes:
    """``table`` as the bytes of an .xlsx file."""
    out = io.BytesIO()
    book = Workbook(out, {"constant_memory": True})
    try:
        cells = _cell_widths(table.rows)
        sheet = SheetWriter(book, table, _widths(table, cells))
        for row, row_widths in zip(table.rows, cells, strict=True):
            sheet.row(row, row_widths)
        sheet.finish(table.totals)
    finally:
        book.close()
    return out.getvalue()


def open_workbook(target: Any) -> Workbook:
    """A workbook written to ``target`` (a path or a binary file) in ``constant_memory``
    mode: each row leaves memory as soon as the next one is begun."""
    return Workbook(target, {"constant_memory": True})


class SheetWriter:
    """One report's sheet, written top to bottom: the title, place and header when made,
    then :meth:`row` for each row, then :meth:`finish` for the 合计 row and the sign-off.

    ``widths`` (one per column) are fixed before the first row, since each row's height
    (its longest wrapped cell) is written with it: :func:`render_xlsx` measures the whole
    table; a streamed table (:mod:`core.reports.register`) measures its first chunk of rows
    (:func:`column_widths`), and a later, longer cell wraps within its column."""

    def __init__(self, book: Workbook, table: ReportTable, widths: list[float]) -> None:
        self.book, self.table, self.widths = book, table, widths
        sheet = self.sheet = book.add_worksheet(
            table.title.translate(_SHEET_NAME_BAD)[:31] or "报表"
        )
        self.last = len(table.columns) - 1
        for index, width in enumerate(widths):
            sheet.set_column(index, index, width)
        title = book.add_format(
            {"font_name": _TITLE_FONT, "bold": True, "font_size": 16, "align": "center"}
        )
        title.set_align("vcenter")
        title.set_text_wrap()
        left = self.left = book.add_format(
            {"font_name": _BODY_FONT, "font_size": 11, "align": "left"}
        )
        left.set_align("vcenter")
        sheet.set_row(0, 30)
        _merged(sheet, 0, 0, 0, self.last, table.title, title)
        _merged(sheet, 1, 0, 1, self.last, table.subtitle, left)
        self.header_top = 2
        header_rows = 2 if table.header_groups else 1
        _write_header(book, sheet, table, self.header_top, header_rows)
        self.first_data = self.row_number = self.header_top + header_rows
        self.body = [_body_format(book, c.kind, bold=False) for c in table.columns]
        self.kinds = [c.kind for c in table.columns]

    def row(self, cells: Any, cell_widths: list[int] | None = None) -> None:
        """One body row (``cell_widths``: its cells' display widths, if already measured)."""
        if cell_widths is None:
            cell_widths = [display_width(text) for text in cells]
        self.sheet.set_row(self.row_number, _height(cell_widths, self.widths))
        _write_row(self.sheet, self.row_number, self.kinds, cells, self.body)
        # beginning this row wrote the previous one out; XlsxWriter keeps every row's height
        # to the end all the same (``row_info``, and ``row_sizes`` for placing images, which a
        # report has none of), a few hundred bytes a row: forgotten here, so that a sheet of
        # any length holds one row
        if self.row_number > self.first_data:
            self.sheet.row_info.pop(self.row_number - 1, None)
            self.sheet.row_sizes.pop(self.row_number - 1, None)
        self.row_number += 1

    def finish(self, totals: Any = None) -> None:
        """The 合计 row (if any), the sign-off lines, and the frozen, repeated header."""
        book, sheet, table = self.book, self.sheet, self.table
        row_number = self.row_number
        if totals is not None:
            bold = [_body_format(book, c.kind, bold=True) for c in table.columns]
            _write_row(sheet, row_number, self.kinds, totals, bold)
            row_number += 1
        footer = list(table.sign_off)
        if table.submit_to:
            footer.append(f"报送单位：{'、'.join(table.submit_to)}")
        if table.clause:
            footer.append(f"依据：{table.clause}")
        footer.extend(table.notes)
        if footer:
            row_number += 1  # a blank line before the sign-off
            for line in footer:
                _merged(sheet, row_number, 0, row_number, self.last, line, self.left)
                row_number += 1
        sheet.freeze_panes(self.first_data, 0)
        sheet.repeat_rows(self.header_top, self.first_data - 1)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)


def column_widths(table: ReportTable, rows: Any) -> list[float]:
    """The column widths for ``table``'s header and ``rows`` (the first chunk of a stream)."""
    return _widths(table, _cell_widths(rows))


def _merged(sheet: Any, r1: int, c1: int, r2: int, c2: int, value: Any, fmt: Any) -> None:
    """``value`` over the cells r1:c1 … r2:c2 (one cell: no merge, which spreadsheets refuse)."""
    if r1 == r2 and c1 == c2:
        sheet.write(r1, c1, value, fmt)
    else:
        sheet.merge_range(r1, c1, r2, c2, value, fmt)


def _write_row(sheet: Any, r: int, kinds: list[FieldKind], texts: Any, formats: list) -> None:
    for c, (kind, text, fmt) in enumerate(zip(kinds, texts, formats, strict=True)):
        value = _typed(kind, text)
        if value is None:
            sheet.write_blank(r, c, None, fmt)
        elif isinstance(value, str):
            sheet.write_string(r, c, value, fmt)
        elif isinstance(value, date):
            sheet.write_datetime(r, c, value, fmt)
        else:
            sheet.write_number(r, c, value, fmt)


def _write_header(book: Workbook, sheet: Any, table: ReportTable, top: int, rows: int) -> None:
    fmt = book.add_format(
        {
            "font_name": _BODY_FONT,
            "bold": True,
            "font_size": 11,
            "bg_color": _HEADER_FILL,
            "pattern": 1,
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
            "border": 1,
        }
    )
    for r in range(top, top + rows):
        sheet.set_row(r, 32)
    if rows == 1:
        for col, column in enumerate(table.columns):
            sheet.write_string(top, col, column.header, fmt)
        return
    grouped = {g.first: g for g in table.header_groups}
    under_group = {i for g in table.header_groups for i in range(g.first, g.first + g.span)}
    # constant_memory writes a row out when the next one is begun, so a header merged down
    # both rows cannot go through merge_range (it pads the second row at once, and the first
    # row's later cells would be lost): its text and padding are written row by row, and the
    # range is added to the sheet's list of merged ranges, which is written at the end.
    col = 0
    while col < len(table.columns):
        if col in grouped:
            group = grouped[col]
            _merged(sheet, top, col, top, col + group.span - 1, group.label, fmt)
            col += group.span
            continue
        sheet.write_string(top, col, "" if col in under_group else table.columns[col].header, fmt)
        col += 1
    for col, column in enumerate(table.columns):
        if col in under_group:
            sheet.write_string(top + 1, col, column.header, fmt)
        else:
            sheet.write_blank(top + 1, col, None, fmt)
            sheet.merge.append([top, col, top + 1, col])


def _body_format(book: Workbook, kind: FieldKind, *, bold: bool) -> Any:
    """The body cells' format: boxed, 宋体, numbers centred in their format."""
    return book.add_format(
        {
            "font_name": _BODY_FONT,
            "font_size": 11,
            "bold": bold,
            "border": 1,
            "num_format": _FORMATS.get(kind, "General"),
            "align": "center" if kind in _FORMATS else "left",
            "valign": "vcenter",
            "text_wrap": True,
        }
    )


def _typed(kind: FieldKind, text: str):
    """The cell value: numbers as numbers, percentages as fractions, dates as dates; anything
    else (masked values, 合计, labels) as the text."""
    if text == "":
        return None
    try:
        if kind is FieldKind.INTEGER:
            return int(text)
        if kind is FieldKind.DECIMAL:
            return float(Decimal(text))
        if kind is FieldKind.PERCENT and text.endswith("%"):
            return float(Decimal(text[:-1]) / 100)
        if kind is FieldKind.DATE:
            return date.fromisoformat(text)
    except (ValueError, InvalidOperation):
        return text
    return text


@lru_cache(maxsize=8192)
def display_width(text: str) -> int:
    """Columns ``text`` takes in a spreadsheet: wide (CJK) characters count two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _height(row_widths: list[int], widths: list[float]) -> float:
    """A row tall enough for its longest wrapped cell (spreadsheets do not grow rows written by
    a library, so wrapped text would be cut off or run over the next row)."""
    lines = max(
        (math.ceil(w / max(width - 1, 1)) for w, width in zip(row_widths, widths, strict=True)),
        default=1,
    )
    return 15.0 * max(lines, 1) + 2


def _cell_widths(rows: Any) -> list[list[int]]:
    """The display width of every body cell, row by row (measured once, used twice)."""
    return [[display_width(text) for text in row] for row in rows]


def _widths(table: ReportTable, cells: list[list[int]]) -> list[float]:
    widths: list[float] = []
    for index, column in enumerate(table.columns):
        widest = max([display_width(column.header), *(row[index] for row in cells)])
        if table.totals is not None:
            widest = max(widest, display_width(table.totals[index]))
        widths.append(min(max(widest + 2, _MIN_WIDTH), _MAX_WIDTH))
    return widths
