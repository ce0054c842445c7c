"""The four county plugins: the conformance suite for each, then their content clause by clause."""

from __future__ import annotations

import importlib.metadata
from decimal import Decimal

import pytest

from core.officials.models import Duty, ResponsibilityLine
from core.people.enums import KeyGroup
from core.plugins import build_plugin_manager
from core.rules import (
    Comparison,
    DeadlineKind,
    LeadershipRole,
    Metric,
    PeriodAnchor,
    PeriodKind,
    Population,
    RowKind,
    SchoolGroupKind,
    SchoolStage,
    SignOffAction,
    TargetPeriod,
    TownKind,
    render_report,
    render_sign_off,
    sample_row,
)
from core.testing.plugin_conformance import CHECKS, ConformanceSkip, PluginUnderTest

from .conftest import COUNTY_PLUGINS

# -- conformance and installation --------------------------------------------------------------

_under_test: dict[str, PluginUnderTest] = {}


@pytest.mark.parametrize("check", list(CHECKS))
@pytest.mark.parametrize("name", list(COUNTY_PLUGINS))
def test_conformance(name: str, check: str, county_modules) -> None:
    if name not in _under_test:
        _under_test[name] = PluginUnderTest(county_modules[name], name)
    try:
        CHECKS[check](_under_test[name])
    except ConformanceSkip as exc:
        pytest.skip(str(exc))


@pytest.mark.parametrize("name", list(COUNTY_PLUGINS))
def test_installed_under_the_baoxue_entry_point_group(name: str) -> None:
    eps = {ep.name: ep for ep in importlib.metadata.entry_points(group="baoxue")}
    assert name in eps, f"run `pip install -e plugins/{name}` (make does it)"
    assert eps[name].value == f"baoxue_{name}"
    assert eps[name].dist.name == f"baoxue-{name}"


def test_installed_plugins_load_together_through_entry_points() -> None:
    pm = build_plugin_manager()
    codes = {s.division_code for s in pm.registry.jurisdictions()}
    assert set(COUNTY_PLUGINS.values()) <= codes
    for name, code in COUNTY_PLUGINS.items():
        assert pm.registry.plugin_for(code) == name
        assert pm.distributions[name].version == "0.1.0"


def test_each_plugin_declares_its_division_code(registry) -> None:
    # baoxue_jurisdiction: code, name, city, province of every county.
    got = {(s.division_code, s.name, s.city, s.province) for s in registry.jurisdictions()}
    assert got == {
        ("210302", "铁东区", "鞍山市", "辽宁省"),
        ("500153", "荣昌区", "重庆市", "重庆市"),
        ("430527", "绥宁县", "邵阳市", "湖南省"),
        ("450381", "荔浦市", "桂林市", "广西壮族自治区"),
    }


# -- 铁东区 ------------------------------------------------------------------------------------


def test_tiedong_escalation_is_the_five_level_chain_in_order(registry) -> None:
    # baoxue_escalation_chain, 三、2: 班主任-学校-区教育局-区政府-司法部门
    rules = registry.for_jurisdiction("210302")
    chain = rules.escalation
    assert chain.name == "五级联控"
    assert [lv.name for lv in chain.levels] == ["班主任", "学校", "区教育局", "区政府", "司法部门"]
    assert [lv.level for lv in chain.levels] == [1, 2, 3, 4, 5]
    assert all(lv.clause.section == "三、2" for lv in chain.levels)
    # The document sets no time per level: the core ESCALATION_STEP default applies.
    assert [rules.escalation_days(n) for n in range(1, 6)] == [7, 7, 7, 7, None]


def test_tiedong_targets_replace_the_consolidation_default_only(registry) -> None:
    # baoxue_targets, 二、工作目标
    rules = registry.for_jurisdiction("210302")
    consolidation = rules.target(Metric.CONSOLIDATION_RATE)
    assert consolidation.comparison is Comparison.AT_LEAST
    assert consolidation.threshold == Decimal("97.3")
    assert consolidation.is_met(Decimal("97.3")) and not consolidation.is_met(Decimal("97.29"))
    poor = rules.target(Metric.DROPOUT_RATE, Population.POVERTY_LIFTED)
    assert (poor.comparison, poor.threshold) == (Comparison.EQUAL, Decimal("0"))
    # 入学率 is not in the document: the core default stays.
    assert rules.target(Metric.ENROLMENT_RATE).threshold == Decimal("100")
    assert "Baoxue" not in rules.target(Metric.ENROLMENT_RATE).clause.document


