"""Keyset cursors over HTTP, as the county administrator of a generated county: the next page
is the rows after the cursor's row wherever the list has moved since (a case closed, a child
registered, a row deleted between two pages), so a page neither repeats a row nor skips one.
Each drift test also checks that the offsets the API used before would have failed it.
"""

from __future__ import annotations

import base64
import uuid
from datetime import date
from typing import Any

import httpx
import pytest

from core.cases.enums import CaseState
from core.cases.models import Case
from core.jurisdictions.models import Jurisdiction, Village
from core.people.enums import Gender
from core.people.models import Child, Household
from tests.access.conftest import (  # noqa: F401 - fixtures used here
    LIPU,
    clock,
    counties,
    fast_argon2,
    gql,
    login,
    make_client,
    username,
)
from tests.api.statements import count_statements

CHILDREN = """query($f: ChildFilter, $o: ChildOrder, $first: Int, $after: String,
                    $last: Int, $before: String) {
  children(filter: $f, orderBy: $o, first: $first, after: $after, last: $last, before: $before) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id } } } }"""

CASES = """query($f: CaseFilter, $o: CaseOrder, $first: Int, $after: String,
                 $last: Int, $before: String) {
  cases(filter: $f, orderBy: $o, first: $first, after: $after, last: $last, before: $before) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id } } } }"""


@pytest.fixture
async def admin(make_client, counties) -> tuple[httpx.AsyncClient, str]:  # noqa: F811
    http = make_client(rate_limit_staff=0)  # a walk through every order is many requests
    token = await login(http, username(counties.lipu, "COUNTY_ADMIN"), counties.lipu.password)
    return http, token


async def _page(admin: tuple[httpx.AsyncClient, str], query: str, **variables: Any) -> dict:
    http, token = admin
    body = await gql(http, query, variables, token=token)
    assert "errors" not in body, body
    (connection,) = body["data"].values()
    return connection


def _ids(page: dict) -> list[str]:
    return [e["node"]["id"] for e in page["edges"]]


def _row(global_id: str) -> uuid.UUID:
    return uuid.UUID(base64.b64decode(global_id).decode().partition(":")[2])


async def _all(admin, query: str, **variables: Any) -> list[str]:
    return _ids(await _page(admin, query, first=100, **variables))


async def _walk(admin, query: str, size: int, backward: bool = False, **variables: Any) -> list:
    """Every row of a list, ``size`` at a time, forwards (or backwards from the end)."""
    seen: list[str] = []
    cursor = None
    while True:
        if backward:
            page = await _page(admin, query, last=size, before=cursor, **variables)
            seen = _ids(page) + seen
            more, cursor = page["pageInfo"]["hasPreviousPage"], page["pageInfo"]["startCursor"]
        else:
            page = await _page(admin, query, first=size, after=cursor, **variables)
            seen += _ids(page)
            more, cursor = page["pageInfo"]["hasNextPage"], page["pageInfo"]["endCursor"]
        assert len(page["edges"]) <= size
        if not more:
            return seen


async def test_every_order_pages_forwards_and_backwards_without_gaps(admin) -> None:
    """NULLs (children without a case, cases without a deadline), descending keys, a key on a
    related row (the case's child's name): each walk in small pages is the whole list."""
    http, token = admin
    body = await gql(http, "{ children { totalCount } cases { totalCount } }", token=token)
    total, cases = body["data"]["children"]["totalCount"], body["data"]["cases"]["totalCount"]
    for field in ("NAME", "BIRTH_DATE", "UPDATED_AT", "LATEST_CASE_OPENED_AT"):
        for direction in ("ASC", "DESC"):
            order = {"field": field, "direction": direction}
            every = await _walk(admin, CHILDREN, 100, o=order)
            assert len(set(every)) == len(every) == total > 100, order
            assert await _walk(admin, CHILDREN, 25, o=order) == every, order
            assert await _walk(admin, CHILDREN, 25, backward=True, o=order) == every, order
    for field in ("OPENED_AT", "UPDATED_AT", "NEXT_DEADLINE_AT", "ESCALATION_LEVEL", "CHILD_NAME"):
        for direction in ("ASC", "DESC"):
            order = {"field": field, "direction": direction}
            every = await _all(admin, CASES, o=order)
            assert len(set(every)) == len(every) == cases > 4, order
            assert await _walk(admin, CASES, 4, o=order) == every, order
            assert await _walk(admin, CASES, 4, backward=True, o=order) == every, order


