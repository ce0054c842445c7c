"""County rules over GraphQL (``Jurisdiction.rules``) and ``Child.responsibilityChain``.

The rules are compared with the documents the four plugins encode; the chain is checked on a
small 荔浦 demo county (teacher up to 吴朝春), on a county that has plugin data only, for
masking of phone numbers, and for its cost (the same statements for 5 children as for 50).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from argon2 import PasswordHasher
from baoxue_lipu import RESPONSIBILITY_TABLE
from strawberry import relay

from core.access import hashing
from core.demo.credentials import create_demo_credentials
from core.demo.generator import generate_demo
from core.enrolment.models import Enrolment, EnrolmentStatus
from core.jurisdictions.models import Jurisdiction, Town
from core.officials.models import Duty, Official, ResponsibilityAssignment
from core.people.enums import Gender
from core.people.models import Child
from core.plugins import get_registry
from core.schools.models import School, SchoolClass, SchoolKind
from tests.api.statements import count_statements
from tests.conftest import graphql

TIEDONG, RONGCHANG, SUINING, LIPU = "210302", "500153", "430527", "450381"
NAMES = {TIEDONG: "铁东区", RONGCHANG: "荣昌区", SUINING: "绥宁县", LIPU: "荔浦市"}

RULES_QUERY = """
query Rules($code: String!) {
  jurisdiction(code: $code) {
    name
    rules {
      jurisdictionCode
      plugin { name distribution version }
      sources
      leadership {
        name
        leader { name title }
        members { role name title }
        office { name location director members }
        exOfficio
        schoolGroupsLedBy
        clause { document section quote label }
      }
      responsibilities { key line duty role person title towns schools reportsTo }
      targets {
        metric comparison threshold population period year excludingReasons
        label unit isRate symbol clause { section quote }
      }
      escalationChain {
        name unreachableLevel clause { quote }
        levels { level name responsible action daysAllowed days notify clause { quote } }
      }
      deadlines { kind days responsible action notifyOnExpiry }
      keyPeriods { code name anchor days purpose }
      monitoringFocus { code name stages keyGroups areas }
      reportFormats {
        code title periodKinds rowKind groupBy numbered totals privacy submitTo
        columns { key header source sourceLabel kind }
        signOff { role actions }
        signOffLines
        clause { quote }
      }
      vocabulary { kind code label }
      exemptionRules { code name reasons countsAsDropout steps { actor action } }
    }
  }
}
"""

CHAIN_QUERY = """
query Chain($id: ID!) {
  node(id: $id) {
    ... on Child {
      name
      responsibilityChain {
        tier duty dutyLabel line role name title organisation source basis phone
        clause { document section }
        official { name phone }
        assignment { duty }
      }
    }
  }
}
"""

PAGE_QUERY = """
query Page($first: Int!) {
  children(filter: {jurisdictionCode: "450381", enrolmentStatuses: [ENROLLED]}, first: $first) {
    edges {
      node {
        name
        responsibilityChain { tier role name phone official { name phone } }
      }
    }
  }
}
"""

MASKED = re.compile(r"^\d{3}\*{4}\d{4}$")
PLAIN = re.compile(r"^1\d{10}$")


@pytest.fixture(autouse=True)
def fast_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with small parameters for the demo accounts' logins."""
    monkeypatch.setattr(
        hashing, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


def gid(type_name: str, row_id: object) -> str:
    return str(relay.GlobalID(type_name, str(row_id)))


async def _rules(client, code: str) -> dict[str, Any]:
    body = await graphql(client, RULES_QUERY, {"code": code})
    assert "errors" not in body, body
    return body["data"]["jurisdiction"]["rules"]


def _target(rules: dict[str, Any], metric: str, population: str = "ALL") -> dict[str, Any]:
    [found] = [
        t for t in rules["targets"] if t["metric"] == metric and t["population"] == population
    ]
    return found


def _ids(rows: list[dict[str, Any]], key: str = "code") -> list[str]:
    return [r[key] for r in rows]


async def _lipu_demo(students: int = 80) -> None:
    specs = {s.division_code: s for s in get_registry().jurisdictions()}
    await generate_demo(specs[LIPU], students=students, seed=5)


# -- the rules ---------------------------------------------------------------------------------


@pytest.fixture
async def four_counties(db) -> None:
    for code, name in NAMES.items():
        await Jurisdiction.create(division_code=code, name=name)


async def test_tiedong_targets_and_five_level_chain(client, four_counties) -> None:
    rules = await _rules(client, TIEDONG)

    assert rules["plugin"] == {
        "name": "tiedong",
        "distribution": "baoxue-tiedong",
        "version": "0.1.0",
    }
    assert rules["sources"] == ["《关于加强铁东区中学控辍保学工作实施方案》"]
    consolidation = _target(rules, "CONSOLIDATION_RATE")
    assert (consolidation["comparison"], consolidation["threshold"]) == ("AT_LEAST", "97.3")
    assert consolidation["label"] == "巩固率 ≥ 97.3%"
    assert (consolidation["unit"], consolidation["isRate"]) == ("%", True)
    assert consolidation["clause"]["quote"] == "确保我区实现全区义务教育巩固率达到97.3%"
    poor = _target(rules, "DROPOUT_RATE", "POVERTY_LIFTED")
    assert (poor["comparison"], poor["threshold"]) == ("EQUAL", "0")
    # 入学率 is not in the document: the core default stays.
    assert _target(rules, "ENROLMENT_RATE")["threshold"] == "100"

    chain = rules["escalationChain"]
    assert chain["name"] == "五级联控"
    assert [lv["name"] for lv in chain["levels"]] == [
        "班主任",
        "学校",
        "区教育局",
        "区政府",
        "司法部门",
    ]
    assert [lv["level"] for lv in chain["levels"]] == [1, 2, 3, 4, 5]
    # No time in the document: the 7-day ESCALATION_STEP applies; none at the top.
    assert [lv["days"] for lv in chain["levels"]] == [7, 7, 7, 7, None]
    assert all(lv["daysAllowed"] is None for lv in chain["levels"])
    assert "五级联控机制" in chain["clause"]["quote"]
    assert chain["levels"][0]["clause"]["quote"] == "班主任如发现疑似辍学现象及时进行劝返"

    marking = next(d for d in rules["deadlines"] if d["kind"] == "REPORT_MARKING")
    assert marking["days"] == 7
    assert rules["leadership"] is None
    assert {"management-ledger", "key-group-care-ledger"} <= set(_ids(rules["reportFormats"]))
    assert _ids(rules["responsibilities"], "key") == ["区教育局", "校长", "班主任", "大手拉小手"]


async def test_lipu_leadership_table_and_notice_deadline(client, four_counties) -> None:
    rules = await _rules(client, LIPU)
    group = rules["leadership"]

    assert group["name"] == "荔浦市教育局控辍保学工作领导小组"
    assert group["leader"] == {"name": "吴朝春", "title": "市教育局党组书记、局长"}
    assert [m["name"] for m in group["members"] if m["role"] == "DEPUTY_LEADER"] == [
        "叶少华",
        "黄杏华",
        "罗燕",
        "钟星子",
    ]
    assert group["office"]["location"] == "市教育局基教股"
    assert group["office"]["director"] == "叶少华"
    assert group["schoolGroupsLedBy"] == "校长"
    assert group["clause"]["section"] == "三、健全机构"

    by_key = {r["key"]: r for r in rules["responsibilities"]}
    assert by_key["总负责人"]["person"] == "吴朝春"
    area = by_key["包片-钟星子"]
    assert (area["duty"], area["role"], area["reportsTo"]) == ("AREA", "包片领导", "总负责人")
    assert area["towns"] == ["荔城镇", "修仁镇", "大塘镇", "蒲芦乡"]
    town = by_key["包乡镇-荔城镇-徐有助"]
    assert town["schools"] == ["民中", "滨江小学", "云惠学校"]
    assert town["reportsTo"] == "包片-钟星子"
    assert by_key["科任教师包人"]["reportsTo"] == "班主任包班"

    notice = next(d for d in rules["deadlines"] if d["kind"] == "RETURN_NOTICE_RESPONSE")
    assert (notice["days"], notice["notifyOnExpiry"]) == (7, ["乡镇政府", "市教育局"])
    levels = rules["escalationChain"]["levels"]
    # The week runs from the notice (the deadline above), not from reaching the school.
    assert [lv["daysAllowed"] for lv in levels] == [None, None, None]
    assert levels[2]["notify"] == ["市教育局"]

    poor = _target(rules, "DROPOUT_COUNT", "POVERTY_LIFTED")
    assert (poor["threshold"], poor["excludingReasons"]) == ("0", ["ILLNESS"])
    assert _target(rules, "DROPOUT_COUNT")["period"] == "ONGOING"

    [illness] = rules["exemptionRules"][:1]
    assert illness["code"] == "illness-exemption"
    assert [s["actor"] for s in illness["steps"]] == ["法定监护人", "乡镇", "市教育局基教股"]
    public = next(f for f in rules["reportFormats"] if f["code"] == "poverty-lifted-public-list")
    assert public["privacy"] is True


async def test_rongchang_targets_for_2025_and_unreachable_level(client, four_counties) -> None:
    rules = await _rules(client, RONGCHANG)

    for metric in ("ENROLMENT_RATE", "CONSOLIDATION_RATE"):
        target = _target(rules, metric)
        assert (target["comparison"], target["threshold"], target["year"]) == (
            "AT_LEAST",
            "100",
            2025,
        )
        assert "到2025年" in target["clause"]["quote"]
    aid = _target(rules, "ASSISTANCE_COVERAGE", "FINANCIAL_HARDSHIP")
    assert aid["threshold"] == "100"

    chain = rules["escalationChain"]
    assert chain["unreachableLevel"] == 2
    assert chain["levels"][1]["name"] == "镇街政府"
    bimonthly = next(f for f in rules["reportFormats"] if f["code"] == "bimonthly-return")
    assert bimonthly["periodKinds"] == ["BIMONTHLY"]
    lines = {r["key"]: r["line"] for r in rules["responsibilities"]}
    assert (lines["区"], lines["镇街"], lines["村社"]) == ("GOVERNMENT",) * 3
    assert rules["leadership"] is None


async def test_suining_zero_dropout_and_term_start_statistics(client, four_counties) -> None:
    rules = await _rules(client, SUINING)

    for metric in ("DROPOUT_COUNT", "OUTFLOW_COUNT"):
        target = _target(rules, metric)
        assert (target["comparison"], target["threshold"], target["unit"]) == ("EQUAL", "0", "人")
    fmt = next(f for f in rules["reportFormats"] if f["code"] == "term-start-statistics")
    assert fmt["title"] == "开学工作统计报表"
    assert (fmt["periodKinds"], fmt["rowKind"], fmt["totals"]) == (["TERM_START"], "SCHOOL", True)
    assert fmt["submitTo"] == ["县教育局教育股"]
    assert fmt["signOff"] == [{"role": "单位主要负责同志", "actions": ["REVIEW", "SIGN", "STAMP"]}]
    assert fmt["signOffLines"] == ["单位主要负责同志 (审核、签字、盖章)："]
    assert fmt["columns"][0] == {
        "key": "school_name",
        "header": "学校",
        "source": "school.name",
        "sourceLabel": fmt["columns"][0]["sourceLabel"],
        "kind": "TEXT",
    }
    assert [c["header"] for c in fmt["columns"]][3] == "实到人数"
    assert "审核、签字、盖章" in fmt["clause"]["quote"]
    first_month = [p for p in rules["keyPeriods"] if p["anchor"] == "TERM_START"]
    assert first_month and first_month[0]["days"] == 30
    assert any("JUNIOR_MIDDLE" in f["stages"] for f in rules["monitoringFocus"])
    # No table of its own: the core default responsibilities apply.
    assert _ids(rules["responsibilities"], "key")[:3] == ["bureau", "principal", "head-teacher"]


async def test_a_county_without_plugin_gets_core_defaults(client, db) -> None:
    await Jurisdiction.create(division_code="430999", name="示例县")
    rules = await _rules(client, "430999")

    assert rules["plugin"] is None and rules["sources"] == []
    assert _target(rules, "ENROLMENT_RATE")["threshold"] == "100"
    assert rules["escalationChain"]["levels"][0]["name"] == "班主任"


# -- the responsibility chain ------------------------------------------------------------------

TIER_ORDER = [
    "CHILD",
    "CLASS",
    "GRADE",
    "SCHOOL_HEAD",
    "SCHOOL",
    "TOWN",
    "AREA",
    "OVERALL",
    "LEADER",
]


def _town_table(town: str) -> tuple[str, tuple[str, ...]]:
    """(包片领导, 包乡镇人员) of ``town`` in 荔浦's table."""
    for leader, rows in RESPONSIBILITY_TABLE.items():
        for name, _, people in rows:
            if name == town:
                return leader, people
    raise KeyError(town)


async def test_a_lipu_childs_chain_runs_from_the_teacher_up_to_wu_chaochun(client, db) -> None:
    await _lipu_demo()
    row = await ResponsibilityAssignment.filter(
        duty=Duty.CHILD, child__enrolments__status=EnrolmentStatus.ENROLLED
    ).first()
    assert row is not None
    teacher = await Official.get(id=row.official_id)
    enrolment = await Enrolment.get(child_id=row.child_id, is_current=True)
    klass = await SchoolClass.get(id=enrolment.school_class_id)
    head = await Official.get(id=klass.head_teacher_id)
    school = await School.get(id=enrolment.school_id)
    town = await Town.get(id=school.town_id)

    body = await graphql(client, CHAIN_QUERY, {"id": gid("Child", row.child_id)})
    assert "errors" not in body, body
    chain = body["data"]["node"]["responsibilityChain"]
    tiers = [link["tier"] for link in chain]

    assert tiers[0] == "CHILD" and tiers[-1] == "OVERALL"
    assert tiers == sorted(tiers, key=TIER_ORDER.index)
    assert {"CLASS", "GRADE", "SCHOOL_HEAD", "SCHOOL", "TOWN", "AREA"} <= set(tiers)
    first = chain[0]
    assert (first["name"], first["role"], first["dutyLabel"]) == (teacher.name, "科任教师", "包人")
    assert first["source"] == "ASSIGNMENT" and first["assignment"] == {"duty": "CHILD"}
    [class_link] = [link for link in chain if link["tier"] == "CLASS"]
    assert (class_link["name"], class_link["role"]) == (head.name, "班主任")

    leader, people = _town_table(town.name)
    town_links = [link for link in chain if link["tier"] == "TOWN"]
    assert sorted(link["name"] for link in town_links) == sorted(people)
    assert all(link["role"] == "包乡镇人员" for link in town_links)
    assert all(link["clause"]["section"] == "附件" for link in town_links)
    [area] = [link for link in chain if link["tier"] == "AREA"]
    assert (area["name"], area["role"]) == (leader, "包片领导")
    top = chain[-1]
    assert (top["name"], top["role"], top["title"]) == (
        "吴朝春",
        "总负责人",
        "市教育局党组书记、局长",
    )
    assert top["official"]["name"] == "吴朝春"
    # The internal caller holds every permission: phones are shown in full.
    assert all(PLAIN.match(link["phone"]) for link in chain)


async def _plugin_only_county(code: str, town_name: str) -> Child:
    """A county with a school, a class without a recorded head teacher and one pupil, and no
    responsibility assignment at all."""
    county = await Jurisdiction.create(division_code=code, name=NAMES[code])
    town = await Town.create(jurisdiction=county, name=town_name)
    school = await School.create(
        jurisdiction=county,
        town=town,
        code=f"{code}0001",
        name="修仁中心小学",
        kind=SchoolKind.PRIMARY,
        principal_name="陆校长",
    )
    klass = await SchoolClass.create(school=school, school_year=2026, grade=3, name="(1)班")
    child = await Child.create(
        jurisdiction=county, name="黄小梅", gender=Gender.FEMALE, birth_date=datetime(2017, 3, 1)
    )
    await Enrolment.create(
        child=child,
        school=school,
        school_class=klass,
        grade=3,
        status=EnrolmentStatus.ENROLLED,
        started_on=datetime(2026, 9, 1),
    )
    return child


async def test_a_county_with_plugin_data_only_still_answers_up_to_the_head(client, db) -> None:
    child = await _plugin_only_county(LIPU, "修仁镇")
    # 吴朝春 has a record (with a phone) but no assignment: the chain finds him by name.
    await Official.create(
        jurisdiction_id=child.jurisdiction_id, name="吴朝春", title="局长", phone="13907730001"
    )

    body = await graphql(client, CHAIN_QUERY, {"id": gid("Child", child.id)})
    assert "errors" not in body, body
    chain = body["data"]["node"]["responsibilityChain"]
    summary = [(link["tier"], link["role"], link["name"], link["source"]) for link in chain]

    assert summary == [
        ("CLASS", "班主任", None, "RULES"),
        ("GRADE", "校领导", None, "RULES"),
        ("SCHOOL_HEAD", "校长", "陆校长", "SCHOOL_RECORD"),
        ("TOWN", "包乡镇人员", "唐承刚", "RULES"),
        ("AREA", "包片领导", "钟星子", "RULES"),
        ("OVERALL", "总负责人", "吴朝春", "RULES"),
    ]
    assert chain[0]["clause"]["section"] == "四、(二)1"
    assert chain[3]["basis"].endswith("附件")
    assert chain[3]["phone"] is None and chain[3]["official"] is None
    assert (chain[-1]["phone"], chain[-1]["official"]["name"]) == ("13907730001", "吴朝春")


async def test_tiedong_with_plugin_data_only_ends_at_the_bureau(client, db) -> None:
    child = await _plugin_only_county(TIEDONG, "新兴街道")
    body = await graphql(client, CHAIN_QUERY, {"id": gid("Child", child.id)})
    chain = body["data"]["node"]["responsibilityChain"]

    assert [(link["tier"], link["role"], link["name"]) for link in chain] == [
        ("CLASS", "班主任", None),
        ("SCHOOL_HEAD", "校长", "陆校长"),
        ("OVERALL", "区教育局", None),
    ]
    assert chain[0]["clause"]["section"] == "三、3"


async def _login(client, username: str, password: str) -> str:
    body = await graphql(
        client,
        """mutation($u: String!, $p: String!) {
             login(username: $u, password: $p) { token errors { code } } }""",
        {"u": username, "p": password},
    )
    payload = body["data"]["login"]
    assert payload["errors"] == [], payload
    return payload["token"]


async def test_phones_are_masked_without_the_personal_details_permission(client, db) -> None:
    await _lipu_demo()
    creds = await create_demo_credentials(LIPU, now=datetime.now(UTC))
    accounts = {a.role.value: a.username for a in creds.accounts}
    query = """{ children(first: 3) { edges { node {
                  responsibilityChain { name phone official { phone } } } } } }"""

    def phones(body: dict[str, Any]) -> list[str]:
        assert "errors" not in body, body
        links = [
            link
            for edge in body["data"]["children"]["edges"]
            for link in edge["node"]["responsibilityChain"]
        ]
        assert links
        found = [link["phone"] for link in links if link["phone"]]
        found += [link["official"]["phone"] for link in links if link["official"]]
        return found

    teacher = await _login(client, accounts["SUBJECT_TEACHER"], creds.password)
    masked = phones(await graphql(client, query, headers={"Authorization": f"Bearer {teacher}"}))
    assert masked and all(MASKED.match(p) for p in masked), masked

    head = await _login(client, accounts["HEAD_TEACHER"], creds.password)
    shown = phones(await graphql(client, query, headers={"Authorization": f"Bearer {head}"}))
    assert shown and all(PLAIN.match(p) for p in shown), shown

    # The rules are public policy: a subject teacher reads them too.
    body = await graphql(
        client,
        '{ jurisdiction(code: "450381") { rules { leadership { leader { name } } } } }',
        headers={"Authorization": f"Bearer {teacher}"},
    )
    assert body["data"]["jurisdiction"]["rules"]["leadership"]["leader"]["name"] == "吴朝春"


async def _page(client, first: int) -> tuple[int, list[dict[str, Any]]]:
    with count_statements() as statements:
        body = await graphql(client, PAGE_QUERY, {"first": first})
    assert "errors" not in body, body
    return len(statements), body["data"]["children"]["edges"]


async def test_a_page_of_chains_costs_the_same_for_5_and_50_children(client, db) -> None:
    await _lipu_demo(students=80)

    few, few_edges = await _page(client, 5)
    many, many_edges = await _page(client, 50)

    assert (len(few_edges), len(many_edges)) == (5, 50)
    assert all(e["node"]["responsibilityChain"][-1]["name"] == "吴朝春" for e in many_edges)
    assert few == many, (few, many)
