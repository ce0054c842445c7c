"""The workflow's one adapter to county rules, and the clocks it drives (no database)."""

from __future__ import annotations

import importlib
from datetime import UTC, date, datetime, timedelta

import pytest

from core.cases.deadlines import CHAIN_STATES, clock_for, describe
from core.cases.enums import CaseReason, CaseState
from core.cases.policy import CaseRules, from_county_rules, rules_for
from core.china_time import CHINA_TZ, end_of_day
from core.hookspecs import hookimpl
from core.plugins import build_plugin_manager
from core.rules.enums import DeadlineKind, VocabularyKind
from core.rules.specs import Clause, Deadline, EscalationChain, EscalationLevel, VocabularyTerm

S = CaseState
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
CLAUSE = Clause(document="测试县控辍保学方案", section="一")


class ThrowawayCounty:
    """A throwaway county with a three-level chain, its own clocks and an extra reason."""

    __name__ = "test_county"

    @hookimpl
    def baoxue_escalation_chain(self, jurisdiction_code: str):
        if jurisdiction_code != "999001":
            return None
        return EscalationChain(
            name="测试链",
            clause=CLAUSE,
            unreachable_level=2,
            levels=(
                EscalationLevel(
                    level=1,
                    name="班主任",
                    responsible="班主任",
                    action="劝返",
                    clause=CLAUSE,
                    days_allowed=3,
                ),
                EscalationLevel(
                    level=2,
                    name="镇政府",
                    responsible="乡镇人民政府",
                    action="劝返",
                    clause=CLAUSE,
                    notify=("县教育局",),
                ),
                EscalationLevel(
                    level=3, name="县政府", responsible="县人民政府", action="督促", clause=CLAUSE
                ),
            ),
        )

    @hookimpl
    def baoxue_deadlines(self, jurisdiction_code: str):
        if jurisdiction_code != "999001":
            return None
        return (
            Deadline(
                kind=DeadlineKind.RETURN_NOTICE_RESPONSE,
                days=5,
                responsible="法定监护人",
                action="送子女复学",
                clause=CLAUSE,
                notify_on_expiry=("乡镇人民政府",),
            ),
            Deadline(
                kind=DeadlineKind.FOLLOW_UP_WINDOW,
                days=60,
                responsible="学校",
                action="跟踪",
                clause=CLAUSE,
            ),
        )

    @hookimpl
    def baoxue_vocabulary(self, jurisdiction_code: str):
        if jurisdiction_code != "999001":
            return None
        return (
            VocabularyTerm(
                kind=VocabularyKind.CASE_REASON, code="FARM_WORK", label="农忙", clause=CLAUSE
            ),
        )


@pytest.fixture(scope="module")
def test_rules() -> CaseRules:
    pm = build_plugin_manager(extra=[("test_county", ThrowawayCounty())], entrypoints=False)
    return from_county_rules(pm.registry.for_jurisdiction("999001"))


def test_a_plugin_chain_is_numbered_from_zero_with_its_days(test_rules: CaseRules) -> None:
    assert test_rules.chain_name == "测试链"
    assert [(lv.number, lv.name, lv.office) for lv in test_rules.chain] == [
        (0, "班主任", "班主任"),
        (1, "镇政府", "乡镇人民政府"),
        (2, "县政府", "县人民政府"),
    ]
    step = test_rules.clock(DeadlineKind.ESCALATION_STEP).days
    assert [lv.days for lv in test_rules.chain] == [3, step, None]  # own, default, top
    assert test_rules.chain[1].notify == ("县教育局",)
    assert test_rules.top_level == 2
    assert test_rules.unreachable_level == 1


def test_plugin_clocks_replace_the_defaults_and_the_rest_stay(test_rules: CaseRules) -> None:
    assert set(test_rules.clocks) == set(DeadlineKind)
    assert test_rules.return_notice_days == 5
    assert test_rules.clock(DeadlineKind.RETURN_NOTICE_RESPONSE).notify == ("乡镇人民政府",)
    assert test_rules.follow_up_window_days == 60
    defaults = rules_for("999999")
    assert test_rules.clock(DeadlineKind.VERIFICATION) == defaults.clock(DeadlineKind.VERIFICATION)
    assert "FARM_WORK" in test_rules.reasons and "FARM_WORK" not in defaults.reasons
    assert set(CaseReason.choices()) <= test_rules.reasons


def test_a_county_without_a_plugin_gets_core_defaults() -> None:
    rules = rules_for("999999")
    assert rules is rules_for("999999")  # converted once
    assert rules.chain[0].number == 0 and rules.chain[-1].days is None
    assert all(lv.days for lv in rules.chain[:-1])
    assert set(rules.clocks) == set(DeadlineKind)
    assert rules.follow_up_window_days == 30
    assert rules_for(None).chain == rules.chain


def _county(module: str, code: str) -> CaseRules:
    plugin = pytest.importorskip(module)
    pm = build_plugin_manager(extra=[(module, plugin)], entrypoints=False)
    return from_county_rules(pm.registry.for_jurisdiction(code))


