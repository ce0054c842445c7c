"""Issue 11 point 5: an exemption (缓学/免学) is approved only by the authority the county's
plugin names - in 荔浦 (四.(一)) the township, filed with 基教股 - on the grounds the county
allows (荔浦: illness or special circumstances; a financial reason is not one); rejection and
withdrawal of an application exist; nothing is written when a decision is refused."""

from __future__ import annotations

from core.cases.models import Case, CaseEvent
from core.enrolment.models import Enrolment
from core.people.models import Child
from tests.access.conftest import code_of
from tests.registry.helpers import account, class_pupils, gid, gql, token

CASE = "case { id state version } errors { code field message }"


async def _free(enrolments) -> Child:
    """The first child of ``enrolments`` with no case at all."""
    taken = set(await Case.all().values_list("child_id", flat=True))
    for child_id in await enrolments.order_by("child_id").values_list("child_id", flat=True):
        if child_id not in taken:
            return await Child.get(id=child_id)
    raise AssertionError("no pupil free for a new case")


async def _pupil_of_the_township(counties, county: str = "lipu") -> Child:
    """An attending pupil of a school in the demo township official's town."""
    official = await account(counties, "TOWNSHIP_OFFICIAL", county)
    return await _free(
        Enrolment.filter(school__town_id=official.town_id, is_current=True, status="ENROLLED")
    )


async def _do(http, bearer, mutation, case, **fields):
    input_type = mutation[0].upper() + mutation[1:] + "Input"
    body = await gql(
        http,
        f"mutation($in: {input_type}!) {{ {mutation}(input: $in) {{ {CASE} }} }}",
        {"in": {"caseId": case["id"], "expectedVersion": case["version"], **fields}},
        token=bearer,
    )
    return body


async def _ok(http, bearer, mutation, case, **fields):
    body = await _do(http, bearer, mutation, case, **fields)
    assert "errors" not in body, body
    assert body["data"][mutation]["errors"] == [], body
    return body["data"][mutation]["case"]


async def _confirmed(http, bearer, child):
    body = await gql(
        http,
        f"""mutation($c: ID!) {{ reportCase(input: {{childId: $c, kind: DROPOUT,
             source: HEAD_TEACHER_REPORT, reason: "ILLNESS"}}) {{ {CASE} }} }}""",
        {"c": gid("Child", child)},
        token=bearer,
    )
    case = body["data"]["reportCase"]["case"]
    case = await _ok(http, bearer, "verifyCase", case)
    return await _ok(http, bearer, "confirmCase", case, findings="重病住院")


APPLICATION = {"applicantName": "黄大明", "applicationReference": "缓学申请书 档案 7 号"}


