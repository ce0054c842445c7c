"""Webhooks over HTTP and the worker: registration by a county administrator, signed
deliveries to a receiver on 127.0.0.1, retries with back-off, nothing lost or sent twice when
the receiver is down or a worker dies, switching off after repeated failure, redelivery."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from core.access.accounts import create_account
from core.access.enums import Role
from core.api.events.subscription import render
from core.events.enums import DeliveryState
from core.events.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from core.events.worker import Worker, backoff
from core.settings import load_settings
from tests.cases.conftest import PASSWORD, County, Workflow
from tests.conftest import graphql
from tests.events.receiver import Receiver, verify
from tests.events.test_inbox import _as
from tests.events.test_outbox import _escalated_to_township

CASE_DOCUMENT = """query($id: ID!) {
  node(id: $id) { id ... on Case { state escalationLevel child { name } } }
}"""
REGISTER = """mutation($input: RegisterWebhookInput!) { registerWebhook(input: $input) {
    secret webhook { id url eventKinds secretHint isActive } errors { code field message } } }"""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    r.start()
    try:
        yield r
    finally:
        r.stop()


async def _admin(http: httpx.AsyncClient) -> dict[str, str]:
    account = await create_account(
        username="admin-450381", password=PASSWORD, role=Role.COUNTY_ADMIN,
        jurisdiction_code="450381",
    )  # fmt: skip
    return await _as(http, account.username)


async def _register(http, headers, url: str, **extra: Any) -> dict[str, Any]:
    data = {"url": url, "eventKinds": ["CASE_OPENED", "CASE_STEP", "CASE_ESCALATED"], **extra}
    body = await graphql(http, REGISTER, {"input": data}, headers=headers)
    assert "errors" not in body, body
    return body["data"]["registerWebhook"]


class Later:
    """A worker's clock, some way ahead of the wall clock."""

    def __init__(self) -> None:
        self.ahead = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.ahead


def _worker(clock: Later | None = None, **settings: Any) -> Worker:
    return Worker(load_settings(**settings), render=render, clock=clock or Later())


async def test_registration_is_checked_and_the_secret_shown_once(
    http: httpx.AsyncClient, county: County
) -> None:
    admin = await _admin(http)
    for url in ("ftp://127.0.0.1/x", "127.0.0.1:8163/hook", "http://user:pw@127.0.0.1/h", ""):
        made = await _register(http, admin, url)
        assert made["errors"][0]["code"] == "INVALID" and made["errors"][0]["field"] == "url"
    bad = await _register(http, admin, "http://127.0.0.1:8163/h", subscription="query { nope }")
    assert bad["errors"][0]["field"] == "subscription"
    other = await _register(
        http,
        admin,
        "http://127.0.0.1:8163/h",
        subscription="query($x: ID!) { node(id: $x) { id } }",
    )
    assert other["errors"][0]["field"] == "subscription"
    assert await WebhookEndpoint.all().count() == 0

    made = await _register(http, admin, "https://partner.example/hook", subscription=CASE_DOCUMENT)
    assert made["errors"] == [] and made["secret"].startswith("whsec_")
    assert made["webhook"]["secretHint"] == made["secret"][-4:]
    listed = await graphql(
        http, "{ webhooks { totalCount edges { node { url secretHint } } } }", headers=admin
    )
    assert listed["data"]["webhooks"]["totalCount"] == 1
    assert made["secret"] not in str(listed)
    # The bureau's staff may not register one.
    bureau = await _as(http, county.staff[Role.BUREAU_STAFF])
    refused = await graphql(
        http, REGISTER, {"input": {"url": "http://127.0.0.1/h", "eventKinds": ["CASE_STEP"]}},
        headers=bureau,
    )  # fmt: skip
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_an_escalation_reaches_the_receiver_signed_in_order_with_its_subscription(
    http: httpx.AsyncClient, workflow: Workflow, county: County, receiver: Receiver
) -> None:
    admin = await _admin(http)
    made = await _register(http, admin, receiver.url, subscription=CASE_DOCUMENT)
    secret = made["secret"]
    cid = await _escalated_to_township(workflow, county)

    worker = _worker()
    assert await worker.deliver_pending() == 5
    kinds = [r.json["kind"] for r in receiver.received]
    assert kinds == ["CASE_OPENED", "CASE_STEP", "CASE_STEP", "CASE_ESCALATED", "CASE_ESCALATED"]
    for got in receiver.received:
        assert verify(secret, got.headers, got.body)
        assert not verify(secret + "x", got.headers, got.body)
        assert got.headers["X-Baoxue-Event"] == got.json["kind"]
    last = receiver.received[-1].json
    assert last["object"] == {"type": "Case", "id": cid}
    assert last["office"]["kind"] == "TOWN" and last["payload"]["level"] == 2
    # The subscription's data, fetched as the administrator: the case as it stands now.
    assert last["data"]["node"]["id"] == cid and last["data"]["node"]["escalationLevel"] == 2
    assert last["data"]["node"]["child"]["name"] == county.children[0].name
    tampered = got.body.replace(b"TOWN", b"CITY")
    assert not verify(secret, got.headers, tampered)
    # Nothing is sent twice.
    assert await worker.deliver_pending() == 0
    assert len(receiver.received) == 5
    attempts = await WebhookAttempt.all()
    assert len(attempts) == 5 and all(
        a.status == 200 and a.response_snippet == "ok" for a in attempts
    )
    await worker.close()


