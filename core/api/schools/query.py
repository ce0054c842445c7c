"""Queries of schools."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core.api.context import Info
from core.api.filters import After, Before, First, Last, invalid
from core.api.pagination import Connection, page_of
from core.api.permissions import restrict
from core.api.schools.filters import SchoolFilterInput
from core.api.schools.types import School
from core.schools import models, queries


@strawberry.type
class SchoolQuery:
    @strawberry.field(description="学校列表 (分页, 按校名排序)")
    async def schools(
        self,
        info: Info,
        filter: Annotated[
            SchoolFilterInput | None, strawberry.argument(description="筛选条件")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[School]:
        flt = await filter.to_domain(info) if filter else queries.SchoolFilter()
        qs = queries.schools_queryset(flt)
        return await page_of(info, qs, first=first, after=after, last=last, before=before)

    @strawberry.field(description="按学校标识码 (10位) 查找学校, 不存在时为 null")
    async def school(
        self,
        info: Info,
        code: Annotated[str, strawberry.argument(description="学校标识码 (10位)")],
    ) -> School | None:
        code = code.strip()
        if not (len(code) == 10 and code.isdigit()):
            raise invalid("code", "学校标识码须为 10 位数字", "a school code has 10 digits")
        row = await restrict(info, models.School.all()).get_or_none(code=code)
        return info.context.loaders.prime([row])[0] if row else None
