"""Risk over GraphQL, as the county's staff, a head teacher, a township official and a 包人
teacher see it (the county of tests/risk/conftest.py, its numbers worked out there)."""

from __future__ import annotations

from typing import Any

from tests.conftest import graphql

RISK = "risk { level score ruleSetVersion reasons { code label value threshold weight unit } }"
LIST = f"""query($filter: ChildrenAtRiskFilter, $first: Int) {{
  childrenAtRisk(filter: $filter, first: $first) {{ totalCount edges {{ node {{ name {RISK} }} }} }}
}}"""
UNATTENDED = """query($filter: ChildrenAtRiskFilter) {
  unattendedHighRiskChildren(filter: $filter) { totalCount edges { node { name risk { level } } } }
}"""


async def _list(http, headers, query: str = LIST, **variables: Any) -> dict[str, Any]:
    body = await graphql(http, query, variables, headers=headers)
    assert "errors" not in body, body
    return next(iter(body["data"].values()))


def _names(connection: dict[str, Any]) -> list[str]:
    return [e["node"]["name"] for e in connection["edges"]]


async def test_the_county_sees_every_child_at_risk_with_reasons(http, county, sign_in) -> None:
    got = await _list(http, await sign_in("county"))
    # Highest score first, then by name.
    assert _names(got) == ["学生丁", "学生丙", "学生甲", "学生乙"]
    assert got["totalCount"] == 4
    risks = {e["node"]["name"]: e["node"]["risk"] for e in got["edges"]}
    jia = risks["学生甲"]
    assert (jia["level"], jia["score"], jia["ruleSetVersion"]) == ("HIGH", 4, "core-2026.1")
    assert [(r["code"], r["label"], r["value"], r["threshold"]) for r in jia["reasons"]] == [
        ("UNEXPLAINED_ABSENCES", "本学期无故缺勤 4 天 ≥ 3 天", "4", "3"),
        ("LOW_ATTENDANCE", "本学期出勤率 60% ≤ 90%", "60", "90"),
    ]
    assert [r["label"] for r in risks["学生乙"]["reasons"]] == [
        "属重点群体 2 类 ≥ 1 类",
        "留级 1 次 ≥ 1 次",
    ]
    assert risks["学生乙"]["level"] == "WATCH"
    assert [r["label"] for r in risks["学生丁"]["reasons"]] == [
        "属重点群体 1 类 ≥ 1 类",
        "曾辍学后复学 1 次 ≥ 1 次",
        "超出年级正常年龄 2 岁 ≥ 2 岁",
    ]
    assert [r["label"] for r in risks["学生丙"]["reasons"]] == [
        "本学期无故缺勤 3 天 ≥ 3 天",
        "本学期出勤率 60% ≤ 90%",
    ]


async def test_levels_filter_and_the_list_agree_with_each_child(http, county, sign_in) -> None:
    headers = await sign_in("county")
    every = await _list(http, headers, filter={"levels": ["NONE", "WATCH", "HIGH"]})
    assert every["totalCount"] == 5
    by_level: dict[str, list[str]] = {}
    for edge in every["edges"]:
        by_level.setdefault(edge["node"]["risk"]["level"], []).append(edge["node"]["name"])
    for level, names in by_level.items():
        listed = await _list(http, headers, filter={"levels": [level]})
        assert sorted(_names(listed)) == sorted(names), level
    assert by_level["NONE"] == ["学生戊"]  # late is present; an ended key group does not count
    high = await _list(http, headers, filter={"levels": ["HIGH"]})
    assert high["totalCount"] == 3


async def test_a_head_teacher_sees_own_class_only(http, county, sign_in) -> None:
    got = await _list(http, await sign_in("head_teacher"))
    assert _names(got) == ["学生丙", "学生甲", "学生乙"]
    other = await graphql(
        http,
        LIST,
        {"filter": {"school": county.gid("School", county.school_b)}},
        headers=await sign_in("head_teacher"),
    )
    # Another school is outside the class: not a place the filter may name.
    assert other["errors"][0]["extensions"]["code"] == "INVALID_FILTER"


async def test_a_township_official_sees_the_town(http, county, sign_in) -> None:
    got = await _list(http, await sign_in("township"))
    assert _names(got) == ["学生丁"]


async def test_unattended_high_risk_children(http, county, sign_in) -> None:
    headers = await sign_in("county")
    got = await _list(http, headers, UNATTENDED)
    # 丙 was visited on 15 March; 甲's visit in January is older than 30 days.
    assert _names(got) == ["学生丁", "学生甲"]
    school_a = await _list(
        http, headers, UNATTENDED, filter={"school": county.gid("School", county.school_a)}
    )
    assert _names(school_a) == ["学生甲"]
    by_teacher = await _list(
        http,
        headers,
        UNATTENDED,
        filter={"responsibleOfficial": county.gid("Official", county.wang)},
    )
    assert _names(by_teacher) == ["学生丁"]
    mine = await _list(http, await sign_in("wang"), UNATTENDED, filter={"responsibleToMe": True})
    assert _names(mine) == ["学生丁"]
    # The head teacher's own list: 甲 only.
    own = await _list(http, await sign_in("head_teacher"), UNATTENDED)
    assert _names(own) == ["学生甲"]


