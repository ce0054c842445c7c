"""A report table as an XLSX workbook a county bureau hands in (openpyxl).

Layout, top to bottom: the title (merged across the table, large and bold), the place and
period, the header (two rows where the form groups columns under one heading: the heading is
merged across its columns, every other header merged down both rows), the rows, the 合计 row,
then the sign-off lines (单位主要负责同志 (审核、签字、盖章)：), where it goes and the clause it
implements. The header is frozen and repeated on every printed page; column widths follow the
longest value (a Chinese character counting double); numbers, percentages and dates are typed
cells, so the county can add them up.
"""

from __future__ import annotations

import io
import math
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter

from core.reports.table import ReportTable
from core.rules.enums import FieldKind

_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_HEADER_FONT = Font(name="SimSun", bold=True, size=11)
_BODY_FONT = Font(name="SimSun", size=11)
_TITLE_FONT = Font(name="SimHei", bold=True, size=16)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=False)
_MIN_WIDTH, _MAX_WIDTH = 6, 40

#: The sheet's name: Excel allows 31 characters and none of []:*?/\ .
_SHEET_NAME_BAD = str.maketrans({c: "_" for c in "[]:*?/\\"})


def render_xlsx(table: ReportTable) -> bytes:
    """``table`` as the bytes of an .xlsx file."""
    book = Workbook()
    styles = _register_styles(book)
    sheet = book.active
    sheet.title = table.title.translate(_SHEET_NAME_BAD)[:31] or "报表"
    width = len(table.columns)
    last = get_column_letter(width)

    sheet.append([table.title])
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"].font = _TITLE_FONT
    sheet["A1"].alignment = _CENTRE
    sheet.row_dimensions[1].height = 30
    sheet.append([table.subtitle])
    sheet.merge_cells(f"A2:{last}2")
    sheet["A2"].alignment = _LEFT

    header_top = 3
    header_rows = 2 if table.header_groups else 1
    _write_header(sheet, table, header_top, header_rows)
    first_data = header_top + header_rows

    for row in table.rows:
        sheet.append([_typed(col.kind, text) for col, text in zip(table.columns, row, strict=True)])
    if table.totals is not None:
        sheet.append([_typed(c.kind, t) for c, t in zip(table.columns, table.totals, strict=True)])
    last_data = sheet.max_row
    # one named style per kind of column, set once per cell (setting font, border, alignment
    # and number format one by one costs four look-ups a cell)
    column_styles = [styles[_style_of(c.kind)] for c in table.columns]
    for line in sheet.iter_rows(min_row=first_data, max_row=last_data, max_col=width):
        for cell, style in zip(line, column_styles, strict=True):
            cell.style = style
    if table.totals is not None:
        for cell in sheet[last_data]:
            cell.font = Font(name="SimSun", bold=True, size=11)

    footer = list(table.sign_off)
    if table.submit_to:
        footer.append(f"报送单位：{'、'.join(table.submit_to)}")
    if table.clause:
        footer.append(f"依据：{table.clause}")
    footer.extend(table.notes)
    if footer:
        sheet.append([])
        for line in footer:
            sheet.append([line])
            sheet.merge_cells(f"A{sheet.max_row}:{last}{sheet.max_row}")
            sheet.cell(sheet.max_row, 1).alignment = _LEFT

    widths = _widths(sheet, table)
    for offset, row in enumerate(table.rows):
        sheet.row_dimensions[first_data + offset].height = _height(row, widths)
    sheet.freeze_panes = sheet.cell(first_data, 1)
    sheet.print_title_rows = f"{header_top}:{first_data - 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_header(sheet, table: ReportTable, top: int, rows: int) -> None:
    grouped: dict[int, tuple[str, int]] = {g.first: (g.label, g.span) for g in table.header_groups}
    under_group: set[int] = {
        i for g in table.header_groups for i in range(g.first, g.first + g.span)
    }
    for index, column in enumerate(table.columns):
        col = index + 1
        if rows == 1:
            sheet.cell(top, col, column.header)
        elif index in under_group:
            sheet.cell(top + 1, col, column.header)
            if index in grouped:
                label, span = grouped[index]
                sheet.cell(top, col, label)
                if span > 1:
                    sheet.merge_cells(
                        start_row=top, start_column=col, end_row=top, end_column=col + span - 1
                    )
        else:
            sheet.cell(top, col, column.header)
            sheet.merge_cells(start_row=top, start_column=col, end_row=top + 1, end_column=col)
    for line in sheet.iter_rows(min_row=top, max_row=top + rows - 1, max_col=len(table.columns)):
        for cell in line:
            cell.font = _HEADER_FONT
            cell.fill = _HEADER_FILL
            cell.alignment = _CENTRE
            cell.border = _BOX
    for r in range(top, top + rows):
        sheet.row_dimensions[r].height = 32


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


_FORMATS = {
    FieldKind.DECIMAL: "0.00",
    FieldKind.PERCENT: "0.00%",
    FieldKind.DATE: "yyyy-mm-dd",
    FieldKind.INTEGER: "General",
}


def _style_of(kind: FieldKind) -> str:
    return f"body-{kind.value.lower()}" if kind in _FORMATS else "body-text"


def _register_styles(book: Workbook) -> dict[str, str]:
    """The named styles of the body cells: boxed, 宋体, numbers centred in their format."""
    names = {}
    for kind in (*_FORMATS, FieldKind.TEXT):
        name = _style_of(kind)
        if name in names:
            continue
        style = NamedStyle(name=name)
        style.font = _BODY_FONT
        style.border = _BOX
        style.number_format = _FORMATS.get(kind, "General")
        style.alignment = Alignment(
            horizontal="center" if kind in _FORMATS else "left", vertical="center", wrap_text=True
        )
        book.add_named_style(style)
        names[name] = name
    return names


def display_width(text: str) -> int:
    """Columns ``text`` takes in a spreadsheet: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _height(row: tuple[str, ...], widths: list[float]) -> float:
    """A row tall enough for its longest wrapped cell (spreadsheets do not grow rows written by
    a library, so wrapped text would be cut off or run over the next row)."""
    pairs = zip(row, widths, strict=True)
    lines = max(
        (math.ceil(display_width(text) / max(width - 1, 1)) for text, width in pairs), default=1
    )
    return 15.0 * max(lines, 1) + 2


def _widths(sheet, table: ReportTable) -> list[float]:
    widths: list[float] = []
    for index, column in enumerate(table.columns):
        texts = [column.header, *(row[index] for row in table.rows)]
        if table.totals is not None:
            texts.append(table.totals[index])
        widest = max(display_width(t) for t in texts)
        letter = get_column_letter(index + 1)
        width = min(max(widest + 2, _MIN_WIDTH), _MAX_WIDTH)
        sheet.column_dimensions[letter].width = width
        widths.append(width)
    return widths
