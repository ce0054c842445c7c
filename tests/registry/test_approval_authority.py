"""Issue 11 point 5 for 休学 and placements: like a 缓学/免学, they are approved only by the
authority the county's rule names (``ExemptionRule.also_approves``) - 荔浦 四.(一): the township;
with no county rule, 义务教育法 第十一条: the township or the county's education department. A
head teacher recording 休学 gets FORBIDDEN and nothing is written."""

from __future__ import annotations

from datetime import date

from core.china_time import local_date
from core.enrolment.models import Enrolment, EnrolmentChange
from core.people.models import Child
from core.visits.models import PlacementAssessment, SupportPlan
from tests.access.conftest import code_of
from tests.registry.helpers import account, class_pupils, gid, gql, token

CHANGE = """mutation($in: RecordEnrolmentChangeInput!) { recordEnrolmentChange(input: $in) {
  enrolment { status version } errors { code field message } } }"""
ASSESS = """mutation($in: RecordPlacementAssessmentInput!) { recordPlacementAssessment(input: $in) {
  assessment { id guardianConsent plan { kind } } errors { code field message } } }"""


async def _township_pupils(counties, county: str = "lipu") -> list[Child]:
    """Attending pupils of schools in the demo township official's town."""
    official = await account(counties, "TOWNSHIP_OFFICIAL", county)
    ids = await Enrolment.filter(
        school__town_id=official.town_id, is_current=True, status="ENROLLED"
    ).values_list("child_id", flat=True)
    return list(await Child.filter(id__in=ids).order_by("id"))


async def _suspend(http, bearer, child, clock):
    version = (await Enrolment.get(child_id=child.id, is_current=True)).version
    variables = {
        "childId": gid("Child", child),
        "kind": "SUSPEND",
        "occurredOn": local_date(clock()).isoformat(),
        "expectedVersion": version,
        "reason": "疾病 (住院治疗)",
        "approvingDocument": "休学审批表 7 号",
    }
    return await gql(http, CHANGE, {"in": variables}, token=bearer)


def _refused(body) -> str:
    """The message of a FORBIDDEN answer (refused before anything is written)."""
    assert code_of(body) == "FORBIDDEN", body
    return body["errors"][0]["message"]


def _done(body) -> dict:
    assert "errors" not in body, body
    result = body["data"]["recordEnrolmentChange"]
    assert result["errors"] == [] and result["enrolment"]["status"] == "SUSPENDED", body
    return result


async def test_suspension_needs_the_countys_approving_authority(http, counties, clock) -> None:
    before = await EnrolmentChange.all().count()
    pupil = (await class_pupils(counties))[0]
    for role in ("HEAD_TEACHER", "COUNTY_ADMIN"):  # 荔浦: the township only
        message = _refused(await _suspend(http, await token(http, counties, role), pupil, clock))
        assert "乡镇" in message and "四、(一)" in message
    assert await EnrolmentChange.all().count() == before
    assert (await Enrolment.get(child_id=pupil.id, is_current=True)).status == "ENROLLED"

    township = await token(http, counties, "TOWNSHIP_OFFICIAL")
    (child, *_) = await _township_pupils(counties)
    _done(await _suspend(http, township, child, clock))
    assert await EnrolmentChange.all().count() == before + 1


async def test_suspension_by_the_law_where_the_county_names_no_one(http, counties, clock) -> None:
    """荣昌 has no exemption rule: 义务教育法 第十一条 - the county bureau may, a school not."""
    teacher = await token(http, counties, "HEAD_TEACHER", county="rongchang")
    teacher_account = await account(counties, "HEAD_TEACHER", county="rongchang")
    ids = await Enrolment.filter(
        school_class_id=teacher_account.school_class_id, is_current=True, status="ENROLLED"
    ).values_list("child_id", flat=True)
    pupil = await Child.filter(id__in=ids).order_by("id").first()
    assert "第十一条" in _refused(await _suspend(http, teacher, pupil, clock))
    admin = await token(http, counties, "COUNTY_ADMIN", county="rongchang")
    _done(await _suspend(http, admin, pupil, clock))