def test_tiedong_registrar_marks_within_a_week(registry) -> None:
    # baoxue_deadlines, 三、3
    rules = registry.for_jurisdiction("210302")
    marking = rules.deadline(DeadlineKind.REPORT_MARKING)
    assert (marking.days, marking.responsible) == (7, "学籍管理员")
    assert marking.clause.section == "三、3"
    assert rules.days(DeadlineKind.FOLLOW_UP_WINDOW) == 30  # core default


def test_tiedong_ledgers(registry) -> None:
    # baoxue_report_formats, 三、3 and 三、5
    rules = registry.for_jurisdiction("210302")
    ledger = rules.report_format("management-ledger")
    assert ledger.title == "控辍保学工作管理台账"
    assert ledger.row_kind is RowKind.CASE
    assert "学籍管理员标注日期" in [c.header for c in ledger.columns]
    care = rules.report_format("key-group-care-ledger")
    assert "一生一策" in care.title
    headers = [c.header for c in care.columns]
    assert {"学习帮扶", "生活帮扶", "心理帮扶", "帮扶教师 (大手拉小手)"} <= set(headers)


def test_tiedong_vocabulary_and_responsibilities(registry) -> None:
    # baoxue_vocabulary, 三、4; baoxue_responsibilities, 四、1
    rules = registry.for_jurisdiction("210302")
    assert rules.case_reasons()["TEACHER_MISCONDUCT"] == "学校或教师教育教学行为违规"
    assert rules.case_reasons()["FINANCIAL"] == "家庭经济困难"  # core terms stay
    heads = [r for r in rules.responsibilities if r.role == "校长"]
    assert heads[0].description == "控辍保学直接责任人"
    assert rules.leadership is None  # baoxue_leadership: the document names no group


# -- 荣昌区 ------------------------------------------------------------------------------------


def test_rongchang_2025_targets(registry) -> None:
    # baoxue_targets, 三、明确目标任务
    rules = registry.for_jurisdiction("500153")
    for metric in (Metric.ENROLMENT_RATE, Metric.CONSOLIDATION_RATE):
        target = rules.target(metric)
        assert (target.threshold, target.year) == (Decimal("100"), 2025)
        assert target.period is TargetPeriod.CALENDAR_YEAR
    aid = rules.target(Metric.ASSISTANCE_COVERAGE, Population.FINANCIAL_HARDSHIP)
    assert aid.threshold == Decimal("100")
    assert aid.label == "资助覆盖率 ≥ 100% (家庭经济困难学生)"


def test_rongchang_three_level_responsibility(registry) -> None:
    # baoxue_responsibilities, 四、(六)2: 区 → 镇街 → 村社
    specs = {s.key: s for s in registry.for_jurisdiction("500153").responsibilities}
    gov = [s for s in specs.values() if s.line is ResponsibilityLine.GOVERNMENT]
    assert {s.duty for s in gov} >= {Duty.OVERALL, Duty.TOWN, Duty.VILLAGE}
    assert specs["村社"].reports_to == "镇街"
    assert specs["镇街"].reports_to == "区"
    assert specs["学校"].reports_to == "学区、督导责任区"


def test_rongchang_school_districts_and_supervision_zones(registry) -> None:
    spec = registry.jurisdiction("500153")
    kinds = {g.kind for g in spec.school_groups}
    assert kinds == {SchoolGroupKind.SCHOOL_DISTRICT, SchoolGroupKind.SUPERVISION_ZONE}
    towns = {t.name for t in spec.towns}
    for kind in kinds:
        covered = [t for g in spec.school_groups if g.kind is kind for t in g.towns]
        assert sorted(covered) == sorted(towns), f"every town in exactly one {kind.label}"
    assert {t.kind for t in spec.towns} == {TownKind.SUBDISTRICT, TownKind.TOWN}


def test_rongchang_unreachable_children_go_to_the_township(registry) -> None:
    # baoxue_escalation_chain and baoxue_deadlines, 四、(四)3
    rules = registry.for_jurisdiction("500153")
    chain = rules.escalation
    assert [lv.name for lv in chain.levels] == ["学校", "镇街政府"]
    unreachable = chain.level(chain.unreachable_level)
    assert unreachable.name == "镇街政府"
    assert unreachable.notify == ("村社",)
    # Confirmed dropouts go there too, and the township sees them from there.
    assert chain.confirmed_level == chain.unreachable_level == chain.township_level == 2
    # The top of the chain, with a clock of the plugin's own.
    township = rules.deadline(DeadlineKind.TOWNSHIP_ACTION)
    assert (township.responsible, township.action) == ("镇街政府", "责成村社落实劝学责任")
    assert not township.clause.core_default and township.clause.assumption
    assert rules.level_clock(2) == (DeadlineKind.TOWNSHIP_ACTION, township.days)
    assert rules.escalation_days(2) is None  # it still cannot go up


