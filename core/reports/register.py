"""The 学户册 a page or a chunk at a time: every child of a place as of a day, in the order
the database walks by index, never built whole.

The whole-county 学户册 (format ``household-register``, a plugin may replace its columns) is
150,000 rows at a county of 100,000 pupils: built whole it takes tens of seconds and its JSON
a large part of the process. Here it is read as the API pages it and as a file streams it:

* **order** — the children by name, then id: the index ``child (jurisdiction_id, name, id)``
  walks it, and a page past a cursor is a range seek on it (:mod:`core.keyset`). The built
  report groups its rows by 乡镇 and 村 as written out (the town of the child's school as of
  the day, else of the household); ordering a county by that derived value needs every row
  first, so the paged and streamed register keep the index order, and the town and village
  are columns a spreadsheet can sort by;
* **rows** — a page's (or a chunk's) children are read by id in a fixed number of statements
  (:func:`core.reports.ledgers.rows_of_children`), and their cells written by the report's own
  writer (:func:`core.reports.table.row_writer`): the same columns, formatting and masking as
  the report table, scoped to the caller as the report is (:func:`open_register` finds the
  place with the report's rules);
* **files** — :func:`write_register` writes CSV (UTF-8 with BOM) or XLSX (XlsxWriter's
  ``constant_memory``: the title, merged header, widths, frozen header and sign-off of
  :func:`core.reports.render_xlsx.render_xlsx`) to a file :data:`CHUNK` rows at a time, each
  chunk's tables read in one statement each over the chunk's range of the order.

**Snapshots.** A streamed 学户册 is a live view of the register ("the 学户册 of this place as
of this date"), not a stored report: its rows are not written to a
:class:`~core.reports.models.ReportSnapshot`, whose one JSON table would be the whole register
again. What proves a download is the audit entry (who, when, which place, as of which day,
the row count and the file's SHA-256, also sent as ``X-Report-Checksum``), and the same file
can be written again from the same day's data. ``generateReport`` still stores a snapshot of
the 学户册 of a place of up to :data:`SNAPSHOT_ROW_LIMIT` children (a school's or a town's
register handed in, whole, as before); above it, it refuses with ``TOO_LARGE`` and names the
paged query and the streamed download (:func:`refuse_large_snapshot`).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from core.access.authorise import require_permission
from core.access.caller import Caller
from core.access.enums import Permission
from core.china_time import local_date
from core.errors import DomainError, ErrorCode
from core.keyset import keyset_of
from core.people.models import Child
from core.plugins import rules_for
from core.querysets import ids_of, raw_values
from core.reports.enums import PlaceKind
from core.reports.ledgers import Place, place_children, rows_of_children
from core.reports.render_csv import BOM, csv_bytes
from core.reports.render_xlsx import SheetWriter, column_widths, open_workbook
from core.reports.table import Masking, ReportTable, row_writer, table_frame
from core.rules.county import CountyRules
from core.rules.enums import RowKind
from core.rules.specs import ReportFormat

#: The format whose rows are the 学户册 (every county has it; a plugin may replace it).
REGISTER_FORMAT = "household-register"
#: Children per chunk of a streamed file (each of its tables read in one statement).
CHUNK = 5000
#: Most children whose 学户册 ``generateReport`` stores as a snapshot (see the module).
SNAPSHOT_ROW_LIMIT = 20_000
#: Most rows of a streamed XLSX: a worksheet holds 1,048,576 rows (Excel, WPS and LibreOffice
#: alike), less the title, subtitle and header above the body and the sign-off below it. A
#: larger register (a county of a million pupils holds 1.5 million children) is refused as XLSX
#: with the way out: a town's register, or the whole county as CSV.
XLSX_ROW_LIMIT = 1_048_576 - 16
#: The order of the paged and streamed register: by index ``child (jurisdiction_id, name, id)``.
ORDER = ("name", "id")


@dataclass(frozen=True)
class RegisterRequest:
    """Which 学户册: a place (None: the caller's own) as of a day (None: today, China time)."""

    as_of: date | None = None
    place_kind: PlaceKind | None = None
    place_id: uuid.UUID | None = None
    #: The published variant (公示版): names and ID numbers masked, 张*三.
    public: bool = False
    #: The county (division code), for a caller who reaches every county (the CLI, the bench).
    jurisdiction_code: str | None = None


@dataclass(frozen=True)
class Register:
    """One place's 学户册 as of a day, for one caller: its frame and its children in order."""

    caller: Caller
    fmt: ReportFormat
    place: Place
    as_of: date
    rules: CountyRules
    #: The table without rows: title, subtitle, columns (序号 first), header, sign-off.
    frame: ReportTable
    #: The children the caller may see, in :data:`ORDER`.
    children: QuerySet[Child]

    @property
    def masking(self) -> Masking:
        return self.frame.masking

    @property
    def numbered(self) -> bool:
        return self.fmt.numbered


def _invalid_day(zh: str, en: str) -> DomainError:
    return DomainError(ErrorCode.INVALID, zh, en, field="asOf")


async def open_register(caller: Caller, request: RegisterRequest, now: datetime) -> Register:
    """The 学户册 the caller asks for (READ_REPORTS; the place inside the caller's scope, found
    as a report's place is), or a coded error naming the argument."""
    from core.reports.services import ReportRequest, county_of, format_of, masking_for, place_of

    require_permission(caller, Permission.READ_REPORTS)
    county = await county_of(caller, request.jurisdiction_code)
    rules = rules_for(county.division_code)
    fmt = format_of(rules, REGISTER_FORMAT)
    if fmt.row_kind is not RowKind.CHILD or fmt.totals:
        raise DomainError(
            ErrorCode.INVALID,
            "本县的学户册格式不是逐个儿童的名册, 不能分页或流式下载",
            "the county's household register is not a list of children; it cannot be paged",
            field="formatCode",
        )
    today = local_date(now)
    as_of = request.as_of or today
    if as_of > today:
        raise _invalid_day(
            f"统计截至日 {as_of.isoformat()} 晚于今天", f"asOf {as_of.isoformat()} is in the future"
        )
    place = await place_of(
        caller,
        county,
        ReportRequest(
            format_code=fmt.code,
            period_value="",
            place_kind=request.place_kind,
            place_id=request.place_id,
        ),
    )
    where = county.name if place.kind is PlaceKind.COUNTY else f"{county.name} {place.name}"
    masking = masking_for(caller, request.public)
    notes = ("公示版：姓名、身份证号等个人信息已打码",) if masking is Masking.PUBLIC else ()
    frame = table_frame(
        fmt,
        subtitle=f"填报范围：{where}    统计截至：{as_of.isoformat()}    排序：姓名",
        masking=masking,
        notes=notes,
    )
    children = await place_children(caller, place, as_of, rules, fmt.selection)
    children = children.order_by(*ORDER)
    return Register(caller, fmt, place, as_of, rules, frame, children)


async def register_rows(
    register: Register, ids: Sequence[Any], within: Subquery | None = None
) -> list[tuple[Any, tuple[str, ...]]]:
    """``(child id, cells)`` of the children ``ids`` in that order (``within``: the same
    children, or a range of the order holding them, as a sub-select, for many of them): the
    report's columns without the 序号, written and masked as the report table writes them."""
    rows = await rows_of_children(
        register.caller,
        ids,
        as_of=register.as_of,
        rules=register.rules,
        fields=frozenset(c.source for c in register.fmt.columns),
        within=within,
    )
    write = row_writer(register.fmt, register.masking)
    return [(row["_child_id"], write(row)) for row in rows]


async def register_chunks(
    register: Register, size: int | None = None
) -> AsyncIterator[list[tuple[str, ...]]]:
    """The whole register as lists of at most ``size`` (:data:`CHUNK`) rows of cells (序号
    first when the format numbers its rows), each chunk read past the last one by keyset. A
    chunk's facts are read over the range of the order it spans (a sub-select bounded by its
    first and last keys, not ``size`` bound ids): a child registered inside the range
    meanwhile is in the sub-select but not among the chunk's ids, and is ignored, never
    lost."""
    size = size or CHUNK
    keyset = keyset_of(register.children)
    beyond = None
    number = 0
    while True:
        page = keyset.queryset if beyond is None else keyset.queryset.filter(beyond)
        found = await raw_values(keyset.ordered(page, False).limit(size), *keyset.names)
        if not found:
            return
        last = found[-1]
        up_to = keyset.beyond(keyset.position(last), backward=True) | Q(id=last["id"])
        within = ids_of(page.filter(up_to), "id")
        rows = await register_rows(register, [r["id"] for r in found], within)
        if register.numbered:
            chunk = [(str(number + i), *cells) for i, (_, cells) in enumerate(rows, start=1)]
        else:
            chunk = [cells for _, cells in rows]
        number += len(rows)
        yield chunk
        if len(found) < size:
            return
        beyond = keyset.beyond(keyset.position(last), backward=False)


@dataclass(frozen=True)
class RegisterFile:
    """A written 学户册 file: its row count, size in bytes and SHA-256."""

    rows: int
    size: int
    sha256: str


class _Hashing:
    """A binary file that hashes and counts what is written to it."""

    def __init__(self, out: BinaryIO) -> None:
        self.out, self.hash, self.size = out, hashlib.sha256(), 0

    def write(self, data: bytes) -> None:
        self.out.write(data)
        self.hash.update(data)
        self.size += len(data)


async def write_register(register: Register, extension: str, out: BinaryIO) -> RegisterFile:
    """The register as ``extension`` (``csv`` or ``xlsx``) into ``out`` (a seekable binary
    file open for reading and writing, left at its start), :data:`CHUNK` rows at a time: the
    process holds one chunk, whatever the register's size."""
    rows = 0
    frame = register.frame
    if extension == "csv":
        hashing = _Hashing(out)
        hashing.write(BOM.encode("utf-8") + csv_bytes([frame.header]))
        async for chunk in register_chunks(register):
            hashing.write(csv_bytes(chunk))
            rows += len(chunk)
        out.seek(0)
        return RegisterFile(rows, hashing.size, hashing.hash.hexdigest())
    if await register_count(register) > XLSX_ROW_LIMIT:
        raise _too_many_rows()
    book = open_workbook(out)
    try:
        sheet = None
        async for chunk in register_chunks(register):
            if sheet is None:
                sheet = SheetWriter(book, frame, column_widths(frame, chunk))
            rows += len(chunk)
            if rows > XLSX_ROW_LIMIT:  # children registered since the count
                raise _too_many_rows()
            for cells in chunk:
                sheet.row(cells)
        if sheet is None:
            sheet = SheetWriter(book, frame, column_widths(frame, []))
        sheet.finish()
    finally:
        book.close()
    out.seek(0)
    digest, size = hashlib.sha256(), 0
    while block := out.read(1 << 16):
        digest.update(block)
        size += len(block)
    out.seek(0)
    return RegisterFile(rows, size, digest.hexdigest())


def _too_many_rows() -> DomainError:
    return DomainError(
        ErrorCode.TOO_LARGE,
        f"学户册超过 Excel 工作表的行数上限 ({XLSX_ROW_LIMIT:,} 行)：请按乡镇下载，或下载 CSV",
        f"the register has more rows than a worksheet holds ({XLSX_ROW_LIMIT:,}):"
        " download a town's register, or the whole as CSV",
        field="placeKind",
    )


async def register_count(register: Register) -> int:
    """How many children the register lists (one COUNT over the same conditions)."""
    return await register.children.order_by().count()


async def refuse_large_snapshot(
    caller: Caller,
    *,
    place_kind: PlaceKind | None,
    place_id: uuid.UUID | None,
    jurisdiction_code: str | None,
    now: datetime,
) -> None:
    """``TOO_LARGE`` when the 学户册 of the place has more than :data:`SNAPSHOT_ROW_LIMIT`
    children today: a snapshot would hold the whole register as one JSON value."""
    register = await open_register(
        caller,
        RegisterRequest(
            place_kind=place_kind, place_id=place_id, jurisdiction_code=jurisdiction_code
        ),
        now,
    )
    count = await register_count(register)
    if count > SNAPSHOT_ROW_LIMIT:
        raise DomainError(
            ErrorCode.TOO_LARGE,
            f"{register.place.name}的学户册有 {count} 人, 超过可存为快照的 {SNAPSHOT_ROW_LIMIT} "
            "人: 请用 householdRegister 分页查看, 或由 /registers/household.xlsx (.csv) 下载全部",
            f"the household register of {register.place.name} lists {count} children, more "
            f"than the {SNAPSHOT_ROW_LIMIT} a snapshot stores: page it with householdRegister "
            "or download it whole from /registers/household.xlsx (or .csv)",
            field="placeId" if place_id else "placeKind",
        )


__all__ = [
    "CHUNK",
    "ORDER",
    "REGISTER_FORMAT",
    "SNAPSHOT_ROW_LIMIT",
    "Register",
    "RegisterFile",
    "RegisterRequest",
    "open_register",
    "refuse_large_snapshot",
    "register_chunks",
    "register_count",
    "register_rows",
    "write_register",
]
