"""Mutations of the inbox: mark an item read, acknowledge (签收) it."""

from __future__ import annotations

import strawberry

from core.api.context import Info
from core.api.errors import FieldError, field_error, in_payload
from core.api.events.types import InboxItem
from core.api.ids import parse_global_id
from core.errors import DomainError
from core.events import inbox as service


@strawberry.input(description="收件箱条目")
class InboxItemInput:
    id: strawberry.ID = strawberry.field(description="收件箱条目 ID")


@strawberry.type(description="收件箱操作的结果")
class InboxItemPayload:
    item: InboxItem | None = strawberry.field(description="条目 (含本人阅读、签收时间)")
    errors: list[FieldError] = strawberry.field(description="错误 (成功时为空)")


async def _act(info: Info, input: InboxItemInput, ack: bool) -> InboxItemPayload:
    act = service.acknowledge if ack else service.mark_read
    try:
        event, _ = await act(
            info.context.caller,
            parse_global_id(input.id, "InboxItem", "id"),
            info.context.now(),
            info.context.write_audit,
        )
    except DomainError as exc:
        return InboxItemPayload(item=None, errors=[field_error(in_payload(exc))])
    return InboxItemPayload(item=event, errors=[])  # type: ignore[arg-type]


@strawberry.type
class InboxMutation:
    @strawberry.mutation(description="标为已读")
    async def mark_inbox_item_read(self, info: Info, input: InboxItemInput) -> InboxItemPayload:
        return await _act(info, input, ack=False)

    @strawberry.mutation(description="签收: 本单位已接手处理 (同时标为已读; 记入审计日志)")
    async def acknowledge_inbox_item(self, info: Info, input: InboxItemInput) -> InboxItemPayload:
        return await _act(info, input, ack=True)