def test_rongchang_bimonthly_return_and_problem_ledger(registry) -> None:
    # baoxue_report_formats, 四、(四)1 and 四、(四)2; baoxue_key_periods, 四、(六)3
    rules = registry.for_jurisdiction("500153")
    bimonthly = rules.report_format("bimonthly-return")
    assert bimonthly.period_kinds == (PeriodKind.BIMONTHLY,)
    assert bimonthly.row_kind is RowKind.TOWN
    assert bimonthly.submit_to == ()  # the clause names no recipient
    problems = rules.report_format("problem-ledger")
    assert "问题台账" in problems.title
    assert "去向" in [c.header for c in problems.columns]
    autumn = [p for p in rules.key_periods if p.anchor is PeriodAnchor.AUTUMN_TERM_START]
    assert {p.code for p in autumn} >= {"autumn-special-inspection"}


def test_rongchang_focus_and_vocabulary(registry) -> None:
    # baoxue_monitoring_focus, 三; baoxue_vocabulary, 四、(一)3
    rules = registry.for_jurisdiction("500153")
    focus = {f.code: f for f in rules.monitoring_focus}["three-key"]
    assert focus.stages == (SchoolStage.JUNIOR_MIDDLE,)
    assert focus.areas == ("农村", "边远", "贫困", "民族")
    assert "SOCIAL_ASSISTANCE" in rules.assistance_programmes()


# -- 绥宁县 ------------------------------------------------------------------------------------


def test_suining_zero_dropout_no_outflow(registry) -> None:
    # baoxue_targets, 一、工作目标: 零辍学、无流失
    rules = registry.for_jurisdiction("430527")
    for metric in (Metric.DROPOUT_COUNT, Metric.OUTFLOW_COUNT):
        target = rules.target(metric)
        assert (target.comparison, target.threshold) == (Comparison.EQUAL, Decimal("0"))
        assert "零辍学、无流失" in target.clause.text


def test_suining_term_start_statistics_signed_by_the_head(registry) -> None:
    # baoxue_report_formats, 二、(二)2
    fmt = registry.for_jurisdiction("430527").report_format("term-start-statistics")
    assert fmt.title == "开学工作统计报表"
    assert fmt.period_kinds == (PeriodKind.TERM_START,)
    (sign_off,) = fmt.sign_off
    assert sign_off.role == "单位主要负责同志"
    assert sign_off.actions == (SignOffAction.REVIEW, SignOffAction.SIGN, SignOffAction.STAMP)
    assert fmt.submit_to == ("县教育局教育股",)
    assert render_sign_off(fmt) == ["单位主要负责同志 (审核、签字、盖章)："]


def test_suining_ledgers_and_first_month_of_term(registry) -> None:
    # baoxue_report_formats and baoxue_key_periods, 二、(三)
    rules = registry.for_jurisdiction("430527")
    assert {"enrolment-school-monitoring", "registry-tracking"} <= {
        f.code for f in rules.report_formats
    }
    tracking = rules.report_format("registry-tracking")
    assert "异地入学手续或有效证明" in [c.header for c in tracking.columns]
    (period,) = [p for p in rules.key_periods if p.code == "term-start-first-month"]
    assert (period.anchor, period.days) == (PeriodAnchor.TERM_START, 30)
    focus = {f.code: f for f in rules.monitoring_focus}["key-monitoring"]
    assert focus.stages == (SchoolStage.JUNIOR_MIDDLE,)
    assert KeyGroup.PARENT_IMPRISONED in focus.key_groups


def test_suining_silent_where_core_defaults_apply(registry) -> None:
    # The document sets no chain or responsibility table: the core defaults answer.
    suining = registry.for_jurisdiction("430527")
    nobody = registry.for_jurisdiction("000000")
    assert suining.escalation == nobody.escalation
    assert [lv.name for lv in suining.escalation.levels] == [
        "班主任",
        "学校",
        "乡镇人民政府",
        "县教育局",
        "县政府",
    ]
    assert suining.responsibilities == nobody.responsibilities
    assert nobody.jurisdiction is None and nobody.plugin is None


# -- 荔浦市 ------------------------------------------------------------------------------------

