"""Issue 10, point 2: a case's timeline repeats guardians' names (participants of a contact,
the applicant of an exemption, names in findings and notes); a caller who sees
``guardians.name`` masked sees them masked there too."""

from __future__ import annotations

import json

from strawberry import relay

from core.access.masking import mask_name
from core.cases.models import Case
from tests.access.conftest import LIPU, gql
from tests.security.helpers import token

TIMELINES = """{ cases(first: 100) { edges { node { id reasonDetail
    events { kind details } } } } }"""


async def _guardian_names() -> dict[str, set[str]]:
    """For each 荔浦 case (by global id), the names of its child's guardians and head of
    household (two characters or more)."""
    rows = await Case.filter(jurisdiction__division_code=LIPU).values_list(
        "id", "child__household__head_name", "child__household__guardians__name"
    )
    names: dict[str, set[str]] = {}
    for case_id, head, guardian in rows:
        found = names.setdefault(str(relay.GlobalID("Case", str(case_id))), set())
        found.update(n for n in (head, guardian) if n and len(n) >= 2)
    return names


async def _timelines(http, **credentials) -> list[dict]:
    body = await gql(http, TIMELINES, **credentials)
    assert "errors" not in body, body
    return [e["node"] for e in body["data"]["cases"]["edges"]]


def _leaks(nodes: list[dict], names: dict[str, set[str]]) -> set[str]:
    """The names of each case's own household that its timeline shows unmasked."""
    leaks = set()
    for node in nodes:
        text = json.dumps(node, ensure_ascii=False)
        leaks |= {n for n in names[node["id"]] if n in text}
    return leaks


async def test_an_agency_key_sees_guardians_masked_in_case_timelines(http, counties) -> None:
    names = await _guardian_names()
    nodes = await _timelines(http, key=counties.lipu.api_key)
    assert len(nodes) == await Case.filter(jurisdiction__division_code=LIPU).count()

    assert _leaks(nodes, names) == set()
    participants = [
        p
        for node in nodes
        for event in node["events"]
        for p in event["details"].get("participants", [])
    ]
    masked = {mask_name(n) for found in names.values() for n in found}
    assert any(p in masked for p in participants)  # guardians are there, masked
    applicants = [
        e["details"]["applicantName"]
        for node in nodes
        for e in node["events"]
        if e["kind"] == "EXEMPTION_REQUEST"
    ]
    assert applicants and all(a.endswith("*") for a in applicants)


async def test_a_subject_teacher_sees_guardians_masked_in_case_timelines(http, counties) -> None:
    names = await _guardian_names()
    bearer = await token(http, counties, "SUBJECT_TEACHER")
    nodes = await _timelines(http, token=bearer)
    assert nodes and any(n["events"] for n in nodes)
    assert _leaks(nodes, names) == set()


async def test_a_head_teacher_with_personal_details_sees_the_names(http, counties) -> None:
    names = await _guardian_names()
    bearer = await token(http, counties, "HEAD_TEACHER")
    nodes = await _timelines(http, token=bearer)
    assert _leaks(nodes, names)  # READ_PERSONAL_DETAILS: shown as written
