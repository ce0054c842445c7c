"""Issue 11 point 2: 学籍异动 recorded directly through HTTP - 转入, 转出, 休学/复学, 毕业, 死亡 and
the ways of being enrolled - with an append-only history, impossible changes refused with what
is allowed, a version per enrolment, and scope (a head teacher: their class; a township
official: reads 学籍 but does not write it)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from core.china_time import local_date
from core.enrolment.models import Enrolment, EnrolmentChange
from core.people.models import Child
from tests.access.conftest import code_of
from tests.registry.helpers import account, class_pupils, errors_of, gid, gql, token

CHANGE = """mutation($in: RecordEnrolmentChangeInput!) { recordEnrolmentChange(input: $in) {
  enrolment { id status mode modeSince isCurrent version grade endedOn schoolClass { id } }
  change { kind occurredOn statusAfter counterpartSchool reason approvingDocument modeAfter }
  child { id enrolmentChanges { kind occurredOn counterpartSchool } }
  errors { code field message currentVersion allowedChanges } } }"""


def _today(clock) -> str:
    return local_date(clock()).isoformat()


async def _current(child: Child) -> Enrolment:
    return await Enrolment.get(child_id=child.id, is_current=True)


async def _change(http, bearer, child, kind, clock, **extra):
    variables = {"childId": gid("Child", child), "kind": kind, "occurredOn": _today(clock)}
    variables.update(extra)
    return await gql(http, CHANGE, {"in": variables}, token=bearer)


async def test_a_transfer_in_and_out_shows_in_the_history(http, counties, clock) -> None:
    admin = await token(http, counties, "COUNTY_ADMIN")
    made = await gql(
        http,
        """mutation { createChild(input: {name: "覃转入", gender: FEMALE, birthDate: "2016-02-02"})
           { child { id } errors { code field } } }""",
        token=admin,
    )
    child = await Child.get(name="覃转入")
    teacher_account = await account(counties, "HEAD_TEACHER")
    teacher = await token(http, counties, "HEAD_TEACHER")
    klass = gid("SchoolClass", teacher_account.school_class_id)

    missing = await _change(http, teacher, child, "TRANSFER_IN", clock, schoolClassId=klass)
    assert errors_of(missing, "recordEnrolmentChange") == [("REQUIRED", "counterpartSchool")]
    body = await _change(
        http, teacher, child, "TRANSFER_IN", clock,
        schoolClassId=klass, counterpartSchool="广东省东莞市某小学",
    )  # fmt: skip
    assert errors_of(body, "recordEnrolmentChange") == [], made
    result = body["data"]["recordEnrolmentChange"]
    assert result["enrolment"]["status"] == "ENROLLED" and result["enrolment"]["mode"] == "REGULAR"
    assert result["enrolment"]["schoolClass"]["id"] == klass
    assert result["change"]["counterpartSchool"] == "广东省东莞市某小学"

    again = await _change(
        http, teacher, child, "ENROL", clock, schoolClassId=klass
    )  # a second current enrolment
    (error,) = again["data"]["recordEnrolmentChange"]["errors"]
    assert error["code"] == "INVALID_TRANSITION" and "TRANSFER_OUT" in error["allowedChanges"]
    assert "两个" in error["message"]

    out = await _change(
        http, teacher, child, "TRANSFER_OUT", clock,
        expectedVersion=1, counterpartSchool="广西桂林市某小学",
    )  # fmt: skip
    assert errors_of(out, "recordEnrolmentChange") == []
    history = out["data"]["recordEnrolmentChange"]["child"]["enrolmentChanges"]
    assert [h["kind"] for h in history] == ["TRANSFER_IN", "TRANSFER_OUT"]
    enrolment = out["data"]["recordEnrolmentChange"]["enrolment"]
    assert enrolment["status"] == "TRANSFERRED_OUT" and enrolment["endedOn"] == _today(clock)


async def _township_pupil(counties) -> Child:
    """An attending pupil of a school in the 荔浦 township official's town (荔浦 四.(一): the
    township approves 休学, so records it)."""
    official = await account(counties, "TOWNSHIP_OFFICIAL")
    enrolment = (
        await Enrolment.filter(school__town_id=official.town_id, is_current=True, status="ENROLLED")
        .order_by("child_id")
        .first()
    )
    return await Child.get(id=enrolment.child_id)


async def test_suspension_resumption_and_impossible_changes(http, counties, clock) -> None:
    township = await token(http, counties, "TOWNSHIP_OFFICIAL")  # 休学: the approving township
    admin = await token(http, counties, "COUNTY_ADMIN")  # 复学: the 学籍's keeper
    child = await _township_pupil(counties)
    enrolment = await _current(child)
    changes_before = await EnrolmentChange.filter(child_id=child.id).count()
    v = enrolment.version

    resume = await _change(
        http, admin, child, "RESUME", clock, expectedVersion=v, approvingDocument="复学审批表1"
    )  # fmt: skip
    (error,) = resume["data"]["recordEnrolmentChange"]["errors"]
    assert error["code"] == "INVALID_TRANSITION" and "SUSPEND" in error["allowedChanges"]
    assert "休学" in error["message"] and "RESUME" in error["message"]
    dropout = await _change(http, admin, child, "DROP_OUT", clock, expectedVersion=v)
    assert errors_of(dropout, "recordEnrolmentChange") == [("INVALID_TRANSITION", "kind")]

    no_doc = await _change(
        http, township, child, "SUSPEND", clock, expectedVersion=v, reason="疾病 (住院治疗)"
    )  # fmt: skip
    assert errors_of(no_doc, "recordEnrolmentChange") == [("REQUIRED", "approvingDocument")]
    no_version = await _change(
        http, township, child, "SUSPEND", clock, reason="疾病", approvingDocument="休学审批表 3 号"
    )  # fmt: skip
    assert errors_of(no_version, "recordEnrolmentChange") == [("REQUIRED", "expectedVersion")]
    future = await _change(
        http, township, child, "SUSPEND", clock, expectedVersion=v, reason="疾病",
        approvingDocument="休学审批表 3 号",
        occurredOn=(local_date(clock()) + timedelta(days=5)).isoformat(),
    )  # fmt: skip
    assert errors_of(future, "recordEnrolmentChange") == [("INVALID", "occurredOn")]
    assert await EnrolmentChange.filter(child_id=child.id).count() == changes_before

    suspend = await _change(
        http, township, child, "SUSPEND", clock, expectedVersion=v, reason="疾病 (住院治疗)",
        approvingDocument="休学审批表 3 号",
    )  # fmt: skip
    assert errors_of(suspend, "recordEnrolmentChange") == []
    assert suspend["data"]["recordEnrolmentChange"]["enrolment"]["status"] == "SUSPENDED"

    earlier = await _change(
        http, admin, child, "RESUME", clock, expectedVersion=v + 1,
        approvingDocument="复学审批表 1 号",
        occurredOn=(local_date(clock()) - timedelta(days=1)).isoformat(),
    )  # fmt: skip
    assert errors_of(earlier, "recordEnrolmentChange") == [("INVALID", "occurredOn")]
    stale = await _change(
        http, admin, child, "RESUME", clock, expectedVersion=v, approvingDocument="复学审批表"
    )  # fmt: skip
    (error,) = stale["data"]["recordEnrolmentChange"]["errors"]
    assert (error["code"], error["currentVersion"]) == ("CONFLICT", v + 1)
    resumed = await _change(
        http, admin, child, "RESUME", clock, expectedVersion=v + 1, approvingDocument="复学审批表"
    )  # fmt: skip
    assert errors_of(resumed, "recordEnrolmentChange") == []
    kinds = (
        await EnrolmentChange.filter(child_id=child.id)
        .order_by("recorded_at")
        .values_list("kind", flat=True)
    )
    assert [str(k.value) for k in kinds[-2:]] == ["SUSPEND", "RESUME"]


async def test_modes_graduation_death_and_grades(http, counties, clock) -> None:
    admin = await token(http, counties, "COUNTY_ADMIN")
    child = (await class_pupils(counties))[1]
    v = (await _current(child)).version
    mode = await _change(
        http, admin, child, "CHANGE_MODE", clock, expectedVersion=v, mode="SPECIAL_SCHOOL"
    )  # fmt: skip
    assert errors_of(mode, "recordEnrolmentChange") == []
    enrolment = mode["data"]["recordEnrolmentChange"]["enrolment"]
    assert (enrolment["mode"], enrolment["modeSince"]) == ("SPECIAL_SCHOOL", _today(clock))
    assert mode["data"]["recordEnrolmentChange"]["change"]["modeAfter"] == "SPECIAL_SCHOOL"
    same = await _change(
        http, admin, child, "CHANGE_MODE", clock, expectedVersion=v + 1, mode="SPECIAL_SCHOOL"
    )  # fmt: skip
    assert errors_of(same, "recordEnrolmentChange") == [("INVALID", "mode")]

    death = await _change(http, admin, child, "DEATH", clock, expectedVersion=v + 1, reason="溺水")
    assert errors_of(death, "recordEnrolmentChange") == []
    after = await _change(
        http, admin, child, "TRANSFER_OUT", clock, expectedVersion=v + 2, counterpartSchool="某校"
    )  # fmt: skip
    (error,) = after["data"]["recordEnrolmentChange"]["errors"]
    assert error["code"] == "INVALID_TRANSITION" and error["allowedChanges"] == []

    other = (await class_pupils(counties))[2]
    w = (await _current(other)).version
    grad = await _change(http, admin, other, "GRADUATE", clock, expectedVersion=w)
    assert errors_of(grad, "recordEnrolmentChange") == []
    klass = gid("SchoolClass", (await account(counties, "HEAD_TEACHER")).school_class_id)
    grade = await _change(http, admin, other, "ENROL", clock, schoolClassId=klass, grade=10)
    assert errors_of(grade, "recordEnrolmentChange") == [("INVALID", "grade")]
    enrol = await _change(http, admin, other, "ENROL", clock, schoolClassId=klass, mode="INCLUSIVE")
    assert errors_of(enrol, "recordEnrolmentChange") == []
    assert await Enrolment.filter(child_id=other.id, is_current=True).count() == 1


async def test_scope_of_enrolment_changes(http, counties, clock) -> None:
    pupils = await class_pupils(counties)
    mine = pupils[3]
    # a 荔浦 child enrolled in another class
    placed = await (
        Enrolment.filter(
            is_current=True,
            school_class_id__isnull=False,
            child__jurisdiction__division_code="450381",
        )
        .exclude(child_id__in=[c.id for c in pupils])
        .order_by("child_id")
        .first()
    )
    stranger = await Child.get(id=placed.child_id)
    teacher = await token(http, counties, "HEAD_TEACHER")
    before = await EnrolmentChange.all().count()
    body = await _change(
        http, teacher, stranger, "SUSPEND", clock, expectedVersion=1, reason="x",
        approvingDocument="y",
    )  # fmt: skip
    assert errors_of(body, "recordEnrolmentChange") == [("NOT_FOUND", "childId")]
    other_class = (
        await Enrolment.filter(child_id=stranger.id, is_current=True).first()
    ).school_class_id
    v = (await _current(mine)).version
    await _change(http, teacher, mine, "GRADUATE", clock, expectedVersion=v)
    into_other = await _change(
        http, teacher, mine, "ENROL", clock, schoolClassId=gid("SchoolClass", other_class)
    )  # fmt: skip
    assert errors_of(into_other, "recordEnrolmentChange") == [("NOT_FOUND", "schoolClassId")]

    township = await token(http, counties, "TOWNSHIP_OFFICIAL")
    refused = await _change(
        http, township, stranger, "TRANSFER_OUT", clock, expectedVersion=1,
        counterpartSchool="y",
    )  # fmt: skip
    assert code_of(refused) == "FORBIDDEN"
    reads = await gql(
        http,
        "{ children(first: 1) { edges { node { currentEnrolment { status } } } } }",
        token=township,
    )
    assert "errors" not in reads, reads
    assert await EnrolmentChange.all().count() == before + 1  # the graduation only


async def test_two_changes_with_the_same_version_one_conflicts(http, counties, clock) -> None:
    admin = await token(http, counties, "COUNTY_ADMIN")
    child = (await class_pupils(counties))[4]
    v = (await _current(child)).version
    first, second = await asyncio.gather(
        _change(http, admin, child, "TRANSFER_OUT", clock, expectedVersion=v,
                counterpartSchool="外县某校"),
        _change(http, admin, child, "GRADUATE", clock, expectedVersion=v),
    )  # fmt: skip
    codes = sorted(
        [e["code"] for e in b["data"]["recordEnrolmentChange"]["errors"]] for b in (first, second)
    )
    assert codes in ([[], ["CONFLICT"]], [["CONFLICT"], []]), (first, second)
    assert (await _current(child)).version == v + 1
