"""Create and update mutations of home visits and assistance: typed errors, idempotent creates,
stale updates refused."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

from core.assistance.models import Assistance
from core.visits.models import HomeVisit
from tests.cases.conftest import County
from tests.conftest import graphql

VISIT = (
    "homeVisit { id kind visitedOn visitorName findings followUpNeeded updatedAt child { name } }"
)
GRANT = "assistance { id programme programmeLabel amount schoolYear grantedOn funder updatedAt }"
ERRORS = "errors { code field message }"


async def create_visit(http, **fields):
    body = await graphql(
        http,
        f"""mutation($input: CreateHomeVisitInput!) {{ createHomeVisit(input: $input) {{
            replayed {VISIT} {ERRORS} }} }}""",
        {"input": fields},
    )
    assert "errors" not in body, body
    return body["data"]["createHomeVisit"]


async def update_visit(http, **fields):
    body = await graphql(
        http,
        f"""mutation($input: UpdateHomeVisitInput!) {{ updateHomeVisit(input: $input) {{
            {VISIT} {ERRORS} }} }}""",
        {"input": fields},
    )
    assert "errors" not in body, body
    return body["data"]["updateHomeVisit"]


async def create_grant(http, **fields):
    body = await graphql(
        http,
        f"""mutation($input: CreateAssistanceInput!) {{ createAssistance(input: $input) {{
            replayed {GRANT} {ERRORS} }} }}""",
        {"input": fields},
    )
    assert "errors" not in body, body
    return body["data"]["createAssistance"]


async def update_grant(http, **fields):
    body = await graphql(
        http,
        f"""mutation($input: UpdateAssistanceInput!) {{ updateAssistance(input: $input) {{
            {GRANT} {ERRORS} }} }}""",
        {"input": fields},
    )
    assert "errors" not in body, body
    return body["data"]["updateAssistance"]


async def test_a_home_visit_is_recorded_once_and_corrected(api, county: County, clock) -> None:
    child = county.gid("Child", county.children[0])
    key = str(uuid.uuid4())
    fields = {
        "childId": child,
        "visitedOn": "2026-03-01",
        "kind": "TEACHERS_VISIT_HOMES",
        "visitorId": county.gid("Official", county.teacher),
        "findings": "家长外出务工, 随祖母生活",
        "followUpNeeded": True,
        "idempotencyKey": key,
    }
    results = await asyncio.gather(*(create_visit(api, **fields) for _ in range(4)))
    assert all(r["errors"] == [] for r in results)
    assert len({r["homeVisit"]["id"] for r in results}) == 1
    assert sorted(r["replayed"] for r in results) == [False, True, True, True]
    assert await HomeVisit.filter(child_id=county.children[0].id).count() == 1
    visit = results[0]["homeVisit"]
    assert visit["visitorName"] == "张老师" and visit["child"]["name"]

    other_child = await create_visit(
        api, **{**fields, "childId": county.gid("Child", county.children[1])}
    )
    assert other_child["errors"][0]["field"] == "idempotencyKey"

    clock.advance(hours=1)
    fixed = await update_visit(
        api, id=visit["id"], expectedUpdatedAt=visit["updatedAt"], findings="祖母同意送学"
    )
    assert fixed["errors"] == [] and fixed["homeVisit"]["findings"] == "祖母同意送学"
    assert fixed["homeVisit"]["followUpNeeded"] is True  # untouched
    stale = await update_visit(
        api, id=visit["id"], expectedUpdatedAt=visit["updatedAt"], followUpNeeded=False
    )
    assert stale["errors"][0]["code"] == "CONFLICT" and stale["homeVisit"] is None
    assert (await HomeVisit.get(id=fixed_id(fixed))).follow_up_needed is True


def fixed_id(payload) -> str:
    from strawberry import relay

    return relay.GlobalID.from_id(payload["homeVisit"]["id"]).node_id


async def test_home_visit_errors_are_typed(api, county: County) -> None:
    child = county.gid("Child", county.children[0])
    no_visitor = await create_visit(api, childId=child, visitedOn="2026-03-01")
    assert no_visitor["errors"][0] == {
        "code": "REQUIRED",
        "field": "visitorName",
        "message": no_visitor["errors"][0]["message"],
    }
    future = await create_visit(api, childId=child, visitedOn="2027-01-01", visitorName="李老师")
    assert future["errors"][0]["field"] == "visitedOn"
    wrong = await create_visit(
        api, childId=county.gid("School", county.school), visitedOn="2026-03-01", visitorName="李"
    )
    assert wrong["errors"][0]["field"] == "childId"
    missing = await update_visit(api, id=county.gid("HomeVisit", "0" * 32), findings="x")
    assert missing["errors"][0]["code"] == "NOT_FOUND"


async def test_assistance_is_granted_once_and_corrected(api, county: County, clock) -> None:
    child = county.gid("Child", county.children[0])
    key = str(uuid.uuid4())
    fields = {
        "childId": child,
        "programme": "LIVING_SUBSIDY",
        "amount": "625.00",
        "schoolYear": 2025,
        "grantedOn": "2026-02-27",
        "funder": "中央和自治区资金",
        "idempotencyKey": key,
    }
    first = await create_grant(api, **fields)
    retry = await create_grant(api, **fields)
    assert first["errors"] == [] and (first["replayed"], retry["replayed"]) == (False, True)
    assert retry["assistance"]["id"] == first["assistance"]["id"]
    assert first["assistance"]["programmeLabel"] == "家庭经济困难学生生活补助"
    assert await Assistance.filter(child_id=county.children[0].id).count() == 1

    grant = first["assistance"]
    clock.advance(minutes=5)
    fixed = await update_grant(
        api, id=grant["id"], expectedUpdatedAt=grant["updatedAt"], amount="500.50"
    )
    assert fixed["errors"] == [] and Decimal(fixed["assistance"]["amount"]) == Decimal("500.50")
    stale = await update_grant(api, id=grant["id"], expectedUpdatedAt=grant["updatedAt"], note="x")
    assert stale["errors"][0]["code"] == "CONFLICT"
    unchecked = await update_grant(api, id=grant["id"], funder="社会捐助")
    assert unchecked["errors"] == [] and unchecked["assistance"]["funder"] == "社会捐助"


async def test_assistance_errors_are_typed(api, county: County) -> None:
    child = county.gid("Child", county.children[0])
    base = {
        "childId": child,
        "programme": "NUTRITION",
        "schoolYear": 2025,
        "grantedOn": "2026-01-10",
    }
    cases = [
        ({"amount": "-1"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"amount": "10", "programme": "NO_SUCH_PROGRAMME"}, "programme"),
        ({"amount": "10", "schoolYear": 2020}, "schoolYear"),
        ({"amount": "10", "grantedOn": "2027-01-01", "schoolYear": 2026}, "grantedOn"),
        ({"amount": "10", "idempotencyKey": "short"}, "idempotencyKey"),
    ]
    for extra, field in cases:
        result = await create_grant(api, **{**base, **extra})
        assert result["assistance"] is None
        assert result["errors"][0]["field"] == field, (extra, result)
    assert await Assistance.all().count() == 0
