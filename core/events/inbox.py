"""The inbox (待办/消息): the events addressed to the caller's office or to them, newest first,
with each account's read and acknowledged state.

Which events reach a caller is the scope rule of :class:`~core.events.models.OutboxEvent`
(:mod:`core.access.scope`): a head teacher's are those addressed to their class, a school
head's to their school, a township official's to their towns, the bureau's to the county, and
anyone's those addressed to their own account. Reading an item marks it read; acknowledging
(签收) says the office has taken it up. Both are one receipt per account and event, written
with the request's audit entry in one transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from core.access.audit import WriteAudit, record_write
from core.access.caller import Caller
from core.access.enums import ActorKind
from core.access.scope import scoped
from core.errors import DomainError, ErrorCode
from core.events.enums import EventKind
from core.events.live import ACKNOWLEDGED, READ, note_receipt
from core.events.models import InboxReceipt, OutboxEvent
from core.querysets import ids_of


def require_account(caller: Caller) -> uuid.UUID:
    """The caller's staff account: an inbox belongs to a person (UNAUTHENTICATED/FORBIDDEN)."""
    if not caller.is_authenticated:
        raise DomainError(
            ErrorCode.UNAUTHENTICATED,
            "请先登录 (Authorization: Bearer 令牌)",
            "authentication required: sign in with a staff account",
        )
    if caller.kind is not ActorKind.STAFF or caller.account_id is None:
        raise DomainError(
            ErrorCode.FORBIDDEN,
            "收件箱仅供工作人员账号使用",
            "an inbox belongs to a staff account (not an API key or the command line)",
        )
    return caller.account_id


@dataclass(frozen=True)
class InboxFilter:
    """Which items: only unread (None: all), only unacknowledged, these kinds."""

    unread: bool | None = None
    acknowledged: bool | None = None
    kinds: tuple[EventKind, ...] = ()
    object_id: str | None = None


def inbox(caller: Caller, flt: InboxFilter = InboxFilter()) -> QuerySet[OutboxEvent]:
    """The caller's inbox, newest first."""
    account = require_account(caller)
    qs = scoped(OutboxEvent, caller)
    if flt.kinds:
        qs = qs.filter(kind__in=[k.value for k in flt.kinds])
    if flt.object_id:
        qs = qs.filter(object_id=flt.object_id)
    if flt.unread is not None:
        read = ids_of(InboxReceipt.filter(account_id=account, read_at__isnull=False), "event_id")
        qs = qs.filter(~Q(id__in=read)) if flt.unread else qs.filter(id__in=read)
    if flt.acknowledged is not None:
        done = ids_of(
            InboxReceipt.filter(account_id=account, acknowledged_at__isnull=False), "event_id"
        )
        qs = qs.filter(id__in=done) if flt.acknowledged else qs.filter(~Q(id__in=done))
    return qs.order_by("-occurred_at", "-recorded_at", "-id")


async def counts(caller: Caller) -> dict[str, int]:
    """``total`` and ``unread`` items of the caller's inbox."""
    total = await inbox(caller).count()
    unread = await inbox(caller, InboxFilter(unread=True)).count()
    return {"total": total, "unread": unread}


async def receipts(account_id: uuid.UUID, event_ids: list[Any]) -> dict[str, InboxReceipt]:
    """``{event id: receipt}`` of one account for ``event_ids`` (one statement)."""
    rows = await InboxReceipt.filter(account_id=account_id, event_id__in=event_ids)
    return {str(r.event_id): r for r in rows}


async def _mark(
    caller: Caller, event_id: uuid.UUID | None, now: datetime, audit: WriteAudit | None, ack: bool
) -> tuple[OutboxEvent, InboxReceipt]:
    account = require_account(caller)
    event = await scoped(OutboxEvent, caller).filter(id=event_id).first() if event_id else None
    if event is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            "收件箱中没有这条消息",
            "no such item in your inbox",
            field="id",
        )
    async with in_transaction():
        receipt = await InboxReceipt.filter(event_id=event.id, account_id=account).first()
        if receipt is None:
            receipt = await InboxReceipt.create(event_id=event.id, account_id=account)
        changed = []
        if receipt.read_at is None:
            receipt.read_at = now
            changed.append("read_at")
        if ack and receipt.acknowledged_at is None:
            receipt.acknowledged_at = now
            changed.append("acknowledged_at")
        if changed:
            await receipt.save(update_fields=changed)
        await record_write(audit)
    if changed:  # the caller's other dashboards hear of it once committed
        note_receipt(account, event.id, ACKNOWLEDGED if ack else READ)
    return event, receipt


async def mark_read(
    caller: Caller, event_id: uuid.UUID | None, now: datetime, audit: WriteAudit | None = None
) -> tuple[OutboxEvent, InboxReceipt]:
    """Mark one item read (again: nothing changes)."""
    return await _mark(caller, event_id, now, audit, ack=False)


async def acknowledge(
    caller: Caller, event_id: uuid.UUID | None, now: datetime, audit: WriteAudit | None = None
) -> tuple[OutboxEvent, InboxReceipt]:
    """签收: the office has taken the item up (marks it read too); audited."""
    return await _mark(caller, event_id, now, audit, ack=True)