#: 附件 责任学校一览表, typed from the document: 包片领导 → 乡镇 → 包乡镇人员.
LIPU_TABLE = {
    "黄杏华": {"马岭镇": ["毛如标"], "双江镇": ["黄益金", "杨鸿巧"], "花笱镇": ["李素云", "孟慧"]},
    "罗燕": {"杜莫镇": ["韦尉基", "胡洪媛"], "新坪镇": ["石秀梅"], "龙怀乡": ["何师忠"]},
    "钟星子": {
        "荔城镇": ["徐有助", "黄琳玲"],
        "修仁镇": ["唐承刚"],
        "大塘镇": ["伍柳茹"],
        "蒲芦乡": ["王熙龙"],
    },
    "叶少华": {"青山镇": ["张辉"], "东昌镇": ["潘德健"], "茶城乡": ["李义德"]},
}


def test_lipu_assignment_table_matches_the_attachment(registry) -> None:
    # baoxue_responsibilities, 附件
    specs = registry.for_jurisdiction("450381").responsibilities
    by_key = {s.key: s for s in specs}
    (overall,) = [s for s in specs if s.duty is Duty.OVERALL]
    assert (overall.person, overall.role) == ("吴朝春", "总负责人")
    got: dict[str, dict[str, list[str]]] = {}
    for spec in specs:
        if spec.duty is Duty.TOWN:
            leader = by_key[spec.reports_to]
            assert leader.duty is Duty.AREA and leader.reports_to == overall.key
            (town,) = spec.towns
            got.setdefault(leader.person, {}).setdefault(town, []).append(spec.person)
    assert got == LIPU_TABLE
    assert sum(len(towns) for towns in got.values()) == 13
    for leader, towns in LIPU_TABLE.items():
        area = by_key[f"包片-{leader}"]
        assert list(area.towns) == list(towns)
    lichen = [s for s in specs if s.towns == ("荔城镇",) and s.duty is Duty.TOWN]
    assert all(s.schools == ("民中", "滨江小学", "云惠学校") for s in lichen)


def test_lipu_organisation_lists_every_town_of_the_attachment(registry) -> None:
    # baoxue_jurisdiction
    spec = registry.jurisdiction("450381")
    expected = [town for towns in LIPU_TABLE.values() for town in towns]
    assert [t.name for t in spec.towns] == expected
    kinds = {t.name: t.kind for t in spec.towns}
    assert [n for n, k in kinds.items() if k is TownKind.TOWNSHIP] == ["龙怀乡", "蒲芦乡", "茶城乡"]
    schools = {t.name: [s.name for s in t.schools] for t in spec.towns if t.schools}
    assert schools == {"荔城镇": ["民中", "滨江小学", "云惠学校"], "青山镇": ["特校"]}


def test_lipu_leadership_group_names_every_member(registry) -> None:
    # baoxue_leadership, 三、健全机构
    group = registry.for_jurisdiction("450381").leadership
    assert group.name == "荔浦市教育局控辍保学工作领导小组"
    (leader,) = group.with_role(LeadershipRole.LEADER)
    assert (leader.name, leader.title) == ("吴朝春", "市教育局党组书记、局长")
    deputies = [m.name for m in group.with_role(LeadershipRole.DEPUTY_LEADER)]
    assert deputies == ["叶少华", "黄杏华", "罗燕", "钟星子"]
    members = [m.name for m in group.with_role(LeadershipRole.MEMBER)]
    assert members == (
        "李利敏 韦尉基 张辉 黄益金 何师忠 唐承刚 李素云 孟慧 杨鸿巧 伍柳茹 潘德建 毛如标 黄琳玲 "
        "石秀梅 李义德 徐有助 杨小林 胡洪媛".split()
    )
    # The document's own inconsistencies are kept: 潘德建 in the list, 潘德健 in the table,
    # 王熙龙 only in the table.
    table_people = {p for towns in LIPU_TABLE.values() for ps in towns.values() for p in ps}
    assert "潘德健" in table_people and "潘德健" not in members
    assert "王熙龙" in table_people and "王熙龙" not in members
    office = group.office
    assert (office.location, office.director) == ("市教育局基教股", "叶少华")
    assert office.members == ("张辉", "杨进禄", "赖永勤", "韦良芳", "沈彦英")
    assert "滨江小学校长" in group.ex_officio
    assert group.school_groups_led_by == "校长"


