"""Issue 11 point 1: keeping children, households and guardians by hand, through HTTP, as a
township official, a head teacher and a county administrator would: validation that names the
fields at fault, DUPLICATE that names the other child only to those who may see it, versions
that turn a stale edit into CONFLICT, scope, and nothing written on any error."""

from __future__ import annotations

import asyncio
from datetime import date

from core.access.models import AuditEntry
from core.api.ids import decode_global_id
from core.cases.models import Case
from core.enrolment.models import Enrolment, EnrolmentChange
from core.people.models import Child, ChildKeyGroup, ChildMerge, Guardian, Household
from tests.access.conftest import code_of
from tests.registry.helpers import (
    account,
    class_pupils,
    errors_of,
    gid,
    gql,
    outside_class,
    resident_id,
    token,
    township_village,
)

CHILD = """child { id name gender birthDate idNumber studentNumber version
  household { id } keyGroups keyGroupMemberships { group source since endedOn } }
  errors { code field message messages { en } currentVersion existingChild }"""

CREATE_HOUSEHOLD = """mutation($in: CreateHouseholdInput!) { createHousehold(input: $in) {
  household { id headName version village { id } } errors { code field message } replayed } }"""
CREATE_GUARDIAN = """mutation($in: CreateGuardianInput!) { createGuardian(input: $in) {
  guardian { id name isPrimary version } errors { code field message } } }"""
CREATE_CHILD = f"""mutation($in: CreateChildInput!) {{ createChild(input: $in) {{ {CHILD}
  replayed }} }}"""
UPDATE_CHILD = f"""mutation($in: UpdateChildInput!) {{ updateChild(input: $in) {{ {CHILD} }} }}"""
MOVE_CHILD = (
    f"""mutation($in: MoveChildInput!) {{ moveChildToHousehold(input: $in) {{ {CHILD} }} }}"""
)
KEY_GROUPS = f"""mutation($in: SetChildKeyGroupsInput!) {{ setChildKeyGroups(input: $in) {{
  {CHILD} }} }}"""
MERGE = """mutation($in: MergeChildrenInput!) { mergeChildren(input: $in) {
  child { id version cases { id } enrolments { id } idNumber
          merges { reason duplicate { id } moved } }
  duplicate { id version idNumber mergedInto { id } }
  errors { code field message currentVersion } } }"""

BORN = date(2025, 3, 7)


GOOD = resident_id(BORN, 987)
WRONG_CHECK = GOOD[:17] + ("0" if GOOD[17] != "0" else "1")


def row_id(global_id: str):
    return decode_global_id(global_id).row_id


async def _newborn_household(http, counties, bearer):
    village = await township_village(counties)
    body = await gql(
        http,
        CREATE_HOUSEHOLD,
        {"in": {"headName": "韦建国", "registeredAddress": "荔浦市某镇某村 3 组",
                "villageId": gid("Village", village), "povertyStatus": "MONITORED_EDGE",
                "isLowIncome": True, "idempotencyKey": "household-newborn-1"}},
        token=bearer,
    )  # fmt: skip
    assert errors_of(body, "createHousehold") == []
    return body["data"]["createHousehold"]["household"]


async def test_a_township_official_registers_a_newborns_household(http, counties) -> None:
    bearer = await token(http, counties, "TOWNSHIP_OFFICIAL")
    household = await _newborn_household(http, counties, bearer)
    assert household["version"] == 1
    again = await gql(
        http,
        CREATE_HOUSEHOLD,
        {"in": {"headName": "韦建国", "villageId": household["village"]["id"],
                "idempotencyKey": "household-newborn-1"}},
        token=bearer,
    )  # fmt: skip
    assert again["data"]["createHousehold"]["replayed"] is True
    assert again["data"]["createHousehold"]["household"]["id"] == household["id"]

    guardian = await gql(
        http,
        CREATE_GUARDIAN,
        {"in": {"householdId": household["id"], "name": "韦建国", "relation": "FATHER",
                "phone": "13800000000", "isPrimary": True}},
        token=bearer,
    )  # fmt: skip
    assert errors_of(guardian, "createGuardian") == []

    number = resident_id(BORN, 987)  # odd: a boy
    body = await gql(
        http,
        CREATE_CHILD,
        {"in": {"name": "韦小宝", "gender": "MALE", "birthDate": BORN.isoformat(),
                "idNumber": number, "householdId": household["id"],
                "keyGroups": [{"group": "MONITORED", "source": "乡村振兴局监测户名单",
                               "since": "2025-06-01"}]}},
        token=bearer,
    )  # fmt: skip
    assert errors_of(body, "createChild") == []
    child = body["data"]["createChild"]["child"]
    assert child["version"] == 1 and child["household"]["id"] == household["id"]
    assert child["keyGroups"] == ["MONITORED"]
    assert child["keyGroupMemberships"] == [
        {"group": "MONITORED", "source": "乡村振兴局监测户名单", "since": "2025-06-01",
         "endedOn": None}
    ]  # fmt: skip
    entry = await AuditEntry.filter(operation="createChild").first()
    assert entry is not None and entry.details == {"errors": [], "refused": False}


