"""绥宁县 (邵阳市, 湖南省): 绥宁县教育局《关于进一步加强义务教育阶段控辍保学工作的通知》.

Every rule cites its clause: 一 is 工作目标, 二 工作措施 with parts (一)–(四) and their items
一是, 二是 … written 1, 2 …, 三 工作要求. The document uses half-width punctuation; quotes
keep it. It sets no escalation chain, responsibility table or deadline, so Baoxue's core
defaults apply for those. The towns are demo-only: the document lists none.
"""

from __future__ import annotations

from decimal import Decimal

from core.plugins import hookimpl
from core.rules import (
    AbsenceRule,
    AbsenceRuleKind,
    Clause,
    Comparison,
    HeaderGroup,
    JurisdictionSpec,
    KeyAreaKind,
    KeyGroup,
    KeyPeriod,
    Metric,
    MinorityShare,
    MonitoringFocus,
    PeriodAnchor,
    PeriodKind,
    ReportFormat,
    RowKind,
    RowSelection,
    SchoolStage,
    SignOff,
    SignOffAction,
    Target,
    TownKind,
    TownSpec,
    columns,
)

__version__ = "0.1.0"

CODE = "430527"
SOURCE = "绥宁县教育局《关于进一步加强义务教育阶段控辍保学工作的通知》"


def _c(section: str, text: str = "", assumption: str = "") -> Clause:
    return Clause(document=SOURCE, section=section, text=text, assumption=assumption)


# Demo-only: 绥宁县 towns and townships for the demo data, not from the document.
_DEMO_TOWNS = (
    ("长铺镇", TownKind.TOWN),
    ("武阳镇", TownKind.TOWN),
    ("李熙桥镇", TownKind.TOWN),
    ("红岩镇", TownKind.TOWN),
    ("唐家坊镇", TownKind.TOWN),
    ("金屋塘镇", TownKind.TOWN),
    ("瓦屋塘镇", TownKind.TOWN),
    ("黄土矿镇", TownKind.TOWN),
    ("关峡苗族乡", TownKind.TOWNSHIP),
    ("东山侗族乡", TownKind.TOWNSHIP),
)


def _demo_key_areas(town: str) -> tuple[KeyAreaKind, ...]:
    """Demo-only 重点地区 (the document names none): every town but the county seat (长铺镇) is
    农村, and the two 民族乡 are 民族 as their names say."""
    kinds = () if town == "长铺镇" else (KeyAreaKind.RURAL,)
    return kinds + ((KeyAreaKind.ETHNIC,) if town.endswith("族乡") else ())


_FOCUS = "学校要完善“学籍校”监测报告制度,把每学期开学首月作为重点监测时段,把初中作为重点监测学段"


@hookimpl
def baoxue_jurisdiction():
    return JurisdictionSpec(
        division_code=CODE,
        name="绥宁县",
        city="邵阳市",
        province="湖南省",
        towns=tuple(TownSpec(name=n, kind=k, key_areas=_demo_key_areas(n)) for n, k in _DEMO_TOWNS),
        sources=(SOURCE,),
        # Demo-only (no document gives it): a 苗族 and 侗族 county, for the demo data.
        demo_minorities=(
            MinorityShare("苗族", 300),
            MinorityShare("侗族", 120),
            MinorityShare("瑶族", 15),
        ),
    )


@hookimpl
def baoxue_targets():
    goal = _c("一、工作目标", "实现义务教育阶段学校学生“零辍学、无流失”的目标")
    return [
        # 一: 零辍学
        Target(
            metric=Metric.DROPOUT_COUNT,
            comparison=Comparison.EQUAL,
            threshold=Decimal("0"),
            clause=goal,
        ),
        # 一: 无流失
        Target(
            metric=Metric.OUTFLOW_COUNT,
            comparison=Comparison.EQUAL,
            threshold=Decimal("0"),
            clause=goal,
        ),
    ]


@hookimpl
def baoxue_key_periods():
    return [
        # 二、(三): the first month of each term is the key period; (二)2: find, at the start
        # of term, where every child who did not arrive has gone.
        KeyPeriod(
            code="term-start-first-month",
            name="每学期开学首月",
            anchor=PeriodAnchor.TERM_START,
            days=30,
            purpose=(
                "重点监测: 掌握未按时到校学生的去向, 确定是否转学或疑似辍学, 建立台账并家访核实"
            ),
            clause=_c("二、(三)", _FOCUS),
        ),
    ]


@hookimpl
def baoxue_absence_rules():
    # 二、(三): the first month of term is watched most closely, so inside it two consecutive
    # unexplained school days, or three in the month, already make a suspected dropout. The
    # document gives no numbers: they are the project's reading of "重点监测".
    clause = _c(
        "二、(三)",
        _FOCUS,
        assumption="文件未规定天数; 开学首月连续 2 天或累计 3 天无故缺勤即上报, 为 Baoxue 的假定",
    )
    return [
        AbsenceRule(
            code="term-start-consecutive",
            name="开学首月连续2个上学日无故缺勤",
            kind=AbsenceRuleKind.CONSECUTIVE,
            days=2,
            key_period="term-start-first-month",
            clause=clause,
        ),
        AbsenceRule(
            code="term-start-monthly",
            name="开学首月累计3天无故缺勤",
            kind=AbsenceRuleKind.IN_MONTH,
            days=3,
            key_period="term-start-first-month",
            clause=clause,
        ),
    ]


