"""Query of home visits (家访, 师访万家, 大家访)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core.api.context import Info
from core.api.filters import After, Before, First, Last
from core.api.pagination import Connection, page_of
from core.api.visits.filters import HomeVisitFilterInput
from core.api.visits.types import HomeVisit
from core.visits import queries


@strawberry.type
class VisitQuery:
    @strawberry.field(
        description="家访记录列表 (分页, 新的在前): 可按家访类别 (如 师访万家)、"
        "被访儿童的重点群体、地区、学校、日期筛选"
    )
    async def home_visits(
        self,
        info: Info,
        filter: Annotated[
            HomeVisitFilterInput | None, strawberry.argument(description="筛选条件")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[HomeVisit]:
        flt = await filter.to_domain(info) if filter else queries.HomeVisitFilter()
        qs = queries.home_visits_queryset(flt)
        return await page_of(info, qs, first=first, after=after, last=last, before=before)
