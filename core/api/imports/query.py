"""Query of import jobs."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core.api.context import Info
from core.api.enums import ImportState
from core.api.filters import After, Before, First, Last
from core.api.imports.types import ImportJob
from core.api.pagination import Connection, page_of
from core.imports.models import ImportJob as JobModel


@strawberry.input(description="导入任务的筛选条件 (均可省略)")
class ImportJobFilterInput:
    format_code: str | None = strawberry.field(default=None, description="导入格式代码")
    states: list[ImportState] | None = strawberry.field(default=None, description="状态 (任一)")


@strawberry.type
class ImportQuery:
    @strawberry.field(
        description="名册导入任务 (新的在前): 县级维护学户册者见本县的, 协作部门密钥只见自己提交的"
    )
    async def import_jobs(
        self,
        info: Info,
        filter: Annotated[
            ImportJobFilterInput | None, strawberry.argument(description="筛选条件")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ImportJob]:
        qs = JobModel.all()
        if filter is not None:
            if filter.format_code:
                qs = qs.filter(format_code=filter.format_code.upper())
            if filter.states:
                qs = qs.filter(state__in=[s.value for s in filter.states])
        qs = qs.order_by("-started_at", "-id")
        return await page_of(info, qs, first=first, after=after, last=last, before=before)
