"""A report table as CSV: UTF-8 with a byte-order mark, so that Excel and WPS open the Chinese
text as Chinese (without the BOM they guess GBK and show mojibake).

The file is the table only: the header row, one line per row and the 合计 line, so that it can
be read back into a spreadsheet or a script; the title, place and period are in the file's
name and in the XLSX.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from core.reports.table import ReportTable

BOM = "\ufeff"


def csv_bytes(lines: Iterable[Iterable[str]]) -> bytes:
    """``lines`` as CSV in UTF-8 (CRLF line ends as Excel writes them), without the BOM: a
    file streamed in chunks (:mod:`core.reports.register`) puts the BOM once, first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(lines)
    return out.getvalue().encode("utf-8")


def render_csv(table: ReportTable) -> bytes:
    """``table`` as CSV bytes (UTF-8 with BOM, CRLF line ends as Excel writes them)."""
    return BOM.encode("utf-8") + csv_bytes(table.grid())
