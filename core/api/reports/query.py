"""Query of stored reports."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core.api.context import Info
from core.api.enums import PlaceKind, SubmissionState
from core.api.filters import After, Before, First, Last
from core.api.pagination import Connection, page_of
from core.api.reports.register import (
    AsOfArgument,
    ChildLedgerConnection,
    HouseholdRegisterConnection,
    PlaceIdArgument,
    PlaceKindArgument,
    PublicArgument,
    child_ledger,
    household_register,
)
from core.api.reports.types import ReportSnapshot
from core.reports.models import ReportSnapshot as SnapshotModel


@strawberry.input(description="报表快照的筛选条件 (均可省略)")
class ReportSnapshotFilterInput:
    format_code: str | None = strawberry.field(default=None, description="报表格式代码")
    states: list[SubmissionState] | None = strawberry.field(
        default=None, description="报送状态 (任一)"
    )
    place_kind: PlaceKind | None = strawberry.field(default=None, description="范围")


@strawberry.type
class ReportQuery:
    @strawberry.field(description="已生成的报表 (快照, 新的在前): 可按格式、报送状态、范围筛选")
    async def report_snapshots(
        self,
        info: Info,
        filter: Annotated[
            ReportSnapshotFilterInput | None, strawberry.argument(description="筛选条件")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ReportSnapshot]:
        qs = SnapshotModel.all()
        if filter is not None:
            if filter.format_code:
                qs = qs.filter(format_code=filter.format_code)
            if filter.states:
                qs = qs.filter(state__in=[s.value for s in filter.states])
            if filter.place_kind:
                qs = qs.filter(place_kind=filter.place_kind.value)
        qs = qs.order_by("-generated_at", "-id")
        return await page_of(info, qs, first=first, after=after, last=last, before=before)

    @strawberry.field(
        description="学户册 (分页): 某范围 (全县、乡镇、学区或学校) 截至某日的每名儿童一行, "
        "栏目与打码同报表 household-register; 按姓名再按 id 排序 (索引顺序), 游标在数据变动时"
        "依然稳定; totalCount 仅在请求时计算; 全部行可由 downloads 流式下载"
    )
    async def household_register(
        self,
        info: Info,
        place_kind: PlaceKindArgument = None,
        place_id: PlaceIdArgument = None,
        as_of: AsOfArgument = None,
        public: PublicArgument = False,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> HouseholdRegisterConnection:
        return await household_register(
            info,
            place_kind=place_kind,
            place_id=place_id,
            as_of=as_of,
            public=public,
            first=first,
            after=after,
            last=last,
            before=before,
        )

    @strawberry.field(
        description="逐个儿童的名册 (台账) 分页: 报表格式 formatCode (每行一名儿童、无合计行, "
        "如学户册、重点群体关爱台账、“师访万家”走访记录) 某范围截至某日的全部行, 栏目与打码同报表; "
        "按姓名再按 id 排序, 游标在数据变动时依然稳定; totalCount 仅在请求时计算; 全部行可由 "
        "downloads 流式下载。行数超过快照上限的名册 generateReport 拒绝 (TOO_LARGE), 由此查看"
    )
    async def child_ledger(
        self,
        info: Info,
        format_code: Annotated[str, strawberry.argument(description="报表格式代码")],
        place_kind: PlaceKindArgument = None,
        place_id: PlaceIdArgument = None,
        as_of: AsOfArgument = None,
        public: PublicArgument = False,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> ChildLedgerConnection:
        return await child_ledger(
            info,
            format_code=format_code,
            place_kind=place_kind,
            place_id=place_id,
            as_of=as_of,
            public=public,
            first=first,
            after=after,
            last=last,
            before=before,
        )