async def test_an_open_case_takes_a_child_off_the_unattended_list(http, county, sign_in) -> None:
    from datetime import UTC, datetime

    from core.cases.enums import CaseKind, CaseSource, CaseState
    from core.cases.models import Case

    await Case.create(
        jurisdiction=county.jurisdiction,
        child=county.children["甲"],
        school=county.school_a,
        kind=CaseKind.DROPOUT,
        state=CaseState.REPORTED,
        source=CaseSource.HEAD_TEACHER_REPORT,
        opened_at=datetime(2026, 3, 19, tzinfo=UTC),
        open_key=f"{county.children['甲'].id}:DROPOUT",
    )
    got = await _list(http, await sign_in("county"), UNATTENDED)
    assert _names(got) == ["学生丁"]


async def test_bad_inputs_are_refused(http, county, sign_in) -> None:
    headers = await sign_in("county")
    body = await graphql(http, UNATTENDED, {"filter": {"levels": ["WATCH"]}}, headers=headers)
    assert body["errors"][0]["extensions"]["code"] == "INVALID_FILTER"
    body = await graphql(http, LIST, {"filter": {"grades": [12]}}, headers=headers)
    assert body["errors"][0]["extensions"]["code"] == "INVALID_FILTER"
    body = await graphql(http, LIST, {"filter": {"responsibleToMe": True}}, headers=headers)
    assert body["errors"][0]["extensions"]["code"] == "INVALID"
    anonymous = await graphql(http, LIST)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_the_county_rules_show_the_risk_rules(http, county, sign_in) -> None:
    body = await graphql(
        http,
        """{ jurisdiction(code: "450381") { rules { riskRules {
            version watchAt highAt visitDays rules { code signal symbol threshold weight unit }
        } } } }""",
        headers=await sign_in("county"),
    )
    rules = body["data"]["jurisdiction"]["rules"]["riskRules"]
    assert (rules["version"], rules["watchAt"], rules["highAt"], rules["visitDays"]) == (
        "core-2026.1",
        2,
        4,
        30,
    )
    assert rules["rules"][0] == {
        "code": "UNEXPLAINED_ABSENCES",
        "signal": "UNEXPLAINED_ABSENCES",
        "symbol": "≥",
        "threshold": "3",
        "weight": 2,
        "unit": "天",
    }


async def test_hook_baoxue_risk_rules(http, county, sign_in, monkeypatch) -> None:
    """A plugin that adjusts the core rules (5 unexplained days instead of 3, a new version)
    changes every child's level and explanation, and the lists with them."""
    import core.plugins.manager as manager_module
    from core.default_rules import CORE_RISK_RULES
    from core.hookspecs import hookimpl
    from core.plugins import build_plugin_manager

    class Stricter:
        @hookimpl
        def baoxue_risk_rules(self, jurisdiction_code):
            return CORE_RISK_RULES.adjusted(
                version="test-2026.2", thresholds={"UNEXPLAINED_ABSENCES": 5}
            )

    pm = build_plugin_manager(extra=[("stricter", Stricter())], entrypoints=False)
    monkeypatch.setattr(manager_module, "_pm", pm)
    got = await _list(http, await sign_in("county"), filter={"levels": ["HIGH"]})
    # 甲 and 丙 (4 and 3 unexplained days) no longer reach 5: only the rate fires, WATCH.
    assert _names(got) == ["学生丁"]
    assert got["edges"][0]["node"]["risk"]["ruleSetVersion"] == "test-2026.2"
    watch = await _list(http, await sign_in("county"), filter={"levels": ["WATCH"]})
    jia = next(e["node"]["risk"] for e in watch["edges"] if e["node"]["name"] == "学生甲")
    assert [r["label"] for r in jia["reasons"]] == ["本学期出勤率 60% ≤ 90%"]


async def test_a_page_of_risks_costs_the_same_statements_for_1_or_5_children(
    http, county, sign_in
) -> None:
    """One statement for the page, one for the count, one for the explanations of the whole
    page (and the look-ups every request makes), whatever the page size."""
    from tests.api.statements import count_statements

    headers = await sign_in("county")
    query = f"""query($first: Int) {{ childrenAtRisk(
        filter: {{ levels: [NONE, WATCH, HIGH] }}, first: $first) {{
        totalCount edges {{ node {{ name {RISK} }} }} }} }}"""
    counts = []
    for first in (1, 5):
        with count_statements() as statements:
            body = await graphql(http, query, {"first": first}, headers=headers)
        assert len(body["data"]["childrenAtRisk"]["edges"]) == first
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