async def test_a_receiver_down_for_an_hour_gets_everything_after_once_in_order(
    http: httpx.AsyncClient, workflow: Workflow, county: County, receiver: Receiver
) -> None:
    admin = await _admin(http)
    await _register(http, admin, receiver.url)
    receiver.up = False
    cid = await _escalated_to_township(workflow, county)
    clock = Later()
    worker = _worker(clock, webhook_retry_seconds=60, webhook_retry_max_seconds=900)
    waits = []
    for _ in range(6):  # an hour of failures: the head is retried with growing waits
        assert await worker.deliver_pending() == 0
        head = (
            await WebhookDelivery.filter(state=DeliveryState.PENDING)
            .order_by("recorded_at")
            .first()
        )
        waits.append(head.next_attempt_at - clock())
        clock.ahead += timedelta(minutes=15)
    assert [w.total_seconds() // 60 for w in waits][:4] == [0, 1, 3, 7]  # 1, 2, 4, 8 minutes
    assert backoff(worker.settings, 10) == timedelta(seconds=900)  # capped
    assert len(receiver.received) == 6  # only ever the head, each time
    assert {r.json["kind"] for r in receiver.received} == {"CASE_OPENED"}
    snippet = (await WebhookAttempt.all().first()).response_snippet
    assert snippet == "down for maintenance"

    receiver.up = True
    assert await worker.deliver_pending() == 5
    ids = [r.headers["X-Baoxue-Delivery"] for r in receiver.answered]
    assert len(ids) == len(set(ids)) == 5
    assert [r.json["kind"] for r in receiver.answered][-2:] == ["CASE_ESCALATED"] * 2
    assert all(r.json["object"]["id"] == cid for r in receiver.answered)
    assert await WebhookDelivery.filter(state=DeliveryState.DELIVERED).count() == 5
    await worker.close()


async def test_a_worker_killed_mid_delivery_leaves_it_to_the_next_worker(
    http: httpx.AsyncClient, workflow: Workflow, county: County, receiver: Receiver
) -> None:
    admin = await _admin(http)
    await _register(http, admin, receiver.url)
    await _escalated_to_township(workflow, county)
    endpoint = await WebhookEndpoint.get()
    dead = _worker(worker_lease_seconds=60)
    taken = await dead.claim(endpoint.id)  # and then the process dies, before sending
    assert taken is not None and taken.claimed_by == dead.name
    clock = Later()
    other = _worker(clock, worker_lease_seconds=60)
    assert await other.deliver_pending() == 0  # the lease holds: nothing after it either
    assert receiver.received == []
    clock.ahead = timedelta(seconds=61)
    assert await other.deliver_pending() == 5
    ids = Counter(r.headers["X-Baoxue-Delivery"] for r in receiver.received)
    assert len(ids) == 5 and set(ids.values()) == {1}
    assert str(taken.id) == receiver.received[0].headers["X-Baoxue-Delivery"]
    # The dead worker's late answer changes nothing.
    await dead.record(taken, endpoint, True, 200, 1, "", "")
    assert await WebhookAttempt.filter(worker=dead.name).count() == 0
    await other.close()


async def test_two_workers_together_deliver_each_event_once(
    http: httpx.AsyncClient, workflow: Workflow, county: County, receiver: Receiver
) -> None:
    admin = await _admin(http)
    await _register(http, admin, receiver.url)
    await _register(http, admin, receiver.url + "?second")
    await _escalated_to_township(workflow, county)
    first, second = _worker(), _worker()
    for _ in range(3):
        await asyncio.gather(first.deliver_pending(), second.deliver_pending())
    ids = Counter(r.headers["X-Baoxue-Delivery"] for r in receiver.received)
    assert len(ids) == 10 and set(ids.values()) == {1}
    assert await WebhookDelivery.filter(state=DeliveryState.DELIVERED).count() == 10
    await first.close()
    await second.close()


async def test_repeated_failure_switches_the_endpoint_off_and_tells_its_administrator(
    http: httpx.AsyncClient, workflow: Workflow, county: County, receiver: Receiver
) -> None:
    admin = await _admin(http)
    await _register(http, admin, receiver.url)
    receiver.up = False
    await workflow.report(county.children[0])
    clock = Later()
    worker = _worker(clock, webhook_disable_after=3, webhook_retry_seconds=1)
    for _ in range(5):
        await worker.deliver_pending()
        clock.ahead += timedelta(minutes=1)
    endpoint = await WebhookEndpoint.get()
    assert not endpoint.is_active and endpoint.consecutive_failures == 3
    assert "503" in endpoint.disabled_reason
    assert len(receiver.received) == 3  # nothing more once switched off
    inbox = await graphql(
        http, "{ myInbox { edges { node { kind objectId summary } } } }", headers=admin
    )
    (notice,) = [e["node"] for e in inbox["data"]["myInbox"]["edges"]]
    assert notice["kind"] == "WEBHOOK_DISABLED"
    bureau = await _as(http, county.staff[Role.BUREAU_STAFF])
    others = await graphql(http, "{ myInbox { totalCount } }", headers=bureau)
    assert others["data"]["myInbox"]["totalCount"] == 0  # the administrator's own notice

    delivery = await WebhookDelivery.get()
    assert delivery.state is DeliveryState.PENDING  # kept, not dropped
    receiver.up = True
    again = await graphql(
        http,
        """mutation($id: ID!) { redeliverWebhook(input: {deliveryId: $id}) {
            delivery { state attempts } errors { code } } }""",
        {"id": str(__import__("strawberry").relay.GlobalID("WebhookDelivery", str(delivery.id)))},
        headers=admin,
    )
    assert again["data"]["redeliverWebhook"]["errors"] == []
    assert (await WebhookEndpoint.get()).is_active
    assert await worker.deliver_pending() == 1
    log = await graphql(
        http,
        """{ webhooks { edges { node { isActive deliveries { edges { node { state attempts
            attemptLog { status latencyMs responseSnippet } } } } } } } }""",
        headers=admin,
    )
    node = log["data"]["webhooks"]["edges"][0]["node"]
    (only,) = node["deliveries"]["edges"]
    assert only["node"]["state"] == "DELIVERED" and only["node"]["attempts"] == 4
    assert [a["status"] for a in only["node"]["attemptLog"]] == [503, 503, 503, 200]
    await worker.close()


async def test_another_countys_endpoint_and_inbox_hear_nothing(
    http: httpx.AsyncClient, workflow: Workflow, county: County, receiver: Receiver
) -> None:
    from tests.cases.conftest import make_county

    other = await make_county("500153", "荣昌区", children=1)
    account = await create_account(
        username="admin-500153", password=PASSWORD, role=Role.COUNTY_ADMIN,
        jurisdiction_code="500153",
    )  # fmt: skip
    theirs = await _as(http, account.username)
    await _register(http, theirs, receiver.url)
    await _escalated_to_township(workflow, county)
    assert await WebhookDelivery.all().count() == 0
    worker = _worker()
    assert await worker.deliver_pending() == 0 and receiver.received == []
    for role in (Role.BUREAU_STAFF, Role.TOWNSHIP_OFFICIAL, Role.HEAD_TEACHER):
        headers = await _as(http, other.staff[role])
        box = await graphql(http, "{ myInbox { totalCount } }", headers=headers)
        assert box["data"]["myInbox"]["totalCount"] == 0, role
    await worker.close()