async def test_a_case_closed_between_pages_shifts_nothing(admin) -> None:
    """A town's open cases by how overdue: one on page 1 is closed before page 2 is asked."""
    query = {"f": {"isOpen": True}, "o": {"field": "NEXT_DEADLINE_AT", "direction": "ASC"}}
    before = await _all(admin, CASES, **query)
    assert len(before) >= 6
    first = await _page(admin, CASES, first=3, **query)
    assert _ids(first) == before[:3]
    await Case.filter(id=_row(before[1])).update(state=CaseState.CLOSED)
    after = await _all(admin, CASES, **query)
    assert after == before[:1] + before[2:]

    second = await _page(admin, CASES, first=3, after=first["pageInfo"]["endCursor"], **query)
    assert _ids(second) == before[3:6]
    assert second["pageInfo"]["hasPreviousPage"] is True
    # an offset cursor (the third row) would now start one row too late: a gap
    assert after[3:6] != before[3:6]


async def _household_of_twelve(county: Jurisdiction) -> tuple[Household, list[Child]]:
    village = await Village.filter(town__jurisdiction_id=county.id).first()
    assert village is not None
    home = await Household.create(jurisdiction=county, village=village, head_name="测试户")
    children = [
        await Child.create(
            jurisdiction=county,
            household=home,
            name=f"测{i:02d}",
            gender=Gender.FEMALE,
            birth_date=date(2016, 1, 1),
        )
        for i in range(1, 13)
    ]
    return home, children


def _household_filter(home: Household) -> dict:
    return {"household": base64.b64encode(f"Household:{home.id}".encode()).decode()}


async def test_a_child_registered_or_deleted_between_pages_shifts_nothing(admin) -> None:
    county = await Jurisdiction.get(division_code=LIPU)
    home, children = await _household_of_twelve(county)
    query = {"f": _household_filter(home)}
    names = {str(c.id): c.name for c in children}
    every = await _all(admin, CHILDREN, **query)
    assert [names[str(_row(i))] for i in every] == [f"测{i:02d}" for i in range(1, 13)]

    first = await _page(admin, CHILDREN, first=4, **query)
    # a child whose name sorts before the whole page is registered
    await Child.create(
        jurisdiction=county,
        household=home,
        name="测00",
        gender=Gender.MALE,
        birth_date=date(2016, 2, 1),
    )
    second = await _page(admin, CHILDREN, first=4, after=first["pageInfo"]["endCursor"], **query)
    assert _ids(second) == every[4:8]
    now = await _all(admin, CHILDREN, **query)
    assert now[4:8] != every[4:8]  # an offset would repeat the last row of page 1

    # the row the cursor names, and one before it, are deleted
    await Child.filter(id__in=[_row(every[7]), _row(every[2])]).delete()
    third = await _page(admin, CHILDREN, first=4, after=second["pageInfo"]["endCursor"], **query)
    assert _ids(third) == every[8:12]
    assert third["pageInfo"]["hasNextPage"] is False
    now = await _all(admin, CHILDREN, **query)
    assert now[8:12] != every[8:12]  # an offset would skip a row

    # backwards from the cursor of a deleted row: the rows before it, nearest last
    back = await _page(admin, CHILDREN, last=3, before=second["pageInfo"]["endCursor"], **query)
    assert _ids(back) == every[4:7]
    assert back["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": True,
        "startCursor": back["edges"][0]["cursor"],
        "endCursor": back["edges"][-1]["cursor"],
    }


