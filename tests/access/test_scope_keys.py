"""The stored scope keys (``child.town_id``, ``child.ever_enrolled``, ``enrolment.town_id``:
migration 0015_town_key; ``child.school_town_id``: 0018_school_town_key) stay equal to what
they stand for whoever writes the rows: the demo generator, the registry's GraphQL mutations
(a household registered and moved to another town, a child registered, moved and merged,
enrolments entered, transferred and ended), a roster import uploaded over HTTP (its bulk
writes: COPY on PostgreSQL) and a school moved to another town. After each step every row's
stored keys are derived again and compared (:func:`stale_scope_keys`), the township
official's lists follow the keys, and every town's scope holds exactly the children the rule
gives when it is evaluated from the households, villages, enrolments and schools themselves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tortoise import connections
from tortoise.expressions import Q, Subquery
from tortoise.transactions import in_transaction

from core.access.caller import Caller, Scope
from core.access.enums import ActorKind, Permission, ScopeKind
from core.access.scope import scoped
from core.china_time import local_date
from core.enrolment.models import Enrolment
from core.global_ids import parse_global_id
from core.imports import jobs
from core.jurisdictions.models import Jurisdiction, Town, Village
from core.people.models import Child, Household
from core.people.scope_keys import stale_scope_keys
from core.schools.models import School, SchoolClass
from tests.access.conftest import LIPU, gql, login, username
from tests.imports.conftest import build_rows
from tests.imports.files import STUDENT_HEADERS, write_csv
from tests.imports.test_import_http import finished, started, upload
from tests.registry.helpers import account, errors_of, gid

ALL_RIGHT = {
    "child.town_id": 0,
    "child.ever_enrolled": 0,
    "child.school_town_id": 0,
    "enrolment.town_id": 0,
}

HOUSEHOLD = """mutation($in: CreateHouseholdInput!) { createHousehold(input: $in) {
  household { id version } errors { code field message } } }"""
MOVE_HOUSEHOLD = """mutation($in: UpdateHouseholdInput!) { updateHousehold(input: $in) {
  household { id version } errors { code field message } } }"""
CHILD = """mutation($in: CreateChildInput!) { createChild(input: $in) {
  child { id version } errors { code field message } } }"""
MOVE_CHILD = """mutation($in: MoveChildInput!) { moveChildToHousehold(input: $in) {
  child { id version } errors { code field message } } }"""
CHANGE = """mutation($in: RecordEnrolmentChangeInput!) { recordEnrolmentChange(input: $in) {
  enrolment { id version } errors { code field message } } }"""
MERGE = """mutation($in: MergeChildrenInput!) { mergeChildren(input: $in) {
  child { id } errors { code field message } } }"""
TOWN_CHILDREN = """query($f: ChildFilter) { children(filter: $f, first: 100) {
  totalCount edges { node { id } } } }"""


async def _ok(http, query: str, variables: dict[str, Any], bearer: str) -> dict[str, Any]:
    body = await gql(http, query, {"in": variables}, token=bearer)
    name = next(iter(body["data"]))
    assert errors_of(body, name) == [], body
    return next(iter(body["data"][name].values()))


async def _child_row(global_id: str) -> Child:
    return await Child.get(id=parse_global_id(global_id, "Child", "id"))


async def _household_row(global_id: str) -> Household:
    return await Household.get(id=parse_global_id(global_id, "Household", "id"))


def _town_caller(jurisdiction_id: Any, town_id: Any) -> Caller:
    """A township official's caller (town scope) for one town."""
    return Caller(
        kind=ActorKind.STAFF,
        label="test",
        scope=Scope(ScopeKind.TOWN, jurisdiction_id, frozenset({town_id})),
        permissions=frozenset({Permission.READ_ROSTER}),
    )


