"""The organisation the documents name, as the API shows it on each county's demo.

* 荔浦 附件: 青山镇（含特校）（张辉） — a 特校 child answers to the people of that row;
  三、健全机构: every school's own 控辍保学工作领导小组, led by its 校长.
* 荣昌 四、(六)2: 区 → 镇街 → 村社, with the 区 level and each 村社 as assignments; 学区 and
  督导责任区 as a tier, marked as demo data (the document lists neither).
* 重点地区 on towns and villages.
"""

from __future__ import annotations

from baoxue_lipu import RESPONSIBILITY_TABLE
from strawberry import relay

from core.demo.generator import generate_demo
from core.enrolment.models import Enrolment
from core.officials.models import Duty, ResponsibilityAssignment, ResponsibilityLine
from core.people.models import Child
from core.plugins import get_registry
from core.schools.models import School, SchoolKind
from tests.conftest import graphql

LIPU, RONGCHANG = "450381", "500153"

CHAIN = """
query($id: ID!) { node(id: $id) { ... on Child {
  responsibilityChain { tier line role name organisation source
    assignment { duty village { name } schoolGroup { name kind demoOnly } } }
} } }
"""


def gid(type_name: str, row_id: object) -> str:
    return str(relay.GlobalID(type_name, str(row_id)))


async def _demo(code: str, students: int = 200) -> None:
    await generate_demo(get_registry().jurisdiction(code), students=students, seed=3)


async def _chain(client, child_id: object) -> list[dict]:
    body = await graphql(client, CHAIN, {"id": gid("Child", child_id)})
    assert "errors" not in body, body
    return body["data"]["node"]["responsibilityChain"]


