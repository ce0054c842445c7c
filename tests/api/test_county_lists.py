"""Lists county users asked for, on the counties' demos, checked against the rows themselves.

* cases by grade, 学段 and key group (荣昌 四、(一): 重点学段, 重点群体; 绥宁's 初中);
* children and households by migration status (绥宁 二、(三): 举家外出);
* home visits by kind and by the visited child's key group (铁东 三、6: 师访万家);
* cases and children in a 重点地区 (荣昌 三: 农村、边远、贫困、民族).

Bad values are typed INVALID_FILTER errors, and a page costs the same statements for 5 rows as
for 50.
"""

from __future__ import annotations

from typing import Any
from unittest.mock import ANY

import pytest

from core.demo.generator import generate_demo
from core.enrolment.models import Enrolment
from core.jurisdictions.models import KeyArea, KeyAreaKind
from core.people.enums import KeyGroup, MigrationStatus
from core.people.models import Child, ChildKeyGroup, Household
from core.plugins import get_registry
from core.visits.models import HomeVisit, HomeVisitKind
from tests.api.statements import count_statements
from tests.conftest import graphql

TIEDONG, RONGCHANG, SUINING = "210302", "500153", "430527"


async def _demo(code: str, students: int = 300) -> None:
    await generate_demo(get_registry().jurisdiction(code), students=students, seed=4)


async def _query(client, query: str, variables: dict[str, Any] | None = None) -> dict:
    body = await graphql(client, query, variables or {})
    assert "errors" not in body, body
    return body["data"]


CASES = """
query($f: CaseFilter) { cases(filter: $f, first: 100) {
  totalCount edges { node { id child { keyGroups currentEnrolment { grade } } } } } }
"""


def _row_ids(edges: list[dict]) -> list[str]:
    from strawberry import relay

    return [relay.GlobalID.from_id(e["node"]["id"]).node_id for e in edges]


async def _current_grade(child_ids: set[str]) -> dict[str, int]:
    rows = await Enrolment.filter(child_id__in=list(child_ids), is_current=True).values(
        "child_id", "grade"
    )
    return {str(r["child_id"]): r["grade"] for r in rows}


async def test_cases_by_grade_stage_and_key_group(client, db) -> None:
    from core.cases.models import Case

    await _demo(SUINING)
    every = await Case.filter(jurisdiction__division_code=SUINING).values("id", "child_id")
    grade_of = await _current_grade({str(c["child_id"]) for c in every})

    junior = await _query(client, CASES, {"f": {"stages": ["JUNIOR_MIDDLE"]}})
    expected = {str(c["id"]) for c in every if grade_of.get(str(c["child_id"]), 0) >= 7}
    # seed 4, 300 pupils: 39 of 绥宁's 66 cases (case_count's floor) are of 初中 pupils
    assert junior["cases"]["totalCount"] == len(expected) == 39
    assert set(_row_ids(junior["cases"]["edges"])) <= expected

    eighth = await _query(client, CASES, {"f": {"grades": [8], "stages": ["JUNIOR_MIDDLE"]}})
    assert eighth["cases"]["totalCount"] == sum(
        1 for c in every if grade_of.get(str(c["child_id"])) == 8
    )
    primary_eighth = await _query(client, CASES, {"f": {"grades": [8], "stages": ["PRIMARY"]}})
    assert primary_eighth["cases"]["totalCount"] == 0  # both must hold

    # 绥宁's 流动: children who moved away with their families.
    moved = await _query(client, CASES, {"f": {"keyGroups": ["MOVED_AWAY", "ORPHAN"]}})
    groups = {
        str(r["child_id"])
        for r in await ChildKeyGroup.filter(
            group__in=[KeyGroup.MOVED_AWAY, KeyGroup.ORPHAN]
        ).values("child_id")
    }
    assert moved["cases"]["totalCount"] == sum(1 for c in every if str(c["child_id"]) in groups)
    assert moved["cases"]["totalCount"] == 6  # seed 4: 6 of the 66 children are in either group
    for edge in moved["cases"]["edges"]:
        assert {"MOVED_AWAY", "ORPHAN"} & set(edge["node"]["child"]["keyGroups"])


async def test_children_and_households_by_migration_status(client, db) -> None:
    await _demo(SUINING)
    away = await Household.filter(migration_status=MigrationStatus.WHOLE_FAMILY_AWAY).count()
    assert away == 8  # seed 4, 300 pupils: 8 households 举家外出
    data = await _query(
        client,
        """{ households(filter: {migrationStatuses: [WHOLE_FAMILY_AWAY]}, first: 100) {
               totalCount edges { node { migrationStatus } } }
             children(filter: {migrationStatuses: [WHOLE_FAMILY_AWAY]}, first: 100) {
               totalCount edges { node { keyGroups household { migrationStatus } } } } }""",
    )
    assert data["households"]["totalCount"] == away
    assert {e["node"]["migrationStatus"] for e in data["households"]["edges"]} == {
        "WHOLE_FAMILY_AWAY"
    }
    children = await Child.filter(
        household__migration_status=MigrationStatus.WHOLE_FAMILY_AWAY
    ).count()
    assert data["children"]["totalCount"] == children
    for edge in data["children"]["edges"]:
        assert edge["node"]["household"]["migrationStatus"] == "WHOLE_FAMILY_AWAY"