async def _count() -> tuple[int, int, int]:
    return await Child.all().count(), await Household.all().count(), await Guardian.all().count()


async def test_an_id_number_that_disagrees_with_the_birth_date_names_both_fields(
    http, counties
) -> None:
    bearer = await token(http, counties, "TOWNSHIP_OFFICIAL")
    household = await _newborn_household(http, counties, bearer)
    before = await _count()
    cases = [
        # birth date in the number is the 7th; the form says the 8th
        ({"gender": "MALE", "birthDate": "2025-03-08", "idNumber": resident_id(BORN, 987)},
         ("idNumber", "birthDate")),
        # the sequence is even (a girl); the form says male
        ({"gender": "MALE", "birthDate": BORN.isoformat(), "idNumber": resident_id(BORN, 988)},
         ("idNumber", "gender")),
        # a wrong check character
        ({"gender": "MALE", "birthDate": BORN.isoformat(),
          "idNumber": WRONG_CHECK},
         ("idNumber", "check character")),
        ({"gender": "MALE", "birthDate": BORN.isoformat(), "idNumber": "45038120250307"},
         ("idNumber", "18")),
        ({"gender": "MALE", "birthDate": "2099-01-01"}, ("birthDate", "birthDate")),
        ({"gender": "MALE", "birthDate": "1990-01-01"}, ("birthDate", "birthDate")),
        ({"gender": "MALE", "birthDate": BORN.isoformat(), "disabilityCategory": "HEARING",
          "disabilityGrade": 5}, ("disabilityGrade", "disabilityGrade")),
        ({"gender": "MALE", "birthDate": BORN.isoformat(), "studentNumber": "学籍号"},
         ("studentNumber", "studentNumber")),
    ]  # fmt: skip
    for given, (field, named) in cases:
        body = await gql(
            http,
            CREATE_CHILD,
            {"in": {"name": "韦小宝", "householdId": household["id"], **given}},
            token=bearer,
        )
        errors = body["data"]["createChild"]["errors"]
        assert [(e["code"], e["field"]) for e in errors] == [("INVALID", field)], (given, body)
        assert named in errors[0]["messages"]["en"]  # the message itself is Chinese by default
        assert body["data"]["createChild"]["child"] is None
    blank = await gql(
        http, CREATE_CHILD, {"in": {"name": " ", "gender": "MALE", "birthDate": "2025-01-01"}},
        token=bearer,
    )  # fmt: skip
    assert errors_of(blank, "createChild") == [("REQUIRED", "name")]
    grade_alone = await gql(
        http, CREATE_CHILD,
        {"in": {"name": "某", "gender": "MALE", "birthDate": "2020-01-01", "disabilityGrade": 2}},
        token=bearer,
    )  # fmt: skip
    assert errors_of(grade_alone, "createChild") == [("REQUIRED", "disabilityCategory")]
    assert await _count() == before


