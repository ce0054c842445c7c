"""The metrics over GraphQL, as a county bureau, a school head and a head teacher would call them
(the tiny county of tests/metrics/tiny_county.py, as of 2026-11-20)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from core.access.accounts import create_account
from core.access.enums import Role
from core.api.ids import encode_global_id
from core.schools.models import SchoolClass
from tests.api.statements import count_statements
from tests.conftest import graphql
from tests.metrics.tiny_county import build

pytestmark = pytest.mark.asyncio
NOW = datetime(2026, 11, 21, 4, 0, tzinfo=UTC)
PASSWORD = "metrics-tests-password"


@pytest.fixture
async def http(db) -> AsyncIterator[httpx.AsyncClient]:
    from core.server import create_app

    app = create_app(manage_database=False, clock=lambda: NOW)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def _sign_in(http, role: Role, **place) -> dict[str, str]:
    username = f"{role.value.lower()}-metrics"
    await create_account(
        username=username, password=PASSWORD, role=role, jurisdiction_code="369901", **place
    )
    body = await graphql(
        http,
        "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }",
        {"u": username, "p": PASSWORD},
    )
    return {"Authorization": f"Bearer {body['data']['login']['token']}"}


DASHBOARD = """
query($asOf: Date) {
  countyDashboard(asOf: $asOf) {
    place { kind name jurisdictionCode }
    asOf unaccounted latestReports { id }
    accounting { registry states { state count } }
    targets { metric label value numerator denominator status gap pending excepted summary
              children(first: 5) { totalCount edges { node { name } } } }
    casesByState { key cases }
    casesByLevel { key label cases }
    overdueByOffice { office cases }
  }
}
"""


async def test_county_dashboard_in_one_request(http):
    await build()
    headers = await _sign_in(http, Role.BUREAU_STAFF)
    body = await graphql(http, DASHBOARD, {"asOf": "2026-11-20"}, headers)
    assert "errors" not in body, body
    board = body["data"]["countyDashboard"]
    assert board["place"] == {"kind": "COUNTY", "name": "示范县", "jurisdictionCode": "369901"}
    assert board["unaccounted"] == 1
    assert board["latestReports"] == []
    states = {s["state"]: s["count"] for s in board["accounting"]["states"]}
    assert sum(states.values()) == board["accounting"]["registry"] == 11
    # Core's default targets for a county no plugin declares: 入学率 100 %, 巩固率 100 %,
    # 失学辍学人数 0.
    by_metric = {t["metric"]: t for t in board["targets"]}
    consolidation = by_metric["CONSOLIDATION_RATE"]
    assert (consolidation["numerator"], consolidation["denominator"]) == (2, 3)
    assert consolidation["gap"] == 1  # 3 ÷ 3 needs one more child in school
    assert [e["node"]["name"] for e in consolidation["children"]["edges"]] == ["学生B"]
    dropouts = by_metric["DROPOUT_COUNT"]
    assert (dropouts["value"], dropouts["gap"]) == ("2", 2)
    assert dropouts["children"]["totalCount"] == 2
    assert "差 2 人" in dropouts["summary"]
    # One case in the tiny county: F's, confirmed.
    assert {c["key"]: c["cases"] for c in board["casesByState"]}["CONFIRMED"] == 1


async def test_metrics_with_a_breakdown_and_the_definitions(http):
    t = await build()
    headers = await _sign_in(http, Role.BUREAU_STAFF)
    body = await graphql(
        http,
        """{ metrics(asOf: "2026-11-20", breakdown: TOWN,
                     indicators: [UNACCOUNTED_COUNT, ENROLMENT_RATE]) {
              breakdown values { indicator { code formula } bucket bucketLabel
                                 numerator denominator value } }
             indicators { code name numerator denominator formula unit } }""",
        headers=headers,
    )
    assert "errors" not in body, body
    values = body["data"]["metrics"]["values"]
    unaccounted = {
        v["bucketLabel"]: v["numerator"]
        for v in values
        if v["indicator"]["code"] == "UNACCOUNTED_COUNT"
    }
    assert unaccounted == {"东镇": 1, "西镇": 0}
    town_ids = {v["bucket"] for v in values}
    assert encode_global_id("Town", t.town.id) in town_ids
    enrolment = {
        v["bucketLabel"]: (v["numerator"], v["denominator"])
        for v in values
        if v["indicator"]["code"] == "ENROLMENT_RATE"
    }
    # 东镇: A B C D F H I L M + E (dead, not in the denominator): in school A D L M + C elsewhere.
    assert enrolment["东镇"] == (5, 9)
    codes = [i["code"] for i in body["data"]["indicators"]]
    assert "CONSOLIDATION_RATE" in codes and all(i["formula"] for i in body["data"]["indicators"])


async def test_a_school_head_sees_their_school_only(http):
    t = await build()
    headers = await _sign_in(http, Role.SCHOOL_HEAD, school_code=t.school.code)
    school = encode_global_id("School", t.school.id)
    body = await graphql(
        http,
        """query($p: ID) { accounting(asOf: "2026-11-20", place: {kind: SCHOOL, id: $p}) {
              registry unaccounted states { state count
                children(first: 10) { totalCount edges { node { name } } } } } }""",
        {"p": school},
        headers,
    )
    assert "errors" not in body, body
    acc = body["data"]["accounting"]
    assert acc["registry"] == 7  # A B C E F I L
    out = next(s for s in acc["states"] if s["state"] == "CONFIRMED_OUT")
    # B and F: both on this school's roll; the head's scope holds the school's current pupils.
    assert sorted(e["node"]["name"] for e in out["children"]["edges"]) == ["学生B", "学生F"]
    # The county as a whole, and another school, are outside the head's scope.
    refused = await graphql(
        http, '{ accounting(asOf: "2026-11-20") { registry } }', headers=headers
    )
    assert refused["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    other = encode_global_id("School", t.other_school.id)
    refused = await graphql(
        http,
        "query($p: ID) { metrics(place: {kind: SCHOOL, id: $p}) { asOf } }",
        {"p": other},
        headers,
    )
    assert refused["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_a_head_teacher_may_not_read_figures(http):
    t = await build()
    klass = await SchoolClass.create(school=t.school, school_year=2026, grade=9, name="(1)班")
    headers = await _sign_in(http, Role.HEAD_TEACHER, class_id=klass.id)
    body = await graphql(http, "{ targetEvaluations { label } }", headers=headers)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_bad_input_is_refused_with_a_field(http):
    await build()
    headers = await _sign_in(http, Role.BUREAU_STAFF)
    body = await graphql(http, '{ metrics(asOf: "2027-01-01") { asOf } }', headers=headers)
    assert body["errors"][0]["extensions"]["code"] == "INVALID"
    body = await graphql(
        http, '{ metrics(place: {kind: TOWN, id: "nope"}) { asOf } }', headers=headers
    )
    assert body["errors"][0]["extensions"]["code"] == "INVALID"


async def test_statements_do_not_grow_with_page_size(http):
    await build()
    headers = await _sign_in(http, Role.BUREAU_STAFF)
    query = """query($n: Int) { accounting(asOf: "2026-11-20") { states { state
        children(first: $n) { totalCount edges { node { name household { headName } } } } } } }"""
    # each size twice, alternately, and the fewest of each: a statement sent once in a while
    # whatever the page (seen rarely on PostgreSQL under load) is not growth with page size,
    # which every run of the larger page would show
    counts: dict[int, list[int]] = {1: [], 10: []}
    for n in (1, 10, 1, 10):
        with count_statements() as seen:
            body = await graphql(http, query, {"n": n}, headers)
        assert "errors" not in body, body
        counts[n].append(len(seen))
    assert min(counts[1]) == min(counts[10]), counts
