"""GraphQL of webhooks: the endpoints of the county, their deliveries and attempts, registering
an endpoint (the secret is shown once) and redelivering by hand."""

from __future__ import annotations

import datetime
from typing import Annotated, ClassVar

import strawberry
from strawberry import relay

from core.access.enums import Permission
from core.api.context import Info
from core.api.errors import FieldError, field_error, in_payload
from core.api.events import subscription
from core.api.events.types import DeliveryState, EventKind, InboxItem
from core.api.filters import After, Before, First, Last
from core.api.ids import parse_global_id
from core.api.node import ModelNode
from core.api.pagination import Connection, page_of
from core.api.permissions import require
from core.errors import DomainError
from core.events import models
from core.events import webhooks as service


@strawberry.type(name="WebhookAttempt", description="一次投递尝试: 应答状态、耗时与应答开头")
class WebhookAttempt(ModelNode):
    model: ClassVar = models.WebhookAttempt
    id: relay.NodeID[str]
    attempted_at: datetime.datetime = strawberry.field(description="尝试时间")
    status: int | None = strawberry.field(description="HTTP 状态码 (无应答为空)")
    latency_ms: int = strawberry.field(description="耗时 (毫秒)")
    response_snippet: str = strawberry.field(description="应答内容开头 (至多 500 字符)")
    error: str = strawberry.field(description="连接错误 (有应答时为空)")
    worker: str = strawberry.field(description="投递的工作进程")


@strawberry.type(name="WebhookDelivery", description="一个事件向一个端点的投递")
class WebhookDelivery(ModelNode):
    model: ClassVar = models.WebhookDelivery
    id: relay.NodeID[str]
    state: DeliveryState = strawberry.field(description="投递状态")
    attempts: int = strawberry.field(description="已尝试次数")
    next_attempt_at: datetime.datetime = strawberry.field(description="下次尝试时间 (待投递时)")
    delivered_at: datetime.datetime | None = strawberry.field(description="送达时间")
    last_status: int | None = strawberry.field(description="最近一次应答的 HTTP 状态码")

    @strawberry.field(description="所投递的事件")
    async def event(self, info: Info) -> InboxItem | None:
        return await models.OutboxEvent.get_or_none(id=self.event_id)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="每次尝试 (先后顺序)")
    async def attempt_log(self, info: Info) -> list[WebhookAttempt]:
        loader = info.context.loaders.many(models.WebhookAttempt, "delivery_id")
        return await loader.load(str(self.id))  # type: ignore[return-value]


@strawberry.type(name="WebhookEndpoint", description="Webhook 端点: 协作系统接收事件的地址")
class WebhookEndpoint(ModelNode):
    model: ClassVar = models.WebhookEndpoint
    id: relay.NodeID[str]
    name: str = strawberry.field(description="名称")
    url: str = strawberry.field(description="接收地址")
    subscription: str = strawberry.field(description="订阅文档 (决定推送内容的 GraphQL 查询)")
    secret_hint: str = strawberry.field(description="签名密钥末四位 (密钥只在注册时显示一次)")
    is_active: bool = strawberry.field(description="是否启用 (连续失败后自动停用)")
    consecutive_failures: int = strawberry.field(description="连续失败次数")
    disabled_at: datetime.datetime | None = strawberry.field(description="停用时间")
    disabled_reason: str = strawberry.field(description="停用原因")
    created_at: datetime.datetime = strawberry.field(description="注册时间")

    @strawberry.field(description="订阅的事件类型")
    def event_kinds(self) -> list[EventKind]:
        return [EventKind(k) for k in self.event_kinds]  # type: ignore[attr-defined]

    @strawberry.field(description="投递记录 (新的在前)")
    async def deliveries(
        self,
        info: Info,
        state: Annotated[DeliveryState | None, strawberry.argument(description="投递状态")] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[WebhookDelivery]:
        qs = models.WebhookDelivery.filter(endpoint_id=self.id)  # type: ignore[attr-defined]
        if state is not None:
            qs = qs.filter(state=state)
        qs = qs.order_by("-recorded_at", "-id")
        return await page_of(info, qs, first=first, after=after, last=last, before=before)


@strawberry.type
class WebhookQuery:
    @strawberry.field(description="本县的 Webhook 端点 (需 MANAGE_WEBHOOKS)")
    async def webhooks(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[WebhookEndpoint]:
        qs = models.WebhookEndpoint.all().order_by("-created_at", "-id")
        return await page_of(info, qs, first=first, after=after, last=last, before=before)


@strawberry.input(description="注册 Webhook 端点")
class RegisterWebhookInput:
    url: str = strawberry.field(description="接收地址 (http:// 或 https://)")
    event_kinds: list[EventKind] = strawberry.field(description="订阅的事件类型 (至少一种)")
    subscription: str | None = strawberry.field(
        default=None,
        description="订阅文档: 一个 query, 可声明 $id (事件对象的全局 ID)、$kind、$eventId; "
        "以注册人的权限与范围执行, 结果放在推送内容的 data 中 (省略则只推送事件本身)",
    )
    name: str | None = strawberry.field(default=None, description="名称")


@strawberry.type(description="注册 Webhook 的结果: 签名密钥只在此显示一次")
class RegisterWebhookPayload:
    webhook: WebhookEndpoint | None = strawberry.field(description="端点")
    secret: str | None = strawberry.field(description="签名密钥 (请立即保存, 之后不再显示)")
    errors: list[FieldError] = strawberry.field(description="错误 (成功时为空)")


@strawberry.input(description="重新投递")
class RedeliverWebhookInput:
    delivery_id: strawberry.ID = strawberry.field(description="投递记录 ID")


@strawberry.type(description="重新投递的结果")
class RedeliverWebhookPayload:
    delivery: WebhookDelivery | None = strawberry.field(description="投递记录 (已重新排队)")
    errors: list[FieldError] = strawberry.field(description="错误 (成功时为空)")


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(description="注册 Webhook 端点 (县级管理员); 返回只显示一次的签名密钥")
    async def register_webhook(
        self, info: Info, input: RegisterWebhookInput
    ) -> RegisterWebhookPayload:
        caller = require(info, Permission.MANAGE_WEBHOOKS)
        try:
            made = await service.register_webhook(
                caller,
                url=input.url,
                event_kinds=input.event_kinds,
                subscription=input.subscription or "",
                check_document=subscription.check_document,
                now=info.context.now(),
                name=input.name or "",
                audit=info.context.write_audit,
            )
        except DomainError as exc:
            return RegisterWebhookPayload(
                webhook=None, secret=None, errors=[field_error(in_payload(exc))]
            )
        return RegisterWebhookPayload(webhook=made.endpoint, secret=made.secret, errors=[])  # type: ignore[arg-type]

    @strawberry.mutation(description="重新投递一次 (已送达或已放弃的也可); 停用的端点随之启用")
    async def redeliver_webhook(
        self, info: Info, input: RedeliverWebhookInput
    ) -> RedeliverWebhookPayload:
        caller = require(info, Permission.MANAGE_WEBHOOKS)
        try:
            delivery = await service.redeliver(
                caller,
                parse_global_id(input.delivery_id, "WebhookDelivery", "deliveryId"),
                info.context.now(),
                info.context.write_audit,
            )
        except DomainError as exc:
            return RedeliverWebhookPayload(delivery=None, errors=[field_error(in_payload(exc))])
        return RedeliverWebhookPayload(delivery=delivery, errors=[])  # type: ignore[arg-type]
