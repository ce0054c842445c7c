"""READ_ESCALATED_CASES (查看移交乡镇/村的个案): which cases a township official or agency sees.

A caller holding READ_ESCALATED_CASES but not READ_CASES sees a county's cases that have climbed
to the level its chain marks as the township's (``EscalationChain.township_level``), and every
case handed over because the family cannot be reached (UNREACHABLE). The figures below are per
county, for every level a case can stand at in that county's chain (levels counted from 0, as
``Case.escalation_level`` is).
"""

from __future__ import annotations

import importlib
from datetime import UTC, date, datetime

import pytest

import core.plugins.manager as manager_module
from core.access.caller import Caller, Scope
from core.access.enums import ActorKind, Permission, ScopeKind
from core.access.scope import restrict
from core.cases.enums import CaseKind, CaseSource, CaseState
from core.cases.models import Case, CaseEvent
from core.jurisdictions.models import Jurisdiction
from core.people.enums import Gender
from core.people.models import Child
from core.plugins import build_plugin_manager, hookimpl
from core.rules import Clause, EscalationChain, EscalationLevel, JurisdictionSpec, TownSpec

from ..plugins.conftest import FIFTH_COUNTY

#: Division code → (levels of its chain, the levels a township caller sees).
SEEN_AT = {
    "210302": (5, [2, 3, 4]),  # 铁东 五级联控: from 区教育局 up
    # 荣昌 学校 → 镇街政府: every case at the 镇街 (where confirmed dropouts go at once, 四、(四)3)
    "500153": (2, [1]),
    "430527": (5, [2, 3, 4]),  # 绥宁 has no chain of its own: core's, from 乡镇人民政府 up
    "450381": (3, [2]),  # 荔浦: 乡镇政府、市教育局
    "430999": (3, [2]),  # the fictional fifth county: 乡镇政府
    "369901": (5, [2, 3, 4]),  # a county no plugin declares: core's chain
}


@pytest.fixture
def five_counties(monkeypatch: pytest.MonkeyPatch):
    """The application's plugin manager with the four installed counties and the fifth."""
    monkeypatch.syspath_prepend(str(FIFTH_COUNTY))
    fifth = importlib.import_module("baoxue_fifth")
    pm = build_plugin_manager(extra=[fifth])
    monkeypatch.setattr(manager_module, "_pm", pm)
    return pm


def township(jurisdiction: Jurisdiction) -> Caller:
    return Caller(
        kind=ActorKind.API_KEY,
        label="乡镇人民政府",
        scope=Scope(kind=ScopeKind.COUNTY, jurisdiction_id=jurisdiction.id),
        permissions=frozenset({Permission.READ_ROSTER, Permission.READ_ESCALATED_CASES}),
    )


async def _county(code: str, levels: int) -> Jurisdiction:
    county = await Jurisdiction.create(division_code=code, name=f"县{code}")
    child = await Child.create(
        jurisdiction=county, name="韦小燕", gender=Gender.FEMALE, birth_date=date(2012, 3, 4)
    )
    now = datetime.now(UTC)
    cases = [(level, CaseState.PERSUADING) for level in range(levels)]
    cases.append((0, CaseState.UNREACHABLE))
    for level, state in cases:
        case = await Case.create(
            jurisdiction=county,
            child=child,
            kind=CaseKind.DROPOUT,
            state=state,
            source=CaseSource.HOUSEHOLD_SURVEY,
            escalation_level=level,
            opened_at=now,
        )
        await CaseEvent.create(case=case, kind="NOTE", occurred_at=now)
    return county


@pytest.mark.parametrize("code", list(SEEN_AT))
async def test_a_township_caller_sees_cases_from_the_township_level_up(
    code: str, db, five_counties
) -> None:
    levels, seen = SEEN_AT[code]
    assert len(five_counties.registry.for_jurisdiction(code).escalation.levels) == levels
    county = await _county(code, levels)
    other = await _county("130999", 4)  # cases of another county are never seen
    caller = township(county)

    visible = await restrict(Case.all(), caller).values_list("escalation_level", "state")
    assert sorted(visible) == sorted(
        [(level, CaseState.PERSUADING) for level in seen] + [(0, CaseState.UNREACHABLE)]
    )
    events = await restrict(CaseEvent.all(), caller).values_list(
        "case__escalation_level", flat=True
    )
    assert sorted(events) == sorted([*seen, 0])
    assert await restrict(Case.filter(jurisdiction=other), caller).count() == 0


class SixthCounty:
    """A county handing cases to the township at the school (level 2 of 3)."""

    @hookimpl
    def baoxue_jurisdiction(self):
        return JurisdictionSpec(
            division_code="130999",
            name="测试县",
            province="河北省",
            towns=(TownSpec(name="甲镇"),),
            sources=("测试文件",),
        )

    @hookimpl
    def baoxue_escalation_chain(self):
        clause = Clause(document="测试文件", section="三")
        return EscalationChain(
            name="三级劝返",
            clause=clause,
            township_level=2,
            levels=tuple(
                EscalationLevel(level=n, name=name, responsible=name, action="劝返", clause=clause)
                for n, name in enumerate(("班主任", "学校", "乡镇政府"), start=1)
            ),
        )


@pytest.mark.parametrize(
    ("plugins", "code", "seen"),
    [
        ((("sixth", SixthCounty()),), "130999", [1, 2]),  # its own level
        ((("sixth", SixthCounty()),), "369901", [2, 3, 4]),  # core's, next to it
        ((), "369901", [2, 3, 4]),  # core's alone: one level everywhere
    ],
)
async def test_the_township_level_comes_from_the_countys_chain(
    plugins, code: str, seen: list[int], db, monkeypatch: pytest.MonkeyPatch
) -> None:
    pm = build_plugin_manager(extra=list(plugins), entrypoints=False)
    monkeypatch.setattr(manager_module, "_pm", pm)
    levels = len(pm.registry.for_jurisdiction(code).escalation.levels)
    county = await _county(code, levels)

    visible = await restrict(Case.all(), township(county)).values_list("escalation_level", "state")
    assert sorted(visible) == sorted(
        [(level, CaseState.PERSUADING) for level in seen] + [(0, CaseState.UNREACHABLE)]
    )
