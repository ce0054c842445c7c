"""Statements per request stay constant as the page grows (5 → 100) for the town's open cases
as a township official (the town scope: the most conditions in every statement), and
``totalCount`` costs a statement only when it is asked for."""

from __future__ import annotations

from core.access.caller import Scope
from core.access.enums import Role, ScopeKind
from core.cases.enums import CaseState
from core.cases.models import Case
from tests.api.statements import count_statements
from tests.api.test_statement_count import _hundred_children, _scoped_client, _staff
from tests.conftest import graphql

TOWN_CASES = """
query TownCases($first: Int!) {
  cases(filter: {isOpen: true}, orderBy: {field: NEXT_DEADLINE_AT, direction: ASC},
        first: $first) {
    %s
    edges {
      node {
        id kind state daysOverdue
        school { name }
        child { name household { village { name } guardians { name phone } } }
        lastEvent { kind occurredAt }
      }
    }
  }
}
"""


async def _town_official():
    county, school = await _hundred_children()
    # a township official sees the cases handed to the township: the unreachable ones
    await Case.filter(state=CaseState.PERSUADING).update(state=CaseState.UNREACHABLE)
    scope = Scope(
        kind=ScopeKind.TOWN, jurisdiction_id=county.id, town_ids=frozenset({school.town_id})
    )
    return _staff(Role.TOWNSHIP_OFFICIAL, scope)


async def _statements(client, query: str, first: int) -> tuple[list[str], dict]:
    with count_statements() as statements:
        body = await graphql(client, query, {"first": first})
    assert "errors" not in body, body
    return statements, body["data"]["cases"]


async def test_town_cases_cost_the_same_for_5_and_100_cases(db) -> None:
    caller = await _town_official()
    query = TOWN_CASES % "totalCount"
    async for client in _scoped_client(caller):
        few, few_page = await _statements(client, query, 5)
        many, many_page = await _statements(client, query, 100)
    assert len(few_page["edges"]) == 5
    assert len(many_page["edges"]) == many_page["totalCount"] == 100
    nodes = [e["node"] for e in many_page["edges"]]
    assert all(n["state"] == "UNREACHABLE" for n in nodes)
    assert all(len(n["child"]["household"]["guardians"]) == 2 for n in nodes)
    assert all(n["lastEvent"]["kind"] == "PERSUASION" for n in nodes)
    assert len(few) == len(many), (len(few), len(many))


async def test_total_count_is_read_only_when_asked_for(db) -> None:
    caller = await _town_official()
    async for client in _scoped_client(caller):
        with_total, page = await _statements(client, TOWN_CASES % "totalCount", 20)
        without, _ = await _statements(client, TOWN_CASES % "", 20)
    counts = [s for s in with_total if "COUNT(" in s.upper()]
    assert page["totalCount"] == 100
    assert len(counts) == 1, counts
    assert not [s for s in without if "COUNT(" in s.upper()]
    assert len(without) == len(with_total) - 1
