"""Discovery and start-up validation: a broken plugin fails when the manager is built,
with an error naming the plugin and the hook."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

import core.plugins.manager as manager_module
from core.cli import main
from core.plugins import (
    PluginError,
    build_plugin_manager,
    get_plugin_manager,
    get_registry,
    hookimpl,
    reset_plugin_manager,
    rules_for,
)
from core.rules import (
    Clause,
    Column,
    Comparison,
    Deadline,
    DeadlineKind,
    Duty,
    EscalationChain,
    EscalationLevel,
    JurisdictionSpec,
    Metric,
    PeriodKind,
    ReportFormat,
    ResponsibilityLine,
    ResponsibilitySpec,
    RowKind,
    Target,
    TownSpec,
    VocabularyKind,
    VocabularyTerm,
)

from .conftest import COUNTY_PLUGINS, serving

CLAUSE = Clause(document="测试文件", section="一")


def county(code: str = "130999", name: str = "测试县") -> JurisdictionSpec:
    return JurisdictionSpec(
        division_code=code,
        name=name,
        province="河北省",
        towns=(TownSpec(name="甲镇"),),
        sources=("测试文件",),
    )


def plugin(code: str = "130999", **hooks):
    """A plugin object serving ``code`` with the given hook answers (values, not functions)."""
    return serving(hooks.pop("jurisdiction", county(code)), **hooks)


def start(*plugins: tuple[str, object]):
    return build_plugin_manager(extra=list(plugins), entrypoints=False)


def fails(name: str, hook: str, *plugins: tuple[str, object]) -> PluginError:
    with pytest.raises(PluginError) as info:
        start(*plugins)
    error = info.value
    assert (error.plugin, error.hook) == (name, hook), str(error)
    assert name in str(error) and hook in str(error)
    return error


def target(**changes) -> Target:
    values = dict(
        metric=Metric.CONSOLIDATION_RATE,
        comparison=Comparison.AT_LEAST,
        threshold=Decimal("99"),
        clause=CLAUSE,
    )
    values.update(changes)
    return Target(**values)


def test_a_well_formed_plugin_starts() -> None:
    pm = start(("good", plugin(targets=[target()])))
    rules = pm.registry.for_jurisdiction("130999")
    assert rules.target(Metric.CONSOLIDATION_RATE).threshold == Decimal("99")
    assert rules.plugin == "good"


# -- bad return shapes -------------------------------------------------------------------------


def test_bad_return_shape_names_plugin_and_hook() -> None:
    error = fails("broken", "baoxue_targets", ("broken", plugin(targets={"巩固率": 97.3})))
    assert "expected a list or tuple, got dict" in str(error)


def test_float_threshold_is_a_bad_shape() -> None:
    error = fails("broken", "baoxue_targets", ("broken", plugin(targets=[target(threshold=97.3)])))
    assert 'Decimal("97.3")' in str(error)


def test_list_where_a_tuple_is_expected() -> None:
    chain = EscalationChain(
        name="链",
        clause=CLAUSE,
        levels=[
            EscalationLevel(level=1, name="学校", responsible="学校", action="劝返", clause=CLAUSE)
        ],
    )
    error = fails("broken", "baoxue_escalation_chain", ("broken", plugin(escalation_chain=chain)))
    assert "levels: expected a tuple" in str(error)


def test_bad_jurisdiction_spec() -> None:
    bad = JurisdictionSpec(division_code="4503", name="坏县", sources=("x",))
    fails("broken", "baoxue_jurisdiction", ("broken", plugin(jurisdiction=bad)))
    city = JurisdictionSpec(division_code="450300", name="桂林市", sources=("x",))
    error = fails("city", "baoxue_jurisdiction", ("city", plugin(jurisdiction=city)))
    assert "not a county" in str(error)


def test_duplicate_division_code() -> None:
    error = fails(
        "second",
        "baoxue_jurisdiction",
        ("first", plugin("130999")),
        ("second", plugin("130999")),
    )
    assert "duplicate division code 130999" in str(error)
    assert "'first'" in str(error)


def test_duplicate_division_code_of_an_installed_county(county_modules) -> None:
    error = fails(
        "impostor",
        "baoxue_jurisdiction",
        ("lipu", county_modules["lipu"]),
        ("impostor", plugin("450381")),
    )
    assert "already served by plugin 'lipu'" in str(error)


# -- unknown vocabulary ------------------------------------------------------------------------


def test_unknown_metric() -> None:
    error = fails(
        "broken", "baoxue_targets", ("broken", plugin(targets=[target(metric="GRADUATION_RATE")]))
    )
    assert "unknown Metric" in str(error) and "GRADUATION_RATE" in str(error)


def test_metric_given_as_a_string_is_told_how_to_write_it() -> None:
    error = fails(
        "broken",
        "baoxue_targets",
        ("broken", plugin(targets=[target(metric="CONSOLIDATION_RATE")])),
    )
    assert "write Metric.CONSOLIDATION_RATE" in str(error)


def test_rate_out_of_range_and_unknown_excluded_reason() -> None:
    fails("a", "baoxue_targets", ("a", plugin(targets=[target(threshold=Decimal("101"))])))
    error = fails(
        "b", "baoxue_targets", ("b", plugin(targets=[target(excluding_reasons=("FLU",))]))
    )
    assert "unknown case reason 'FLU'" in str(error)


def test_excluded_reason_may_come_from_the_county_vocabulary() -> None:
    term = VocabularyTerm(
        kind=VocabularyKind.CASE_REASON, code="FLOOD", label="洪灾", clause=CLAUSE
    )
    pm = start(("ok", plugin(vocabulary=[term], targets=[target(excluding_reasons=("FLOOD",))])))
    assert pm.registry.for_jurisdiction("130999").case_reasons()["FLOOD"] == "洪灾"


def test_vocabulary_may_not_redefine_core_terms() -> None:
    term = VocabularyTerm(
        kind=VocabularyKind.CASE_REASON, code="FINANCIAL", label="穷", clause=CLAUSE
    )
    error = fails("broken", "baoxue_vocabulary", ("broken", plugin(vocabulary=[term])))
    assert "already a core term" in str(error)


def _format(*cols: Column, **changes) -> ReportFormat:
    values = dict(
        code="report",
        title="报表",
        period_kinds=(PeriodKind.MONTHLY,),
        row_kind=RowKind.SCHOOL,
        columns=cols,
        clause=CLAUSE,
    )
    values.update(changes)
    return ReportFormat(**values)


def test_unknown_report_column() -> None:
    fmt = _format(Column(key="x", header="毕业率", source="stats.graduation_rate"))
    error = fails("broken", "baoxue_report_formats", ("broken", plugin(report_formats=[fmt])))
    assert "unknown field 'stats.graduation_rate'" in str(error)


def test_a_part_column_counts_a_part_of_a_column_of_the_form() -> None:
    # 其中辍学人数 beside 未及时返校人数 once counted every dropout of the school: it could exceed
    # the children not back it is headed as a part of
    absent = Column(key="absent", header="未及时返校人数", source="stats.absent")
    stock = Column(key="dropouts", header="其中辍学人数", source="stats.dropouts")
    fmt = _format(absent, stock)
    error = fails("broken", "baoxue_report_formats", ("broken", plugin(report_formats=[fmt])))
    assert "headed '其中辍学人数', a part of another column" in str(error)
    assert "stats.suspected_dropouts" in str(error)  # the way out: a part of what is shown
    # a part whose whole the form does not show fails too
    alone = _format(Column(key="t", header="其中转学人数", source="stats.transferred"))
    fails("broken", "baoxue_report_formats", ("broken", plugin(report_formats=[alone])))
    part = Column(key="part", header="其中辍学人数", source="stats.suspected_dropouts")
    beside = Column(key="dropouts", header="辍学人数", source="stats.dropouts")
    pm = start(("ok", plugin(report_formats=[_format(absent, part, beside)])))
    columns = pm.registry.for_jurisdiction("130999").report_format("report").columns
    assert [c.header for c in columns] == ["未及时返校人数", "其中辍学人数", "辍学人数"]


def test_report_column_that_does_not_fit_its_rows() -> None:
    fmt = _format(Column(key="name", header="姓名", source="child.name"))
    error = fails("broken", "baoxue_report_formats", ("broken", plugin(report_formats=[fmt])))
    assert "cannot appear in a report whose rows are SCHOOL" in str(error)


def test_report_grouped_by_a_missing_column() -> None:
    fmt = _format(Column(key="school", header="学校", source="school.name"), group_by=("town",))
    fails("broken", "baoxue_report_formats", ("broken", plugin(report_formats=[fmt])))


# -- chains, tables, deadlines -----------------------------------------------------------------


def _level(n: int, days: int | None = None) -> EscalationLevel:
    return EscalationLevel(
        level=n, name=f"第{n}级", responsible="x", action="劝返", clause=CLAUSE, days_allowed=days
    )


def test_escalation_chain_that_does_not_end() -> None:
    chain = EscalationChain(name="链", clause=CLAUSE, levels=(_level(1, 7), _level(2, 7)))
    error = fails("broken", "baoxue_escalation_chain", ("broken", plugin(escalation_chain=chain)))
    assert "does not end" in str(error)


def test_escalation_levels_out_of_order() -> None:
    chain = EscalationChain(name="链", clause=CLAUSE, levels=(_level(1), _level(3)))
    fails("broken", "baoxue_escalation_chain", ("broken", plugin(escalation_chain=chain)))
    loop = EscalationChain(name="链", clause=CLAUSE, levels=(_level(1),), unreachable_level=4)
    fails("loop", "baoxue_escalation_chain", ("loop", plugin(escalation_chain=loop)))
    nowhere = EscalationChain(name="链", clause=CLAUSE, levels=(_level(1),), township_level=2)
    error = fails(
        "nowhere", "baoxue_escalation_chain", ("nowhere", plugin(escalation_chain=nowhere))
    )
    assert "township_level 2 is not a level of the chain" in str(error)
    for name in ("confirmed_level", "return_notice_level"):
        beyond = EscalationChain(name="链", clause=CLAUSE, levels=(_level(1),), **{name: 2})
        error = fails(
            "beyond", "baoxue_escalation_chain", ("beyond", plugin(escalation_chain=beyond))
        )
        assert f"{name} 2 is not a level of the chain" in str(error)


def test_a_level_runs_on_a_chain_clock_only_and_not_on_two() -> None:
    def chain(**top) -> EscalationChain:
        last = EscalationLevel(
            level=2, name="乡镇", responsible="乡镇人民政府", action="责令", clause=CLAUSE, **top
        )
        return EscalationChain(name="链", clause=CLAUSE, levels=(_level(1), last))

    wrong = chain(deadline=DeadlineKind.FOLLOW_UP_WINDOW)
    error = fails("wrong", "baoxue_escalation_chain", ("wrong", plugin(escalation_chain=wrong)))
    assert "FOLLOW_UP_WINDOW is not a clock a level runs on" in str(error)
    both = EscalationChain(
        name="链",
        clause=CLAUSE,
        levels=(
            EscalationLevel(
                level=1,
                name="学校",
                responsible="学校",
                action="劝返",
                clause=CLAUSE,
                days_allowed=3,
                deadline=DeadlineKind.TOWNSHIP_ACTION,
            ),
            _level(2),
        ),
    )
    error = fails("both", "baoxue_escalation_chain", ("both", plugin(escalation_chain=both)))
    assert "days_allowed or a deadline, not both" in str(error)
    # At the top of the chain a level may name the township's clock: it has a time, still
    # cannot go up.
    rules = build_plugin_manager(
        extra=[("top", plugin(escalation_chain=chain(deadline=DeadlineKind.TOWNSHIP_ACTION)))],
        entrypoints=False,
    ).registry.for_jurisdiction("130999")
    township = rules.deadline(DeadlineKind.TOWNSHIP_ACTION)
    assert rules.level_clock(2) == (DeadlineKind.TOWNSHIP_ACTION, township.days)
    assert rules.escalation_days(2) is None


def _spec(key: str, reports_to: str | None = None, towns: tuple[str, ...] = ()):
    return ResponsibilitySpec(
        key=key,
        line=ResponsibilityLine.EDUCATION,
        duty=Duty.TOWN,
        role="包乡镇人员",
        towns=towns,
        reports_to=reports_to,
        clause=CLAUSE,
    )


def test_responsibility_table_checks() -> None:
    unknown_town = [_spec("a", towns=("乙镇",))]
    error = fails("a", "baoxue_responsibilities", ("a", plugin(responsibilities=unknown_town)))
    assert "unknown town '乙镇'" in str(error)
    dangling = [_spec("a", reports_to="nobody")]
    fails("b", "baoxue_responsibilities", ("b", plugin(responsibilities=dangling)))
    circle = [_spec("a", reports_to="b"), _spec("b", reports_to="a")]
    error = fails("c", "baoxue_responsibilities", ("c", plugin(responsibilities=circle)))
    assert "circle" in str(error)


def test_deadline_of_zero_days() -> None:
    deadline = Deadline(
        kind=DeadlineKind.VERIFICATION, days=0, responsible="学校", action="核实", clause=CLAUSE
    )
    fails("broken", "baoxue_deadlines", ("broken", plugin(deadlines=[deadline])))


# -- hook implementations themselves -----------------------------------------------------------


def _follow_up(days: int) -> Deadline:
    return Deadline(
        kind=DeadlineKind.FOLLOW_UP_WINDOW,
        days=days,
        responsible="学校",
        action="复学后跟踪",
        clause=CLAUSE,
    )


def test_a_county_plugin_is_asked_about_its_own_county_only(county_modules) -> None:
    asked: list[str] = []

    class Careless:
        """Declares 130999 and answers whatever county it is asked about."""

        @hookimpl
        def baoxue_jurisdiction(self):
            return county("130999")

        @hookimpl
        def baoxue_deadlines(self, jurisdiction_code):
            asked.append(jurisdiction_code)
            return [_follow_up(60)]

    pm = start(("lipu", county_modules["lipu"]), ("careless", Careless()))
    follow_up = DeadlineKind.FOLLOW_UP_WINDOW
    assert pm.registry.for_jurisdiction("130999").days(follow_up) == 60
    assert pm.registry.for_jurisdiction("450381").days(follow_up) == 30  # lipu's own rules
    assert pm.registry.for_jurisdiction("000000").days(follow_up) == 30  # no plugin: core's
    assert set(asked) == {"130999"}, "neither validation nor resolution asks it about others"


def test_a_plugin_declaring_no_county_is_asked_about_every_county(county_modules) -> None:
    class EveryCounty:
        @hookimpl
        def baoxue_deadlines(self, jurisdiction_code):
            return [_follow_up(45)]

    pm = start(("lipu", county_modules["lipu"]), ("every", EveryCounty()))
    for code in ("450381", "000000"):
        assert pm.registry.for_jurisdiction(code).days(DeadlineKind.FOLLOW_UP_WINDOW) == 45


def test_an_adjusters_answer_for_a_county_without_a_plugin_is_checked() -> None:
    class Broken:
        @hookimpl
        def baoxue_deadlines(self, jurisdiction_code):
            return [_follow_up(0)] if jurisdiction_code == "000000" else None

    error = fails("broken", "baoxue_deadlines", ("broken", Broken()))
    assert "000000: deadline FOLLOW_UP_WINDOW: days must be > 0" in str(error)


def test_misspelt_hook_name() -> None:
    class Typo:
        @hookimpl
        def baoxue_target(self, jurisdiction_code):
            return None

    error = fails("typo", "baoxue_target", ("typo", Typo()))
    assert "no such hook" in str(error)


def test_hook_asking_for_an_argument_it_is_not_given() -> None:
    class Greedy:
        @hookimpl
        def baoxue_targets(self, jurisdiction_code, school_year):
            return None

    error = fails("greedy", "baoxue_targets", ("greedy", Greedy()))
    assert "school_year" in str(error)


def test_hook_that_raises() -> None:
    class Raises:
        @hookimpl
        def baoxue_jurisdiction(self):
            raise RuntimeError("boom")

    error = fails("raises", "baoxue_jurisdiction", ("raises", Raises()))
    assert "RuntimeError: boom" in str(error)


# -- merging with core defaults and other plugins ----------------------------------------------


def test_an_override_plugin_adjusts_one_rule_of_an_installed_county(county_modules) -> None:
    class LocalOverride:
        @hookimpl
        def baoxue_deadlines(self, jurisdiction_code):
            return [_follow_up(60)] if jurisdiction_code == "450381" else None

    pm = start(("lipu", county_modules["lipu"]), ("override", LocalOverride()))
    rules = pm.registry.for_jurisdiction("450381")
    assert rules.days(DeadlineKind.FOLLOW_UP_WINDOW) == 60  # the override
    assert rules.days(DeadlineKind.RETURN_NOTICE_RESPONSE) == 7  # lipu's, kept
    assert rules.days(DeadlineKind.VERIFICATION) == 7  # the core default, kept


def test_core_defaults_alone() -> None:
    rules = start().registry.for_jurisdiction("130999")
    assert rules.jurisdiction is None
    assert [lv.name for lv in rules.escalation.levels] == [
        "班主任",
        "学校",
        "乡镇人民政府",
        "县教育局",
        "县政府",
    ]
    assert rules.days(DeadlineKind.FOLLOW_UP_WINDOW) == 30
    assert {t.metric for t in rules.targets} >= {Metric.ENROLMENT_RATE, Metric.CONSOLIDATION_RATE}
    assert all(t.threshold == Decimal("100") for t in rules.targets if t.metric.is_rate)
    assert {f.code for f in rules.report_formats} >= {"attendance-return", "case-ledger"}


# -- entry points ------------------------------------------------------------------------------

GOOD_MODULE = """
from core.plugins import hookimpl
from core.rules import JurisdictionSpec, TownSpec