async def _every_town_sees_the_rule(jurisdiction: Jurisdiction) -> int:
    """Each town's scope of children (stored keys) is the rule evaluated the old way, from the
    rows the keys stand for: the household's village's town, or the school of a current
    enrolment. The number of towns compared."""
    towns = await Town.filter(jurisdiction=jurisdiction).values_list("id", flat=True)
    for town_id in towns:
        enrolled = Enrolment.filter(is_current=True, school__town_id=town_id).values("child_id")
        rule = Child.filter(jurisdiction_id=jurisdiction.id).filter(
            Q(household__village__town_id=town_id) | Q(id__in=Subquery(enrolled))
        )
        stored = scoped(Child, _town_caller(jurisdiction.id, town_id))
        expected = set(await rule.values_list("id", flat=True))
        assert set(await stored.values_list("id", flat=True)) == expected, town_id
        assert await stored.count() == len(expected)
    return len(towns)


async def test_the_keys_follow_every_writer(http, counties, clock, tmp_path: Path) -> None:
    # the demo generator (the counties fixture)
    assert await stale_scope_keys() == ALL_RIGHT
    lipu = await Jurisdiction.get(division_code=LIPU)
    assert await _every_town_sees_the_rule(lipu) > 1
    assert await Child.filter(jurisdiction=lipu, town_id__isnull=False).exists()
    assert await Child.filter(jurisdiction=lipu, ever_enrolled=False).exists()
    assert await Enrolment.filter(town_id__isnull=False).exists()

    today = local_date(clock()).isoformat()
    admin = await login(http, username(counties.lipu, "COUNTY_ADMIN"), counties.lipu.password)
    township = await login(
        http, username(counties.lipu, "TOWNSHIP_OFFICIAL"), counties.lipu.password
    )
    official = await account(counties, "TOWNSHIP_OFFICIAL")
    home_town = await Town.get(id=official.town_id)
    other_town = await Town.filter(jurisdiction=lipu).exclude(id=home_town.id).first()
    here = await Village.filter(town=home_town).first()
    there = await Village.filter(town=other_town).first()
    assert here is not None and there is not None and other_town is not None

    # a household in another town, a child of it: the township official does not see it
    household = await _ok(
        http, HOUSEHOLD, {"headName": "覃范围", "villageId": gid("Village", there.id)}, admin
    )
    child = await _ok(
        http, CHILD,
        {"name": "覃范围键", "gender": "FEMALE", "birthDate": "2017-05-06",
         "householdId": household["id"]},
        admin,
    )  # fmt: skip
    row = await _child_row(child["id"])
    assert (row.town_id, row.ever_enrolled) == (other_town.id, False)
    assert await stale_scope_keys() == ALL_RIGHT
    assert await _every_town_sees_the_rule(lipu) > 1
    seen = await gql(http, TOWN_CHILDREN, {"f": {"nameContains": "覃范围键"}}, token=township)
    assert seen["data"]["children"]["totalCount"] == 0

    # the household moves into the township's town: its child follows
    await _ok(
        http, MOVE_HOUSEHOLD,
        {"id": household["id"], "expectedVersion": (await _household_row(household["id"])).version,
         "villageId": gid("Village", here.id)},
        admin,
    )  # fmt: skip
    assert (await _child_row(child["id"])).town_id == home_town.id
    assert await stale_scope_keys() == ALL_RIGHT
    assert await _every_town_sees_the_rule(lipu) > 1
    seen = await gql(http, TOWN_CHILDREN, {"f": {"nameContains": "覃范围键"}}, token=township)
    assert seen["data"]["children"]["totalCount"] == 1
    found = await gql(
        http, TOWN_CHILDREN, {"f": {"neverEnrolled": True, "nameContains": "覃范围"}}, token=admin
    )
    assert found["data"]["children"]["totalCount"] == 1

    # enrolled in a school of the other town, then moved out of any household
    klass = await SchoolClass.filter(school__town=other_town, school_year=2026).first()
    assert klass is not None
    enrolment = await _ok(
        http, CHANGE,
        {"childId": child["id"], "kind": "ENROL", "occurredOn": today,
         "schoolClassId": gid("SchoolClass", klass.id)},
        admin,
    )  # fmt: skip
    row = await _child_row(child["id"])
    assert row.ever_enrolled is True
    assert (await Enrolment.get(child_id=row.id, is_current=True)).town_id == other_town.id
    await _ok(
        http,
        MOVE_CHILD,
        {"id": child["id"], "expectedVersion": row.version, "householdId": None},
        admin,
    )
    assert (await _child_row(child["id"])).town_id is None
    assert await stale_scope_keys() == ALL_RIGHT
    assert await _every_town_sees_the_rule(lipu) > 1
    seen = await gql(http, TOWN_CHILDREN, {"f": {"nameContains": "覃范围键"}}, token=township)
    assert seen["data"]["children"]["totalCount"] == 0  # neither lives nor learns in the town

    # transferred out and into a school of the township's town
    await _ok(
        http, CHANGE,
        {"childId": child["id"], "kind": "TRANSFER_OUT", "occurredOn": today,
         "expectedVersion": enrolment["version"], "counterpartSchool": "某校"},
        admin,
    )  # fmt: skip
    near = await SchoolClass.filter(school__town=home_town, school_year=2026).first()
    assert near is not None
    await _ok(
        http, CHANGE,
        {"childId": child["id"], "kind": "TRANSFER_IN", "occurredOn": today,
         "schoolClassId": gid("SchoolClass", near.id), "counterpartSchool": "某校"},
        admin,
    )  # fmt: skip
    assert await stale_scope_keys() == ALL_RIGHT
    assert await _every_town_sees_the_rule(lipu) > 1
    seen = await gql(http, TOWN_CHILDREN, {"f": {"nameContains": "覃范围键"}}, token=township)
    assert seen["data"]["children"]["totalCount"] == 1  # learns in the town

    # a duplicate entry that was never enrolled takes over the enrolments by a merge
    survivor = await _ok(
        http, CHILD, {"name": "覃范围留", "gender": "FEMALE", "birthDate": "2017-05-06"}, admin
    )
    duplicate = await _child_row(child["id"])
    await _ok(
        http, MERGE,
        {"survivorId": survivor["id"], "survivorVersion": survivor["version"],
         "duplicateId": child["id"], "duplicateVersion": duplicate.version},
        admin,
    )  # fmt: skip
    assert (await _child_row(survivor["id"])).ever_enrolled is True
    assert (await _child_row(child["id"])).ever_enrolled is False
    assert await stale_scope_keys() == ALL_RIGHT
    assert await _every_town_sees_the_rule(lipu) > 1

    # a roster import over HTTP: new pupils and their enrolments, in bulk
    school = await SchoolClass.filter(school__town=home_town, school_year=2026).first()
    assert school is not None
    await school.fetch_related("school")
    classes = list(await SchoolClass.filter(school=school.school, school_year=2026))
    rows = build_rows(school.school, classes, 12)
    data = write_csv(tmp_path / "学籍名册.csv", STUDENT_HEADERS, rows, "gbk").read_bytes()
    job = await finished(
        http,
        await started(await upload(http, "STUDENT_ROSTER", "学籍名册.csv", data, token=admin)),
        token=admin,
    )
    await jobs.wait_for_imports()
    assert job["counts"]["new"] == 12, job
    numbers = [r[0] for r in rows]
    imported = await Child.filter(student_number__in=numbers)
    assert len(imported) == 12 and all(c.ever_enrolled for c in imported)
    assert all(c.school_town_id == home_town.id for c in imported)
    assert await stale_scope_keys() == ALL_RIGHT
    assert await _every_town_sees_the_rule(lipu) > 1

    # the same file again with four of the pupils at a school of the other town: transfers
    far = await SchoolClass.filter(school__town=other_town, school_year=2026).first()
    assert far is not None
    await far.fetch_related("school")
    far_classes = list(await SchoolClass.filter(school=far.school, school_year=2026))
    moved = [row for row in build_rows(far.school, far_classes, len(rows)) if row[0] in numbers[:4]]
    data = write_csv(tmp_path / "学籍名册2.csv", STUDENT_HEADERS, moved, "gbk").read_bytes()
    await finished(
        http,
        await started(await upload(http, "STUDENT_ROSTER", "学籍名册2.csv", data, token=admin)),
        token=admin,
    )
    await jobs.wait_for_imports()
    learning = await Child.filter(student_number__in=numbers[:4]).values_list(
        "school_town_id", flat=True
    )
    assert set(learning) == {other_town.id}
    assert await stale_scope_keys() == ALL_RIGHT
    assert await _every_town_sees_the_rule(lipu) > 1

    # a school moved to another town (by the operator: no mutation writes it) takes its
    # current pupils with it, and back
    await School.filter(id=far.school.id).update(town_id=home_town.id)
    learning = await Child.filter(student_number__in=numbers[:4]).values_list(
        "school_town_id", flat=True
    )
    assert set(learning) == {home_town.id}
    assert await stale_scope_keys() == ALL_RIGHT
    assert await _every_town_sees_the_rule(lipu) > 1
    await School.filter(id=far.school.id).update(town_id=other_town.id)
    assert await stale_scope_keys() == ALL_RIGHT
    assert await _every_town_sees_the_rule(lipu) > 1


