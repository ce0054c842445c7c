"""Reading a roster file row by row: XLSX (python-calamine) or CSV in UTF-8 (with or without BOM)
or GBK/GB18030, the encoding detected — what Excel and WPS save on a Chinese desktop.

Rows are streamed: a CSV is read line by line (its encoding decided by one strict pass over the
file first), an XLSX sheet row by row, so a 100,000-row roster never sits in memory as text.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from core.errors import DomainError, ErrorCode
from core.imports.formats import ImportColumn, ImportFormat, header_key

#: Encodings tried in order: strict UTF-8 (a BOM is dropped), then GB18030 (a superset of GBK).
ENCODINGS = ("utf-8-sig", "gb18030")
_CHUNK = 1 << 16


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def detect_encoding(path: Path) -> str:
    """The first of :data:`ENCODINGS` the whole file decodes in without error."""
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise DomainError(
        ErrorCode.INVALID,
        "无法识别文件编码 (须为 UTF-8 或 GBK/GB18030)",
        "the file's encoding is neither UTF-8 nor GBK/GB18030",
        field="file",
    )


def _cell_text(value: object) -> str:
    """A cell as text: dates as ISO, whole floats without ``.0`` (Excel stores numbers so)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(path: Path) -> Iterator[list[str]]:
    encoding = detect_encoding(path)
    with path.open(encoding=encoding, newline="") as handle:
        for row in csv.reader(handle):
            yield [cell.strip() for cell in row]


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
    except Exception as exc:  # calamine raises its own errors for a broken workbook
        raise DomainError(
            ErrorCode.INVALID,
            f"无法读取 Excel 文件: {exc}",
            f"cannot read the workbook: {exc}",
            field="file",
        ) from None
    for row in sheet.iter_rows():
        yield [_cell_text(v) for v in row]


def raw_rows(path: Path) -> Iterator[list[str]]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        return _xlsx_rows(path)
    if suffix in (".csv", ".txt"):
        return _csv_rows(path)
    raise DomainError(
        ErrorCode.INVALID,
        "文件须为 .xlsx 或 .csv",
        "the file must be .xlsx or .csv",
        field="file",
    )


@dataclass(frozen=True)
class Header:
    """Which column of the file each of the format's columns is in (absent ones left out)."""

    positions: dict[str, int]
    columns: dict[str, ImportColumn]
    row_number: int


def match_header(fmt: ImportFormat, cells: list[str], row_number: int) -> Header:
    """Find each column of ``fmt`` by its header or a synonym; ``REQUIRED`` naming the headers
    of required columns the file lacks."""
    wanted = {header_key(h): c for c in fmt.columns for h in c.headers}
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        column = wanted.get(header_key(cell))
        if column is not None and column.field not in positions:
            positions[column.field] = index
    missing = [c.header for c in fmt.columns if c.required and c.field not in positions]
    if missing:
        raise DomainError(
            ErrorCode.REQUIRED,
            f"文件缺少必填列: {'、'.join(missing)} (格式 {fmt.label})",
            f"the file lacks required columns: {', '.join(missing)} (format {fmt.code})",
            field="file",
        )
    return Header(positions, {c.field: c for c in fmt.columns}, row_number)


def read_rows(fmt: ImportFormat, path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """``(row number as the spreadsheet shows it, {field: cell text})`` for every non-empty row
    after the header (the first non-empty row)."""
    header: Header | None = None
    for number, cells in enumerate(raw_rows(path), start=1):
        if not any(cells):
            continue
        if header is None:
            header = match_header(fmt, cells, number)
            continue
        yield (
            number,
            {field: (cells[i] if i < len(cells) else "") for field, i in header.positions.items()},
        )
    if header is None:
        raise DomainError(
            ErrorCode.INVALID, "文件为空 (没有表头)", "the file is empty (no header)", field="file"
        )
