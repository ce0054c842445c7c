"""Telling the live feed (GraphQL subscriptions) what was committed: after the commit, and
never for a change that rolled back.

:func:`core.events.outbox.record_event` and the inbox's receipts *note* what they wrote in the
unit of work running now (:func:`publishing`: a GraphQL operation, one round of
``baoxue worker``, an import job). When the unit ends, its transactions are over, and
:func:`flush` reads back which of the noted rows exist — the outbox row is the source of
truth: a rolled-back change left none — and publishes a notice for each of those through the
:class:`~core.events.broker.Broker`. Subscribers then read the row themselves, as their
caller, so a notice carries nothing a subscriber may not see.

Outside a unit of work (``baoxue demo``, ``baoxue deadlines``) nothing is published: the
events are in the outbox and the inbox all the same.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from core.events.broker import Broker
from core.events.models import InboxReceipt, OutboxEvent

log = logging.getLogger("baoxue.events.live")

READ = "READ"
ACKNOWLEDGED = "ACKNOWLEDGED"


@dataclass
class _Batch:
    broker: Broker
    events: list[uuid.UUID] = field(default_factory=list)
    #: (account, event, READ or ACKNOWLEDGED)
    receipts: list[tuple[uuid.UUID, uuid.UUID, str]] = field(default_factory=list)


_batch: ContextVar[_Batch | None] = ContextVar("baoxue_live_batch", default=None)


def note_event(event_id: uuid.UUID) -> None:
    """Remember that ``event_id`` was written in the current unit of work."""
    batch = _batch.get()
    if batch is not None:
        batch.events.append(event_id)


def note_receipt(account_id: uuid.UUID, event_id: uuid.UUID, change: str) -> None:
    """Remember that ``account_id`` read or acknowledged ``event_id``."""
    batch = _batch.get()
    if batch is not None:
        batch.receipts.append((account_id, event_id, change))


@contextlib.asynccontextmanager
async def publishing(broker: Broker | None = None) -> AsyncIterator[None]:
    """One unit of work: what it notes is published when it ends. Without ``broker`` the
    enclosing unit's broker is used (an import job started by a request); with neither,
    nothing is noted."""
    outer = _batch.get()
    chosen = broker or (outer.broker if outer is not None else None)
    if chosen is None:
        yield
        return
    batch = _Batch(chosen)
    token = _batch.set(batch)
    try:
        yield
    finally:
        _batch.reset(token)
        await flush(batch)


def event_notice(row: dict[str, Any]) -> dict[str, Any]:
    """The notice of one committed event: enough to route it, nothing personal."""
    return {
        "type": "event",
        "id": str(row["id"]),
        "kind": str(getattr(row["kind"], "value", row["kind"])),
        "jurisdiction": str(row["jurisdiction_id"]),
        "objectType": row["object_type"],
        "objectId": row["object_id"],
    }


async def flush(batch: _Batch) -> int:
    """Publish the committed rows ``batch`` noted; the number of notices sent."""
    if not batch.events and not batch.receipts:
        return 0
    sent = 0
    try:
        if batch.events:
            rows = await OutboxEvent.filter(id__in=list(dict.fromkeys(batch.events))).values(
                "id", "kind", "jurisdiction_id", "object_type", "object_id", "recorded_at"
            )
            for row in sorted(rows, key=lambda r: (r["recorded_at"], str(r["id"]))):
                await batch.broker.publish(event_notice(row))
                sent += 1
        for account, event, change in dict.fromkeys(batch.receipts):
            done = "acknowledged_at" if change == ACKNOWLEDGED else "read_at"
            committed = await InboxReceipt.exists(
                account_id=account, event_id=event, **{f"{done}__isnull": False}
            )
            if committed:
                await batch.broker.publish(
                    {
                        "type": "receipt",
                        "account": str(account),
                        "event": str(event),
                        "change": change,
                    }
                )
                sent += 1
    except Exception:  # the changes are committed; the live feed must not fail the request
        log.exception("live feed: could not publish what was committed")
    return sent
