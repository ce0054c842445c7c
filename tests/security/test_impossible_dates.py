"""Issue 10, point 15: dates no case, visit or grant can have are refused with a typed error
naming the field (never stored, never an internal error)."""

from __future__ import annotations

from datetime import timedelta

from core.assistance.models import Assistance
from core.cases.models import Case
from core.visits.models import HomeVisit
from tests.access.conftest import gql
from tests.security.helpers import (
    CASE,
    confirmed_case,
    gid,
    head_teachers_class,
    pupil_without_open_case,
    token,
)

REPORT = f"""mutation($c: ID!, $at: DateTime!) {{ reportCase(input: {{childId: $c, kind: AT_RISK,
    source: HOUSEHOLD_SURVEY, occurredAt: $at}}) {{ {CASE} }} }}"""


def _field_errors(body: dict, mutation: str) -> list[tuple[str, str]]:
    assert "errors" not in body, body
    return [(e["code"], e["field"]) for e in body["data"][mutation]["errors"]]


async def test_a_report_cannot_be_dated_before_the_child_was_born_or_in_1900(
    http, counties, clock
) -> None:
    bearer = await token(http, counties, "BUREAU_STAFF")
    child = await pupil_without_open_case(await head_teachers_class(counties))
    before_birth = f"{child.birth_date - timedelta(days=1)}T09:00:00+08:00"
    future = (clock() + timedelta(days=3)).isoformat()
    for moment in ("1900-01-01T00:00:00+08:00", before_birth, future):
        body = await gql(http, REPORT, {"c": gid("Child", child), "at": moment}, token=bearer)
        assert _field_errors(body, "reportCase") == [("INVALID", "occurredAt")], moment
    assert not await Case.filter(child_id=child.id, kind="AT_RISK").exists()


async def test_a_return_notice_deadline_far_in_the_future_is_invalid_not_internal(
    http, counties
) -> None:
    bearer = await token(http, counties, "BUREAU_STAFF")
    child = await pupil_without_open_case(await head_teachers_class(counties))
    case = await confirmed_case(http, bearer, child)
    body = await gql(
        http,
        f"""mutation($id: ID!, $v: Int!) {{ issueReturnNotice(input: {{caseId: $id,
             expectedVersion: $v, number: "荔教劝〔2026〕1号", deadline: "9999-12-31"}}) {{
             {CASE} }} }}""",
        {"id": case["id"], "v": case["version"]},
        token=bearer,
    )
    assert _field_errors(body, "issueReturnNotice") == [("INVALID", "deadline")]


async def test_a_home_visit_or_grant_dated_1900_is_refused(http, counties) -> None:
    bearer = await token(http, counties, "BUREAU_STAFF")
    child = await pupil_without_open_case(await head_teachers_class(counties))
    visit = await gql(
        http,
        """mutation($c: ID!) { createHomeVisit(input: {childId: $c, visitedOn: "1900-01-01",
             visitorName: "韦老师"}) { homeVisit { id } errors { code field } } }""",
        {"c": gid("Child", child)},
        token=bearer,
    )
    assert _field_errors(visit, "createHomeVisit") == [("INVALID", "visitedOn")]
    grant = await gql(
        http,
        """mutation($c: ID!) { createAssistance(input: {childId: $c, programme: "NUTRITION",
             amount: "100.00", schoolYear: 1899, grantedOn: "1900-01-01"}) {
             assistance { id } errors { code field } } }""",
        {"c": gid("Child", child)},
        token=bearer,
    )
    assert _field_errors(grant, "createAssistance") == [("INVALID", "grantedOn")]
    assert not await HomeVisit.filter(child_id=child.id, visitor_name="韦老师").exists()
    assert not await Assistance.filter(child_id=child.id, school_year=1899).exists()
