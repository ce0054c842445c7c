"""Recording attendance over HTTP as the county's real callers: the head teacher of class 4,
the head teacher refused for another class, the township official who reads but does not record."""

from __future__ import annotations

import pytest

from core.access.enums import Role
from core.attendance.models import AttendanceMark, ClassDay, ClassDayRevision
from tests.conftest import graphql

from .conftest import record_day, sign_in

# The clock of the case tests starts on Monday 2 March 2026, 09:00 in China (spring term).
MONDAY = "2026-03-02"


async def test_a_head_teacher_records_and_corrects_the_day(http, county, clock) -> None:
    teacher = await sign_in(http, county, Role.HEAD_TEACHER)
    first = await record_day(http, county, teacher, MONDAY, {0: "UNEXPLAINED", 1: "LATE"})
    assert first["errors"] == []
    day = first["classDay"]
    assert (day["expected"], day["present"], day["absent"], day["late"]) == (4, 3, 1, 1)
    assert day["version"] == 1 and first["replacedVersion"] is None
    assert sorted(r["kind"] for r in day["records"]) == ["LATE", "UNEXPLAINED"]

    clock.advance(hours=2)  # the child turns out to be ill: corrected the same day
    second = await record_day(http, county, teacher, MONDAY, {0: "SICK"}, expectedVersion=1)
    assert second["errors"] == []
    day = second["classDay"]
    assert (day["version"], day["absent"], day["late"], second["replacedVersion"]) == (2, 1, 0, 1)
    assert [r["kind"] for r in day["records"]] == ["SICK"]
    assert [(r["version"], r["absent"]) for r in day["revisions"]] == [(1, 1)]
    kinds = {m["childId"]: m["kind"] for m in day["revisions"][0]["marks"]}
    assert kinds == {
        county.gid("Child", county.children[0]): "UNEXPLAINED",
        county.gid("Child", county.children[1]): "LATE",
    }
    assert await AttendanceMark.filter(day="2026-03-02").count() == 1
    assert await ClassDayRevision.all().count() == 1

    stale = await record_day(http, county, teacher, MONDAY, {}, expectedVersion=1)
    assert [e["code"] for e in stale["errors"]] == ["CONFLICT"]

    clock.advance(days=1)  # Tuesday: Monday can no longer be changed
    teacher = await sign_in(http, county, Role.HEAD_TEACHER)
    late = await record_day(http, county, teacher, MONDAY, {})
    assert [(e["code"], e["field"]) for e in late["errors"]] == [("INVALID", "date")]
    assert (await ClassDay.get()).version == 2


@pytest.mark.parametrize(
    ("day", "why"),
    [("2026-03-03", "future"), ("2026-03-01", "Sunday"), ("2026-02-20", "between terms")],
)
async def test_only_a_school_day_up_to_today(http, county, day, why) -> None:
    teacher = await sign_in(http, county, Role.HEAD_TEACHER)
    payload = await record_day(http, county, teacher, day, {0: "SICK"})
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID", "date")], why
    assert await ClassDay.all().count() == 0


async def test_a_school_closure_is_not_a_school_day(http, county) -> None:
    bureau = await sign_in(http, county, Role.BUREAU_STAFF)
    body = await graphql(
        http,
        """mutation($input: AddSchoolClosureInput!) { addSchoolClosure(input: $input) {
            closure { firstDay lastDay reason } errors { code field } } }""",
        {
            "input": {
                "schoolId": county.gid("School", county.school),
                "firstDay": MONDAY,
                "lastDay": MONDAY,
                "reason": "暴雨停课",
            }
        },
        bureau,
    )
    assert body["data"]["addSchoolClosure"]["errors"] == []
    teacher = await sign_in(http, county, Role.HEAD_TEACHER)
    payload = await record_day(http, county, teacher, MONDAY, {})
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID", "date")]


async def test_another_class_and_strangers_are_refused(http, county) -> None:
    teacher = await sign_in(http, county, Role.HEAD_TEACHER)
    other = await record_day(http, county, teacher, MONDAY, {}, school_class=county.class_5)
    assert [(e["code"], e["field"]) for e in other["errors"]] == [("NOT_FOUND", "classId")]
    # a child of another class cannot be listed in class 4's day
    await county.children[3].fetch_related("enrolments")
    enrolment = (await county.children[3].enrolments.all())[0]
    enrolment.school_class_id = county.class_5.id
    await enrolment.save()
    stranger = await record_day(http, county, teacher, MONDAY, {3: "SICK"})
    assert [(e["code"], e["field"]) for e in stranger["errors"]] == [("INVALID", "marks.0.childId")]
    assert await ClassDay.all().count() == 0

    township = await sign_in(http, county, Role.TOWNSHIP_OFFICIAL)
    body = await graphql(
        http,
        """mutation($input: RecordClassAttendanceInput!) { recordClassAttendance(input: $input) {
            errors { code } } }""",
        {
            "input": {
                "classId": county.gid("SchoolClass", county.class_4),
                "date": MONDAY,
                "marks": [],
            }
        },
        township,
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_township_reads_the_day_and_the_childs_record(http, county) -> None:
    teacher = await sign_in(http, county, Role.HEAD_TEACHER)
    await record_day(http, county, teacher, MONDAY, {0: "UNEXPLAINED"})
    follow = await graphql(
        http,
        """mutation($input: RecordAbsenceFollowUpInput!) { recordAbsenceFollowUp(input: $input) {
            followUp { callerName outcome contacted } errors { code field } } }""",
        {
            "input": {
                "childId": county.gid("Child", county.children[0]),
                "date": MONDAY,
                "callerName": "张老师",
                "contacted": "父亲黄大明",
                "outcome": "NOT_REACHED",
            }
        },
        teacher,
    )
    assert follow["data"]["recordAbsenceFollowUp"] == {
        "followUp": {"callerName": "张老师", "outcome": "NOT_REACHED", "contacted": "父亲黄大明"},
        "errors": [],
    }
    present = await graphql(
        http,
        """mutation($input: RecordAbsenceFollowUpInput!) { recordAbsenceFollowUp(input: $input) {
            errors { code field } } }""",
        {
            "input": {
                "childId": county.gid("Child", county.children[1]),
                "date": MONDAY,
                "callerName": "张老师",
                "outcome": "REACHED_RETURNING",
            }
        },
        teacher,
    )
    assert present["data"]["recordAbsenceFollowUp"]["errors"] == [
        {"code": "INVALID", "field": "date"}
    ]

    township = await sign_in(http, county, Role.TOWNSHIP_OFFICIAL)
    body = await graphql(
        http,
        """query($c: ID!, $k: ID!) {
            classAttendance(classId: $c, from: "2026-03-01", to: "2026-03-06") {
                date absent records { kind followUps { callerName outcome } } }
            childAttendance(childId: $k) { totalCount edges { node { date kind isAbsence } } }
        }""",
        {
            "c": county.gid("SchoolClass", county.class_4),
            "k": county.gid("Child", county.children[0]),
        },
        township,
    )
    assert "errors" not in body, body
    assert body["data"]["classAttendance"] == [
        {
            "date": MONDAY,
            "absent": 1,
            "records": [
                {
                    "kind": "UNEXPLAINED",
                    "followUps": [{"callerName": "张老师", "outcome": "NOT_REACHED"}],
                }
            ],
        }
    ]
    assert body["data"]["childAttendance"] == {
        "totalCount": 1,
        "edges": [{"node": {"date": MONDAY, "kind": "UNEXPLAINED", "isAbsence": True}}],
    }
