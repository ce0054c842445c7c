"""``householdRegister`` and ``childLedger``: a place's ledger of children (the 学户册, a
group's ledger) as a cursor connection, a page at a time.

The rows are the report's (format ``household-register``, or the one named): the same columns,
cells and masking as its table, in the order of the index ``child (jurisdiction_id, name,
id)`` — by name, then id — so that a page past a cursor is a range seek, whatever the
county's size (:mod:`core.reports.register`). Statements per page do not grow with its size:
the page's children by keyset, then their facts by id, a fixed number of statements. The two
fields are one connection (:class:`LedgerConnection`) over rows of the same shape.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import urlencode

import strawberry

from core.access.enums import Permission
from core.api.context import Info
from core.api.enums import Masking, PlaceKind
from core.api.ids import parse_global_id
from core.api.pagination import Connection, paginate_with
from core.api.permissions import require
from core.api.reports.types import ReportDownloads, ReportTableColumn, ReportTableHeaderGroup
from core.global_ids import encode_global_id
from core.keyset import keyset_of
from core.querysets import raw_values
from core.reports import register as registers

_PLACE_TYPES = {
    PlaceKind.TOWN: "Town",
    PlaceKind.SCHOOL: "School",
    PlaceKind.SCHOOL_GROUP: "SchoolGroup",
}


@strawberry.type(
    description="名册 (台账) 的一行: 一名儿童, 各栏与 columns 对应 (与报表同样的写法与打码)"
)
class ChildLedgerRow:
    child_id: strawberry.ID = strawberry.field(description="儿童 (Child) 的全局 id")
    cells: list[str] = strawberry.field(description="各栏文字 (不含序号栏)")


@strawberry.type(description="学户册的一行: 一名儿童, 各栏与 columns 对应 (与报表同样的写法与打码)")
class HouseholdRegisterRow(ChildLedgerRow):
    pass


Row = TypeVar("Row", bound=ChildLedgerRow)


@strawberry.type
class LedgerConnection(Connection[Row], Generic[Row]):
    """The frame of a paged ledger of children around its rows (one author for both fields)."""

    _register: strawberry.Private[registers.Register]

    @strawberry.field(description="报表格式代码")
    def format_code(self) -> str:
        return self._register.fmt.code

    @strawberry.field(description="标题")
    def title(self) -> str:
        return self._register.frame.title

    @strawberry.field(description="填报范围与统计截至日")
    def subtitle(self) -> str:
        return self._register.frame.subtitle

    @strawberry.field(description="统计截至日")
    def as_of(self) -> datetime.date:
        return self._register.as_of

    @strawberry.field(description="范围")
    def place_kind(self) -> PlaceKind:
        return self._register.place.kind

    @strawberry.field(description="范围名称")
    def place_name(self) -> str:
        return self._register.place.name

    @strawberry.field(description="打码方式")
    def masking(self) -> Masking:
        return self._register.masking

    @strawberry.field(description="各栏 (与每行 cells 对应; 分页时不含序号栏)")
    def columns(self) -> list[ReportTableColumn]:
        return [
            ReportTableColumn(key=c.key, header=c.header, kind=c.kind, source=c.source)
            for c in self._register.frame.columns
            if c.key != "number" or not self._register.numbered
        ]

    @strawberry.field(description="表头分组 (起始栏从 0 起, 与 cells 对应)")
    def header_groups(self) -> list[ReportTableHeaderGroup]:
        shift = 1 if self._register.numbered else 0
        return [
            ReportTableHeaderGroup(label=g.label, first=g.first - shift, span=g.span)
            for g in self._register.frame.header_groups
        ]

    @strawberry.field(description="全部行的下载地址 (流式写出, 需同样的登录凭证)")
    def downloads(self) -> ReportDownloads:
        register = self._register
        query: dict[str, Any] = {"asOf": register.as_of.isoformat()}
        place = register.place
        if place.id is not None:
            query["placeKind"] = place.kind.value
            query["placeId"] = encode_global_id(_PLACE_TYPES[place.kind], place.id)
        if register.masking is Masking.PUBLIC:
            query["public"] = "true"
        tail = urlencode(query)
        code = register.fmt.code
        return ReportDownloads(
            xlsx=f"{registers.download_path(code, 'xlsx')}?{tail}",
            csv=f"{registers.download_path(code, 'csv')}?{tail}",
        )


@strawberry.type(
    description="学户册 (分页): 某范围截至某日的全部适龄儿童, 按姓名 (再按 id) 排序, 游标翻页"
)
class HouseholdRegisterConnection(LedgerConnection[HouseholdRegisterRow]):
    pass


@strawberry.type(
    description="逐个儿童的名册 (台账) 分页: 某报表格式 (如重点群体关爱台账) 某范围截至某日的"
    "全部行, 按姓名 (再按 id) 排序, 游标翻页"
)
class ChildLedgerConnection(LedgerConnection[ChildLedgerRow]):
    pass


def place_id_of(kind: PlaceKind | None, place_id: str | None) -> uuid.UUID | None:
    """The row id of a place's global id (a school's unless ``kind`` says otherwise)."""
    if place_id is None:
        return None
    return parse_global_id(place_id, _PLACE_TYPES.get(kind or PlaceKind.SCHOOL, ""), "placeId")


async def child_ledger(
    info: Info,
    *,
    format_code: str,
    place_kind: PlaceKind | None,
    place_id: str | None,
    as_of: datetime.date | None,
    public: bool,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    connection: type[LedgerConnection[Any]] = ChildLedgerConnection,
    row: type[ChildLedgerRow] = ChildLedgerRow,
) -> Any:
    """A page of the ledger ``format_code`` (one that :func:`core.reports.register.pages`) as
    ``connection`` of ``row``."""
    caller = require(info, Permission.READ_REPORTS)
    register = await registers.open_register(
        caller,
        registers.RegisterRequest(
            as_of=as_of,
            place_kind=place_kind,
            place_id=place_id_of(place_kind, place_id),
            public=public,
            format_code=format_code,
        ),
        info.context.now(),
    )
    keyset = keyset_of(register.children)

    async def fetch(beyond: Any, backward: bool, limit: int) -> list[dict[str, Any]]:
        page = keyset.queryset if beyond is None else keyset.queryset.filter(beyond)
        found = await raw_values(keyset.ordered(page, backward).limit(limit), *keyset.names)
        cells = {
            str(child_id): row
            for child_id, row in await registers.register_rows(register, [r["id"] for r in found])
        }
        # the id as one type on both databases (SQLite gives text), for the cursor
        return [
            {"name": r["name"], "id": uuid.UUID(str(r["id"])), "cells": cells[str(r["id"])]}
            for r in found
            if str(r["id"]) in cells
        ]

    def nodes(rows: Any) -> list[ChildLedgerRow]:
        return [
            row(child_id=strawberry.ID(encode_global_id("Child", r["id"])), cells=list(r["cells"]))
            for r in rows
        ]

    settings = info.context.settings
    page = await paginate_with(
        keyset,
        fetch,
        lambda: registers.register_count(register),
        first=first,
        after=after,
        last=last,
        before=before,
        default_size=settings.default_page_size,
        max_size=settings.max_page_size,
        transform=nodes,
    )
    return connection(
        edges=page.edges, page_info=page.page_info, _count=page._count, _register=register
    )


async def household_register(info: Info, **arguments: Any) -> HouseholdRegisterConnection:
    """A page of the 学户册 (format ``household-register``)."""
    return await child_ledger(
        info,
        format_code=registers.REGISTER_FORMAT,
        connection=HouseholdRegisterConnection,
        row=HouseholdRegisterRow,
        **arguments,
    )


PlaceKindArgument = Annotated[
    PlaceKind | None, strawberry.argument(description="范围 (省略: 本人的范围; 县级账号为全县)")
]
PlaceIdArgument = Annotated[
    strawberry.ID | None, strawberry.argument(description="乡镇、学区或学校的全局 id")
]
AsOfArgument = Annotated[
    datetime.date | None, strawberry.argument(description="统计截至日 (省略: 今天)")
]
PublicArgument = Annotated[bool, strawberry.argument(description="公示版 (姓名、身份证号打码)")]

__all__ = [
    "AsOfArgument",
    "ChildLedgerConnection",
    "ChildLedgerRow",
    "HouseholdRegisterConnection",
    "HouseholdRegisterRow",
    "LedgerConnection",
    "PlaceIdArgument",
    "PlaceKindArgument",
    "PublicArgument",
    "child_ledger",
    "household_register",
]