def test_tiedong_five_level_joint_control_and_one_week_marking() -> None:
    rules = _county("baoxue_tiedong", "210302")
    assert [lv.name for lv in rules.chain] == ["班主任", "学校", "区教育局", "区政府", "司法部门"]
    assert rules.clock(DeadlineKind.REPORT_MARKING).days == 7


def test_lipu_one_week_after_a_notice_then_township_and_bureau_are_told() -> None:
    rules = _county("baoxue_lipu", "450381")
    notice = rules.clock(DeadlineKind.RETURN_NOTICE_RESPONSE)
    assert notice.days == 7
    assert any("乡镇" in n for n in notice.notify) and any("教育局" in n for n in notice.notify)


def test_rongchang_hands_the_unreachable_to_the_town_government() -> None:
    rules = _county("baoxue_rongchang", "500153")
    assert rules.unreachable_level is not None
    assert "镇街" in rules.level(rules.unreachable_level).office


@pytest.mark.parametrize("name", ["tiedong", "rongchang", "suining", "lipu"])
def test_every_county_plugin_converts(name: str) -> None:
    module = importlib.util.find_spec(f"baoxue_{name}")
    if module is None:
        pytest.skip(f"baoxue_{name} not installed")
    plugin = importlib.import_module(f"baoxue_{name}")
    pm = build_plugin_manager(extra=[(name, plugin)], entrypoints=False)
    [spec] = pm.registry.jurisdictions()
    county = pm.registry.for_jurisdiction(spec.division_code)
    rules = from_county_rules(county)
    assert len(rules.chain) == len(county.escalation.levels)
    for level in rules.chain:
        assert level.days == county.escalation_days(level.number + 1)
    assert rules.chain[-1].days is None


# -- clocks --------------------------------------------------------------------------------------


def test_each_state_has_its_clock(test_rules: CaseRules) -> None:
    r = test_rules
    due = clock_for(S.REPORTED, rules=r, level=0, since=T0)
    assert due.kind is DeadlineKind.REPORT_MARKING
    assert due.at == T0 + timedelta(days=r.clock(DeadlineKind.REPORT_MARKING).days)
    assert clock_for(S.VERIFYING, rules=r, level=0, since=T0).kind is DeadlineKind.VERIFICATION
    for state in CHAIN_STATES:
        due = clock_for(state, rules=r, level=0, since=T0)
        assert (due.kind, due.at, due.office) == (
            DeadlineKind.ESCALATION_STEP,
            T0 + timedelta(days=3),
            "班主任",
        )
        assert due.notify[0] == "乡镇人民政府"  # the level above is who gets told
    for state in (S.RETURNED, S.MONITORING):
        due = clock_for(state, rules=r, level=2, since=T0)
        assert (due.kind, due.at) == (DeadlineKind.FOLLOW_UP_WINDOW, T0 + timedelta(days=60))
    for state in (S.CLOSED, S.DISMISSED, S.EXEMPTED, S.TRANSFERRED):
        assert clock_for(state, rules=r, level=0, since=T0).at is None


def test_a_notice_replaces_the_level_time_but_not_for_the_unreachable(test_rules) -> None:
    notice = end_of_day(date(2026, 3, 9))
    due = clock_for(S.PERSUADING, rules=test_rules, level=1, since=T0, notice_deadline=notice)
    assert (due.kind, due.at, due.office) == (
        DeadlineKind.RETURN_NOTICE_RESPONSE,
        notice,
        "乡镇人民政府",
    )
    assert due.notify == ("乡镇人民政府",)
    due = clock_for(S.UNREACHABLE, rules=test_rules, level=1, since=T0, notice_deadline=notice)
    assert due.kind is DeadlineKind.ESCALATION_STEP


def test_the_top_level_has_no_clock(test_rules: CaseRules) -> None:
    due = clock_for(S.PERSUADING, rules=test_rules, level=2, since=T0)
    assert due.at is None and due.office == "县人民政府" and due.notify == ()
    assert clock_for(S.PERSUADING, rules=test_rules, level=9, since=T0).office == "县人民政府"


def test_a_date_deadline_ends_at_midnight_in_china() -> None:
    end = end_of_day(date(2026, 3, 9))
    assert end == datetime(2026, 3, 9, 16, 0, tzinfo=UTC)
    assert end.astimezone(CHINA_TZ).isoformat() == "2026-03-10T00:00:00+08:00"


def test_describe_names_the_clock_behind_a_stored_deadline(test_rules: CaseRules) -> None:
    due = describe(S.PERSUADING, rules=test_rules, level=1, deadline=T0, on_notice=True)
    assert (due.at, due.kind, due.office) == (
        T0,
        DeadlineKind.RETURN_NOTICE_RESPONSE,
        "乡镇人民政府",
    )
    due = describe(S.REPORTED, rules=test_rules, level=0, deadline=None, on_notice=False)
    assert due.kind is None
