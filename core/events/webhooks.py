"""Webhooks (向协作系统推送事件): registering an endpoint, signing what is sent to it, and
delivering one event by hand again.

A county administrator (``MANAGE_WEBHOOKS``, county scope) registers an ``http(s)`` URL for a set
of event kinds of the county; the endpoint's secret is generated here and shown once. Each
delivery's body is signed with HMAC-SHA256 over ``"<timestamp>.<body>"`` with that secret
(:func:`signature`); the receiver checks the signature and refuses a timestamp too old
(docs/webhooks.md). The payload is chosen by the endpoint's subscription document, a GraphQL
query run as the endpoint's owner with the event's object id as ``$id``, so it carries only
what that administrator may see, masked as the API masks it. The document is checked against
the schema when the endpoint is registered (the API passes the checker in: this module does
not know the schema).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from tortoise.transactions import in_transaction

from core.access.audit import WriteAudit, record_write
from core.access.authorise import require_permission
from core.access.caller import Caller
from core.access.enums import Permission, ScopeKind
from core.access.scope import scoped
from core.errors import DomainError, ErrorCode
from core.events.enums import DeliveryState, EventKind
from core.events.inbox import require_account
from core.events.models import WebhookDelivery, WebhookEndpoint

#: Header names of a delivery.
SIGNATURE_HEADER = "X-Baoxue-Signature"
TIMESTAMP_HEADER = "X-Baoxue-Timestamp"
EVENT_HEADER = "X-Baoxue-Event"
DELIVERY_HEADER = "X-Baoxue-Delivery"
MAX_URL = 500
MAX_DOCUMENT = 10_000

#: Checks a subscription document; raises :class:`DomainError` (field ``subscription``).
DocumentCheck = Callable[[str], None]


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The value of :data:`SIGNATURE_HEADER`: ``sha256=<hex HMAC-SHA256 of "ts.body">``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def check_url(url: str) -> str:
    """An absolute ``http`` or ``https`` URL with a host, without credentials in it."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if (
        not url
        or len(url) > MAX_URL
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username
        or parts.password
    ):
        raise DomainError(
            ErrorCode.INVALID,
            f"接收地址须为 http:// 或 https:// 开头的完整网址 (不含用户名密码, "
            f"至多 {MAX_URL} 字符)",
            f"url must be an absolute http(s) URL without credentials, "
            f"at most {MAX_URL} characters",
            field="url",
        )
    return url


def check_kinds(kinds: Sequence[EventKind | str]) -> list[str]:
    """The event kinds (at least one, no repeats), as stored."""
    if not kinds:
        raise DomainError(
            ErrorCode.REQUIRED, "须至少订阅一种事件", "eventKinds needs at least one kind",
            field="eventKinds",
        )  # fmt: skip
    try:
        return list(dict.fromkeys(EventKind(k).value for k in kinds))
    except ValueError:
        raise DomainError(
            ErrorCode.INVALID, "未知的事件类型", "unknown event kind", field="eventKinds"
        ) from None


@dataclass(frozen=True)
class Registered:
    endpoint: WebhookEndpoint
    #: The signing secret, shown this once.
    secret: str


def _county_admin(caller: Caller) -> Caller:
    caller = require_permission(caller, Permission.MANAGE_WEBHOOKS)
    require_account(caller)
    scope = caller.scope
    if scope is None or scope.kind is not ScopeKind.COUNTY or scope.jurisdiction_id is None:
        raise DomainError(
            ErrorCode.FORBIDDEN,
            "注册 Webhook 需要县级管理员账号",
            "registering a webhook needs a county administrator's account",
        )
    return caller


async def register_webhook(
    caller: Caller,
    *,
    url: str,
    event_kinds: Sequence[EventKind | str],
    subscription: str,
    check_document: DocumentCheck,
    now: datetime,
    name: str = "",
    audit: WriteAudit | None = None,
) -> Registered:
    """Register an endpoint of the caller's county; its secret is returned once."""
    caller = _county_admin(caller)
    url = check_url(url)
    kinds = check_kinds(event_kinds)
    document = (subscription or "").strip()
    if len(document) > MAX_DOCUMENT:
        raise DomainError(
            ErrorCode.INVALID,
            f"订阅文档至多 {MAX_DOCUMENT} 字符",
            f"the subscription document is longer than {MAX_DOCUMENT} characters",
            field="subscription",
        )
    if document:
        check_document(document)
    secret = "whsec_" + secrets.token_urlsafe(32)
    async with in_transaction():
        endpoint = await WebhookEndpoint.create(
            jurisdiction_id=caller.scope.jurisdiction_id,  # type: ignore[union-attr]
            owner_id=caller.account_id,
            name=name.strip()[:64],
            url=url,
            event_kinds=kinds,
            subscription=document,
            secret=secret,
            secret_hint=secret[-4:],
            created_at=now,
        )
        if audit is not None:
            audit.object_id = str(endpoint.id)
        await record_write(audit)
    return Registered(endpoint, secret)


async def redeliver(
    caller: Caller,
    delivery_id: uuid.UUID | None,
    now: datetime,
    audit: WriteAudit | None = None,
) -> WebhookDelivery:
    """Send one delivery again (重新投递), whatever became of it: it goes back to pending, due
    now, and the worker sends it in its turn. A disabled endpoint is switched back on."""
    caller = _county_admin(caller)
    delivery = (
        await scoped(WebhookDelivery, caller).filter(id=delivery_id).first()
        if delivery_id
        else None
    )
    if delivery is None:
        raise DomainError(
            ErrorCode.NOT_FOUND, "无此投递记录", "no such delivery", field="deliveryId"
        )
    async with in_transaction():
        await WebhookDelivery.filter(id=delivery.id).update(
            state=DeliveryState.PENDING,
            next_attempt_at=now,
            claimed_by=None,
            claimed_until=None,
        )
        await WebhookEndpoint.filter(id=delivery.endpoint_id, is_active=False).update(
            is_active=True, consecutive_failures=0, disabled_at=None, disabled_reason=""
        )
        await record_write(audit)
    return await WebhookDelivery.get(id=delivery.id)