@pytest.mark.parametrize("key", sorted(ALL_RIGHT))
async def test_the_check_finds_a_wrong_key(db, counties, key: str) -> None:
    """With the database's triggers off for a moment (in a transaction rolled back), a key
    written wrong is counted."""
    postgres = connections.get("default").capabilities.dialect == "postgres"
    table = key.split(".")[0]
    assert await stale_scope_keys() == ALL_RIGHT
    with pytest.raises(_RolledBack):
        async with in_transaction() as conn:
            if postgres:
                await conn.execute_query(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            else:
                _, triggers = await conn.execute_query(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                    [table],
                )
                for trigger in triggers:
                    await conn.execute_query(f"DROP TRIGGER {trigger['name']}")
            model = Child if table == "child" else Enrolment
            row = await model.all().order_by("id").first()
            assert row is not None
            column = key.split(".")[1]
            if key == "child.ever_enrolled":
                wrong: dict[str, Any] = {"ever_enrolled": not row.ever_enrolled}
            else:
                towns = Town.filter(jurisdiction__division_code=LIPU).exclude(
                    id=getattr(row, column)
                )
                wrong = {column: (await towns.order_by("id").first()).id}  # type: ignore[union-attr]
            await model.filter(id=row.id).update(**wrong)
            assert await stale_scope_keys() == {**ALL_RIGHT, key: 1}
            raise _RolledBack
    assert await stale_scope_keys() == ALL_RIGHT


class _RolledBack(Exception):
    pass


def _where(queryset: Any) -> str:
    """The conditions of a query's statement (its select list names every column)."""
    return queryset.sql().split(" WHERE ", 1)[1]


async def test_the_town_scope_of_never_enrolled_children_is_their_household_s_town(
    counties,
) -> None:
    """A list kept to never-enrolled children is scoped by the household's town alone (no
    "enrolled in the towns' schools" branch): the same children as the whole town scope, and
    a list that is not so kept (excluded, or ORed) keeps the branch."""
    from core.access.accounts import caller_for_account
    from core.access.scope import restrict, scoped

    assert await stale_scope_keys() == ALL_RIGHT
    official = await account(counties, "TOWNSHIP_OFFICIAL")
    caller = caller_for_account(official)
    visible = await scoped(Child, caller).values_list("id", "ever_enrolled")
    never = {i for i, ever in visible if not ever}
    ever = {i for i, e in visible if e}
    assert never and ever
    kept = restrict(Child.filter(ever_enrolled=False), caller)
    assert "school_town_id" not in _where(kept)
    assert set(await kept.values_list("id", flat=True)) == never
    excluded = restrict(Child.exclude(ever_enrolled=False), caller)
    assert "school_town_id" in _where(excluded)
    assert set(await excluded.values_list("id", flat=True)) == ever
    either = restrict(Child.filter(Q(ever_enrolled=False) | Q(ever_enrolled=True)), caller)
    assert "school_town_id" in _where(either)
    assert set(await either.values_list("id", flat=True)) == never | ever
