"""The stored child facts (``child_fact``, migration 0016_child_fact): after writes through the
public services (GraphQL: a household moved, a child registered, moved and merged, 学籍异动,
a case reported, verified and confirmed, key groups added and ended, assistance, a home visit;
the ORM: a visit and a child deleted) the rows refreshed from the database's marks equal a full
rebuild from the histories; and the metrics read from the stored rows equal the metrics of the
history path alone, on the demo data, for several days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from core.access.caller import Caller
from core.assistance.models import Assistance
from core.china_time import local_date
from core.demo.calendar import DEMO_TODAY
from core.demo.generator import generate_demo
from core.jurisdictions.models import Jurisdiction, Town, Village
from core.metrics import AccountingState, Breakdown, service
from core.metrics.sql import Params, fetch, is_postgres, use_stored_facts
from core.metrics.store import rebuild_child_facts, refresh_child_facts, stale_child_facts
from core.people.models import Child
from core.plugins import get_registry
from core.schools.models import SchoolClass
from core.visits.models import HomeVisit
from tests.access.conftest import (  # noqa: F401 (fixtures)
    LIPU,
    clock,
    counties,
    fast_argon2,
    gql,
    http,
    login,
    make_client,
    username,
)
from tests.registry.helpers import errors_of, gid

pytestmark = pytest.mark.asyncio

HOUSEHOLD = """mutation($in: CreateHouseholdInput!) { createHousehold(input: $in) {
  household { id version } errors { code field message } } }"""
MOVE_HOUSEHOLD = """mutation($in: UpdateHouseholdInput!) { updateHousehold(input: $in) {
  household { id version } errors { code field message } } }"""
CHILD = """mutation($in: CreateChildInput!) { createChild(input: $in) {
  child { id version } errors { code field message } } }"""
MOVE_CHILD = """mutation($in: MoveChildInput!) { moveChildToHousehold(input: $in) {
  child { id version } errors { code field message } } }"""
CHANGE = """mutation($in: RecordEnrolmentChangeInput!) { recordEnrolmentChange(input: $in) {
  enrolment { id version } errors { code field message } } }"""
MERGE = """mutation($in: MergeChildrenInput!) { mergeChildren(input: $in) {
  child { id } errors { code field message } } }"""
REPORT = """mutation($in: ReportCaseInput!) { reportCase(input: $in) {
  case { id version } errors { code field message } } }"""
VERIFY = """mutation($in: VerifyCaseInput!) { verifyCase(input: $in) {
  case { id version } errors { code field message } } }"""
CONFIRM = """mutation($in: ConfirmCaseInput!) { confirmCase(input: $in) {
  case { id version } errors { code field message } } }"""
GROUPS = """mutation($in: SetChildKeyGroupsInput!) { setChildKeyGroups(input: $in) {
  child { id version } errors { code field message } } }"""
ASSIST = """mutation($in: CreateAssistanceInput!) { createAssistance(input: $in) {
  assistance { id } errors { code field message } } }"""
VISIT = """mutation($in: CreateHomeVisitInput!) { createHomeVisit(input: $in) {
  homeVisit { id } errors { code field message } } }"""


async def _ok(client, query: str, variables: dict[str, Any], bearer: str) -> dict[str, Any]:
    body = await gql(client, query, {"in": variables}, token=bearer)
    assert "errors" not in body, body
    name = next(iter(body["data"]))
    assert errors_of(body, name) == [], body
    return next(iter(body["data"][name].values()))


async def _refreshed_equals_rebuild() -> None:
    await refresh_child_facts()
    assert await stale_child_facts() == 0


async def _version(child_gid: str) -> int:
    from core.global_ids import parse_global_id

    return (await Child.get(id=parse_global_id(child_gid, "Child", "id"))).version


async def test_refreshed_rows_equal_a_rebuild_after_every_writer(
    http,  # noqa: F811 (the fixtures of tests/access)
    counties,  # noqa: F811
    clock,  # noqa: F811
) -> None:
    await _refreshed_equals_rebuild()  # the demo generator's rows
    today = local_date(clock())
    admin = await login(http, username(counties.lipu, "COUNTY_ADMIN"), counties.lipu.password)
    lipu = await Jurisdiction.get(division_code=LIPU)
    towns = await Town.filter(jurisdiction=lipu).order_by("name").limit(2)
    here = await Village.filter(town=towns[0]).first()
    there = await Village.filter(town=towns[1]).first()
    assert here is not None and there is not None

    household = await _ok(
        http, HOUSEHOLD, {"headName": "覃事实", "villageId": gid("Village", there.id)}, admin
    )
    child = await _ok(
        http, CHILD,
        {"name": "覃事实一", "gender": "FEMALE", "birthDate": "2016-05-06",
         "householdId": household["id"]},
        admin,
    )  # fmt: skip
    await _refreshed_equals_rebuild()
    from core.people.models import Household

    held = await Household.get(head_name="覃事实")
    await _ok(
        http, MOVE_HOUSEHOLD,
        {"id": household["id"], "expectedVersion": held.version,
         "villageId": gid("Village", here.id)},
        admin,
    )  # fmt: skip
    await _refreshed_equals_rebuild()

    klass = await SchoolClass.filter(school__town=towns[1], school_year=2026).first()
    assert klass is not None
    enrolment = await _ok(
        http, CHANGE,
        {"childId": child["id"], "kind": "ENROL", "occurredOn": today.isoformat(),
         "schoolClassId": gid("SchoolClass", klass.id)},
        admin,
    )  # fmt: skip
    await _refreshed_equals_rebuild()
    await _ok(
        http, CHANGE,
        {"childId": child["id"], "kind": "TRANSFER_OUT", "occurredOn": today.isoformat(),
         "expectedVersion": enrolment["version"], "counterpartSchool": "某校"},
        admin,
    )  # fmt: skip
    await _refreshed_equals_rebuild()

    # a case reported, verified, confirmed
    case = await _ok(
        http, REPORT,
        {"childId": child["id"], "kind": "DROPOUT", "source": "HEAD_TEACHER_REPORT"},
        admin,
    )  # fmt: skip
    await _refreshed_equals_rebuild()
    case = await _ok(
        http, VERIFY, {"caseId": case["id"], "expectedVersion": case["version"]}, admin
    )
    case = await _ok(
        http, CONFIRM,
        {"caseId": case["id"], "expectedVersion": case["version"], "findings": "在家务农"},
        admin,
    )  # fmt: skip
    await _refreshed_equals_rebuild()

    # key groups added, then one ended; assistance; a home visit
    await _ok(
        http, GROUPS,
        {"id": child["id"], "expectedVersion": await _version(child["id"]),
         "add": [{"group": "POVERTY_LIFTED"}, {"group": "LEFT_BEHIND"}]},
        admin,
    )  # fmt: skip
    await _refreshed_equals_rebuild()
    await _ok(
        http, GROUPS,
        {"id": child["id"], "expectedVersion": await _version(child["id"]),
         "end": ["LEFT_BEHIND"], "endedOn": today.isoformat()},
        admin,
    )  # fmt: skip
    await _refreshed_equals_rebuild()
    programme = await Assistance.filter(child__jurisdiction=lipu).first()
    assert programme is not None
    await _ok(
        http, ASSIST,
        {"childId": child["id"], "programme": programme.programme, "amount": "500",
         "schoolYear": 2026, "grantedOn": today.isoformat()},
        admin,
    )  # fmt: skip
    await _ok(
        http,
        VISIT,
        {"childId": child["id"], "visitedOn": today.isoformat(), "visitorName": "韦老师"},
        admin,
    )
    await _refreshed_equals_rebuild()

    # moved out of its household; a duplicate merged into a survivor
    await _ok(
        http, MOVE_CHILD,
        {"id": child["id"], "expectedVersion": await _version(child["id"]), "householdId": None},
        admin,
    )  # fmt: skip
    await _refreshed_equals_rebuild()
    survivor = await _ok(
        http, CHILD, {"name": "覃事实留", "gender": "FEMALE", "birthDate": "2016-05-06"}, admin
    )
    await _ok(
        http, MERGE,
        {"survivorId": survivor["id"], "survivorVersion": survivor["version"],
         "duplicateId": child["id"], "duplicateVersion": await _version(child["id"])},
        admin,
    )  # fmt: skip
    await _refreshed_equals_rebuild()

    # the ORM: a visit deleted, a child without records deleted
    await HomeVisit.filter(child__jurisdiction=lipu).order_by("id").limit(1).delete()
    loner = await Child.filter(jurisdiction=lipu, name="覃事实留").first()
    assert loner is not None
    plain = await _ok(
        http, CHILD, {"name": "覃事实删", "gender": "MALE", "birthDate": "2015-01-02"}, admin
    )
    await _refreshed_equals_rebuild()
    await Child.filter(name="覃事实删").delete()
    await _refreshed_equals_rebuild()
    assert plain["id"]


async def test_the_check_finds_a_stale_row(db) -> None:
    spec = {s.division_code: s for s in get_registry().jurisdictions()}[LIPU]
    await generate_demo(spec, students=60, seed=3)
    assert await rebuild_child_facts() > 0
    assert await stale_child_facts() == 0
    from tortoise import connections

    await connections.get("default").execute_query(
        "UPDATE child_fact SET key_groups = key_groups + 1024"
        " WHERE child_id = (SELECT f.child_id FROM child_fact f ORDER BY f.child_id LIMIT 1)"
    )
    assert await stale_child_facts() == 1  # one child: its wrong row (and its right one missing)
    await rebuild_child_facts()
    assert await stale_child_facts() == 0


def _figures(board) -> list[Any]:
    return [
        [(v.indicator.code, v.numerator, v.denominator, v.excepted) for v in board.metrics],
        [(e.target.label, e.gap, e.status) for e in board.targets],
        [(s.state, s.children) for s in board.accounting.states],
    ]


async def _both(frame, run):
    stored = await run()
    token = use_stored_facts.set(False)
    try:
        history = await run()
    finally:
        use_stored_facts.reset(token)
    return stored, history


@pytest.mark.parametrize("code", ["450381", "500153"])
async def test_stored_facts_give_the_history_figures(db, code) -> None:
    spec = {s.division_code: s for s in get_registry().jurisdictions()}[code]
    await generate_demo(spec, students=300, seed=7)
    await rebuild_child_facts()
    place = await service.resolve_place(Caller.system(), jurisdiction_code=code)
    now = datetime(2026, 11, 21, 4, 0, tzinfo=UTC)
    days = [DEMO_TODAY, date(2026, 9, 1), date(2026, 3, 1), DEMO_TODAY - timedelta(days=20)]
    for day in days:
        frame = service.frame_for(place, day, now)
        stored, history = await _both(
            frame, lambda f=frame: service.dashboard(f, with_metrics=True)
        )
        assert _figures(stored) == _figures(history), day
        for breakdown in (Breakdown.TOWN, Breakdown.KEY_GROUP, Breakdown.SCHOOL):
            by_stored, by_history = await _both(
                frame, lambda f=frame, b=breakdown: service.metrics(f, breakdown=b)
            )
            assert [(v.bucket, v.numerator, v.denominator) for v in by_stored] == [
                (v.bucket, v.numerator, v.denominator) for v in by_history
            ], (day, breakdown)
        listed = service.child_list(
            Caller.system(), frame, service.state_condition(tuple(AccountingState))
        )
        pages = await _both(frame, lambda lst=listed: lst.page(0, None))
        assert pages[0] == pages[1] and len(pages[0]) == stored.accounting.registry
    # the stored rows are read at all: most children's rows hold for the demo's today
    p = Params(is_postgres())
    sql = f"SELECT COUNT(*) AS n FROM child_fact WHERE valid_from <= {p(DEMO_TODAY)}"
    rows = await fetch(sql, p)
    assert int(rows[0]["n"]) > 0
