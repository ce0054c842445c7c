"""A caller who may read a record but not what it points to gets a typed FORBIDDEN naming the
permission it lacks, never an internal error: a partner agency's READ_CASES key asking for a
case's child (a roster row, READ_ROSTER)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.access.api_keys import create_key
from core.access.enums import Permission
from core.cases.models import Case
from tests.security.conftest import LIPU, gql


async def _key(*permissions: Permission) -> str:
    now = datetime.now(UTC)
    issued = await create_key(
        agency="荔浦市民政局",
        jurisdiction_code=LIPU,
        permissions=list(permissions),
        expires_at=now + timedelta(days=3),
        now=now,
    )
    return issued.secret


async def test_a_cases_key_asking_for_the_child_is_forbidden_naming_read_roster(
    http, counties
) -> None:
    key = await _key(Permission.READ_CASES)
    body = await gql(http, "{ cases(first: 3) { edges { node { id child { name } } } } }", key=key)
    # the child is non-null, so the answer is null up to the root, with the reason
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN", body
    assert error["path"] == ["cases", "edges", 0, "node", "child"]
    assert "READ_ROSTER" in error["message"]
    assert "internal" not in str(body).lower()
    # what the key may read it still reads
    cases = await gql(http, "{ cases(first: 3) { totalCount edges { node { state } } } }", key=key)
    assert "errors" not in cases, cases
    lipu = await Case.filter(jurisdiction__division_code=LIPU).count()
    assert cases["data"]["cases"]["totalCount"] == lipu


async def test_with_the_roster_permission_the_child_is_there(http, counties) -> None:
    key = await _key(Permission.READ_CASES, Permission.READ_ROSTER)
    body = await gql(http, "{ cases(first: 3) { edges { node { child { name } } } } }", key=key)
    assert "errors" not in body, body
    assert len(body["data"]["cases"]["edges"]) == 3
    assert all(e["node"]["child"]["name"] for e in body["data"]["cases"]["edges"])
