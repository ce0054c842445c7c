"""A ledger of children a page or a chunk at a time: every row of a place as of a day, in the
order the database walks by index, never built whole — the 学户册 and every other ledger whose
rows grow with the county.

A ledger whose rows are children (``RowKind.CHILD``, no 合计 row, rows as of a day: every
selection but the period's 未到校 list, :func:`pages`) can be read this way; the 学户册 (format
``household-register``, a plugin may replace its columns) is the first of them, 150,000 rows at
a county of 100,000 pupils, and a group's ledger (铁东's 关爱台账 and 师访万家, 36,792 rows there)
grows the same way. Built whole such a table takes seconds and its JSON a large part of the
process. Here it is read as the API pages it and as a file streams it:

* **order** — the children by name, then id: the index ``child (jurisdiction_id, name, id)``
  walks it, and a page past a cursor is a range seek on it (:mod:`core.keyset`). The built
  report groups its rows by its ``group_by`` columns as written out (乡镇 and 村, a school);
  ordering a county by a derived value needs every row first, so the paged and streamed
  ledger keep the index order, and those columns are there for a spreadsheet to sort by;
* **rows** — a page's (or a chunk's) children are read by id in a fixed number of statements
  (:func:`core.reports.ledgers.rows_of_children`), and their cells written by the report's own
  writer (:func:`core.reports.table.row_writer`): the same columns, formatting and masking as
  the report table, the same children (:func:`core.reports.ledgers.place_children` with the
  format's selection), scoped to the caller as the report is (:func:`open_register` finds the
  place with the report's rules);
* **files** — :func:`write_register` writes CSV (UTF-8 with BOM) or XLSX (XlsxWriter's
  ``constant_memory``: the title, merged header, widths, frozen header and sign-off of
  :func:`core.reports.render_xlsx.render_xlsx`) to a file a chunk at a time
  (:func:`chunk_size`), each chunk's tables read in one statement each: over the chunk's
  range of the order on SQLite, by the chunk's ids on PostgreSQL.

**Snapshots.** A streamed ledger is a live view ("the 学户册 of this place as of this date"),
not a stored report: its rows are not written to a
:class:`~core.reports.models.ReportSnapshot`, whose one JSON table would be the whole ledger
again. What proves a download is the audit entry (who, when, which ledger and place, as of
which day, the row count and the file's SHA-256, also sent as ``X-Report-Checksum``), and the
same file can be written again from the same day's data. ``generateReport`` still stores a
snapshot of such a ledger of up to :data:`SNAPSHOT_ROW_LIMIT` rows (a school's or a town's
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

from pypika_tortoise.terms import Term
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from core.access.authorise import require_permission
from core.access.caller import Caller
from core.access.enums import Permission
from core.bulk import is_postgres
from core.china_time import local_date
from core.errors import DomainError, ErrorCode
from core.keyset import keyset_of
from core.people.models import Child
from core.plugins import rules_for
from core.querysets import ids_within, raw_values
from core.reports import ledgers
from core.reports.enums import PlaceKind
from core.reports.ledgers import Place, place_children, rows_of_children
from core.reports.render_csv import BOM, csv_bytes
from core.reports.render_xlsx import SheetWriter, column_widths, open_workbook
from core.reports.table import Masking, ReportTable, row_writer, table_frame
from core.rules.county import CountyRules
from core.rules.enums import RowKind, RowSelection
from core.rules.specs import ReportFormat

#: The format whose rows are the 学户册 (every county has it; a plugin may replace it).
REGISTER_FORMAT = "household-register"
#: Children per chunk of a streamed file on SQLite: each of its tables read in one statement,
#: over the chunk's range of the order (a sub-select).
CHUNK = 5000
#: Most rows of a paged ledger that ``generateReport`` stores as a snapshot (see the module).
SNAPSHOT_ROW_LIMIT = 20_000
#: Most rows of a streamed XLSX: a worksheet holds 1,048,576 rows (Excel, WPS and LibreOffice
#: alike), less the title, subtitle and header above the body and the sign-off below it. A
#: larger register (a county of a million pupils holds 1.5 million children) is refused as XLSX
#: with the way out: a town's register, or the whole county as CSV.
XLSX_ROW_LIMIT = 1_048_576 - 16
#: The order of the paged and streamed register: by index ``child (jurisdiction_id, name, id)``.
ORDER = ("name", "id")


def pages(fmt: ReportFormat) -> bool:
    """Whether ``fmt`` can be paged and streamed: one row per child, no 合计 row, its rows as
    of a day (the period's 未到校 list needs the period's registers, not a day)."""
    return (
        fmt.row_kind is RowKind.CHILD
        and not fmt.totals
        and fmt.selection is not RowSelection.NOT_ARRIVED
    )


def download_path(format_code: str, extension: str) -> str:
    """Where a paged ledger is downloaded whole: ``/registers/household.<ext>`` for the 学户册,
    ``/ledgers/<format code>.<ext>`` for any other."""
    if format_code == REGISTER_FORMAT:
        return f"/registers/household.{extension}"
    return f"/ledgers/{format_code}.{extension}"


def paged_query(format_code: str) -> str:
    """The GraphQL field that pages the ledger (for a refusal's way out)."""
    if format_code == REGISTER_FORMAT:
        return "householdRegister"
    return f'childLedger(formatCode: "{format_code}")'


def chunk_size() -> int:
    """Children per chunk of a streamed file: :data:`CHUNK` on SQLite; on PostgreSQL no more
    than a ledger reads by their ids in one statement (``ledgers.CHUNK``). Over a range of
    5,000 PostgreSQL's planner hash-joined the range to a sequential scan of the county's
    children for each table: at 1,000,000 pupils the stream fell from 7,100 to 4,000 rows a
    second as it went; by ids it keeps 6,800 (bench/README.md)."""
    return min(CHUNK, ledgers.CHUNK) if is_postgres(Child._meta.db) else CHUNK


@dataclass(frozen=True)
class RegisterRequest:
    """Which ledger (the 学户册 unless named): a place (None: the caller's own) as of a day
    (None: today, China time)."""

    as_of: date | None = None
    place_kind: PlaceKind | None = None
    place_id: uuid.UUID | None = None
    #: The published variant (公示版): names and ID numbers masked, 张*三.
    public: bool = False
    #: The county (division code), for a caller who reaches every county (the CLI, the bench).
    jurisdiction_code: str | None = None
    #: The format whose rows are read (one that :func:`pages`).
    format_code: str = REGISTER_FORMAT


@dataclass(frozen=True)
class Register:
    """One place's ledger of children as of a day, for one caller: its frame and its children
    in order."""

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
    """The ledger the caller asks for (READ_REPORTS; the place inside the caller's scope, found
    as a report's place is), or a coded error naming the argument."""
    from core.reports.services import ReportRequest, county_of, format_of, masking_for, place_of

    require_permission(caller, Permission.READ_REPORTS)
    county = await county_of(caller, request.jurisdiction_code)
    rules = rules_for(county.division_code)
    fmt = format_of(rules, request.format_code)
    if not pages(fmt):
        raise DomainError(
            ErrorCode.INVALID,
            f"报表 {fmt.code} 不是截至某日逐个儿童的名册 (无合计行), 不能分页或流式下载",
            f"report {fmt.code} is not a list of children as of a day (without totals);"
            " it cannot be paged or streamed",
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
    register: Register, ids: Sequence[Any], within: Term | None = None
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
    """The whole register as lists of at most ``size`` (:func:`chunk_size`) rows of cells (序号
    first when the format numbers its rows), each chunk read past the last one by keyset. A
    chunk's facts are read for its ids (:func:`core.querysets.ids_within`: on SQLite bound as
    one parameter; on PostgreSQL over the range of the order the chunk spans, a sub-select
    bounded by its first and last keys, where a child registered inside the range meanwhile
    is in the sub-select but not among the chunk's ids, and is ignored, never lost)."""
    size = size or chunk_size()
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
        ids = [r["id"] for r in found]
        rows = await register_rows(register, ids, ids_within(page.filter(up_to), ids))
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
    file open for reading and writing, left at its start), a chunk at a time: the
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
        raise _too_many_rows(register)
    book = open_workbook(out)
    try:
        sheet = None
        async for chunk in register_chunks(register):
            if sheet is None:
                sheet = SheetWriter(book, frame, column_widths(frame, chunk))
            rows += len(chunk)
            if rows > XLSX_ROW_LIMIT:  # children registered since the count
                raise _too_many_rows(register)
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


def _too_many_rows(register: Register) -> DomainError:
    return DomainError(
        ErrorCode.TOO_LARGE,
        f"{register.fmt.title}超过 Excel 工作表的行数上限 ({XLSX_ROW_LIMIT:,} 行)："
        "请按乡镇下载，或下载 CSV",
        f"the {register.fmt.code} ledger has more rows than a worksheet holds"
        f" ({XLSX_ROW_LIMIT:,}): download a town's, or the whole as CSV",
        field="placeKind",
    )


async def register_count(register: Register) -> int:
    """How many children the register lists (one COUNT over the same conditions)."""
    return await register.children.order_by().count()


async def refuse_large_snapshot(
    caller: Caller,
    *,
    format_code: str,
    place_kind: PlaceKind | None,
    place_id: uuid.UUID | None,
    jurisdiction_code: str | None,
    now: datetime,
) -> None:
    """``TOO_LARGE`` when ``format_code`` is a ledger that :func:`pages` and the place's has
    more than :data:`SNAPSHOT_ROW_LIMIT` rows today: a snapshot would hold the whole ledger as
    one JSON value. Any other format passes (its errors are the report's own)."""
    from core.reports.services import county_of, format_of

    county = await county_of(caller, jurisdiction_code)
    if not pages(format_of(rules_for(county.division_code), format_code)):
        return
    register = await open_register(
        caller,
        RegisterRequest(
            place_kind=place_kind,
            place_id=place_id,
            jurisdiction_code=jurisdiction_code,
            format_code=format_code,
        ),
        now,
    )
    count = await register_count(register)
    if count > SNAPSHOT_ROW_LIMIT:
        title, query = register.fmt.title, paged_query(format_code)
        xlsx, csv = download_path(format_code, "xlsx"), download_path(format_code, "csv")
        raise DomainError(
            ErrorCode.TOO_LARGE,
            f"{register.place.name}的{title}有 {count} 行, 超过可存为快照的 {SNAPSHOT_ROW_LIMIT} "
            f"行: 请用 {query} 分页查看, 或由 {xlsx} ({csv}) 下载全部",
            f"the {format_code} ledger of {register.place.name} has {count} rows, more "
            f"than the {SNAPSHOT_ROW_LIMIT} a snapshot stores: page it with {query} "
            f"or download it whole from {xlsx} (or {csv})",
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
    "chunk_size",
    "download_path",
    "open_register",
    "paged_query",
    "pages",
    "refuse_large_snapshot",
    "register_chunks",
    "register_count",
    "register_rows",
    "write_register",
]
