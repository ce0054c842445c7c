"""One test per hook, named after it (``test_hook_<hook name>``, as datasette names its own).

Each registers a throwaway county plugin next to core's defaults, makes it the application's
plugin manager, and checks what a caller sees: the county's rules over GraphQL, the CLI, or a
mutation that obeys them. ``tests/test_hookspecs_documented.py`` fails for a hook of
:data:`core.hookspecs.HOOKS` that no test function is named after.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from click.testing import CliRunner
from strawberry import relay

import core.plugins.manager as manager_module
from core.access.accounts import create_account
from core.access.enums import Role
from core.cases.policy import rules_for as case_rules_for
from core.cli import main
from core.jurisdictions.models import Jurisdiction
from core.people.enums import Gender
from core.people.models import Child
from core.plugins import build_plugin_manager
from core.rules import (
    AbsenceRule,
    AbsenceRuleKind,
    Clause,
    Comparison,
    Deadline,
    DeadlineKind,
    Duty,
    EscalationChain,
    EscalationLevel,
    ExemptionRule,
    Holiday,
    HomeDeliveryRule,
    JurisdictionSpec,
    KeyGroup,
    KeyPeriod,
    LeadershipGroup,
    LeadershipMember,
    LeadershipOffice,
    LeadershipRole,
    Metric,
    MonitoringFocus,
    PeriodAnchor,
    PeriodKind,
    ProcedureStep,
    ReportFormat,
    ResponsibilityLine,
    ResponsibilitySpec,
    RowKind,
    SchoolStage,
    SchoolTerm,
    Scope,
    SignOff,
    SignOffAction,
    Target,
    TermCalendar,
    TermSeason,
    TownSpec,
    VocabularyKind,
    VocabularyTerm,
    columns,
)
from tests.access.conftest import fast_argon2, login  # noqa: F401 - fast_argon2: fixture
from tests.conftest import graphql

from .conftest import serving

CODE = "130999"
SOURCE = "测试县教育局《控辍保学工作方案》"


def _c(section: str) -> Clause:
    return Clause(document=SOURCE, section=section)


#: The throwaway county every test here installs.
COUNTY = JurisdictionSpec(
    division_code=CODE,
    name="测试县",
    city="测试市",
    province="河北省",
    towns=(TownSpec(name="甲镇"), TownSpec(name="乙镇")),
    sources=(SOURCE,),
)


def county_plugin(**answers: Any) -> object:
    return serving(COUNTY, **answers)


@pytest.fixture
def install(monkeypatch: pytest.MonkeyPatch):
    """Make a manager with core's defaults and the given plugins the application's own."""

    def install(plugin: object):
        pm = build_plugin_manager(extra=[("testcounty", plugin)], entrypoints=False)
        monkeypatch.setattr(manager_module, "_pm", pm)
        return pm

    return install


@pytest.fixture
async def county(db) -> Jurisdiction:
    return await Jurisdiction.create(division_code=CODE, name="测试县", province="河北省")


async def rules(client, selection: str) -> dict[str, Any]:
    """``jurisdiction(code: "130999") { rules { <selection> } }`` over HTTP."""
    body = await graphql(
        client,
        f"query($code: String!) {{ jurisdiction(code: $code) {{ rules {{ {selection} }} }} }}",
        {"code": CODE},
    )
    assert "errors" not in body, body
    return body["data"]["jurisdiction"]["rules"]


def test_hook_baoxue_jurisdiction(install, monkeypatch: pytest.MonkeyPatch) -> None:
    pm = install(county_plugin())
    spec = pm.registry.jurisdiction(CODE)
    assert (spec.name, [t.name for t in spec.towns]) == ("测试县", ["甲镇", "乙镇"])
    assert pm.registry.plugin_for(CODE) == "testcounty"

    listed = json.loads(CliRunner().invoke(main, ["plugins", "--json"]).output)
    (entry,) = [p for p in listed if p["name"] == "testcounty"]
    assert (entry["jurisdiction_code"], entry["jurisdiction_name"]) == (CODE, "测试县")
    assert entry["sources"] == [SOURCE]


async def test_hook_baoxue_scope(install, client, county) -> None:
    install(county_plugin())
    default = await rules(client, "scope { stages grades clause { coreDefault section } }")
    # Core's default: the whole of 九年义务教育.
    assert default["scope"] == {
        "stages": ["PRIMARY", "JUNIOR_MIDDLE"],
        "grades": list(range(1, 10)),
        "clause": {"coreDefault": True, "section": "第二条"},
    }
    install(county_plugin(scope=Scope(stages=(SchoolStage.JUNIOR_MIDDLE,), clause=_c("标题"))))
    got = await rules(client, "scope { stages grades clause { coreDefault section } }")
    assert got["scope"] == {
        "stages": ["JUNIOR_MIDDLE"],
        "grades": [7, 8, 9],
        "clause": {"coreDefault": False, "section": "标题"},
    }


async def test_hook_baoxue_leadership(install, client, county) -> None:
    install(
        county_plugin(
            leadership=LeadershipGroup(
                name="测试县控辍保学工作领导小组",
                members=(
                    LeadershipMember(role=LeadershipRole.LEADER, name="张三", title="局长"),
                    LeadershipMember(role=LeadershipRole.MEMBER, name="李四"),
                ),
                office=LeadershipOffice(
                    name="办公室", location="基教股", director="李四", duties="日常工作"
                ),
                clause=_c("三"),
            )
        )
    )
    group = (await rules(client, "leadership { name leader { name title } office { director } }"))[
        "leadership"
    ]
    assert group == {
        "name": "测试县控辍保学工作领导小组",
        "leader": {"name": "张三", "title": "局长"},
        "office": {"director": "李四"},
    }


async def test_hook_baoxue_responsibilities(install, client, county) -> None:
    table = (
        ResponsibilitySpec(
            key="总负责人",
            line=ResponsibilityLine.EDUCATION,
            duty=Duty.OVERALL,
            role="总负责人",
            person="张三",
            clause=_c("附件"),
        ),
        ResponsibilitySpec(
            key="包乡镇-甲镇",
            line=ResponsibilityLine.EDUCATION,
            duty=Duty.TOWN,
            role="包乡镇人员",
            person="王五",
            towns=("甲镇",),
            reports_to="总负责人",
            clause=_c("附件"),
        ),
    )
    install(county_plugin(responsibilities=table))
    got = (await rules(client, "responsibilities { key person towns reportsTo }"))[
        "responsibilities"
    ]
    # First result: the county's table whole, none of core's default lines.
    assert got == [
        {"key": "总负责人", "person": "张三", "towns": [], "reportsTo": None},
        {"key": "包乡镇-甲镇", "person": "王五", "towns": ["甲镇"], "reportsTo": "总负责人"},
    ]


async def test_hook_baoxue_targets(install, client, county) -> None:
    install(
        county_plugin(
            targets=[
                Target(
                    metric=Metric.CONSOLIDATION_RATE,
                    comparison=Comparison.AT_LEAST,
                    threshold=Decimal("98.5"),
                    clause=_c("二"),
                )
            ]
        )
    )
    got = {
        t["metric"]: (t["threshold"], t["clause"]["section"])
        for t in (await rules(client, "targets { metric threshold clause { section } }"))["targets"]
        if t["metric"] in ("CONSOLIDATION_RATE", "ENROLMENT_RATE")
    }
    # Merged by (metric, population): the county's 巩固率 replaces core's, core's 入学率 stays.
    assert got["CONSOLIDATION_RATE"] == ("98.5", "二")
    assert got["ENROLMENT_RATE"][0] == "100"


async def test_hook_baoxue_escalation_chain(install, client, county) -> None:
    levels = tuple(
        EscalationLevel(
            level=n, name=name, responsible=name, action="劝返", days_allowed=days, clause=_c("三")
        )
        for n, name, days in ((1, "班主任", 3), (2, "学校", None), (3, "乡镇政府", None))
    )
    chain = EscalationChain(name="三级劝返", levels=levels, clause=_c("三"), township_level=3)
    install(county_plugin(escalation_chain=chain))
    got = (await rules(client, "escalationChain { name levels { name daysAllowed days } }"))[
        "escalationChain"
    ]
    assert got["name"] == "三级劝返"
    # Level 2 sets no time: core's ESCALATION_STEP (7 days) applies; the top has none.
    assert [(lv["name"], lv["daysAllowed"], lv["days"]) for lv in got["levels"]] == [
        ("班主任", 3, 3),
        ("学校", None, 7),
        ("乡镇政府", None, None),
    ]
    workflow = case_rules_for(CODE)
    assert [level.office for level in workflow.chain] == ["班主任", "学校", "乡镇政府"]


async def test_hook_baoxue_deadlines(install, client, county) -> None:
    install(
        county_plugin(
            deadlines=[
                Deadline(
                    kind=DeadlineKind.FOLLOW_UP_WINDOW,
                    days=60,
                    responsible="学校",
                    action="复学后跟踪",
                    notify_on_expiry=("县教育局",),
                    clause=_c("四"),
                )
            ]
        )
    )
    got = {
        d["kind"]: d
        for d in (await rules(client, "deadlines { kind days notifyOnExpiry }"))["deadlines"]
    }
    assert got["FOLLOW_UP_WINDOW"] == {
        "kind": "FOLLOW_UP_WINDOW",
        "days": 60,
        "notifyOnExpiry": ["县教育局"],
    }
    assert got["VERIFICATION"]["days"] == 7  # core's, merged by kind
    assert case_rules_for(CODE).follow_up_window_days == 60


async def test_hook_baoxue_key_periods(install, client, county) -> None:
    period = KeyPeriod(
        code="summer-holiday",
        name="暑假",
        anchor=PeriodAnchor.SUMMER_HOLIDAY,
        purpose="防止学生外出务工",
        clause=_c("五"),
    )
    install(county_plugin(key_periods=[period]))
    got = (await rules(client, "keyPeriods { code anchor days }"))["keyPeriods"]
    assert {"code": "summer-holiday", "anchor": "SUMMER_HOLIDAY", "days": None} in got
    assert "autumn-enrolment-notice" in [p["code"] for p in got]  # core's stays


async def test_hook_baoxue_term_calendar(install, client, county) -> None:
    calendar = TermCalendar(
        terms=(
            SchoolTerm(
                code="autumn-2026",
                name="2026年秋季学期",
                season=TermSeason.AUTUMN,
                first_day=date(2026, 8, 31),
                last_day=date(2027, 1, 15),
            ),
        ),
        holidays=(Holiday(name="国庆节", first_day=date(2026, 10, 1), last_day=date(2026, 10, 8)),),
        make_up_days=(date(2026, 10, 10),),
        clause=_c("校历"),
    )
    install(county_plugin(term_calendar=calendar))
    got = (
        await rules(
            client,
            "termCalendar { terms { code season firstDay lastDay } holidays { name } makeUpDays }",
        )
    )["termCalendar"]
    assert got["terms"] == [
        {
            "code": "autumn-2026",
            "season": "AUTUMN",
            "firstDay": "2026-08-31",
            "lastDay": "2027-01-15",
        }
    ]
    assert got["holidays"] == [{"name": "国庆节"}]
    assert got["makeUpDays"] == ["2026-10-10"]
    assert calendar.is_school_day(date(2026, 10, 10))  # a Saturday made a school day
    assert not calendar.is_school_day(date(2026, 10, 8))  # inside the holiday
    assert not calendar.is_school_day(date(2027, 2, 1))  # between terms


async def test_hook_baoxue_absence_rules(install, client, county) -> None:
    period = KeyPeriod(
        code="term-start-first-month",
        name="开学首月",
        anchor=PeriodAnchor.TERM_START,
        days=30,
        purpose="重点监测",
        clause=_c("二"),
    )
    strict = AbsenceRule(
        code="first-month",
        name="开学首月连续1天无故缺勤",
        kind=AbsenceRuleKind.CONSECUTIVE,
        days=1,
        key_period="term-start-first-month",
        clause=_c("二"),
    )
    install(county_plugin(key_periods=[period], absence_rules=[strict]))
    got = (await rules(client, "absenceRules { code kind days keyPeriod }"))["absenceRules"]
    assert got[0] == {
        "code": "first-month",
        "kind": "CONSECUTIVE",
        "days": 1,
        "keyPeriod": "term-start-first-month",
    }
    assert "consecutive-unexplained" in [r["code"] for r in got]  # core's stays
    unknown = AbsenceRule(
        code="holiday",
        name="假期",
        kind=AbsenceRuleKind.IN_MONTH,
        days=2,
        key_period="no-such-period",
        clause=_c("二"),
    )
    with pytest.raises(Exception, match="unknown key period"):
        install(county_plugin(absence_rules=[unknown]))


async def test_hook_baoxue_monitoring_focus(install, client, county) -> None:
    focus = MonitoringFocus(
        code="key-monitoring",
        name="重点监测初中留守儿童",
        stages=(SchoolStage.JUNIOR_MIDDLE,),
        key_groups=(KeyGroup.LEFT_BEHIND,),
        clause=_c("二"),
    )
    install(county_plugin(monitoring_focus=[focus]))
    got = (await rules(client, "monitoringFocus { code name stages keyGroups areas }"))[
        "monitoringFocus"
    ]
    # Same code as core's default: the county's replaces it.
    assert got == [
        {
            "code": "key-monitoring",
            "name": "重点监测初中留守儿童",
            "stages": ["JUNIOR_MIDDLE"],
            "keyGroups": ["LEFT_BEHIND"],
            "areas": [],
        }
    ]


async def test_hook_baoxue_report_formats(install, client, county) -> None:
    weekly = ReportFormat(
        code="weekly-return",
        title="测试县控辍保学周报",
        period_kinds=(PeriodKind.WEEKLY,),
        row_kind=RowKind.TOWN,
        columns=columns(("town.name", "乡镇"), ("stats.dropouts", "辍学人数")),
        totals=True,
        sign_off=(SignOff(role="局长", actions=(SignOffAction.SIGN,)),),
        clause=_c("六"),
    )
    install(county_plugin(report_formats=[weekly]))
    got = {
        f["code"]: f
        for f in (
            await rules(
                client,
                "reportFormats { code title rowKind totals columns { key header kind } "
                "signOffLines }",
            )
        )["reportFormats"]
    }
    assert got["weekly-return"] == {
        "code": "weekly-return",
        "title": "测试县控辍保学周报",
        "rowKind": "TOWN",
        "totals": True,
        "columns": [
            {"key": "town_name", "header": "乡镇", "kind": "TEXT"},
            {"key": "stats_dropouts", "header": "辍学人数", "kind": "INTEGER"},
        ],
        "signOffLines": ["局长 (签字)："],
    }
    assert {"attendance-return", "case-ledger", "household-register"} <= set(got)


REPORT = """mutation($child: ID!, $reason: String!) {
  reportCase(input: {childId: $child, kind: DROPOUT, source: HOUSEHOLD_SURVEY, reason: $reason}) {
    case { reason reasonLabel }
    errors { code field }
  }
}"""


async def test_hook_baoxue_vocabulary(install, client, county) -> None:
    flood = VocabularyTerm(
        kind=VocabularyKind.CASE_REASON, code="FLOOD", label="洪灾转移", clause=_c("七")
    )
    install(county_plugin(vocabulary=[flood]))
    got = (await rules(client, "vocabulary { kind code label }"))["vocabulary"]
    assert got == [{"kind": "CASE_REASON", "code": "FLOOD", "label": "洪灾转移"}]

    # The case is reported by the county's 教育局 account, as a bureau would.
    await create_account(
        username="bureau-130999",
        password="vocabulary-password",
        role=Role.BUREAU_STAFF,
        jurisdiction_code=CODE,
    )
    bureau = {
        "Authorization": f"Bearer {await login(client, 'bureau-130999', 'vocabulary-password')}"
    }
    child = await Child.create(
        jurisdiction=county, name="韦小燕", gender=Gender.FEMALE, birth_date=date(2012, 3, 4)
    )
    child_id = str(relay.GlobalID("Child", str(child.id)))
    reported = (
        await graphql(client, REPORT, {"child": child_id, "reason": "FLOOD"}, headers=bureau)
    )["data"]
    assert reported["reportCase"] == {
        "case": {"reason": "FLOOD", "reasonLabel": "洪灾转移"},  # the county's own word
        "errors": [],
    }
    other = await Child.create(
        jurisdiction=county, name="韦小明", gender=Gender.MALE, birth_date=date(2012, 5, 6)
    )
    other_id = str(relay.GlobalID("Child", str(other.id)))
    refused = (
        await graphql(client, REPORT, {"child": other_id, "reason": "DROUGHT"}, headers=bureau)
    )["data"]
    assert refused["reportCase"]["case"] is None
    assert refused["reportCase"]["errors"][0]["field"] == "reason"


async def test_hook_baoxue_exemption_rules(install, client, county) -> None:
    rule = ExemptionRule(
        code="illness-exemption",
        name="因病缓学",
        reasons=("ILLNESS",),
        steps=(
            ProcedureStep(actor="法定监护人", action="提出书面申请"),
            ProcedureStep(actor="县教育局", action="批准"),
        ),
        clause=_c("八"),
    )
    install(county_plugin(exemption_rules=[rule]))
    got = (await rules(client, "exemptionRules { code name steps { actor action } }"))[
        "exemptionRules"
    ]
    # Same code as core's 义务教育法 default: the county's replaces it.
    assert got == [
        {
            "code": "illness-exemption",
            "name": "因病缓学",
            "steps": [
                {"actor": "法定监护人", "action": "提出书面申请"},
                {"actor": "县教育局", "action": "批准"},
            ],
        }
    ]


async def test_hook_baoxue_import_formats(install, client, county, tmp_path) -> None:
    import dataclasses

    from core.imports.formats import STUDENT_ROSTER
    from core.imports.services import formats_for
    from core.plugins import PluginError
    from core.rules.enums import ImportKind
    from core.rules.specs import ImportColumn, ImportFormat

    # the county's 学籍 export calls the number 学生编号; and it has a list of its own
    number = dataclasses.replace(STUDENT_ROSTER.columns[0], synonyms=("学生编号",))
    roster = dataclasses.replace(STUDENT_ROSTER, columns=(number, *STUDENT_ROSTER.columns[1:]))
    relocated = ImportFormat(
        code="RELOCATED_LIST",
        label="易地扶贫搬迁子女名单",
        kind=ImportKind.KEY_GROUP_LIST,
        source="县乡村振兴局",
        key_group=KeyGroup.POVERTY_LIFTED,
        columns=(ImportColumn(field="name", header="姓名", required=True),),
    )
    install(county_plugin(import_formats=[roster, relocated]))
    got = (await rules(client, "importFormats { code kind columns { header synonyms } }"))[
        "importFormats"
    ]
    codes = [f["code"] for f in got]
    assert codes[:2] == ["STUDENT_ROSTER", "RELOCATED_LIST"]
    assert "HOUSEHOLD_REGISTER" in codes  # core's formats stay unless replaced
    assert got[0]["columns"][0] == {"header": "全国学籍号", "synonyms": ["学生编号"]}
    assert formats_for(CODE)["STUDENT_ROSTER"].columns[0].synonyms == ("学生编号",)
    assert formats_for("450381")["STUDENT_ROSTER"].columns[0].synonyms == ("学籍号", "学籍辅号")

    # a key-group list that names no group fails at start-up
    broken = dataclasses.replace(relocated, key_group=None)
    with pytest.raises(PluginError, match="key group"):
        install(county_plugin(import_formats=[broken]))


async def test_hook_baoxue_home_delivery(install, client, county) -> None:
    install(
        county_plugin(
            home_delivery=HomeDeliveryRule(
                min_age=6, max_age=15, disability_grades=(1,), clause=_c("九")
            )
        )
    )
    got = await rules(client, "homeDelivery { minAge maxAge disabilityGrades clause { section } }")
    assert got["homeDelivery"] == {
        "minAge": 6, "maxAge": 15, "disabilityGrades": [1], "clause": {"section": "九"}
    }  # fmt: skip
    today = date.today()
    born = date(today.year - 10, 1, 1)
    severe = await Child.create(
        jurisdiction=county, name="甲", gender=Gender.MALE, birth_date=born,
        disability_category="PHYSICAL", disability_grade=1,
    )  # fmt: skip
    moderate = await Child.create(
        jurisdiction=county, name="乙", gender=Gender.MALE, birth_date=born,
        disability_category="PHYSICAL", disability_grade=3,
    )  # fmt: skip
    plan = """mutation($c: ID!, $d: Date!) { createSupportPlan(input: {childId: $c,
        kind: HOME_DELIVERED_TEACHING, startedOn: $d, measures: ["每周送教两次"]}) {
        supportPlan { kind } errors { code field message } } }"""
    for child, expected in ((severe, []), (moderate, [("INVALID", "kind")])):
        body = await graphql(
            client, plan, {"c": str(relay.GlobalID("Child", str(child.id))), "d": str(today)}
        )
        errors = body["data"]["createSupportPlan"]["errors"]
        assert [(e["code"], e["field"]) for e in errors] == expected, body
        if expected:
            assert "九" in errors[0]["message"]