def test_lipu_education_line_of_shuangxian_sibao(registry) -> None:
    # baoxue_responsibilities, 四、(二)1: 教育局领导包学校、校领导包年级、班主任包班、科任教师包人
    specs = {s.key: s for s in registry.for_jurisdiction("450381").responsibilities}
    chain = []
    key = "科任教师包人"
    while key is not None:
        chain.append((specs[key].role, specs[key].duty))
        key = specs[key].reports_to
    assert chain == [
        ("科任教师", Duty.CHILD),
        ("班主任", Duty.CLASS),
        ("校领导", Duty.GRADE),
        ("校长", Duty.SCHOOL),
    ]
    assert all(s.line is ResponsibilityLine.EDUCATION for s in specs.values())


def test_lipu_one_week_after_the_return_notice(registry) -> None:
    # baoxue_deadlines and baoxue_escalation_chain, 四、(一)
    rules = registry.for_jurisdiction("450381")
    notice = rules.deadline(DeadlineKind.RETURN_NOTICE_RESPONSE)
    assert notice.days == 7
    assert notice.notify_on_expiry == ("乡镇政府", "市教育局")
    # The week runs from the notice, which the school serves: a notice puts the case there.
    assert rules.escalation.return_notice_level == 2
    school = rules.escalation.level(2)
    assert (school.name, school.days_allowed, school.deadline) == ("学校", None, None)
    # Without a notice the school is on the core step, not the notice's week.
    step = rules.deadline(DeadlineKind.ESCALATION_STEP)
    assert rules.level_clock(2) == (DeadlineKind.ESCALATION_STEP, step.days)
    assert step.clause.core_default
    top = rules.escalation.next_level(2)
    assert top is rules.escalation.final_level
    assert (top.responsible, top.notify) == ("乡镇人民政府", ("市教育局",))
    # The township has the core default clock: its cases are overdue like any other.
    township = rules.deadline(DeadlineKind.TOWNSHIP_ACTION)
    assert rules.level_clock(3) == (DeadlineKind.TOWNSHIP_ACTION, township.days)
    assert township.clause.core_default and township.clause.assumption


def test_lipu_illness_exemption_replaces_the_national_default(registry) -> None:
    # baoxue_exemption_rules, 四、(一)
    rules = registry.for_jurisdiction("450381")
    (rule,) = [r for r in rules.exemption_rules if r.code == "illness-exemption"]
    assert [(s.actor, s.action) for s in rule.steps] == [
        ("法定监护人", "提出书面申请"),
        ("乡镇", "批准"),
        ("市教育局基教股", "备案"),
    ]
    assert rule.clause.document.startswith("荔教〔2023〕1号")
    default = registry.for_jurisdiction("000000").exemption_rules
    assert default[0].clause.section == "第十一条"


def test_lipu_reports(registry) -> None:
    # baoxue_report_formats, 五、(一)(二)(五)
    rules = registry.for_jurisdiction("450381")
    returns = rules.report_format("daily-weekly-monthly")
    assert returns.period_kinds == (PeriodKind.DAILY, PeriodKind.WEEKLY, PeriodKind.MONTHLY)
    roster = rules.report_format("dropout-roster")
    assert roster.title == "辍学学生花名册"
    assert {"辍学原因", "去向"} <= {c.header for c in roster.columns}
    assert roster.submit_to == ("市教育局", "当地乡镇人民政府")
    public = rules.report_format("poverty-lifted-public-list")
    table = render_report(public, [sample_row(RowKind.CHILD, **{"child.name": "韦小燕"})])
    assert table[1][2] == "韦*燕"


def test_lipu_poverty_lifted_target_excepts_illness(registry) -> None:
    # baoxue_targets, 二、工作目标; baoxue_monitoring_focus and baoxue_vocabulary
    rules = registry.for_jurisdiction("450381")
    target = rules.target(Metric.DROPOUT_COUNT, Population.POVERTY_LIFTED)
    assert target.excluding_reasons == ("ILLNESS",)
    assert target.threshold == Decimal("0")
    assert rules.target(Metric.DROPOUT_COUNT).period is TargetPeriod.ONGOING
    assert rules.assistance_programmes()["STUDENT_AID_FUND"] == "贫困学生助学基金"
    groups = {f.code: f.key_groups for f in rules.monitoring_focus}["key-groups"]
    assert set(groups) == {
        KeyGroup.POVERTY_LIFTED,
        KeyGroup.LEFT_BEHIND,
        KeyGroup.MIGRANT,
        KeyGroup.MOVED_AWAY,  # 流动, either way
        KeyGroup.DISABLED,
    }
