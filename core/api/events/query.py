"""Queries of the inbox."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core.api.context import Info
from core.api.events.types import EventKind, InboxCounts, InboxItem
from core.api.filters import After, Before, First, Last
from core.api.ids import decode_global_id
from core.api.pagination import Connection, page_of
from core.events import inbox as service


@strawberry.input(description="收件箱的筛选条件 (均可省略)")
class InboxFilterInput:
    unread: bool | None = strawberry.field(
        default=None, description="true: 只看未读; false: 只看已读"
    )
    acknowledged: bool | None = strawberry.field(
        default=None, description="true: 只看已签收; false: 只看未签收"
    )
    kinds: list[EventKind] | None = strawberry.field(default=None, description="事件类型 (任一)")
    object_id: strawberry.ID | None = strawberry.field(
        default=None, description="只看关于此对象 (如一个个案) 的条目"
    )


@strawberry.type
class InboxQuery:
    @strawberry.field(
        description="我的收件箱: 发给本人、本班、本校、本乡镇或本县教育局的事件, 新的在前"
    )
    async def my_inbox(
        self,
        info: Info,
        filter: Annotated[
            InboxFilterInput | None, strawberry.argument(description="筛选条件")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[InboxItem]:
        flt = service.InboxFilter()
        if filter is not None:
            decoded = decode_global_id(filter.object_id) if filter.object_id else None
            flt = service.InboxFilter(
                unread=filter.unread,
                acknowledged=filter.acknowledged,
                kinds=tuple(filter.kinds or ()),
                object_id=decoded.node_id if decoded else ("-" if filter.object_id else None),
            )
        qs = service.inbox(info.context.caller, flt)
        return await page_of(info, qs, first=first, after=after, last=last, before=before)

    @strawberry.field(description="我的收件箱计数: 全部与未读")
    async def my_inbox_counts(self, info: Info) -> InboxCounts:
        found = await service.counts(info.context.caller)
        return InboxCounts(total=found["total"], unread=found["unread"])