async def test_a_duplicate_number_names_the_other_child_only_to_those_who_may_see_it(
    http, counties
) -> None:
    pupils = await class_pupils(counties, attending=False)
    stranger = await outside_class(counties)
    mine = pupils[0]
    numbered = next(c for c in pupils[1:] if c.id_number)
    assert stranger.id_number

    def like(other):  # the number with the birth date and gender it encodes
        return {
            "id": gid("Child", mine),
            "expectedVersion": 1,
            "idNumber": other.id_number,
            "birthDate": other.birth_date.isoformat(),
            "gender": other.gender.value,
        }

    admin = await token(http, counties, "COUNTY_ADMIN")
    body = await gql(http, UPDATE_CHILD, {"in": like(stranger)}, token=admin)
    (error,) = body["data"]["updateChild"]["errors"]
    assert (error["code"], error["field"]) == ("DUPLICATE", "idNumber")
    assert error["existingChild"] == gid("Child", stranger) and stranger.name in error["message"]

    teacher = await token(http, counties, "HEAD_TEACHER")
    hidden = await gql(http, UPDATE_CHILD, {"in": like(stranger)}, token=teacher)
    (error,) = hidden["data"]["updateChild"]["errors"]
    assert (error["code"], error["field"], error["existingChild"]) == (
        "DUPLICATE",
        "idNumber",
        None,
    )
    assert stranger.name not in error["message"]
    seen = await gql(http, UPDATE_CHILD, {"in": like(numbered)}, token=teacher)
    assert seen["data"]["updateChild"]["errors"][0]["existingChild"] == gid("Child", numbered)
    if numbered.student_number:
        student = await gql(
            http, UPDATE_CHILD,
            {"in": {"id": gid("Child", mine), "expectedVersion": 1,
                    "studentNumber": numbered.student_number}},
            token=teacher,
        )  # fmt: skip
        assert errors_of(student, "updateChild") == [("DUPLICATE", "studentNumber")]
    assert (await Child.get(id=mine.id)).id_number == mine.id_number
    assert (await Child.get(id=mine.id)).version == 1


async def test_correcting_a_wrong_id_number_and_a_stale_edit(http, counties) -> None:
    teacher = await token(http, counties, "HEAD_TEACHER")
    child = (await class_pupils(counties))[0]
    number = resident_id(child.birth_date, 985 if child.gender == "MALE" else 986)
    body = await gql(
        http, UPDATE_CHILD,
        {"in": {"id": gid("Child", child), "expectedVersion": 1, "idNumber": number,
                "ethnicity": "瑶族"}},
        token=teacher,
    )  # fmt: skip
    assert errors_of(body, "updateChild") == []
    assert body["data"]["updateChild"]["child"]["version"] == 2
    stored = await Child.get(id=child.id)
    assert (stored.id_number, stored.ethnicity, stored.name) == (number, "瑶族", child.name)

    stale = await gql(
        http, UPDATE_CHILD,
        {"in": {"id": gid("Child", child), "expectedVersion": 1, "name": "改名"}},
        token=teacher,
    )  # fmt: skip
    (error,) = stale["data"]["updateChild"]["errors"]
    assert (error["code"], error["field"], error["currentVersion"]) == (
        "CONFLICT", "expectedVersion", 2
    )  # fmt: skip
    assert (await Child.get(id=child.id)).name == child.name
    # changing the birth date alone is checked against the ID number already held
    clash = await gql(
        http, UPDATE_CHILD,
        {"in": {"id": gid("Child", child), "expectedVersion": 2, "birthDate": "2014-01-01"}},
        token=teacher,
    )  # fmt: skip
    assert errors_of(clash, "updateChild") == [("INVALID", "idNumber")]
    assert "birthDate" in clash["data"]["updateChild"]["errors"][0]["message"]


async def test_two_updates_with_the_same_version_one_wins(http, counties) -> None:
    admin = await token(http, counties, "COUNTY_ADMIN")
    child = (await class_pupils(counties))[1]

    async def rename(name: str):
        return await gql(
            http, UPDATE_CHILD,
            {"in": {"id": gid("Child", child), "expectedVersion": 1, "name": name}},
            token=admin,
        )  # fmt: skip

    first, second = await asyncio.gather(rename("甲"), rename("乙"))
    outcomes = sorted(
        [e["code"] for e in b["data"]["updateChild"]["errors"]] for b in (first, second)
    )
    assert outcomes == [[], ["CONFLICT"]]
    stored = await Child.get(id=child.id)
    assert stored.version == 2 and stored.name in ("甲", "乙")


