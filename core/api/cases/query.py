"""Queries of cases: the list and the statistics a dashboard shows."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core.api.cases.filters import CaseFilterInput, CaseOrderInput
from core.api.cases.types import Case, CaseStatistics
from core.api.context import Info
from core.api.filters import After, Before, First, Last, OrderDirection
from core.api.pagination import Connection, page_of
from core.api.permissions import restrict
from core.cases import queries

CaseFilterArgument = Annotated[CaseFilterInput | None, strawberry.argument(description="筛选条件")]


@strawberry.type
class CaseQuery:
    @strawberry.field(
        description="控辍保学个案列表 (分页). 默认按立案时间从新到旧; "
        "看逾期情况用 orderBy: {field: NEXT_DEADLINE_AT, direction: ASC}"
    )
    async def cases(
        self,
        info: Info,
        filter: CaseFilterArgument = None,
        order_by: Annotated[
            CaseOrderInput | None,
            strawberry.argument(description="排序 (默认按立案时间降序)"),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Case]:
        now = info.context.now()
        flt = await filter.to_domain(info) if filter else queries.CaseFilter()
        order = order_by or CaseOrderInput(
            field=queries.CaseOrderField.OPENED_AT, direction=OrderDirection.DESC
        )
        qs = queries.cases_queryset(flt, now, order.field, order.direction.descending)
        return await page_of(info, qs, first=first, after=after, last=last, before=before)

    @strawberry.field(description="个案统计: 总数、未结数、逾期数, 按状态/类别/层级计数")
    async def case_statistics(
        self, info: Info, filter: CaseFilterArgument = None
    ) -> CaseStatistics:
        now = info.context.now()
        flt = await filter.to_domain(info) if filter else queries.CaseFilter()
        return CaseStatistics(_cases=restrict(info, queries.filter_cases(flt, now)), _now=now)
