"""``baoxue worker``: sends pending webhook deliveries and records what only time makes happen
(a case's deadline passing, a target falling to at risk), each once.

**Claiming.** Each endpoint's deliveries go out one at a time, in the order their events were
recorded: a worker takes the oldest pending delivery of an endpoint (its *head*) and nothing
after it until it is delivered, so a partner system receives a case's events in order, and
an endpoint that was down receives the backlog in order once it answers again. To take a head
a worker locks the endpoint's row (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL: another
worker passes on to the next endpoint) and leases the delivery with a compare-and-set
(``UPDATE … WHERE claimed_until IS NULL OR claimed_until < now``; SQLite runs one writer at a
time, so the UPDATE alone decides there). The lease (``BAOXUE_WORKER_LEASE_SECONDS``) outlives
any one request; a worker killed mid-delivery leaves its lease to run out, and the delivery
is sent again by whichever worker comes next. Delivery is therefore *at least once*: the
receiver drops a repeat by its ``X-Baoxue-Delivery`` id (docs/webhooks.md).

**Failures.** A delivery that gets no 2xx answer is tried again after
``BAOXUE_WEBHOOK_RETRY_SECONDS`` × 2^(attempts − 1), at most ``BAOXUE_WEBHOOK_RETRY_MAX_SECONDS``;
every attempt is logged (status, latency, the start of the answer). After
``BAOXUE_WEBHOOK_DISABLE_AFTER`` failures in a row the endpoint is switched off, its
administrator gets a notice in the inbox, and its deliveries wait (nothing is dropped) until
someone redelivers by hand (``redeliverWebhook``), which switches it on again.

**Reminders.** Every ``BAOXUE_WORKER_REMINDER_SECONDS`` the worker lists the cases whose
deadline has passed (what ``baoxue deadlines`` prints) and records a ``CASE_DEADLINE_PASSED``
event for each, addressed to the office the case is with; the event's key (case and deadline)
is unique, so each deadline is told once however many workers run. County targets at risk or
missed are recorded the same way (``TARGET_AT_RISK``, to the bureau), once per target, period
and status.

**Channels.** Plugins may add channels (an SMS gateway, a workplace robot) through the
``baoxue_event_channels`` hook: each returns the request to send for an event (or None), and
the worker sends it (:mod:`core.events.channels`).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from core.access.accounts import caller_for_account
from core.access.caller import Caller
from core.access.models import StaffAccount
from core.cases.deadlines import due_cases
from core.cases.models import Case
from core.china_time import local_date
from core.events import addressing, payloads
from core.events.broker import broker_for
from core.events.enums import DeliveryState
from core.events.live import publishing
from core.events.models import (
    ChannelDelivery,
    OutboxEvent,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from core.events.outbox import record_event
from core.events.webhooks import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature,
)
from core.jurisdictions.models import Jurisdiction
from core.metrics.place import Place
from core.metrics.service import frame_for
from core.metrics.service import targets as county_targets
from core.metrics.targets import TargetStatus
from core.plugins import rules_for
from core.settings import Settings

log = logging.getLogger("baoxue.worker")

#: Runs an endpoint's subscription document as its owner: ``(document, variables, caller)`` →
#: ``{"data": …, "errors": […]}`` (the API supplies it: core does not import the schema).
Render = Callable[[str, dict[str, Any], Caller], Awaitable[dict[str, Any]]]
SNIPPET = 500


def worker_name() -> str:
    """This process, as attempts and leases name it: host, pid and a random suffix."""
    return f"{socket.gethostname()[:32]}:{__import__('os').getpid()}:{uuid.uuid4().hex[:6]}"


def backoff(settings: Settings, attempts: int) -> timedelta:
    """The wait before retry number ``attempts`` (1 = after the first failure)."""
    seconds = settings.webhook_retry_seconds * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, settings.webhook_retry_max_seconds))


@dataclass
class Worker:
    """One worker process's state: its name, settings, HTTP client and what renders payloads."""

    settings: Settings
    render: Render | None = None
    name: str = field(default_factory=worker_name)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    transport: httpx.AsyncBaseTransport | None = None
    _http: httpx.AsyncClient | None = field(default=None, init=False)

    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(
                timeout=self.settings.webhook_timeout_seconds,
                follow_redirects=False,
                transport=self.transport,
                trust_env=False,
            )
        return self._http

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    # -- claiming ------------------------------------------------------------------------------

    async def claim(self, endpoint_id: uuid.UUID) -> WebhookDelivery | None:
        """Lease the head of ``endpoint_id``'s queue, if it is due and nobody holds it."""
        now = self.clock()
        async with in_transaction():
            locked = (
                await WebhookEndpoint.filter(id=endpoint_id, is_active=True)
                .select_for_update(skip_locked=True)
                .first()
            )
            if locked is None:  # switched off, or another worker is claiming its head
                return None
            head = (
                await WebhookDelivery.filter(endpoint_id=endpoint_id, state=DeliveryState.PENDING)
                .order_by("recorded_at", "id")
                .first()
            )
            if head is None or head.next_attempt_at > now:
                return None
            free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
            taken = (
                await WebhookDelivery.filter(id=head.id, state=DeliveryState.PENDING)
                .filter(free)
                .update(
                    claimed_by=self.name,
                    claimed_until=now + timedelta(seconds=self.settings.worker_lease_seconds),
                )
            )
        if taken != 1:
            return None
        return await WebhookDelivery.get(id=head.id)

    # -- sending -------------------------------------------------------------------------------

    async def body_of(self, delivery: WebhookDelivery) -> bytes:
        event = await OutboxEvent.get(id=delivery.event_id)
        endpoint = await WebhookEndpoint.get(id=delivery.endpoint_id)
        codes = await Jurisdiction.filter(id=event.jurisdiction_id).values_list(
            "division_code", flat=True
        )
        body = payloads.envelope(event, delivery_id=delivery.id, jurisdiction_code=codes[0])
        if endpoint.subscription and self.render is not None:
            owner = await StaffAccount.get_or_none(id=endpoint.owner_id, is_active=True)
            if owner is None:
                body["data"] = None
                body["errors"] = [{"message": "endpoint owner's account is disabled"}]
            else:
                result = await self.render(
                    endpoint.subscription,
                    payloads.subscription_variables(event),
                    caller_for_account(owner),
                )
                body["data"] = result.get("data")
                if result.get("errors"):
                    body["errors"] = result["errors"]
        return orjson.dumps(body)

    async def send(self, delivery: WebhookDelivery) -> bool:
        """One attempt at ``delivery`` (leased by this worker); True when it was delivered."""
        endpoint = await WebhookEndpoint.get(id=delivery.endpoint_id)
        event_kind = (
            await OutboxEvent.filter(id=delivery.event_id).values_list("kind", flat=True)
        )[0]
        body = await self.body_of(delivery)
        stamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Baoxue-Webhook/1",
            TIMESTAMP_HEADER: str(stamp),
            SIGNATURE_HEADER: signature(endpoint.secret, stamp, body),
            EVENT_HEADER: getattr(event_kind, "value", str(event_kind)),
            DELIVERY_HEADER: str(delivery.id),
        }
        started = time.perf_counter()
        status: int | None = None
        snippet = error = ""
        try:
            response = await self.http().post(endpoint.url, content=body, headers=headers)
            status = response.status_code
            snippet = response.text[:SNIPPET]
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:255]
        latency = int((time.perf_counter() - started) * 1000)
        ok = status is not None and 200 <= status < 300
        await self.record(delivery, endpoint, ok, status, latency, snippet, error)
        log.info(
            "webhook delivery",
            extra={"delivery": str(delivery.id), "status": status, "latency_ms": latency},
        )
        return ok

    async def record(
        self,
        delivery: WebhookDelivery,
        endpoint: WebhookEndpoint,
        ok: bool,
        status: int | None,
        latency: int,
        snippet: str,
        error: str,
    ) -> None:
        """Log the attempt and move the delivery on, in one transaction (only while this
        worker still holds the lease: a worker that overran it records nothing)."""
        now = self.clock()
        attempts = delivery.attempts + 1
        async with in_transaction():
            update: dict[str, Any] = {
                "attempts": attempts,
                "last_status": status,
                "claimed_by": None,
                "claimed_until": None,
            }
            if ok:
                update.update(state=DeliveryState.DELIVERED, delivered_at=now)
            else:
                update["next_attempt_at"] = now + backoff(self.settings, attempts)
            held = await WebhookDelivery.filter(id=delivery.id, claimed_by=self.name).update(
                **update
            )
            if held != 1:
                return
            await WebhookAttempt.create(
                delivery_id=delivery.id,
                attempted_at=now,
                status=status,
                latency_ms=latency,
                response_snippet=snippet,
                error=error,
                worker=self.name[:64],
            )
            if ok:
                await WebhookEndpoint.filter(id=endpoint.id).update(consecutive_failures=0)
                return
            await WebhookEndpoint.filter(id=endpoint.id).update(
                consecutive_failures=F("consecutive_failures") + 1
            )
            failures = (
                await WebhookEndpoint.filter(id=endpoint.id).values_list(
                    "consecutive_failures", flat=True
                )
            )[0]
            if failures >= self.settings.webhook_disable_after:
                reason = error or f"HTTP {status}"
                switched = await WebhookEndpoint.filter(id=endpoint.id, is_active=True).update(
                    is_active=False, disabled_at=now, disabled_reason=reason[:255]
                )
                if switched:
                    await record_event(
                        payloads.webhook_disabled(
                            endpoint=endpoint, failures=failures, reason=reason, occurred_at=now
                        ),
                        caller=None,
                    )

    async def deliver_pending(self, limit: int = 100) -> int:
        """Send what is due, endpoint by endpoint, each endpoint's in order; the number of
        deliveries that got through."""
        delivered = 0
        endpoints = await WebhookEndpoint.filter(is_active=True).values_list("id", flat=True)
        for endpoint_id in endpoints:
            for _ in range(limit):
                delivery = await self.claim(endpoint_id)
                if delivery is None:
                    break
                if not await self.send(delivery):
                    break  # the head failed: the rest of this endpoint waits for its retry
                delivered += 1
        return delivered

    # -- plugin channels -----------------------------------------------------------------------

    async def deliver_channels(self, limit: int = 100) -> int:
        """Send the plugin channels' messages that are due; the number that got through."""
        now = self.clock()
        free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
        due = (
            await ChannelDelivery.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
            .filter(free)
            .order_by("next_attempt_at", "id")
            .limit(limit)
            .values_list("id", flat=True)
        )
        sent = 0
        for delivery_id in due:
            lease = now + timedelta(seconds=self.settings.worker_lease_seconds)
            taken = (
                await ChannelDelivery.filter(id=delivery_id, state=DeliveryState.PENDING)
                .filter(free)
                .update(claimed_by=self.name, claimed_until=lease)
            )
            if taken == 1:
                sent += await self._send_channel(await ChannelDelivery.get(id=delivery_id))
        return sent

    async def _send_channel(self, delivery: ChannelDelivery) -> bool:
        event = await OutboxEvent.get(id=delivery.event_id)
        code = (
            await Jurisdiction.filter(id=event.jurisdiction_id).values_list(
                "division_code", flat=True
            )
        )[0]
        channel = next(
            (c for c in rules_for(code).event_channels if c.name == delivery.channel), None
        )
        status: int | None = None
        error = ""
        give_up = False
        if channel is None:
            error, give_up = "channel no longer installed", True
        else:
            try:
                request = channel.render(payloads.channel_message(event, jurisdiction_code=code))
            except Exception as exc:  # a plugin's bug: logged, retried, never the worker's end
                log.exception("event channel failed to render", extra={"channel": channel.name})
                request, error = None, f"render: {type(exc).__name__}"[:255]
            if request is not None and not error:
                try:
                    response = await self.http().post(
                        request.url, content=request.body, headers=dict(request.headers)
                    )
                    status = response.status_code
                except httpx.HTTPError as exc:
                    error = f"{type(exc).__name__}: {exc}"[:255]
        ok = not error and (status is None or 200 <= status < 300)
        if not ok and not error:
            error = f"HTTP {status}"
        attempts = delivery.attempts + 1
        now = self.clock()
        update: dict[str, Any] = {
            "attempts": attempts,
            "last_status": status,
            "last_error": error,
            "claimed_by": None,
            "claimed_until": None,
        }
        if ok:
            update.update(state=DeliveryState.DELIVERED, delivered_at=now)
        elif give_up or attempts >= self.settings.webhook_disable_after:
            update["state"] = DeliveryState.FAILED
        else:
            update["next_attempt_at"] = now + backoff(self.settings, attempts)
        await ChannelDelivery.filter(id=delivery.id, claimed_by=self.name).update(**update)
        return ok

    # -- what time makes happen ----------------------------------------------------------------

    async def record_deadlines(self) -> int:
        """A ``CASE_DEADLINE_PASSED`` event for every passed deadline not told yet."""
        now = self.clock()
        recorded = 0
        overdue = [i for i in await due_cases(Caller.system(), now) if i.overdue]
        keys = {payloads.deadline_key(i.case_id, i.deadline): i for i in overdue}
        told: set[str] = set()
        names = list(keys)
        for start in range(0, len(names), 500):
            told |= set(
                await OutboxEvent.filter(dedupe_key__in=names[start : start + 500]).values_list(
                    "dedupe_key", flat=True
                )
            )
        for key, item in keys.items():
            if key in told:
                continue
            case = await Case.get(id=item.case_id)
            recipient = await addressing.for_case(case)
            try:
                async with in_transaction():
                    event = await record_event(
                        payloads.deadline_passed(
                            case_id=item.case_id,
                            jurisdiction_id=case.jurisdiction_id,
                            state=item.state,
                            level=item.level,
                            level_name=item.level_name,
                            clock=item.clock,
                            office=item.office,
                            deadline=item.deadline,
                            days_overdue=item.days_overdue,
                            escalation_due=item.escalation_due,
                            notify=item.notify,
                            occurred_at=now,
                            recipient=recipient,
                        ),
                        caller=None,
                    )
            except IntegrityError:  # another worker told it first
                continue
            recorded += event is not None
        return recorded

    async def record_targets(self) -> int:
        """A ``TARGET_AT_RISK`` event for each county target at risk or missed, once per target,
        period and status (an ``ONGOING`` target's period is the day)."""
        now = self.clock()
        recorded = 0
        for jid, code, name in await Jurisdiction.all().values_list("id", "division_code", "name"):
            if not rules_for(code).targets:
                continue
            frame = frame_for(Place.county(jid, code, name), None, now)
            for evaluation in await county_targets(frame):
                if evaluation.status is TargetStatus.MET:
                    continue
                target = evaluation.target
                period = (evaluation.period_end or local_date(now)).isoformat()
                new = payloads.target_at_risk(
                    jurisdiction_id=jid,
                    target_key=f"{target.metric.value}:{target.population.value}",
                    metric=target.metric.value,
                    status=evaluation.status.value,
                    value=evaluation.value.value,
                    threshold=target.threshold,
                    gap=evaluation.gap,
                    period=period,
                    summary=evaluation.summary,
                    occurred_at=now,
                )
                try:
                    async with in_transaction():
                        recorded += await record_event(new, caller=None) is not None
                except IntegrityError:  # another worker told it first
                    continue
        return recorded

    async def run(self, *, once: bool = False, stop: asyncio.Event | None = None) -> None:
        """Deliver and remind until ``stop`` is set (or one round with ``once``)."""
        stop = stop or asyncio.Event()
        last_reminders = 0.0
        # what a round records (deadlines, notices to administrators) reaches subscribers
        broker = broker_for(self.settings.redis_url, self.settings.subscription_channel)
        try:
            while not stop.is_set():
                async with publishing(broker):
                    if time.monotonic() - last_reminders >= self.settings.worker_reminder_seconds:
                        told = await self.record_deadlines() + await self.record_targets()
                        last_reminders = time.monotonic()
                        if told:
                            log.info("deadlines recorded", extra={"count": told})
                    await self.deliver_pending()
                    await self.deliver_channels()
                if once:
                    break
                try:
                    await asyncio.wait_for(stop.wait(), self.settings.worker_poll_seconds)
                except TimeoutError:
                    pass
        finally:
            await self.close()
            await broker.close()
