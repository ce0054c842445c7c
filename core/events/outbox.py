"""Recording an event: :func:`record_event`, called by a service inside the transaction of its
change (a transactional outbox).

The event row, one :class:`~core.events.models.WebhookDelivery` per active endpoint of the
county that hears its kind and one :class:`~core.events.models.ChannelDelivery` per plugin
channel of the county that hears it (``baoxue_event_channels``) are written with the change,
so they are committed together or not at all: a change that rolls back leaves no event, and a
committed change always has its event, whatever happens to the process afterwards.
``baoxue worker`` sends the deliveries; subscribers hear of the event once it is committed
(:mod:`core.events.live`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from core.access.caller import Caller
from core.access.enums import ActorKind
from core.events.live import note_event
from core.events.models import ChannelDelivery, OutboxEvent, WebhookDelivery, WebhookEndpoint
from core.events.payloads import NewEvent
from core.jurisdictions.models import Jurisdiction
from core.plugins import rules_for


async def record_event(new: NewEvent, *, caller: Caller | None) -> OutboxEvent | None:
    """Write ``new`` and its webhook deliveries in the current transaction.

    An event with a ``dedupe_key`` already recorded is not written again (None); a concurrent
    writer of the same key fails on the unique index, which rolls its transaction back.
    """
    return (await record_events([new], caller=caller))[0]


async def record_events(
    news: Sequence[NewEvent], *, caller: Caller | None
) -> list[OutboxEvent | None]:
    """:func:`record_event` for many events at once (a batch written in one transaction, such
    as the cases a daily check opens): one insert of the events and one of each kind of
    delivery, whatever their number. In order; None for an event whose key was recorded."""
    if not news:
        return []
    keys = [n.dedupe_key for n in news if n.dedupe_key is not None]
    seen = (
        set(await OutboxEvent.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
        if keys
        else set()
    )
    recorded = datetime.now(UTC)
    out: list[OutboxEvent | None] = []
    rows: list[OutboxEvent] = []
    for new in news:
        if new.dedupe_key is not None and new.dedupe_key in seen:
            out.append(None)
            continue
        if new.dedupe_key is not None:
            seen.add(new.dedupe_key)
        recipient = new.recipient
        event = OutboxEvent(
            id=uuid.uuid4(),
            kind=new.kind,
            jurisdiction_id=new.jurisdiction_id,
            occurred_at=new.occurred_at,
            recorded_at=recorded,
            actor_kind=caller.kind if caller is not None else ActorKind.SYSTEM,
            actor_label=(caller.label if caller is not None else "baoxue worker")[:128],
            actor_account_id=caller.account_id if caller is not None else None,
            object_type=new.object_type,
            object_id=new.object_id,
            summary=new.summary,
            payload=new.payload,
            audience_kind=recipient.kind,
            audience_office=recipient.office[:64],
            town_id=recipient.town_id,
            school_id=recipient.school_id,
            school_class_id=recipient.school_class_id,
            responsible_official_id=recipient.official_id,
            responsible_name=recipient.official_name[:64],
            recipient_account_id=recipient.account_id,
            dedupe_key=new.dedupe_key,
        )
        rows.append(event)
        out.append(event)
    if not rows:
        return out
    if len(rows) == 1:
        await rows[0].save(force_create=True)
    else:
        await OutboxEvent.bulk_create(rows)
    jurisdictions = list({e.jurisdiction_id for e in rows})
    endpoints = await WebhookEndpoint.filter(
        jurisdiction_id__in=jurisdictions, is_active=True
    ).values("id", "jurisdiction_id", "event_kinds")
    deliveries = [
        WebhookDelivery(
            endpoint_id=row["id"],
            event_id=event.id,
            recorded_at=recorded,
            next_attempt_at=recorded,
            created_at=recorded,
        )
        for event in rows
        for row in endpoints
        if row["jurisdiction_id"] == event.jurisdiction_id
        and _kind(event) in (row["event_kinds"] or [])
    ]
    if deliveries:
        await WebhookDelivery.bulk_create(deliveries)
    codes = dict(await Jurisdiction.filter(id__in=jurisdictions).values_list("id", "division_code"))
    channels = [
        ChannelDelivery(event_id=event.id, channel=channel.name, next_attempt_at=recorded)
        for event in rows
        if event.jurisdiction_id in codes
        for channel in rules_for(codes[event.jurisdiction_id]).event_channels
        if _kind(event) in channel.event_kinds
    ]
    if channels:
        await ChannelDelivery.bulk_create(channels)
    for event in rows:
        note_event(event.id)  # published to subscribers once committed (core.events.live)
    return out


def _kind(event: OutboxEvent) -> str:
    kind = event.kind
    return kind.value if hasattr(kind, "value") else str(kind)
