"""Fixtures of the attendance tests: the case tests' small county (a 班主任 of class 4, a 乡镇干部
and the 教育局), its movable clock and an HTTP client of a server reading that clock."""

from __future__ import annotations

from typing import Any

import httpx

from tests.access.conftest import fast_argon2  # noqa: F401 - fixture: cheap password hashes
from tests.cases.conftest import (  # noqa: F401 - fixtures
    County,
    clock,
    county,
    http,
    sign_in,
)
from tests.conftest import graphql

DAY_FIELDS = """
    id date expected present absent late version recordedByName
    records { kind note child { id } followUps { callerName outcome } }
    revisions { version absent marks { childId kind } }
"""

RECORD = (
    """mutation($input: RecordClassAttendanceInput!) { recordClassAttendance(input: $input) {
    replacedVersion classDay { """
    + DAY_FIELDS
    + """ } errors { code field message } } }"""
)


async def record_day(
    client: httpx.AsyncClient,
    place: County,
    headers: dict[str, str],
    day: str,
    marks: dict[int, str],
    school_class: Any = None,
    **extra: Any,
) -> dict[str, Any]:
    """``recordClassAttendance`` for class 4 (or ``school_class``); ``marks`` maps the index of a
    child of the county to its kind. Returns the payload."""
    body = await graphql(
        client,
        RECORD,
        {
            "input": {
                "classId": place.gid("SchoolClass", school_class or place.class_4),
                "date": day,
                "marks": [
                    {"childId": place.gid("Child", place.children[i]), "kind": kind}
                    for i, kind in marks.items()
                ],
                **extra,
            }
        },
        headers,
    )
    assert "errors" not in body, body
    return body["data"]["recordClassAttendance"]