@hookimpl
def baoxue_jurisdiction():
    return JurisdictionSpec(
        division_code="{code}", name="{name}", province="河北省",
        towns=(TownSpec(name="甲镇"),), sources=("测试文件",),
    )
"""


def test_clashing_entry_point_names(fake_install) -> None:
    fake_install("baoxue-one", {"clash": "clash_one"}, {"clash_one": "x = 1\n"})
    fake_install("baoxue-two", {"clash": "clash_two"}, {"clash_two": "x = 2\n"})
    with pytest.raises(PluginError) as info:
        build_plugin_manager()
    assert (info.value.plugin, info.value.hook) == ("clash", "entry point")
    assert "baoxue-one, baoxue-two" in str(info.value)


def test_entry_point_that_fails_to_import(fake_install) -> None:
    fake_install("baoxue-bad", {"bad": "bad_plugin"}, {"bad_plugin": "import nowhere_at_all\n"})
    with pytest.raises(PluginError) as info:
        build_plugin_manager()
    assert (info.value.plugin, info.value.hook) == ("bad", "import")


def test_allow_list_from_the_environment(fake_install, monkeypatch) -> None:
    source = GOOD_MODULE.format(code="130998", name="乙县")
    fake_install("baoxue-yi", {"yi": "yi_plugin"}, {"yi_plugin": source})
    monkeypatch.setenv("BAOXUE_PLUGINS", "yi, baoxue-lipu")
    pm = build_plugin_manager()
    assert {s.name for s in pm.registry.jurisdictions()} == {"乙县", "荔浦市"}
    assert pm.distributions["yi"].version == "1.0"
    monkeypatch.setenv("BAOXUE_PLUGINS", "nonexistent")
    with pytest.raises(PluginError) as info:
        build_plugin_manager()
    assert (info.value.plugin, info.value.hook) == ("nonexistent", "BAOXUE_PLUGINS")


def test_a_broken_installed_plugin_stops_start_up(fake_install) -> None:
    source = GOOD_MODULE.format(code="450381", name="假荔浦")
    fake_install("baoxue-fake", {"fake": "fake_plugin"}, {"fake_plugin": source})
    with pytest.raises(PluginError) as info:
        build_plugin_manager()
    assert info.value.hook == "baoxue_jurisdiction"
    assert "duplicate division code 450381" in str(info.value)


# -- the cached manager and the CLI ------------------------------------------------------------


def test_one_manager_built_once(monkeypatch) -> None:
    monkeypatch.setattr(manager_module, "_pm", None)
    calls = []
    real = manager_module.build_plugin_manager
    monkeypatch.setattr(manager_module, "build_plugin_manager", lambda: calls.append(1) or real())
    assert get_plugin_manager() is get_plugin_manager()
    assert get_registry() is get_plugin_manager().registry
    assert rules_for("450381").jurisdiction.name == "荔浦市"
    assert calls == [1]
    reset_plugin_manager()
    assert manager_module._pm is None


def test_cli_lists_installed_plugins(monkeypatch) -> None:
    monkeypatch.setattr(manager_module, "_pm", None)
    result = CliRunner().invoke(main, ["plugins", "--json"])
    assert result.exit_code == 0, result.output
    listed = {p["name"]: p for p in json.loads(result.output)}
    for name, code in COUNTY_PLUGINS.items():
        assert listed[name]["jurisdiction_code"] == code
        assert listed[name]["version"] == "0.1.0"
        assert listed[name]["sources"]
    text = CliRunner().invoke(main, ["plugins"]).output
    assert "lipu" in text and "荔浦市" in text and "baoxue-lipu 0.1.0" in text
    reset_plugin_manager()


def test_cli_reports_a_broken_plugin(fake_install, monkeypatch) -> None:
    monkeypatch.setattr(manager_module, "_pm", None)
    fake_install("baoxue-bad", {"bad": "bad_plugin_cli"}, {"bad_plugin_cli": "raise 1/0\n"})
    result = CliRunner().invoke(main, ["plugins"])
    assert result.exit_code == 1
    assert "plugin 'bad', import" in result.output
    reset_plugin_manager()