async def test_a_placement_takes_effect_only_with_the_townships_approval(
    http, counties, clock
) -> None:
    today = local_date(clock())
    child = (await _township_pupils(counties))[1]
    await Child.filter(id=child.id).update(
        disability_category="PHYSICAL", disability_grade=1, birth_date=date(today.year - 10, 1, 1)
    )
    consented = {
        "in": {
            "childId": gid("Child", child),
            "assessedOn": today.isoformat(),
            "committee": "荔浦市残疾人教育专家委员会",
            "recommendation": "INCLUSIVE",
            "guardianConsent": True,
            "consentOn": today.isoformat(),
        }
    }
    admin = await token(http, counties, "COUNTY_ADMIN")
    plans = await SupportPlan.filter(child_id=child.id).count()
    assert "一人一案" in _refused(await gql(http, ASSESS, consented, token=admin))
    assert not await PlacementAssessment.filter(child_id=child.id).exists()
    assert await SupportPlan.filter(child_id=child.id).count() == plans

    advice_only = {"in": {**consented["in"], "guardianConsent": False, "consentOn": None}}
    advised = await gql(http, ASSESS, advice_only, token=admin)
    assert advised["data"]["recordPlacementAssessment"]["errors"] == [], advised

    township = await token(http, counties, "TOWNSHIP_OFFICIAL")
    approved = await gql(http, ASSESS, consented, token=township)
    result = approved["data"]["recordPlacementAssessment"]
    assert result["errors"] == [] and result["assessment"]["plan"]["kind"] == "PLACEMENT", approved


CORRECT = """mutation($in: CorrectPlacementAssessmentInput!) {
  correctPlacementAssessment(input: $in) {
    assessment { id version committee recommendation findings }
    errors { code field currentVersion } } }"""


async def test_a_placement_assessment_is_corrected_with_its_version(http, counties, clock) -> None:
    today = local_date(clock())
    advised, took_effect = (await _township_pupils(counties))[2:4]
    for child in (advised, took_effect):
        await Child.filter(id=child.id).update(
            disability_category="PHYSICAL",
            disability_grade=3,
            birth_date=date(today.year - 9, 1, 1),
        )
    township = await token(http, counties, "TOWNSHIP_OFFICIAL")
    made = []
    for child, consent in ((advised, False), (took_effect, True)):
        extra = {"guardianConsent": True, "consentOn": today.isoformat()} if consent else {}
        body = await gql(
            http, ASSESS,
            {"in": {"childId": gid("Child", child), "assessedOn": today.isoformat(),
                    "committee": "专家委员会", "recommendation": "INCLUSIVE", **extra}},
            token=township,
        )  # fmt: skip
        assert body["data"]["recordPlacementAssessment"]["errors"] == [], body
        made.append(body["data"]["recordPlacementAssessment"]["assessment"]["id"])

    admin = await token(http, counties, "COUNTY_ADMIN")

    def fix(i: int, version: int, **fields):
        return {"in": {"id": made[i], "expectedVersion": version, **fields}}

    async def errors(body):
        assert "errors" not in body, body
        return [
            (e["code"], e["field"]) for e in body["data"]["correctPlacementAssessment"]["errors"]
        ]

    assert await errors(await gql(http, CORRECT, fix(0, 1, committee=" "), token=admin)) == [
        ("REQUIRED", "committee")
    ]
    # 荔浦 四.(三)3: 送教上门 only for a severe disability (grade 3 is not)
    home = fix(0, 1, recommendation="HOME_DELIVERED")
    assert await errors(await gql(http, CORRECT, home, token=admin)) == [
        ("INVALID", "recommendation")
    ]
    fixed = await gql(http, CORRECT, fix(0, 1, committee="荔浦市残疾人教育专家委员会",
                                          findings="更正: 轻度肢体残疾"), token=admin)  # fmt: skip
    assert await errors(fixed) == []
    row = fixed["data"]["correctPlacementAssessment"]["assessment"]
    assert (row["version"], row["committee"]) == (2, "荔浦市残疾人教育专家委员会")
    stale = await gql(http, CORRECT, fix(0, 1, findings="旧"), token=admin)
    assert await errors(stale) == [("CONFLICT", "expectedVersion")]
    assert stale["data"]["correctPlacementAssessment"]["errors"][0]["currentVersion"] == 2

    # the placement took effect: the county bureau may not correct it in 荔浦, the township may
    assert "一人一案" in _refused(await gql(http, CORRECT, fix(1, 1, findings="x"), token=admin))
    done = await gql(http, CORRECT, fix(1, 1, findings="复评意见"), token=township)
    assert await errors(done) == []
    assert (await PlacementAssessment.get(child_id=took_effect.id)).findings == "复评意见"
