"""GraphQL subscriptions over a real WebSocket (graphql-transport-ws, uvicorn on 127.0.0.1):
authenticated on connection_init, the inbox's changes and the cases of the caller's scope
only (two counties, a head teacher), closed when the session ends, held to the depth limit."""

from __future__ import annotations

import asyncio
import os
import secrets
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest
from tortoise.context import TortoiseContext

from core.access.enums import Role
from core.cases import services as case_services
from core.enrolment.models import Enrolment, EnrolmentStatus
from core.events.broker import Broker
from core.events.live import note_event, publishing
from core.people.enums import Gender
from core.people.models import Child, Household
from core.people.resident_id import make_resident_id
from core.settings import load_settings
from tests.cases.conftest import Clock, County, Workflow, make_county, sign_in
from tests.conftest import graphql
from tests.events.live_client import live, served, server_process
from tests.events.test_outbox import _escalated_to_township

INBOX = """subscription { inboxChanges { change counts { total unread }
    item { id kind audienceKind objectId readAt acknowledgedAt } } }"""
CASES = """subscription($kinds: [EventKind!]) { caseChanges(kinds: $kinds) {
    kind summary audienceOffice case { id state escalationLevel child { id name idNumber } } } }"""
CASE_AS_QUERY = """query($id: ID!) { node(id: $id) { ... on Case {
    id state escalationLevel child { id name idNumber } } } }"""


@pytest.fixture
async def server(db: TortoiseContext, clock: Clock) -> AsyncIterator[str]:
    """The API on a real port, reading ``clock``; idle subscriptions re-check every 0.2 s;
    tight depth and cost limits."""
    from core.server import create_app

    settings = load_settings(subscription_check_seconds=0.2, max_query_depth=6, max_query_cost=50)
    app = create_app(settings, manage_database=False, clock=clock)
    async with served(app) as url:
        yield url


def bearer(headers: dict[str, str]) -> dict[str, str]:
    return {"Authorization": headers["Authorization"]}


async def test_connection_init_needs_credentials_and_says_why(server: str) -> None:
    async with live(server) as client:
        await client.send({"type": "connection_init", "payload": {}})
        closed = await client.closed()
    assert closed.code == 4403
    assert "connection_init" in closed.reason and "令牌" in closed.reason
    async with live(server) as client:
        await client.send(
            {"type": "connection_init", "payload": {"Authorization": "Bearer nonsense"}}
        )
        closed = await client.closed()
    assert closed.code == 4403
    assert closed.reason == "令牌无效或已过期 / token is invalid or has expired"
    async with live(server) as client:  # subscribing before connection_init
        await client.subscribe(INBOX)
        closed = await client.closed()
    assert closed.code == 4401


async def test_inbox_changes_tell_new_items_receipts_and_counts(
    server: str, http: httpx.AsyncClient, workflow: Workflow, county: County
) -> None:
    township = await sign_in(http, county, Role.TOWNSHIP_OFFICIAL)
    async with live(server, bearer(township)) as client:
        op = await client.subscribe(INBOX)
        first = await client.next(op)
        assert first["data"]["inboxChanges"] == {
            "change": "SNAPSHOT",
            "counts": {"total": 0, "unread": 0},
            "item": None,
        }
        cid = await _escalated_to_township(workflow, county)
        new = (await client.next(op))["data"]["inboxChanges"]
        # the class's and the school's events are not the township's: only its own arrives
        assert new["change"] == "NEW" and new["item"]["kind"] == "CASE_ESCALATED"
        assert new["item"]["audienceKind"] == "TOWN" and new["item"]["objectId"] == cid
        assert new["counts"] == {"total": 1, "unread": 1}
        done = await graphql(
            http,
            """mutation($id: ID!) { acknowledgeInboxItem(input: {id: $id}) {
                errors { code } } }""",
            {"id": new["item"]["id"]},
            headers=township,
        )
        assert done["data"]["acknowledgeInboxItem"]["errors"] == []
        acked = (await client.next(op))["data"]["inboxChanges"]
        assert acked["change"] == "ACKNOWLEDGED"
        assert acked["item"]["acknowledgedAt"] is not None
        assert acked["counts"] == {"total": 1, "unread": 0}


