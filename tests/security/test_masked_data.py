"""Masked personal data must stay masked: what a caller without READ_PERSONAL_DETAILS sees
(the masked value and every other visible field) must not rebuild the hidden value, and no
filter or ordering may answer questions about what the mask hides (issue 10, points 1 and 3)."""

from __future__ import annotations

import datetime
import itertools

from tortoise.expressions import Subquery

from core.access.models import StaffAccount
from core.enrolment.models import Enrolment
from core.people.models import Child, Household
from core.people.resident_id import check_character
from tests.security.conftest import LIPU, gql, login, username

CHILDREN = """{ children(first: 100) { edges { node { id idNumber studentNumber birthDate gender
    household { village { town { jurisdiction { divisionCode } } } } } } } }"""


def _candidates(masked: str, birth_date: str, gender: str, division: str) -> list[str]:
    """Every ID number consistent with the masked value and the visible fields: the attacker's
    rebuild (fill the hidden positions, keep what the birth date, gender, place and the check
    character allow)."""
    born = datetime.date.fromisoformat(birth_date).strftime("%Y%m%d")
    known = list(masked)
    for i, ch in enumerate(division):
        if known[i] == "*":
            known[i] = ch
    for i, ch in enumerate(born, start=6):
        if known[i] == "*":
            known[i] = ch
    hidden = [i for i in range(17) if known[i] == "*"]
    found = []
    for digits in itertools.product("0123456789", repeat=len(hidden)):
        trial = known[:]
        for i, d in zip(hidden, digits, strict=True):
            trial[i] = d
        first17 = "".join(trial[:17])
        if int(first17[16]) % 2 != (1 if gender == "MALE" else 0):
            continue
        check = check_character(first17)
        if known[17] not in ("*", check):
            continue
        found.append(first17 + check)
    return found


async def _children_with_id_numbers_in_scope(name: str) -> int:
    """How many children the account ``name`` (bound to a class or a school) sees with an ID
    number: those currently enrolled where it is bound."""
    account = await StaffAccount.get(username=name)
    where = (
        {"school_class_id": account.school_class_id}
        if account.school_class_id
        else {"school_id": account.school_id}
    )
    enrolled = Enrolment.filter(is_current=True, **where).values("child_id")
    return await Child.filter(id__in=Subquery(enrolled), id_number__not_isnull=True).count()


async def test_a_masked_id_number_cannot_be_rebuilt_from_the_visible_fields(http, counties) -> None:
    teacher = await login(http, username(counties.lipu, "SUBJECT_TEACHER"), counties.lipu.password)
    body = await gql(http, CHILDREN, token=teacher)
    assert "errors" not in body, body
    rows = [e["node"] for e in body["data"]["children"]["edges"] if e["node"]["idNumber"]]
    # 荔浦 at seed 11, 120 pupils: the demo 科任教师's class has 3 children with ID numbers
    in_class = await _children_with_id_numbers_in_scope(username(counties.lipu, "SUBJECT_TEACHER"))
    assert len(rows) == in_class == 3
    real = {
        str(c.id): c
        for c in await Child.filter(jurisdiction__division_code=LIPU, id_number__not_isnull=True)
    }
    from strawberry.relay import GlobalID

    for row in rows:
        child = real[GlobalID.from_id(row["id"]).node_id]
        masked = row["idNumber"]
        assert len(masked) == 18 and masked != child.id_number
        # the sequence digits and the check character are hidden entirely
        assert masked[14:] == "****", masked
        candidates = _candidates(masked, row["birthDate"], row["gender"], LIPU)
        assert child.id_number in candidates
        assert len(candidates) >= 500, f"{masked} leaves only {len(candidates)} candidates"
        # 学籍号 ("G" + the ID number) is masked the same way
        if row["studentNumber"] and child.student_number == f"G{child.id_number}":
            assert row["studentNumber"] == "G" + masked, row["studentNumber"]


async def test_guardian_id_numbers_hide_sequence_and_check_character(http, counties) -> None:
    teacher = await login(http, username(counties.lipu, "SUBJECT_TEACHER"), counties.lipu.password)
    body = await gql(
        http,
        "{ children(first: 100) { edges { node { household { guardians { idNumber } } } } } }",
        token=teacher,
    )
    numbers = [
        g["idNumber"]
        for e in body["data"]["children"]["edges"]
        for g in (e["node"]["household"] or {"guardians": []})["guardians"]
        if g["idNumber"]
    ]
    assert numbers
    assert all(n.endswith("****") for n in numbers), numbers[:3]


HOUSEHOLDS_BY_HEAD = """query($name: String!) {
  households(filter: {headNameContains: $name}) { totalCount edges { node { headName } } } }"""