def _table_row(town: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    for leader, rows in RESPONSIBILITY_TABLE.items():
        for name, schools, people in rows:
            if name == town:
                return leader, schools, people
    raise KeyError(town)


async def test_lipu_special_school_child_answers_to_the_table_row_of_qingshan(client, db) -> None:
    await _demo(LIPU)
    special = await School.get(kind=SchoolKind.SPECIAL)
    enrolment = await Enrolment.filter(school_id=special.id, is_current=True).first()
    assert enrolment is not None
    leader, schools, people = _table_row("青山镇")
    assert special.name in schools  # 青山镇（含特校）

    chain = await _chain(client, enrolment.child_id)
    by_tier: dict[str, list[dict]] = {}
    for link in chain:
        by_tier.setdefault(link["tier"], []).append(link)
    assert [link["name"] for link in by_tier["TOWN"]] == list(people)  # 张辉
    assert all(link["role"] == "包乡镇人员" for link in by_tier["TOWN"])
    assert [link["name"] for link in by_tier["AREA"]] == [leader]  # 叶少华
    # 包学校: the table's 包乡镇人员 for the schools it names, and the 包片 leader.
    assert set(people) <= {link["name"] for link in by_tier["SCHOOL"]}
    assert chain[-1]["name"] == "吴朝春"
    # Nobody of the county seat (荔城镇: 徐有助、黄琳玲, 包片 钟星子) answers for it.
    names = {link["name"] for link in chain}
    assert not names & {"徐有助", "黄琳玲", "钟星子"}

    body = await graphql(
        client,
        """query($id: ID!) { node(id: $id) { ... on School { name town { name }
             leadershipGroup { name source leader { name title }
               seats { role duty official { name } } } } } }""",
        {"id": gid("School", special.id)},
    )
    assert "errors" not in body, body
    school = body["data"]["node"]
    assert school["town"]["name"] == "青山镇"
    group = school["leadershipGroup"]
    assert group["name"] == "特校控辍保学工作领导小组"
    assert group["leader"] == {"name": special.principal_name, "title": "校长"}
    assert group["seats"][0] == {
        "role": "LEADER",
        "duty": "负总责",
        "official": {"name": special.principal_name},
    }
    assert {s["role"] for s in group["seats"][1:]} <= {"DEPUTY_LEADER", "MEMBER"}
    assert "三、健全机构" in group["source"]


async def test_every_lipu_school_has_its_group_and_no_other_county_does(client, db) -> None:
    await _demo(LIPU, students=120)
    await _demo(RONGCHANG, students=120)
    body = await graphql(
        client,
        """{ lipu: schools(filter: {jurisdictionCode: "450381"}, first: 100) {
               totalCount edges { node { leadershipGroup { leader { name } } principalName } } }
             rongchang: schools(filter: {jurisdictionCode: "500153"}, first: 100) {
               edges { node { leadershipGroup { name } } } } }""",
    )
    assert "errors" not in body, body
    lipu = [e["node"] for e in body["data"]["lipu"]["edges"]]
    assert lipu and len(lipu) == body["data"]["lipu"]["totalCount"]
    assert all(s["leadershipGroup"]["leader"]["name"] == s["principalName"] for s in lipu)
    # 荣昌's document asks no school for a group of its own.
    assert all(e["node"]["leadershipGroup"] is None for e in body["data"]["rongchang"]["edges"])


async def test_rongchang_three_levels_district_township_village(client, db) -> None:
    await _demo(RONGCHANG)
    # An assignment at 区 level (no town), the 镇街 under it, a 村社 under each 镇街.
    county = await ResponsibilityAssignment.get(
        line=ResponsibilityLine.GOVERNMENT, duty=Duty.OVERALL
    )
    assert county.town_id is None and county.village_id is None
    town = await ResponsibilityAssignment.filter(
        line=ResponsibilityLine.GOVERNMENT, duty=Duty.TOWN
    ).first()
    assert town.reports_to_id == county.id
    village = await ResponsibilityAssignment.filter(
        duty=Duty.VILLAGE, reports_to_id=town.id
    ).first()
    assert village.village_id is not None

    body = await graphql(
        client,
        """query($v: ID!) { responsibilityAssignments(filter: {village: $v}) {
             totalCount edges { node { duty line village { name town { name } }
               official { title } reportsTo { duty town { name }
                 reportsTo { duty line official { organisation } } } } } } }""",
        {"v": gid("Village", village.village_id)},
    )
    assert "errors" not in body, body
    [edge] = body["data"]["responsibilityAssignments"]["edges"]
    row = edge["node"]
    assert (row["duty"], row["line"]) == ("VILLAGE", "GOVERNMENT")
    assert row["reportsTo"]["duty"] == "TOWN"
    assert row["reportsTo"]["town"]["name"] == row["village"]["town"]["name"]
    top = row["reportsTo"]["reportsTo"]
    assert (top["duty"], top["line"]) == ("OVERALL", "GOVERNMENT")
    assert top["official"]["organisation"] == "荣昌区人民政府"

    # A child out of school answers on the government line: 村社 → 镇街 → 区.
    never = await Child.filter(
        enrolments__id__isnull=True, household__village_id__isnull=False
    ).first()
    assert never is not None
    chain = await _chain(client, never.id)
    gov = [(link["tier"], link["role"]) for link in chain if link["line"] == "GOVERNMENT"]
    assert gov[0] == ("VILLAGE", "村社")
    assert ("TOWN", "镇街政府") in gov and ("OVERALL", "区政府") in gov
    [village_link] = [link for link in chain if link["tier"] == "VILLAGE"]
    assert village_link["assignment"]["village"]["name"]


async def test_rongchang_school_districts_are_a_tier_and_shown_as_demo_data(client, db) -> None:
    await _demo(RONGCHANG)
    enrolment = await Enrolment.filter(is_current=True, school__kind=SchoolKind.PRIMARY).first()
    chain = await _chain(client, enrolment.child_id)
    areas = [link for link in chain if link["tier"] == "AREA"]
    kinds = {link["assignment"]["schoolGroup"]["kind"] for link in areas}
    assert kinds == {"SCHOOL_DISTRICT", "SUPERVISION_ZONE"}
    assert all(link["assignment"]["schoolGroup"]["demoOnly"] for link in areas)
    assert all(link["role"] == "学区、督导责任区" for link in areas)
    body = await graphql(
        client,
        '{ jurisdiction(code: "500153") { schoolGroups { name kind demoOnly } } }',
    )
    groups = body["data"]["jurisdiction"]["schoolGroups"]
    assert len(groups) == 9 and all(g["demoOnly"] for g in groups)


async def test_key_areas_on_towns_and_villages(client, db) -> None:
    await _demo(RONGCHANG, students=120)
    body = await graphql(
        client,
        """{ jurisdiction(code: "500153") {
               all: towns { name kind keyAreas { kind label source } }
               rural: towns(keyAreas: [RURAL]) { name kind } } }""",
    )
    assert "errors" not in body, body
    data = body["data"]["jurisdiction"]
    rural = data["rural"]
    assert rural and {t["kind"] for t in rural} == {"TOWN"}  # the 镇, not the 街道
    marked = [t for t in data["all"] if t["keyAreas"]]
    assert len(marked) == len(rural)
    assert marked[0]["keyAreas"] == [
        {"kind": "RURAL", "label": "农村", "source": "演示数据 (文件未列出哪些乡镇/村属重点地区)"}
    ]
    focus = await graphql(
        client,
        '{ jurisdiction(code: "500153") { rules { monitoringFocus { code areas areaKinds } } } }',
    )
    three = [
        f
        for f in focus["data"]["jurisdiction"]["rules"]["monitoringFocus"]
        if f["code"] == "three-key"
    ]
    assert three[0]["areaKinds"] == ["RURAL", "REMOTE", "POOR", "ETHNIC"]
