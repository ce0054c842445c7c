"""GraphQL types of the inbox (收件箱) and of webhooks."""

from __future__ import annotations

import datetime
from typing import ClassVar

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from core.api.context import Info
from core.api.enums import ActorKind, ScopeKind, graphql_enum
from core.api.node import ModelNode
from core.events import inbox as inbox_service
from core.events import models
from core.events.enums import DeliveryState, EventKind
from core.global_ids import encode_global_id

graphql_enum(EventKind, "事件类型")
graphql_enum(DeliveryState, "Webhook 投递状态")


async def _receipt(info: Info, event: models.OutboxEvent) -> models.InboxReceipt | None:
    account = info.context.caller.account_id
    if account is None:
        return None

    async def load(keys: list[str]) -> list[models.InboxReceipt | None]:
        found = await inbox_service.receipts(account, list(keys))
        return [found.get(str(k)) for k in keys]

    return await info.context.loaders.custom("inbox_receipts", load).load(str(event.id))


@strawberry.type(name="InboxItem", description="收件箱条目: 发给本人或本单位、需要处理或知悉的事件")
class InboxItem(ModelNode):
    model: ClassVar = models.OutboxEvent
    id: relay.NodeID[str]
    kind: EventKind = strawberry.field(description="事件类型")
    summary: str = strawberry.field(description="摘要 (不含个人信息)")
    payload: JSON = strawberry.field(description="事件内容 (键见 docs/events.md)")
    occurred_at: datetime.datetime = strawberry.field(description="发生时间")
    recorded_at: datetime.datetime = strawberry.field(description="记录时间")
    actor_kind: ActorKind = strawberry.field(description="操作者类别")
    actor_label: str = strawberry.field(description="操作者")
    object_type: str = strawberry.field(description="对象类型 (Case、ReportSnapshot 等)")
    audience_kind: ScopeKind = strawberry.field(description="收件层级: 班级、学校、乡镇或全县")
    audience_office: str = strawberry.field(description="收件单位 (上报链条中的一级)")
    responsible_name: str = strawberry.field(description="责任人 (双线四包所载, 可空)")

    @strawberry.field(description="对象的全局 ID (可用 node(id:) 获取, 受本人权限与范围限制)")
    def object_id(self) -> strawberry.ID:
        return strawberry.ID(encode_global_id(self.object_type, self.object_id))  # type: ignore[attr-defined]

    @strawberry.field(description="本人阅读时间 (未读为空)")
    async def read_at(self, info: Info) -> datetime.datetime | None:
        receipt = await _receipt(info, self)  # type: ignore[arg-type]
        return receipt.read_at if receipt else None

    @strawberry.field(description="本人签收时间 (未签收为空)")
    async def acknowledged_at(self, info: Info) -> datetime.datetime | None:
        receipt = await _receipt(info, self)  # type: ignore[arg-type]
        return receipt.acknowledged_at if receipt else None


@strawberry.type(description="收件箱计数")
class InboxCounts:
    total: int = strawberry.field(description="全部条目")
    unread: int = strawberry.field(description="未读条目")
