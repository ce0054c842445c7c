"""The outbox of events, each caller's read state, webhook endpoints and their deliveries.

:class:`OutboxEvent` is written by :func:`core.events.outbox.record_event` in the transaction of
the change it tells of (a transactional outbox): an event exists exactly when its change was
committed. It is the inbox's source (addressed to an office by scope kind and place, and to
the responsible official) and the webhooks' (one :class:`WebhookDelivery` per matching endpoint,
written in the same transaction, sent by ``baoxue worker``).
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.access.enums import ActorKind, ScopeKind
from core.events.enums import DeliveryState, EventKind


class OutboxEvent(Model):
    """事件: one thing that happened, who did it, and who must act next.

    ``audience_kind`` with the place ids says which office the event is addressed to (a class,
    a school, a town or the county bureau), ``responsible_official`` the person the county's
    双线四包 names for it, ``recipient_account`` one account (a notice to an administrator).
    ``dedupe_key`` is set for events the worker detects (a deadline passing), so each is
    recorded once.
    """

    id = fields.UUIDField(primary_key=True)
    kind = fields.CharEnumField(EventKind, max_length=32, db_index=True)
    jurisdiction = fields.ForeignKeyField(
        "baoxue.Jurisdiction", related_name="events", on_delete=fields.CASCADE, db_index=True
    )
    occurred_at = fields.DatetimeField(db_index=True, description="发生时间")
    recorded_at = fields.DatetimeField(db_index=True, description="记录时间 (投递顺序)")
    actor_kind = fields.CharEnumField(ActorKind, max_length=16)
    actor_label = fields.CharField(max_length=128, default="", description="操作人")
    actor_account_id = fields.UUIDField(null=True)
    object_type = fields.CharField(max_length=32, description="对象类型 (GraphQL 类型名)")
    object_id = fields.CharField(max_length=64, db_index=True, description="对象 id")
    summary = fields.CharField(max_length=255, default="", description="摘要")
    payload = fields.JSONField(default=dict, description="事件内容")
    audience_kind = fields.CharEnumField(ScopeKind, max_length=16, description="收件层级")
    audience_office = fields.CharField(max_length=64, default="", description="收件单位")
    town_id = fields.UUIDField(null=True, db_index=True)
    school_id = fields.UUIDField(null=True, db_index=True)
    school_class_id = fields.UUIDField(null=True, db_index=True)
    responsible_official = fields.ForeignKeyField(
        "baoxue.Official",
        related_name="events",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    responsible_name = fields.CharField(max_length=64, default="", description="责任人")
    recipient_account = fields.ForeignKeyField(
        "baoxue.StaffAccount",
        related_name="events",
        null=True,
        on_delete=fields.CASCADE,
        db_index=True,
    )
    dedupe_key = fields.CharField(max_length=160, null=True, unique=True)

    class Meta:
        table = "outbox_event"
        ordering = ["-occurred_at", "-id"]
        indexes = (("jurisdiction_id", "audience_kind", "occurred_at"),)


class InboxReceipt(Model):
    """One account's read and acknowledged state of one event (no row: unread)."""

    id = fields.UUIDField(primary_key=True)
    event = fields.ForeignKeyField(
        "baoxue.OutboxEvent", related_name="receipts", on_delete=fields.CASCADE, db_index=True
    )
    account = fields.ForeignKeyField(
        "baoxue.StaffAccount", related_name="receipts", on_delete=fields.CASCADE, db_index=True
    )
    read_at = fields.DatetimeField(null=True)
    acknowledged_at = fields.DatetimeField(null=True)

    class Meta:
        table = "inbox_receipt"
        unique_together = (("event_id", "account_id"),)


class WebhookEndpoint(Model):
    """A partner system's endpoint: the event kinds it hears, the subscription document that
    chooses its payload, and its signing secret (shown once when registered)."""

    id = fields.UUIDField(primary_key=True)
    jurisdiction = fields.ForeignKeyField(
        "baoxue.Jurisdiction", related_name="webhooks", on_delete=fields.CASCADE, db_index=True
    )
    owner = fields.ForeignKeyField(
        "baoxue.StaffAccount", related_name="webhooks", on_delete=fields.CASCADE, db_index=True
    )
    name = fields.CharField(max_length=64, default="", description="名称")
    url = fields.CharField(max_length=500, description="接收地址")
    event_kinds = fields.JSONField(default=list, description="订阅的事件类型")
    subscription = fields.TextField(default="", description="订阅文档 (GraphQL)")
    secret = fields.CharField(max_length=128, description="签名密钥")
    secret_hint = fields.CharField(max_length=8, default="", description="密钥末四位")
    is_active = fields.BooleanField(default=True)
    consecutive_failures = fields.IntField(default=0)
    disabled_at = fields.DatetimeField(null=True)
    disabled_reason = fields.CharField(max_length=255, default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "webhook_endpoint"
        ordering = ["-created_at"]


class WebhookDelivery(Model):
    """One event to one endpoint: pending until a 2xx answer, retried with back-off.

    ``claimed_by`` and ``claimed_until`` are a worker's lease on the row: another worker takes
    it only once the lease has run out (a worker killed mid-delivery)."""

    id = fields.UUIDField(primary_key=True)
    endpoint = fields.ForeignKeyField(
        "baoxue.WebhookEndpoint", related_name="deliveries", on_delete=fields.CASCADE
    )
    event = fields.ForeignKeyField(
        "baoxue.OutboxEvent", related_name="deliveries", on_delete=fields.CASCADE, db_index=True
    )
    #: When the event was recorded, copied so the worker sends each endpoint's events in order.
    recorded_at = fields.DatetimeField()
    state = fields.CharEnumField(DeliveryState, max_length=16, default=DeliveryState.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(db_index=True)
    claimed_by = fields.CharField(max_length=64, null=True)
    claimed_until = fields.DatetimeField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    last_status = fields.IntField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "webhook_delivery"
        unique_together = (("endpoint_id", "event_id"),)
        indexes = (("endpoint_id", "state", "recorded_at"),)


class WebhookAttempt(Model):
    """One try at a delivery: the answer's status, how long it took and how it began."""

    id = fields.UUIDField(primary_key=True)
    delivery = fields.ForeignKeyField(
        "baoxue.WebhookDelivery", related_name="attempt_log", on_delete=fields.CASCADE
    )
    attempted_at = fields.DatetimeField()
    status = fields.IntField(null=True, description="HTTP 状态码 (无应答为空)")
    latency_ms = fields.IntField(default=0)
    response_snippet = fields.CharField(max_length=500, default="")
    error = fields.CharField(max_length=255, default="")
    worker = fields.CharField(max_length=64, default="")

    class Meta:
        table = "webhook_attempt"
        ordering = ["attempted_at"]


class ChannelDelivery(Model):
    """One event to one of the county's plugin channels (``baoxue_event_channels``): written
    with the event, sent by the worker, retried with back-off like a webhook delivery."""

    id = fields.UUIDField(primary_key=True)
    event = fields.ForeignKeyField(
        "baoxue.OutboxEvent", related_name="channel_deliveries", on_delete=fields.CASCADE
    )
    channel = fields.CharField(max_length=32, description="渠道代码")
    state = fields.CharEnumField(DeliveryState, max_length=16, default=DeliveryState.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(db_index=True)
    claimed_by = fields.CharField(max_length=64, null=True)
    claimed_until = fields.DatetimeField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    last_status = fields.IntField(null=True)
    last_error = fields.CharField(max_length=255, default="")

    class Meta:
        table = "channel_delivery"
        unique_together = (("event_id", "channel"),)
