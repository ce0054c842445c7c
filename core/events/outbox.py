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
    if new.dedupe_key is not None and await OutboxEvent.exists(dedupe_key=new.dedupe_key):
        return None
    recipient = new.recipient
    recorded = datetime.now(UTC)
    event = await OutboxEvent.create(
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
    endpoints = await WebhookEndpoint.filter(
        jurisdiction_id=new.jurisdiction_id, is_active=True
    ).values("id", "event_kinds")
    deliveries = [
        WebhookDelivery(
            endpoint_id=row["id"],
            event_id=event.id,
            recorded_at=recorded,
            next_attempt_at=recorded,
            created_at=recorded,
        )
        for row in endpoints
        if new.kind.value in (row["event_kinds"] or [])
    ]
    if deliveries:
        await WebhookDelivery.bulk_create(deliveries)
    codes = await Jurisdiction.filter(id=new.jurisdiction_id).values_list(
        "division_code", flat=True
    )
    channels = [
        ChannelDelivery(event_id=event.id, channel=channel.name, next_attempt_at=recorded)
        for channel in (rules_for(codes[0]).event_channels if codes else ())
        if new.kind.value in channel.event_kinds
    ]
    if channels:
        await ChannelDelivery.bulk_create(channels)
    note_event(event.id)  # published to subscribers once committed (core.events.live)
    return event