async def _a_visible_head_name(http, token: str) -> str:
    from strawberry.relay import GlobalID

    body = await gql(http, "{ households(first: 1) { edges { node { id } } } }", token=token)
    row_id = GlobalID.from_id(body["data"]["households"]["edges"][0]["node"]["id"]).node_id
    return (await Household.get(id=row_id)).head_name


async def test_filtering_on_a_masked_field_needs_the_permission(http, counties) -> None:
    township = await login(
        http, username(counties.lipu, "TOWNSHIP_OFFICIAL"), counties.lipu.password
    )
    teacher = await login(http, username(counties.lipu, "SUBJECT_TEACHER"), counties.lipu.password)
    for token in (township, teacher):
        name = await _a_visible_head_name(http, token)
        probe = await gql(http, HOUSEHOLDS_BY_HEAD, {"name": name}, token=token)
        assert probe.get("data") in (None, {"households": None}), probe
        error = probe["errors"][0]
        assert error["extensions"]["code"] == "FORBIDDEN"
        assert error["extensions"]["field"] == "filter.headNameContains"
        assert "READ_PERSONAL_DETAILS" in error["message"]
    # with the permission the same filter works
    bureau = await login(http, username(counties.lipu, "BUREAU_STAFF"), counties.lipu.password)
    name = await _a_visible_head_name(http, bureau)
    allowed = await gql(http, HOUSEHOLDS_BY_HEAD, {"name": name}, token=bureau)
    assert (
        allowed["data"]["households"]["totalCount"]
        == await Household.filter(
            jurisdiction__division_code=LIPU, head_name__contains=name
        ).count()
    )


async def test_the_search_box_and_number_filters_name_the_field_they_refuse(http, counties) -> None:
    child = await Child.filter(jurisdiction__division_code=LIPU, id_number__not_isnull=True).first()
    teacher = await login(http, username(counties.lipu, "SUBJECT_TEACHER"), counties.lipu.password)
    for field, value in (
        ("idNumber", child.id_number),
        ("studentNumber", child.student_number or "G" + child.id_number),
        ("search", child.id_number),
        ("search", "G" + child.id_number),
    ):
        body = await gql(
            http,
            f"query($v: String!) {{ children(filter: {{{field}: $v}}) {{ totalCount }} }}",
            {"v": value},
            token=teacher,
        )
        error = body["errors"][0]
        assert error["extensions"]["code"] == "FORBIDDEN", body
        assert error["extensions"]["field"] == f"filter.{field}", body


async def test_households_are_not_ordered_by_the_hidden_part_of_a_name(http, counties) -> None:
    """Sorting by the full name of the head would place 余志强 between 余大 and 余文 for a caller
    who only sees 余**: without the permission the order uses only what is shown."""
    import uuid

    from strawberry.relay import GlobalID

    township = await login(
        http, username(counties.lipu, "TOWNSHIP_OFFICIAL"), counties.lipu.password
    )
    seen = await gql(http, "{ households(first: 1) { edges { node { id } } } }", token=township)
    model = await Household.get(
        id=GlobalID.from_id(seen["data"]["households"]["edges"][0]["node"]["id"]).node_id
    )
    # ids in the reverse order of the given names
    given = ["一", "丁", "七", "万", "三", "上"]
    planted = []
    for i, name in enumerate(given):
        row_id = uuid.UUID(int=(len(given) - i) << 64)
        await Household.create(
            id=row_id,
            jurisdiction_id=model.jurisdiction_id,
            village_id=model.village_id,
            head_name="龘" + name,
        )
        await Child.create(
            jurisdiction_id=model.jurisdiction_id,
            household_id=row_id,
            name="龘小" + name,
            gender="MALE",
            birth_date=datetime.date(2015, 3, 1),
        )
        planted.append(str(row_id))
    body = await gql(
        http, "{ households(first: 100) { edges { node { id headName } } } }", token=township
    )
    assert "errors" not in body, body
    ids = [GlobalID.from_id(e["node"]["id"]).node_id for e in body["data"]["households"]["edges"]]
    order = [i for i in ids if i in planted]
    assert len(order) == len(given)
    # the planted rows are in the order of their ids, not of the hidden given names
    assert order == sorted(planted), "the order must not follow the hidden part of the name"
    # with the permission the list is ordered by the whole name
    bureau = await login(http, username(counties.lipu, "BUREAU_STAFF"), counties.lipu.password)
    body = await gql(
        http,
        '{ households(first: 100, filter: {headNameContains: "龘"}) '
        "{ edges { node { id headName } } } }",
        token=bureau,
    )
    names = [e["node"]["headName"] for e in body["data"]["households"]["edges"]]
    assert names == sorted(names) and len(names) == len(given)
