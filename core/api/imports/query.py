"""Query of import jobs."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core.api.context import Info
from core.api.enums import ComparisonKind, ImportState
from core.api.filters import After, Before, DateTimeRange, First, Last, datetime_range
from core.api.imports.types import ComparisonRun, ImportJob
from core.api.pagination import Connection, page_of
from core.imports.models import ComparisonRun as RunModel
from core.imports.models import ImportJob as JobModel


@strawberry.input(description="导入任务的筛选条件 (均可省略)")
class ImportJobFilterInput:
    format_code: str | None = strawberry.field(default=None, description="导入格式代码")
    states: list[ImportState] | None = strawberry.field(default=None, description="状态 (任一)")


@strawberry.input(description="比对记录的筛选条件 (均可省略)")
class ComparisonRunFilterInput:
    kinds: list[ComparisonKind] | None = strawberry.field(
        default=None, description="比对类别 (任一)"
    )
    started: DateTimeRange | None = strawberry.field(default=None, description="开始时间范围")


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

    @strawberry.field(
        description="比对记录 (新的在前): 县级维护学户册者见本县的, 协作部门密钥只见据其名单运行的"
    )
    async def comparison_runs(
        self,
        info: Info,
        filter: Annotated[
            ComparisonRunFilterInput | None, strawberry.argument(description="筛选条件")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ComparisonRun]:
        qs = RunModel.all()
        if filter is not None:
            if filter.kinds:
                qs = qs.filter(kind__in=[k.value for k in filter.kinds])
            since, until = datetime_range(filter.started, "filter.started")
            if since is not None:
                qs = qs.filter(started_at__gte=since)
            if until is not None:
                qs = qs.filter(started_at__lte=until)
        qs = qs.order_by("-started_at", "-id")
        return await page_of(info, qs, first=first, after=after, last=last, before=before)