async def test_in_lipu_only_the_township_approves_an_exemption(http, counties) -> None:
    child = await _pupil_of_the_township(counties)
    bureau = await token(http, counties, "COUNTY_ADMIN")
    case = await _confirmed(http, bureau, child)

    financial = await _do(http, bureau, "requestExemption", case, reason="FINANCIAL", **APPLICATION)
    errors = financial["data"]["requestExemption"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID", "reason")]
    assert "ILLNESS" in errors[0]["message"]
    case = await _ok(http, bureau, "requestExemption", case, reason="ILLNESS", **APPLICATION)

    stored = await Case.get(child_id=child.id, kind="DROPOUT")
    events_before = await CaseEvent.filter(case_id=stored.id).count()
    for role in ("COUNTY_ADMIN", "REGISTRAR"):
        refused = await _do(
            http, await token(http, counties, role), "approveExemption", case,
            approvingAuthority="荔浦市教育局",
        )  # fmt: skip
        assert code_of(refused) == "FORBIDDEN", refused
        assert "乡镇" in refused["errors"][0]["message"]
    after = await Case.get(id=stored.id)
    assert (after.state, after.version) == (stored.state, stored.version)
    assert await CaseEvent.filter(case_id=stored.id).count() == events_before

    township = await token(http, counties, "TOWNSHIP_OFFICIAL")
    approved = await _ok(
        http, township, "approveExemption", case, approvingAuthority="某镇人民政府",
        documentNumber="镇政〔2026〕3号",
    )  # fmt: skip
    assert approved["state"] == "EXEMPTED"
    event = await CaseEvent.filter(case_id=stored.id, kind="EXEMPTION_APPROVAL").first()
    assert event.details["filedWith"] == "市教育局基教股"
    current = await Enrolment.get(child_id=child.id, is_current=True)
    assert current.status == "SUSPENDED"


async def test_a_head_teacher_cannot_approve_with_any_words(http, counties) -> None:
    taken = set(await Case.all().values_list("child_id", flat=True))
    child = next(c for c in await class_pupils(counties) if c.id not in taken)
    teacher = await token(http, counties, "HEAD_TEACHER")
    case = await _confirmed(http, teacher, child)
    case = await _ok(http, teacher, "requestExemption", case, reason="ILLNESS", **APPLICATION)
    refused = await _do(
        http, teacher, "approveExemption", case, approvingAuthority="班主任自己"
    )  # fmt: skip
    assert code_of(refused) == "FORBIDDEN"
    assert (await Case.get(child_id=child.id, kind="DROPOUT")).state == "CONFIRMED"


async def test_rejection_and_withdrawal_end_an_application(http, counties) -> None:
    child = await _pupil_of_the_township(counties)
    bureau = await token(http, counties, "COUNTY_ADMIN")
    township = await token(http, counties, "TOWNSHIP_OFFICIAL")
    case = await _confirmed(http, bureau, child)
    case = await _ok(http, bureau, "requestExemption", case, reason="ILLNESS", **APPLICATION)

    refused = await _do(
        http, bureau, "rejectExemption", case, rejectingAuthority="教育局", reason="材料不足"
    )  # fmt: skip
    assert code_of(refused) == "FORBIDDEN"
    no_reason = await _do(
        http, township, "rejectExemption", case, rejectingAuthority="某镇", reason=" "
    )  # fmt: skip
    assert [e["field"] for e in no_reason["data"]["rejectExemption"]["errors"]] == ["reason"]
    case = await _ok(
        http, township, "rejectExemption", case, rejectingAuthority="某镇人民政府",
        reason="未提供县级医院诊断证明",
    )  # fmt: skip
    assert case["state"] == "CONFIRMED"
    late = await _do(http, township, "approveExemption", case, approvingAuthority="某镇人民政府")
    assert [e["code"] for e in late["data"]["approveExemption"]["errors"]] == ["REQUIRED"]

    case = await _ok(http, bureau, "requestExemption", case, reason="ILLNESS", **APPLICATION)
    case = await _ok(http, bureau, "withdrawExemption", case, reason="家长撤回, 孩子已康复")
    again = await _do(http, bureau, "withdrawExemption", case)
    assert [e["code"] for e in again["data"]["withdrawExemption"]["errors"]] == ["REQUIRED"]
    late = await _do(http, township, "approveExemption", case, approvingAuthority="某镇人民政府")
    assert [e["code"] for e in late["data"]["approveExemption"]["errors"]] == ["REQUIRED"]
    kinds = await CaseEvent.filter(case__child_id=child.id).values_list("kind", flat=True)
    assert {"EXEMPTION_REJECTION", "EXEMPTION_WITHDRAWAL"} <= {k.value for k in kinds}


async def test_where_the_county_names_no_rule_the_law_lets_the_bureau_approve(
    http, counties
) -> None:
    child = await _pupil_of_the_township(counties, "rongchang")
    bureau = await token(http, counties, "COUNTY_ADMIN", county="rongchang")
    case = await _confirmed(http, bureau, child)
    other = await _do(http, bureau, "requestExemption", case, reason="OTHER", **APPLICATION)
    assert [e["field"] for e in other["data"]["requestExemption"]["errors"]] == ["reason"]
    case = await _ok(http, bureau, "requestExemption", case, reason="ILLNESS", **APPLICATION)
    approved = await _ok(http, bureau, "approveExemption", case, approvingAuthority="荣昌区教委")
    assert approved["state"] == "EXEMPTED"