VISITS = """
query($f: HomeVisitFilter, $first: Int) { homeVisits(filter: $f, first: $first) {
  totalCount edges { node { kind visitedOn visitorName child { name keyGroups } } } } }
"""


async def test_home_visits_by_kind_and_the_childs_key_group(client, db) -> None:
    await _demo(TIEDONG)
    groups = ["FINANCIAL_HARDSHIP", "LEARNING_DIFFICULTY", "MIGRANT", "FAMILY_CRISIS"]
    focus = {
        f["code"]: f["keyGroups"]
        for f in (
            await _query(
                client,
                '{ jurisdiction(code: "210302") { rules { monitoringFocus { code keyGroups } } } }',
            )
        )["jurisdiction"]["rules"]["monitoringFocus"]
    }
    assert sorted(focus["teacher-home-visits"]) == sorted(groups)

    data = await _query(
        client,
        VISITS,
        {"f": {"kinds": ["TEACHERS_VISIT_HOMES"], "keyGroups": groups}, "first": 100},
    )
    members = await ChildKeyGroup.filter(group__in=groups).values_list("child_id", flat=True)
    expected = await HomeVisit.filter(
        kind=HomeVisitKind.TEACHERS_VISIT_HOMES, child_id__in=list(members)
    ).count()
    # seed 4, 300 pupils: 27 of 铁东's 师访万家 visits are to children of the four groups
    assert data["homeVisits"]["totalCount"] == expected == 27
    dates = [e["node"]["visitedOn"] for e in data["homeVisits"]["edges"]]
    assert dates == sorted(dates, reverse=True)  # newest first
    for edge in data["homeVisits"]["edges"]:
        assert edge["node"]["kind"] == "TEACHERS_VISIT_HOMES"
        assert set(groups) & set(edge["node"]["child"]["keyGroups"])

    grand = await _query(client, VISITS, {"f": {"kinds": ["GRAND_VISIT"]}, "first": 5})
    assert (
        grand["homeVisits"]["totalCount"]
        == await HomeVisit.filter(kind=HomeVisitKind.GRAND_VISIT).count()
    )


async def test_a_page_of_home_visits_costs_the_same_for_5_and_50(client, db) -> None:
    await _demo(TIEDONG)
    variables = {"f": {"keyGroups": ["FINANCIAL_HARDSHIP", "MIGRANT"], "forCase": False}}
    counts = []
    for first in (5, 50):
        with count_statements() as statements:
            data = await _query(client, VISITS, {**variables, "first": first})
        assert len(data["homeVisits"]["edges"]) == min(first, data["homeVisits"]["totalCount"])
        counts.append(len(statements))
    assert counts[0] == counts[1]


async def test_cases_and_children_in_a_key_area(client, db) -> None:
    from core.cases.models import Case

    await _demo(RONGCHANG)
    rural_towns = set(
        await KeyArea.filter(kind=KeyAreaKind.RURAL, town_id__isnull=False).values_list(
            "town_id", flat=True
        )
    )
    assert rural_towns
    cases = await Case.filter(jurisdiction__division_code=RONGCHANG).values(
        "child__household__village__town_id"
    )
    expected = sum(1 for c in cases if c["child__household__village__town_id"] in rural_towns)
    data = await _query(
        client,
        """{ cases(filter: {keyAreas: [RURAL]}, first: 100) {
               totalCount edges { node { child { household { village { town {
                 kind keyAreas { kind } } } } } } } }
             children(filter: {keyAreas: [ETHNIC]}) { totalCount } }""",
    )
    # seed 4, 300 pupils: 33 of 荣昌's cases are of children living in a 农村 town
    assert data["cases"]["totalCount"] == expected == 33
    for edge in data["cases"]["edges"]:
        town = edge["node"]["child"]["household"]["village"]["town"]
        assert town["kind"] == "TOWN" and {"kind": "RURAL"} in town["keyAreas"]
    assert data["children"]["totalCount"] == 0  # no town of 荣昌's demo is marked 民族


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("{ cases(filter: {grades: [10]}) { totalCount } }", "filter.grades"),
        (
            '{ homeVisits(filter: {jurisdictionCode: "4305"}) { totalCount } }',
            "filter.jurisdictionCode",
        ),
        (
            '{ homeVisits(filter: {visitedOn: {gte: "2026-10-02", lte: "2026-10-01"}}) '
            "{ totalCount } }",
            "filter.visitedOn",
        ),
        ('{ homeVisits(filter: {child: "Q2hpbGQ6eA=="}) { totalCount } }', "filter.child"),
    ],
)
async def test_bad_filter_values_are_typed_errors(client, db, query: str, field: str) -> None:
    body = await graphql(client, query)
    [error] = body["errors"]
    assert error["extensions"] == {"messages": ANY, "code": "INVALID_FILTER", "field": field}
    assert error["message"] == error["extensions"]["messages"]["zh"]  # Chinese by default
    assert error["extensions"]["messages"]["en"].startswith(field)
