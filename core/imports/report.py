"""The row-level report of an import (导入校验报告) as a file a county bureau opens in Excel or
WPS: CSV in UTF-8 with BOM, or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

#: (header, key of an issue) in the order the report shows them.
COLUMNS = (
    ("行号 Row", "row"),
    ("列 Column", "column"),
    ("值 Value", "value"),
    ("代码 Code", "code"),
    ("原因", "reasonZh"),
    ("Reason", "reasonEn"),
)


def _rows(issues: Iterable[Mapping[str, Any]]) -> Iterable[list[Any]]:
    yield [header for header, _ in COLUMNS]
    for issue in issues:
        yield [issue.get(key, "") for _, key in COLUMNS]


def render_issues_csv(issues: Iterable[Mapping[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in _rows(issues):
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8-sig")


def render_issues_xlsx(issues: Iterable[Mapping[str, Any]], title: str = "导入校验报告") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = "校验报告"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    for i, row in enumerate(_rows(issues)):
        # values as text: an ID number must not become a number in scientific notation
        sheet.append([v if isinstance(v, int) and i else str(v) for v in row])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEF", (10, 18, 24, 12, 48, 48), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A3"
    # printed, the six columns fit on the width of a landscape page
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def render_issues(issues: Iterable[Mapping[str, Any]], suffix: str) -> bytes:
    if suffix.lower() == ".csv":
        return render_issues_csv(issues)
    return render_issues_xlsx(issues)
