"""Issue 11 point 3: 一生一策 plans with measures, a responsible teacher and review dates
(overdue reviews listed), 一人一案 with the expert committee's assessment and the guardian's
consent, 送教上门 held to the county's rule (荔浦 四.(三)3: 6–16 year olds, severe disability)
wherever it is recorded, and a school's 一校一案 - through HTTP, as school staff would."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from core.china_time import local_date
from core.enrolment.models import Enrolment
from core.people.models import Child
from core.visits.models import PlacementAssessment, SchoolPlan, SupportPlan
from tests.registry.helpers import account, class_pupils, errors_of, gid, gql, token

PLAN = "supportPlan { id kind measures reviewOn lastReviewedOn version isReviewOverdue " \
    "mentor { id } } errors { code field message currentVersion }"  # fmt: skip
CREATE = f"mutation($in: CreateSupportPlanInput!) {{ createSupportPlan(input: $in) {{ {PLAN} }} }}"
UPDATE = f"mutation($in: UpdateSupportPlanInput!) {{ updateSupportPlan(input: $in) {{ {PLAN} }} }}"
ASSESS = """mutation($in: RecordPlacementAssessmentInput!) { recordPlacementAssessment(input: $in) {
  assessment { id recommendation guardianConsent committee plan { kind measures } }
  errors { code field message } } }"""
OVERDUE = "{ overdueSupportPlanReviews(first: 50) { totalCount edges { node { id } } } }"


def _day(clock, days: int = 0) -> str:
    return (local_date(clock()) + timedelta(days=days)).isoformat()


async def test_one_student_one_policy_with_reviews(http, counties, clock) -> None:
    teacher = await token(http, counties, "HEAD_TEACHER")
    teacher_account = await account(counties, "HEAD_TEACHER")
    mentor = gid("Official", teacher_account.official_id) if teacher_account.official_id else None
    child = (await class_pupils(counties))[0]
    base = {"childId": gid("Child", child), "kind": "ONE_STUDENT_ONE_POLICY",
            "startedOn": _day(clock, -60)}  # fmt: skip

    none = await gql(http, CREATE, {"in": base}, token=teacher)
    assert errors_of(none, "createSupportPlan") == [("REQUIRED", "measures")]
    backwards = await gql(
        http, CREATE, {"in": {**base, "measures": ["每周谈心"], "reviewOn": _day(clock, -90)}},
        token=teacher,
    )  # fmt: skip
    assert errors_of(backwards, "createSupportPlan") == [("INVALID", "reviewOn")]
    made = await gql(
        http, CREATE,
        {"in": {**base, "measures": ["每周谈心一次", "学业辅导: 数学"], "mentorId": mentor,
                "reviewOn": _day(clock, -1)}},
        token=teacher,
    )  # fmt: skip
    assert errors_of(made, "createSupportPlan") == []
    plan = made["data"]["createSupportPlan"]["supportPlan"]
    assert plan["isReviewOverdue"] is True and plan["measures"][0] == "每周谈心一次"
    overdue = await gql(http, OVERDUE, token=teacher)
    assert plan["id"] in [
        e["node"]["id"] for e in overdue["data"]["overdueSupportPlanReviews"]["edges"]
    ]

    reviewed = await gql(
        http, UPDATE,
        {"in": {"id": plan["id"], "expectedVersion": 1, "reviewedOn": _day(clock),
                "reviewOn": _day(clock, 90), "measures": ["每周谈心一次", "家访每月一次"]}},
        token=teacher,
    )  # fmt: skip
    assert errors_of(reviewed, "updateSupportPlan") == []
    after = reviewed["data"]["updateSupportPlan"]["supportPlan"]
    assert (after["version"], after["isReviewOverdue"], after["lastReviewedOn"]) == (
        2, False, _day(clock)
    )  # fmt: skip
    stale = await gql(
        http, UPDATE, {"in": {"id": plan["id"], "expectedVersion": 1, "plan": "x"}}, token=teacher
    )
    assert errors_of(stale, "updateSupportPlan") == [("CONFLICT", "expectedVersion")]
    overdue = await gql(http, OVERDUE, token=teacher)
    assert plan["id"] not in [
        e["node"]["id"] for e in overdue["data"]["overdueSupportPlanReviews"]["edges"]
    ]
    foreign = await token(http, counties, "COUNTY_ADMIN", county="rongchang")
    outside = await gql(
        http, UPDATE, {"in": {"id": plan["id"], "expectedVersion": 2, "plan": "x"}}, token=foreign
    )
    assert errors_of(outside, "updateSupportPlan") == [("NOT_FOUND", "id")]


async def _disabled(child: Child, grade: int, born: date | None = None) -> Child:
    values = {"disability_category": "PHYSICAL", "disability_grade": grade}
    if born is not None:
        values["birth_date"] = born
    await Child.filter(id=child.id).update(**values)
    return await Child.get(id=child.id)


async def test_home_delivery_follows_the_countys_rule_wherever_recorded(
    http, counties, clock
) -> None:
    admin = await token(http, counties, "COUNTY_ADMIN")
    pupils = await class_pupils(counties)
    today = local_date(clock())
    severe = await _disabled(pupils[1], 1, date(today.year - 10, 1, 1))
    moderate = await _disabled(pupils[2], 3, date(today.year - 10, 1, 1))
    too_old = await _disabled(pupils[3], 1, date(today.year - 17, 1, 1))
    plain = pupils[4]

    def assessment(child, recommendation="HOME_DELIVERED", **extra):
        return {"in": {"childId": gid("Child", child), "assessedOn": _day(clock, -10),
                       "committee": "荔浦市残疾人教育专家委员会",
                       "recommendation": recommendation, **extra}}  # fmt: skip

    for child, field, word in ((moderate, "recommendation", "残疾等级"),
                               (too_old, "recommendation", "16"),
                               (plain, "childId", "残疾")):  # fmt: skip
        body = await gql(http, ASSESS, assessment(child), token=admin)
        errors = body["data"]["recordPlacementAssessment"]["errors"]
        assert [(e["code"], e["field"]) for e in errors] == [("INVALID", field)], body
        assert word in errors[0]["message"]
    no_date = await gql(http, ASSESS, assessment(severe, guardianConsent=True), token=admin)
    assert errors_of(no_date, "recordPlacementAssessment") == [("REQUIRED", "consentOn")]
    assert not await PlacementAssessment.all().exists()

    body = await gql(
        http, ASSESS,
        assessment(severe, guardianConsent=True, consentOn=_day(clock, -5),
                   measures=["每周送教上门两次", "康复训练"]),
        token=await token(http, counties, "TOWNSHIP_OFFICIAL"),  # 荔浦 四.(一): the township
    )  # fmt: skip
    assert errors_of(body, "recordPlacementAssessment") == []
    made = body["data"]["recordPlacementAssessment"]["assessment"]
    assert made["plan"]["kind"] == "PLACEMENT" and made["guardianConsent"] is True
    inclusive = await gql(http, ASSESS, assessment(moderate, "INCLUSIVE"), token=admin)
    assert errors_of(inclusive, "recordPlacementAssessment") == []

    teaching = {"kind": "HOME_DELIVERED_TEACHING", "startedOn": _day(clock, -1),
                "measures": ["每周二、四下午送教"]}  # fmt: skip
    ok = await gql(http, CREATE, {"in": {"childId": gid("Child", severe), **teaching}}, token=admin)
    assert errors_of(ok, "createSupportPlan") == []
    refused = await gql(
        http, CREATE, {"in": {"childId": gid("Child", moderate), **teaching}}, token=admin
    )
    assert errors_of(refused, "createSupportPlan") == [("INVALID", "kind")]

    change = """mutation($in: RecordEnrolmentChangeInput!) { recordEnrolmentChange(input: $in) {
      enrolment { mode } errors { code field } } }"""
    for child, expected in ((moderate, [("INVALID", "mode")]), (severe, [])):
        version = (await Enrolment.get(child_id=child.id, is_current=True)).version
        body = await gql(
            http, change,
            {"in": {"childId": gid("Child", child), "kind": "CHANGE_MODE",
                    "occurredOn": _day(clock), "expectedVersion": version,
                    "mode": "HOME_DELIVERED"}},
            token=admin,
        )  # fmt: skip
        assert errors_of(body, "recordEnrolmentChange") == expected
    assert await SupportPlan.filter(child_id=moderate.id).count() == 0


async def test_a_schools_one_school_one_plan(http, counties, clock) -> None:
    admin = await token(http, counties, "COUNTY_ADMIN")
    school_id = (
        await Enrolment.filter(child_id=(await class_pupils(counties))[0].id).first()
    ).school_id
    query = """mutation($in: CreateSchoolPlanInput!) { createSchoolPlan(input: $in) {
      schoolPlan { id schoolYear measures school { id plans { schoolYear } } }
      errors { code field } } }"""
    data = {"schoolId": gid("School", school_id), "schoolYear": local_date(clock()).year - 1,
            "content": "本校控辍保学工作方案", "measures": ["建立辍学预警台账"]}  # fmt: skip
    body = await gql(http, query, {"in": data}, token=admin)
    assert errors_of(body, "createSchoolPlan") == []
    assert body["data"]["createSchoolPlan"]["schoolPlan"]["school"]["plans"] == [
        {"schoolYear": data["schoolYear"]}
    ]
    again = await gql(http, query, {"in": data}, token=admin)
    assert errors_of(again, "createSchoolPlan") == [("DUPLICATE", "schoolYear")]
    empty = await gql(
        http, query, {"in": {**data, "content": " ", "schoolYear": 2025}}, token=admin
    )
    assert errors_of(empty, "createSchoolPlan") == [("REQUIRED", "content")]


async def test_a_school_plan_is_corrected_with_its_version(http, counties, clock) -> None:
    admin = await token(http, counties, "COUNTY_ADMIN")
    school_id = (
        await Enrolment.filter(child_id=(await class_pupils(counties))[0].id).first()
    ).school_id
    create = """mutation($in: CreateSchoolPlanInput!) { createSchoolPlan(input: $in) {
      schoolPlan { id version } errors { code field } } }"""
    update = """mutation($in: UpdateSchoolPlanInput!) { updateSchoolPlan(input: $in) {
      schoolPlan { id version content measures schoolYear }
      errors { code field currentVersion } } }"""
    made = await gql(
        http, create,
        {"in": {"schoolId": gid("School", school_id), "schoolYear": local_date(clock()).year,
                "content": "初稿", "measures": ["建立台账"]}},
        token=admin,
    )  # fmt: skip
    plan = made["data"]["createSchoolPlan"]["schoolPlan"]

    def change(version: int, **fields):
        return {"in": {"id": plan["id"], "expectedVersion": version, **fields}}

    empty = await gql(http, update, change(1, content="  "), token=admin)
    assert errors_of(empty, "updateSchoolPlan") == [("REQUIRED", "content")]
    foreign = await token(http, counties, "COUNTY_ADMIN", county="rongchang")
    outside = await gql(http, update, change(1, content="他县修改"), token=foreign)
    assert errors_of(outside, "updateSchoolPlan") == [("NOT_FOUND", "id")]

    first, second = await asyncio.gather(
        gql(http, update, change(1, content="第二稿"), token=admin),
        gql(http, update, change(1, content="另一第二稿"), token=admin),
    )
    codes = sorted(
        [e["code"] for e in b["data"]["updateSchoolPlan"]["errors"]] for b in (first, second)
    )
    assert codes == [[], ["CONFLICT"]], (first, second)
    done = await gql(http, update, change(2, measures=["建立台账", "每月家访"]), token=admin)
    assert errors_of(done, "updateSchoolPlan") == []
    result = done["data"]["updateSchoolPlan"]["schoolPlan"]
    assert result["version"] == 3 and result["measures"] == ["建立台账", "每月家访"]
    assert result["content"] in ("第二稿", "另一第二稿")
    stale = await gql(http, update, change(2, content="旧版本"), token=admin)
    (error,) = stale["data"]["updateSchoolPlan"]["errors"]
    assert (error["code"], error["currentVersion"]) == ("CONFLICT", 3)
    stored = await SchoolPlan.get(school_id=school_id, school_year=result["schoolYear"])
    assert stored.content != "旧版本" and stored.version == 3