async def test_scope_of_registry_writes(http, counties) -> None:
    stranger = await outside_class(counties)
    teacher = await token(http, counties, "HEAD_TEACHER")
    body = await gql(
        http, UPDATE_CHILD,
        {"in": {"id": gid("Child", stranger), "expectedVersion": 1, "name": "改名"}},
        token=teacher,
    )  # fmt: skip
    assert errors_of(body, "updateChild") == [("NOT_FOUND", "id")]

    rongchang = await token(http, counties, "COUNTY_ADMIN", county="rongchang")
    foreign = await gql(
        http, UPDATE_CHILD,
        {"in": {"id": gid("Child", stranger), "expectedVersion": 1, "name": "改名"}},
        token=rongchang,
    )  # fmt: skip
    assert errors_of(foreign, "updateChild") == [("NOT_FOUND", "id")]

    subject = await token(http, counties, "SUBJECT_TEACHER")
    forbidden = await gql(
        http, UPDATE_CHILD,
        {"in": {"id": gid("Child", stranger), "expectedVersion": 1, "name": "改名"}},
        token=subject,
    )  # fmt: skip
    assert code_of(forbidden) == "FORBIDDEN"

    # a head teacher cannot register a child who would be outside their class
    made = await gql(
        http, CREATE_CHILD, {"in": {"name": "新生", "gender": "FEMALE", "birthDate": "2020-01-01"}},
        token=teacher,
    )  # fmt: skip
    assert code_of(made) == "FORBIDDEN"
    # a township official cannot register a household in another town's village
    official = await account(counties, "TOWNSHIP_OFFICIAL")
    from core.jurisdictions.models import Village

    elsewhere = (
        await Village.filter(town__jurisdiction_id=official.jurisdiction_id)
        .exclude(town_id=official.town_id)
        .first()
    )
    township = await token(http, counties, "TOWNSHIP_OFFICIAL")
    outside = await gql(
        http, CREATE_HOUSEHOLD, {"in": {"headName": "某", "villageId": gid("Village", elsewhere)}},
        token=township,
    )  # fmt: skip
    assert errors_of(outside, "createHousehold") == [("NOT_FOUND", "villageId")]
    assert (await Child.get(id=stranger.id)).name == stranger.name
    assert not await Child.filter(name="新生").exists()
    assert not await Household.filter(head_name="某").exists()


async def test_moving_a_child_and_key_groups_with_source_and_date(http, counties) -> None:
    bearer = await token(http, counties, "TOWNSHIP_OFFICIAL")
    household = await _newborn_household(http, counties, bearer)
    body = await gql(
        http, CREATE_CHILD,
        {"in": {"name": "韦小妹", "gender": "FEMALE", "birthDate": "2019-05-01",
                "householdId": household["id"]}},
        token=bearer,
    )  # fmt: skip
    child = body["data"]["createChild"]["child"]
    other = await _newborn_household(http, counties, bearer)  # replayed: the same household
    assert other["id"] == household["id"]
    second = await gql(
        http, CREATE_HOUSEHOLD,
        {"in": {"headName": "覃某", "villageId": household["village"]["id"]}}, token=bearer,
    )  # fmt: skip
    target = second["data"]["createHousehold"]["household"]
    moved = await gql(
        http, MOVE_CHILD,
        {"in": {"id": child["id"], "expectedVersion": 1, "householdId": target["id"]}},
        token=bearer,
    )  # fmt: skip
    assert errors_of(moved, "moveChildToHousehold") == []
    assert moved["data"]["moveChildToHousehold"]["child"]["household"]["id"] == target["id"]

    groups = await gql(
        http, KEY_GROUPS,
        {"in": {"id": child["id"], "expectedVersion": 2,
                "add": [{"group": "LEFT_BEHIND", "source": "民政局留守儿童名单",
                         "since": "2024-09-01"}]}},
        token=bearer,
    )  # fmt: skip
    assert errors_of(groups, "setChildKeyGroups") == []
    ended = await gql(
        http, KEY_GROUPS,
        {"in": {"id": child["id"], "expectedVersion": 3, "end": ["LEFT_BEHIND"]}},
        token=bearer,
    )  # fmt: skip
    result = ended["data"]["setChildKeyGroups"]["child"]
    assert result["keyGroups"] == []
    (membership,) = result["keyGroupMemberships"]
    assert membership["source"] == "民政局留守儿童名单" and membership["endedOn"] is not None
    bad = await gql(
        http, KEY_GROUPS,
        {"in": {"id": child["id"], "expectedVersion": 4,
                "add": [{"group": "ORPHAN", "since": "2010-01-01"}]}},
        token=bearer,
    )  # fmt: skip
    assert errors_of(bad, "setChildKeyGroups") == [("INVALID", "keyGroups.0.since")]
    assert not await ChildKeyGroup.filter(group="ORPHAN", child_id=row_id(child["id"])).exists()