async def _child_in(county: County, school_class: Any, n: int) -> Child:
    born = date(2015, 5, 1 + n)
    home = await Household.create(jurisdiction=county.jurisdiction, head_name=f"李家{n}")
    child = await Child.create(
        jurisdiction=county.jurisdiction,
        household=home,
        name=f"李小{n}",
        gender=Gender.MALE,
        birth_date=born,
        id_number=make_resident_id(county.jurisdiction.division_code, born, 2 * n + 41),
    )
    await Enrolment.create(
        child=child,
        school=county.other_school,
        school_class=school_class,
        grade=5,
        status=EnrolmentStatus.ENROLLED,
        started_on=date(2021, 9, 1),
    )
    return child


async def test_case_changes_stay_in_the_callers_county_and_class(
    server: str, http: httpx.AsyncClient, county: County
) -> None:
    other = await make_county("450382", "示范市")
    teacher = await sign_in(http, county, Role.HEAD_TEACHER)  # class 4 of county A
    bureau_a = await sign_in(http, county, Role.BUREAU_STAFF)
    bureau_b = await sign_in(http, other, Role.BUREAU_STAFF)
    outside_class = await _child_in(county, county.class_5, 1)
    a = Workflow(http, county)
    b = Workflow(http, other)
    async with (
        live(server, bearer(teacher)) as teacher_socket,
        live(server, bearer(bureau_a)) as a_socket,
        live(server, bearer(bureau_b)) as b_socket,
    ):
        ops = {
            "teacher": (teacher_socket, await teacher_socket.subscribe(CASES)),
            "a": (a_socket, await a_socket.subscribe(CASES)),
            "b": (b_socket, await b_socket.subscribe(CASES)),
        }
        await asyncio.sleep(0.3)  # every subscription is listening
        not_the_teachers = (await a.report(outside_class))["case"]["id"]
        the_teachers = (await a.report(county.children[0]))["case"]["id"]
        county_b = (await b.report(other.children[0]))["case"]["id"]

        async def seen(name: str, count: int) -> list[dict[str, Any]]:
            socket, op = ops[name]
            return [(await socket.next(op))["data"]["caseChanges"] for _ in range(count)]

        a_seen = await seen("a", 2)
        assert [c["case"]["id"] for c in a_seen] == [not_the_teachers, the_teachers]
        (teacher_first,) = await seen("teacher", 1)
        assert teacher_first["case"]["id"] == the_teachers  # not the other class's case
        (b_first,) = await seen("b", 1)
        assert b_first["case"]["id"] == county_b  # never county A's
        assert b_first["kind"] == "CASE_OPENED"
        # What each was sent is what a query shows the same caller (scope and masking).
        for headers, change in ((teacher, teacher_first), (bureau_a, a_seen[1])):
            body = await graphql(http, CASE_AS_QUERY, {"id": the_teachers}, headers=headers)
            assert change["case"] == body["data"]["node"]


async def test_the_socket_closes_when_the_session_ends(
    server: str, http: httpx.AsyncClient, county: County, clock: Clock
) -> None:
    township = await sign_in(http, county, Role.TOWNSHIP_OFFICIAL)
    async with live(server, bearer(township)) as client:
        op = await client.subscribe(INBOX)
        await client.next(op)
        body = await graphql(http, "mutation { logout { errors { code } } }", headers=township)
        assert body["data"]["logout"]["errors"] == []
        closed = await client.closed()
    assert closed.code == 4401
    assert closed.reason == "会话已结束, 请重新登录 / session has ended, log in again"

    teacher = await sign_in(http, county, Role.HEAD_TEACHER)
    async with live(server, bearer(teacher)) as client:
        op = await client.subscribe(CASES)
        await asyncio.sleep(0.3)
        clock.advance(hours=9)  # past the token's 8 hours
        closed = await client.closed()
    assert closed.code == 4401 and "session has ended" in closed.reason