async def test_first_and_last_within_after_and_before(admin) -> None:
    county = await Jurisdiction.get(division_code=LIPU)
    home, _ = await _household_of_twelve(county)
    query = {"f": _household_filter(home)}
    page = await _page(admin, CHILDREN, first=12, **query)
    every, cursors = _ids(page), [e["cursor"] for e in page["edges"]]
    window = {"after": cursors[2], "before": cursors[9]}  # rows 3 … 8
    head = await _page(admin, CHILDREN, first=4, **window, **query)
    assert _ids(head) == every[3:7]
    assert head["pageInfo"]["hasNextPage"] is True
    tail = await _page(admin, CHILDREN, last=4, **window, **query)
    assert _ids(tail) == every[5:9]
    assert tail["pageInfo"]["hasPreviousPage"] is True
    whole = await _page(admin, CHILDREN, last=10, **window, **query)
    assert _ids(whole) == every[3:9]
    end = await _page(admin, CHILDREN, last=2, **query)
    assert _ids(end) == every[10:]
    assert end["pageInfo"]["hasNextPage"] is False
    assert end["pageInfo"]["hasPreviousPage"] is True
    none = await _page(admin, CHILDREN, first=0, **query)
    assert none["edges"] == [] and none["pageInfo"]["hasNextPage"] is True


async def _refusal(admin, query: str, **variables: Any) -> tuple[str, str, str]:
    http, token = admin
    body = await gql(http, query, variables, token=token)
    error = body["errors"][0]
    extensions = error["extensions"]
    messages = extensions["messages"]["zh"] + extensions["messages"]["en"]
    return extensions["code"], extensions["field"], messages


async def test_a_tampered_or_foreign_cursor_is_refused(admin) -> None:
    http, token = admin
    body = await gql(http, "{ children(first: 2) { edges { cursor node { name } } } }", token=token)
    edge = body["data"]["children"]["edges"][-1]
    cursor = edge["cursor"]
    # nothing of the row's name (an order key, and a personal detail) can be read from it
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    assert edge["node"]["name"].encode() not in raw and b"name" not in raw

    flipped = cursor[:20] + ("A" if cursor[20] != "A" else "B") + cursor[21:]
    code, field, message = await _refusal(admin, CHILDREN, first=2, after=flipped)
    assert (code, field) == ("INVALID", "after")
    assert "游标 after 无效" in message and "not valid" in message

    offset = base64.b64encode(b"cursor:5").decode()  # what the API handed out before
    assert (await _refusal(admin, CHILDREN, first=2, before=offset))[:2] == ("INVALID", "before")

    by_birth = {"o": {"field": "BIRTH_DATE", "direction": "ASC"}}
    code, field, message = await _refusal(admin, CHILDREN, first=2, after=cursor, **by_birth)
    assert (code, field) == ("INVALID", "after")
    assert "另一种排序" in message and "another order" in message
    descending = {"o": {"field": "NAME", "direction": "DESC"}}
    assert (await _refusal(admin, CHILDREN, first=2, after=cursor, **descending))[0] == "INVALID"

    case_cursor = (await _page(admin, CASES, first=1))["pageInfo"]["endCursor"]
    code, field, message = await _refusal(admin, CHILDREN, first=2, after=case_cursor)
    assert (code, field) == ("INVALID", "after") and "another list" in message


async def test_total_count_is_counted_only_when_asked_for(admin) -> None:
    http, token = admin
    for fields in ("edges { cursor node { id } }", "pageInfo { endCursor }"):
        for root in ("children", "cases", "households"):
            with count_statements() as seen:
                body = await gql(http, f"{{ {root}(first: 5) {{ {fields} }} }}", token=token)
            assert "errors" not in body, body
            assert not [s for s in seen if "COUNT(" in s.upper()], (root, seen)
            with count_statements() as seen:
                body = await gql(http, f"{{ {root}(first: 5) {{ totalCount }} }}", token=token)
            assert body["data"][root]["totalCount"] > 0
            assert len([s for s in seen if "COUNT(" in s.upper()]) == 1, (root, seen)
