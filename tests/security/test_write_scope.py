"""Issue 10, points 4 and 7: every id a mutation is given is looked up in the caller's scope
(and in the record's county); an id outside it is NOT_FOUND, and nothing is written."""

from __future__ import annotations

from datetime import date

from core.cases.enums import CaseEventKind
from core.cases.models import Case, CaseEvent
from core.enrolment.models import Enrolment, EnrolmentChange
from core.officials.models import Official
from core.schools.models import School, SchoolClass
from core.visits.models import HomeVisit
from tests.access.conftest import LIPU, RONGCHANG, gql
from tests.security.helpers import (
    CASE,
    confirmed_case,
    gid,
    head_teachers_class,
    pupil_without_open_case,
    reported_case,
    token,
)

RETURN = f"""mutation($id: ID!, $v: Int!, $k: ID!) {{ recordReturn(input: {{caseId: $id,
    expectedVersion: $v, schoolClassId: $k}}) {{ {CASE} }} }}"""


async def _nothing_returned(case_id: str, child_id) -> None:
    """The refused return wrote nothing: no event, no 学籍异动, the enrolment unchanged."""
    case = await Case.get(child_id=child_id, kind="AT_RISK")
    assert case.state == "CONFIRMED"
    assert not await CaseEvent.filter(case_id=case.id, kind=CaseEventKind.RETURN).exists()
    assert not await EnrolmentChange.filter(case_id=case.id).exists()
    assert await Enrolment.filter(child_id=child_id, is_current=True).count() == 1


async def test_a_head_teacher_cannot_return_a_child_into_another_countys_class(
    http, counties
) -> None:
    bearer = await token(http, counties, "HEAD_TEACHER")
    child = await pupil_without_open_case(await head_teachers_class(counties))
    case = await confirmed_case(http, bearer, child)
    foreign = await SchoolClass.filter(school__jurisdiction__division_code=RONGCHANG).first()

    body = await gql(
        http, RETURN, {"id": case["id"], "v": case["version"], "k": gid("SchoolClass", foreign)},
        token=bearer,
    )  # fmt: skip

    assert "errors" not in body, body
    errors = body["data"]["recordReturn"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("NOT_FOUND", "schoolClassId")]
    assert not await Enrolment.filter(child_id=child.id, school_class_id=foreign.id).exists()
    await _nothing_returned(case["id"], child.id)


async def test_a_return_outside_the_head_teachers_class_is_refused_before_anything_is_written(
    http, counties
) -> None:
    """Point 7: the return used to commit, then answer INTERNAL (the child had left the
    teacher's scope, so ``case.child`` resolved to null)."""
    bearer = await token(http, counties, "HEAD_TEACHER")
    own_class = await head_teachers_class(counties)
    child = await pupil_without_open_case(own_class)
    case = await confirmed_case(http, bearer, child)
    elsewhere = (
        await SchoolClass.filter(school__jurisdiction__division_code=LIPU)
        .exclude(id=own_class)
        .first()
    )

    body = await gql(
        http,
        RETURN.replace("state version }", "state version child { name } }"),
        {"id": case["id"], "v": case["version"], "k": gid("SchoolClass", elsewhere)},
        token=bearer,
    )

    assert "errors" not in body, body  # no INTERNAL, no data: null
    errors = body["data"]["recordReturn"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("NOT_FOUND", "schoolClassId")]
    assert body["data"]["recordReturn"]["case"]["state"] == "CONFIRMED"
    await _nothing_returned(case["id"], child.id)


async def test_another_countys_school_and_official_cannot_be_named_in_a_report(
    http, counties
) -> None:
    bearer = await token(http, counties, "BUREAU_STAFF")
    child = await pupil_without_open_case(await head_teachers_class(counties))
    school = await School.filter(jurisdiction__division_code=RONGCHANG).first()
    official = await Official.filter(jurisdiction__division_code=RONGCHANG).first()
    report = f"""mutation($input: ReportCaseInput!) {{ reportCase(input: $input) {{ {CASE} }} }}"""
    base = {"childId": gid("Child", child), "kind": "AT_RISK", "source": "HOUSEHOLD_SURVEY"}

    for extra, field in (
        ({"schoolId": gid("School", school)}, "schoolId"),
        ({"actorId": gid("Official", official)}, "actorId"),
    ):
        body = await gql(http, report, {"input": {**base, **extra}}, token=bearer)
        assert "errors" not in body, body
        errors = body["data"]["reportCase"]["errors"]
        assert [(e["code"], e["field"]) for e in errors] == [("NOT_FOUND", field)], body
    assert not await Case.filter(child_id=child.id, kind="AT_RISK").exists()


async def test_another_countys_official_cannot_act_on_a_case_or_visit_a_child(
    http, counties
) -> None:
    bearer = await token(http, counties, "BUREAU_STAFF")
    child = await pupil_without_open_case(await head_teachers_class(counties))
    official = await Official.filter(jurisdiction__division_code=RONGCHANG).first()
    case = await reported_case(http, bearer, child)

    verify = await gql(
        http,
        f"""mutation($id: ID!, $a: ID!) {{ verifyCase(input: {{caseId: $id, expectedVersion: 1,
             actorId: $a}}) {{ {CASE} }} }}""",
        {"id": case["id"], "a": gid("Official", official)},
        token=bearer,
    )
    errors = verify["data"]["verifyCase"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("NOT_FOUND", "actorId")], verify
    new_case = await Case.get(child_id=child.id, kind="AT_RISK")
    assert await CaseEvent.filter(case_id=new_case.id).count() == 1  # the report only

    visit = await gql(
        http,
        """mutation($c: ID!, $v: ID!, $d: Date!) { createHomeVisit(input: {childId: $c,
             visitedOn: $d, visitorId: $v}) { homeVisit { id visitorName }
             errors { code field } } }""",
        {"c": gid("Child", child), "v": gid("Official", official), "d": date.today().isoformat()},
        token=bearer,
    )
    errors = visit["data"]["createHomeVisit"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("NOT_FOUND", "visitorId")], visit
    assert not await HomeVisit.filter(visitor_id=official.id, child_id=child.id).exists()


async def test_a_rongchang_child_cannot_be_visited_or_reported_from_lipu(http, counties) -> None:
    bearer = await token(http, counties, "BUREAU_STAFF")
    foreign = await Enrolment.filter(
        school__jurisdiction__division_code=RONGCHANG, is_current=True
    ).first()
    body = await gql(
        http,
        """mutation($c: ID!, $d: Date!) { createHomeVisit(input: {childId: $c, visitedOn: $d,
             visitorName: "张老师"}) { homeVisit { id } errors { code field } } }""",
        {"c": gid("Child", foreign.child_id), "d": date.today().isoformat()},
        token=bearer,
    )
    errors = body["data"]["createHomeVisit"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("NOT_FOUND", "childId")], body
    assert not await HomeVisit.filter(child_id=foreign.child_id, visitor_name="张老师").exists()