async def test_merging_a_duplicate_keeps_both_histories(http, counties) -> None:
    admin = await token(http, counties, "COUNTY_ADMIN")
    survivor = (await class_pupils(counties))[2]
    survivor_cases = await Case.filter(child_id=survivor.id).count()
    survivor_enrolments = await Enrolment.filter(child_id=survivor.id).count()
    # the same child entered again from the 户籍 list, never enrolled, with a case of its own
    dup_number = resident_id(survivor.birth_date, 983 if survivor.gender == "MALE" else 984)
    made = await gql(
        http, CREATE_CHILD,
        {"in": {"name": survivor.name, "gender": survivor.gender,
                "birthDate": survivor.birth_date.isoformat(), "idNumber": dup_number}},
        token=admin,
    )  # fmt: skip
    duplicate = made["data"]["createChild"]["child"]
    report = await gql(
        http,
        """mutation($c: ID!) { reportCase(input: {childId: $c, kind: NEVER_ENROLLED,
             source: ROSTER_COMPARISON}) { case { id } errors { code } } }""",
        {"c": duplicate["id"]},
        token=admin,
    )
    assert report["data"]["reportCase"]["errors"] == [], report
    await Child.filter(id=survivor.id).update(id_number=None)

    stale = await gql(
        http, MERGE,
        {"in": {"survivorId": gid("Child", survivor), "survivorVersion": 1,
                "duplicateId": duplicate["id"], "duplicateVersion": 7}},
        token=admin,
    )  # fmt: skip
    assert errors_of(stale, "mergeChildren") == [("CONFLICT", "expectedVersion")]
    body = await gql(
        http, MERGE,
        {"in": {"survivorId": gid("Child", survivor), "survivorVersion": 1,
                "duplicateId": duplicate["id"], "duplicateVersion": 1,
                "reason": "户籍名单重复登记"}},
        token=admin,
    )  # fmt: skip
    assert errors_of(body, "mergeChildren") == []
    merged = body["data"]["mergeChildren"]
    assert len(merged["child"]["cases"]) == survivor_cases + 1
    assert len(merged["child"]["enrolments"]) == survivor_enrolments
    assert merged["child"]["idNumber"] == dup_number  # taken over: the survivor had none
    assert merged["duplicate"]["mergedInto"]["id"] == gid("Child", survivor)
    assert merged["duplicate"]["idNumber"] is None
    (merge,) = merged["child"]["merges"]
    assert merge["reason"] == "户籍名单重复登记" and merge["moved"]["cases"] == 1
    record = await ChildMerge.get(survivor_id=survivor.id)
    assert record.snapshot["id_number"] == dup_number
    case = await Case.get(child_id=survivor.id, kind="NEVER_ENROLLED")
    assert case.open_key == f"{survivor.id}:NEVER_ENROLLED"
    assert not await EnrolmentChange.filter(child_id=row_id(duplicate["id"])).exists()
    assert not await Case.filter(child_id=row_id(duplicate["id"])).exists()

    listed = await gql(
        http, "query($q: String!) { children(filter: {search: $q}) { totalCount } }",
        {"q": survivor.name}, token=admin,
    )  # fmt: skip
    names = await Child.filter(name=survivor.name, merged_into_id__isnull=True).count()
    assert listed["data"]["children"]["totalCount"] == names
    again = await gql(
        http, UPDATE_CHILD,
        {"in": {"id": duplicate["id"], "expectedVersion": 2, "name": "x"}}, token=admin,
    )  # fmt: skip
    assert errors_of(again, "updateChild") == [("INVALID_TRANSITION", "id")]