async def test_the_depth_and_cost_limits_hold_for_subscriptions(
    server: str, http: httpx.AsyncClient, county: County
) -> None:
    bureau = await sign_in(http, county, Role.BUREAU_STAFF)
    deep = """subscription { caseChanges { case { child { household { children(first: 1) {
        edges { node { household { id } } } } } } } } }"""
    async with live(server, bearer(bureau)) as client:
        op = await client.subscribe(deep)
        message = await client.next(op)
    assert message["type"] == "error"
    assert "超过最大查询深度 6" in message["payload"][0]["message"]
    wide = "subscription { caseChanges { case { events { attachments { fileName } } } } }"
    async with live(server, bearer(bureau)) as client:
        op = await client.subscribe(wide)
        message = await client.next(op)
    (error,) = message["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert error["extensions"]["maxCost"] == 50


async def test_queries_go_over_http_not_the_socket(
    server: str, http: httpx.AsyncClient, county: County
) -> None:
    bureau = await sign_in(http, county, Role.BUREAU_STAFF)
    async with live(server, bearer(bureau)) as client:
        op = await client.subscribe("query { myInboxCounts { total } }")
        message = await client.next(op)
    assert message["type"] == "error"
    assert message["payload"][0]["extensions"]["code"] == "BAD_REQUEST"


def _redis_url() -> str | None:
    url = os.environ.get("BAOXUE_TEST_REDIS", "redis://127.0.0.1:6379/15")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        return None
    return url


async def test_an_event_committed_in_one_process_reaches_a_subscriber_of_another(
    database_url: str, county: County
) -> None:
    """Two ``baoxue serve`` processes sharing the database and a Redis channel: the bureau
    subscribes on one, the case is reported and stepped through the other; a refused step
    (stale version) publishes nothing."""
    redis_url = _redis_url()
    if redis_url is None:
        pytest.skip("no Redis on 127.0.0.1:6379")
    env = {
        "REDIS_URL": redis_url,
        "BAOXUE_SUBSCRIPTION_CHANNEL": f"bx-test-{secrets.token_hex(6)}",
        "BAOXUE_LOG_LEVEL": "warning",
    }
    with server_process(database_url, env) as one, server_process(database_url, env) as two:
        async with (
            httpx.AsyncClient(base_url=one) as http_one,
            httpx.AsyncClient(base_url=two) as http_two,
        ):
            bureau = await sign_in(http_two, county, Role.BUREAU_STAFF)
            workflow = Workflow(http_one, county)
            async with live(two, bearer(bureau)) as client:
                op = await client.subscribe(CASES)
                await asyncio.sleep(0.5)  # the subscription is listening
                cid = (await workflow.report(county.children[0]))["case"]["id"]
                opened = (await client.next(op, 10))["data"]["caseChanges"]
                assert opened["kind"] == "CASE_OPENED" and opened["case"]["id"] == cid
                refused = await workflow.refused("verifyCase", cid, version=9)
                assert refused["code"] == "CONFLICT"
                await workflow.ok("verifyCase", cid)
                stepped = (await client.next(op, 10))["data"]["caseChanges"]
                assert stepped["kind"] == "CASE_STEP"
                assert stepped["case"]["state"] == "VERIFYING"


async def test_a_change_that_rolled_back_after_its_event_is_never_published(
    server: str,
    http: httpx.AsyncClient,
    workflow: Workflow,
    county: County,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bureau = await sign_in(http, county, Role.BUREAU_STAFF)
    async with live(server, bearer(bureau)) as client:
        op = await client.subscribe(CASES)
        await asyncio.sleep(0.3)
        cid = (await workflow.report(county.children[0]))["case"]["id"]
        assert (await client.next(op))["data"]["caseChanges"]["kind"] == "CASE_OPENED"

        async def broken(audit: Any) -> None:
            raise RuntimeError("the audit log is full")

        with monkeypatch.context() as patched:
            patched.setattr(case_services, "record_write", broken)
            body = await workflow.query(
                """mutation($input: VerifyCaseInput!) { verifyCase(input: $input) {
                    case { id } errors { code } } }""",
                {"input": {"caseId": cid, "expectedVersion": 1}},
            )
            assert body["errors"][0]["extensions"]["code"] == "INTERNAL"
        await workflow.ok("verifyCase", cid)
        after = (await client.next(op))["data"]["caseChanges"]
        # the first notice after the opening is the step that was committed
        assert after["kind"] == "CASE_STEP" and after["case"]["state"] == "VERIFYING"
        assert after["case"]["id"] == cid


async def test_a_noted_event_whose_row_does_not_exist_is_not_published(
    db: TortoiseContext,
) -> None:
    """What a unit of work noted is read back before it is published: a rolled-back event
    (no row) is never told."""
    broker = Broker()
    async with broker.subscription() as queue:
        async with publishing(broker):
            note_event(uuid.uuid4())
        assert queue.empty()