@hookimpl
def baoxue_monitoring_focus():
    return [
        # 二、(三): junior middle school and the listed groups. Its 流动 are children who moved
        # away (流出): the 学籍校 watches pupils gone from its roll, and the 户籍地 report of the
        # same clause tracks families who left (已举家搬迁"户籍未迁出", 外出务工随迁子女), not
        # children who moved in (KeyGroup.MIGRANT, 进城务工人员随迁子女).
        MonitoringFocus(
            code="key-monitoring",
            name="重点监测学段和群体",
            stages=(SchoolStage.JUNIOR_MIDDLE,),
            key_groups=(
                KeyGroup.LEFT_BEHIND,
                KeyGroup.ORPHAN,
                KeyGroup.MONITORED,
                KeyGroup.DISABLED,
                KeyGroup.MOVED_AWAY,
                KeyGroup.PARENT_IMPRISONED,
            ),
            clause=_c(
                "二、(三)",
                "把留守儿童、孤儿及监测户、残疾、流动、服刑人员的未成年子女作为重点监测群体",
            ),
        ),
    ]


@hookimpl
def baoxue_report_formats():
    return [
        # 二、(二)2: the term-start statistics, signed off by the head of the school. The
        # attachment with its columns is not in the published text: these columns are
        # reconstructed from what the clause asks for (未按时到校学生的去向, 转学或疑似辍学).
        # 应到 / 实到 / 未按时到校 and the reasons are the start-of-term arrival count from the
        # class registers (core.reports.attendance: 应到 of each class's first register in the
        # period, 未到 = absent on every register, for the reason of the latest mark); 转学 and
        # 疑似辍学 are the 去向 of those 未到 children ("掌握未按时到校学生的去向, 确定是否转学或
        # 疑似辍学"): the state of each one's dropout case, so that they never exceed 未到.
        ReportFormat(
            code="term-start-statistics",
            title="开学工作统计报表",
            period_kinds=(PeriodKind.TERM_START,),
            row_kind=RowKind.SCHOOL,
            columns=columns(
                ("school.name", "学校"),
                ("stats.enrolled_last_term", "上学期末在籍学生数"),
                ("stats.arrival_expected", "本学期应到人数"),
                ("stats.arrival_arrived", "实到人数"),
                ("stats.arrival_missing", "未按时到校人数"),
                ("stats.arrival_missing_sick", "病假"),
                ("stats.arrival_missing_personal_leave", "事假"),
                ("stats.arrival_missing_unexplained", "无故未到"),
                ("stats.arrival_missing_transferred", "其中转学人数"),
                ("stats.arrival_missing_suspected", "其中疑似辍学人数"),
                ("stats.returned", "已劝返复学人数"),
                ("report.remarks", "备注"),
            ),
            header_groups=(
                HeaderGroup(
                    label="未按时到校原因",
                    columns=(
                        "stats_arrival_missing_sick",
                        "stats_arrival_missing_personal_leave",
                        "stats_arrival_missing_unexplained",
                    ),
                ),
                HeaderGroup(
                    label="未按时到校学生去向",
                    columns=(
                        "stats_arrival_missing_transferred",
                        "stats_arrival_missing_suspected",
                    ),
                ),
            ),
            totals=True,
            sign_off=(
                SignOff(
                    role="单位主要负责同志",
                    actions=(SignOffAction.REVIEW, SignOffAction.SIGN, SignOffAction.STAMP),
                ),
            ),
            submit_to=("县教育局教育股",),
            clause=_c(
                "二、(二)2",
                "并经单位主要负责同志审核、签字、盖章后报县教育局教育股",
            ),
        ),
        # 二、(三): the 学籍校 ledger of children absent without reason.
        ReportFormat(
            code="enrolment-school-monitoring",
            title="“学籍校”监测报告台账 (无故未到校学生)",
            period_kinds=(PeriodKind.TERM_START, PeriodKind.ON_DEMAND),
            row_kind=RowKind.CASE,
            columns=columns(
                ("school.name", "学校"),
                ("enrolment.grade", "年级"),
                ("enrolment.class", "班级"),
                ("child.name", "姓名"),
                ("child.gender", "性别"),
                ("child.key_groups", "重点监测群体"),
                ("case.opened_on", "建账日期"),
                ("visits.summary", "家访核实情况"),
                ("case.whereabouts", "去向"),
                ("case.persuasion_log", "劝返复学情况"),
                ("case.closed_on", "销号日期"),
            ),
            group_by=("school_name",),
            clause=_c(
                "二、(三)", "对无故未到校学生建立台账,及时进行家访核实,做好劝返复学与销号管理"
            ),
        ),
        # 二、(三): the 户籍地 ledger, incl. whole families who moved away.
        ReportFormat(
            code="registry-tracking",
            title="“户籍地”追踪报告台账",
            period_kinds=(PeriodKind.TERM,),
            row_kind=RowKind.CHILD,
            columns=columns(
                ("town.name", "户籍地乡镇"),
                ("village.name", "村/社区"),
                ("child.name", "姓名"),
                ("child.id_number", "身份证号"),
                ("guardian.name", "监护人"),
                ("guardian.phone", "联系电话"),
                ("child.migration_status", "外出情况 (举家搬迁/随迁)"),
                ("child.current_address", "现住址"),
                ("enrolment.school_elsewhere", "异地就读学校"),
                ("enrolment.proof_elsewhere", "异地入学手续或有效证明"),
                ("visits.last_on", "最近回访日期"),
            ),
            group_by=("town_name", "village_name"),
            selection=RowSelection.MOVED_AWAY,
            clause=_c(
                "二、(三)",
                "获取异地入学手续或有效证明,实行台账式痕迹化管理",
            ),
        ),
    ]
