"""Queries of schools."""

from __future__ import annotations

import strawberry

from core.api.context import Info
from core.api.pagination import Connection, paginate
from core.api.schools.types import School
from core.schools import models


@strawberry.type
class SchoolQuery:
    @strawberry.field(description="学校列表 (分页, 按校名排序)")
    async def schools(
        self,
        info: Info,
        jurisdiction_code: str | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[School]:
        qs = models.School.all()
        if jurisdiction_code:
            qs = qs.filter(jurisdiction__division_code=jurisdiction_code)
        settings = info.context.settings
        return await paginate(
            qs.order_by("name", "id"),
            first=first,
            after=after,
            last=last,
            before=before,
            default_size=settings.default_page_size,
            max_size=settings.max_page_size,
        )
