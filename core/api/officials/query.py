"""Queries of officials and responsibility assignments."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core.api.context import Info
from core.api.filters import After, Before, First, Last
from core.api.officials.filters import AssignmentFilterInput, OfficialFilterInput
from core.api.officials.types import Official, ResponsibilityAssignment
from core.api.pagination import Connection, page_of
from core.officials import queries


@strawberry.type
class OfficialQuery:
    @strawberry.field(description="干部/教师列表 (分页, 按姓名排序)")
    async def officials(
        self,
        info: Info,
        filter: Annotated[
            OfficialFilterInput | None, strawberry.argument(description="筛选条件")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Official]:
        flt = await filter.to_domain(info) if filter else queries.OfficialFilter()
        qs = queries.officials_queryset(flt)
        return await page_of(info, qs, first=first, after=after, last=last, before=before)

    @strawberry.field(description="责任分工列表 (分页): 谁对哪个乡镇、学校、班级或儿童负责")
    async def responsibility_assignments(
        self,
        info: Info,
        filter: Annotated[
            AssignmentFilterInput | None, strawberry.argument(description="筛选条件")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ResponsibilityAssignment]:
        flt = await filter.to_domain(info) if filter else queries.AssignmentFilter()
        qs = queries.assignments_queryset(flt)
        return await page_of(info, qs, first=first, after=after, last=last, before=before)
