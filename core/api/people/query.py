"""Queries of children and households."""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from typing import Annotated, Any

import strawberry
from tortoise.queryset import QuerySet

from core import child_lists
from core.api.context import Info
from core.api.filters import After, Before, First, Last
from core.api.pagination import Connection, page_of
from core.api.people.filters import (
    ChildFilterInput,
    ChildOrderInput,
    HouseholdFilterInput,
    households_in_visible_order,
)
from core.api.people.types import Child, Household


async def children_list(
    info: Info, filter: ChildFilterInput | None, order_by: ChildOrderInput | None
) -> tuple[Hashable, Callable[[], QuerySet[Any]]]:
    """What the children ``filter`` and ``order_by`` ask for is a function of (the checked
    domain filter and the order: the fast path keeps its statements by it,
    :mod:`core.api.fastpath.roots`), and the queryset of them in order (the caller's scope not
    yet applied), built when called: the checks run here, on every request, while the fast
    path builds the queryset only for a shape it has not seen."""
    flt = await filter.to_domain(info) if filter else child_lists.ChildFilter()
    order = order_by or ChildOrderInput(field=child_lists.ChildOrderField.NAME)
    descending = order.direction.descending
    return (flt, order.field, descending), functools.partial(
        child_lists.children_queryset, flt, order.field, descending
    )


@strawberry.type
class PeopleQuery:
    @strawberry.field(
        description="适龄儿童少年列表 (分页). 默认按姓名排序; 排序相同时按 ID, 保证翻页稳定"
    )
    async def children(
        self,
        info: Info,
        filter: Annotated[
            ChildFilterInput | None, strawberry.argument(description="筛选条件")
        ] = None,
        order_by: Annotated[
            ChildOrderInput | None, strawberry.argument(description="排序 (默认按姓名升序)")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Child]:
        _, queryset = await children_list(info, filter, order_by)
        return await page_of(info, queryset(), first=first, after=after, last=last, before=before)

    @strawberry.field(
        description="户列表 (分页, 按户主姓名排序; 无「查看个人敏感信息」权限时按姓氏, 再按 ID)"
    )
    async def households(
        self,
        info: Info,
        filter: Annotated[
            HouseholdFilterInput | None, strawberry.argument(description="筛选条件")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Household]:
        flt = await filter.to_domain(info) if filter else child_lists.HouseholdFilter()
        qs = households_in_visible_order(info, child_lists.households_queryset(flt))
        return await page_of(info, qs, first=first, after=after, last=last, before=before)
