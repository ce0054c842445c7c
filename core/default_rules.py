"""Core defaults, registered as a plugin like any county's (datasette's DEFAULT_PLUGINS).

Every hook here is ``trylast`` and answers for every division code, so a county plugin's
answer always comes first: for first-result hooks it replaces the default, for merged hooks
it replaces the default item with the same key. Where a county document says nothing, what
follows applies. Every clause here is marked ``core_default`` (the API shows a county which
rules are its own) and cites national law (义务教育法), the county plan explanation the
project assigns to core (:data:`CORE_PLAN`) for the procedures it describes, or says that the
value is Baoxue's own choice (``assumption``). Targets cite the law only: a number one county
set for itself is no default for another.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from core.hookspecs import hookimpl
from core.officials.models import Duty, ResponsibilityLine
from core.people.enums import KeyGroup
from core.rules import (
    AbsenceRule,
    AbsenceRuleKind,
    Clause,
    Comparison,
    Deadline,
    DeadlineKind,
    EscalationChain,
    EscalationLevel,
    ExemptionRule,
    HeaderGroup,
    Holiday,
    KeyAreaKind,
    KeyPeriod,
    Metric,
    MonitoringFocus,
    NoticeKind,
    NoticeTemplate,
    PeriodAnchor,
    PeriodKind,
    ProcedureStep,
    ReportFormat,
    ResponsibilitySpec,
    RiskRule,
    RiskRuleSet,
    RiskSignal,
    RowKind,
    RowSelection,
    SchoolStage,
    SchoolTerm,
    Scope,
    Target,
    TermCalendar,
    TermSeason,
    columns,
)

#: A county plan explanation whose rules DOMAIN.md assigns to core.
CORE_PLAN = "《关于做好脱贫攻坚巩固期控辍保学工作的实施方案》解读"
#: 中华人民共和国义务教育法.
COMPULSORY_EDUCATION_LAW = "《中华人民共和国义务教育法》"
#: Values no document fixes; Baoxue chose them and any plugin may replace them.
BAOXUE = "Baoxue 核心默认值 (无文件规定, 各县插件可覆盖)"


def _plan(section: str, text: str = "", assumption: str = "") -> Clause:
    return Clause(
        document=CORE_PLAN, section=section, text=text, assumption=assumption, core_default=True
    )


def _law(section: str, text: str = "", assumption: str = "") -> Clause:
    return Clause(
        document=COMPULSORY_EDUCATION_LAW,
        section=section,
        text=text,
        assumption=assumption,
        core_default=True,
    )


_BAOXUE_CLAUSE = Clause(document=BAOXUE, section="默认值", core_default=True)

#: 义务教育法 第五条第二款: every child is sent to school on time and completes it.
_ON_TIME_AND_COMPLETE = (
    "适龄儿童、少年的父母或者其他法定监护人应当依法保证其按时入学接受并完成义务教育"
)
#: 义务教育法 第十三条: the county bureau and the township prevent dropping out.
_PREVENT_DROPOUT = (
    "县级人民政府教育行政部门和乡镇人民政府组织和督促适龄儿童、少年入学，"
    "帮助解决适龄儿童、少年接受义务教育的困难，采取措施防止适龄儿童、少年辍学"
)
#: 义务教育法 第五十八条: the guardian who does not send the child is ordered to correct.
_ORDER_TO_CORRECT = (
    "适龄儿童、少年的父母或者其他法定监护人无正当理由未依照本法规定送适龄儿童、少年入学"
    "接受义务教育的，由当地乡镇人民政府或者县级人民政府教育行政部门给予批评教育，责令限期改正"
)


@hookimpl(trylast=True)
def baoxue_scope():
    return Scope(
        stages=(SchoolStage.PRIMARY, SchoolStage.JUNIOR_MIDDLE),
        description="九年义务教育: 小学和初中",
        clause=_law("第二条", "国家实行九年义务教育制度。"),
    )


@hookimpl(trylast=True)
def baoxue_responsibilities():
    layered = _plan("二、总体要求", "层层落实控辍保学责任")
    return (
        ResponsibilitySpec(
            key="bureau",
            line=ResponsibilityLine.EDUCATION,
            duty=Duty.OVERALL,
            role="县教育局",
            clause=layered,
        ),
        ResponsibilitySpec(
            key="principal",
            line=ResponsibilityLine.EDUCATION,
            duty=Duty.SCHOOL,
            role="校长",
            reports_to="bureau",
            clause=layered,
        ),
        ResponsibilitySpec(
            key="head-teacher",
            line=ResponsibilityLine.EDUCATION,
            duty=Duty.CLASS,
            role="班主任",
            reports_to="principal",
            clause=layered,
        ),
        ResponsibilitySpec(
            key="township",
            line=ResponsibilityLine.GOVERNMENT,
            duty=Duty.TOWN,
            role="乡镇人民政府",
            description="对无正当理由未送适龄儿童少年入学的, 责令限期改正",
            clause=_plan("四、(二)", "对无正当理由未送适龄儿童少年入学接受义务教育或造成辍学的"),
        ),
        ResponsibilitySpec(
            key="village",
            line=ResponsibilityLine.GOVERNMENT,
            duty=Duty.VILLAGE,
            role="村 (社区)",
            reports_to="township",
            description="对核查信息不一致的儿童少年逐一走访核查",
            clause=_plan("四、(四)", "乡镇、村（社区）要组织人力，对适龄儿童少年逐一进行走访核查"),
        ),
    )


@hookimpl(trylast=True)
def baoxue_targets():
    # The law sets no rate; it asks that every child be sent on time and complete school, and
    # that dropping out be prevented. The numbers below read it that way.
    return (
        Target(
            metric=Metric.ENROLMENT_RATE,
            comparison=Comparison.AT_LEAST,
            threshold=Decimal("100"),
            clause=_law(
                "第五条",
                _ON_TIME_AND_COMPLETE,
                "法律要求每名适龄儿童少年按时入学; 核心默认入学率 100%, 县级文件另有目标时替换",
            ),
        ),
        Target(
            metric=Metric.CONSOLIDATION_RATE,
            comparison=Comparison.AT_LEAST,
            threshold=Decimal("100"),
            clause=_law(
                "第五条",
                _ON_TIME_AND_COMPLETE,
                "法律要求每名适龄儿童少年完成义务教育; 核心默认巩固率 100%, 县级文件另有目标时替换",
            ),
        ),
        Target(
            metric=Metric.DROPOUT_COUNT,
            comparison=Comparison.EQUAL,
            threshold=Decimal("0"),
            clause=_law(
                "第十三条",
                _PREVENT_DROPOUT,
                "核心默认: 失学辍学人数为 0, 县级文件另有目标时替换",
            ),
        ),
    )


@hookimpl(trylast=True)
def baoxue_escalation_chain():
    # 义务教育法 and the core plan (四、(二), (四)): the school persuades and reports, the
    # township orders the guardian to correct (责令限期改正), the county bureau organises and
    # presses, and those who still refuse meet legal enforcement. Every level cites its source.
    return EscalationChain(
        name="逐级劝返 (义务教育法)",
        clause=_law("第五十八条", _ORDER_TO_CORRECT),
        # From the township's level on, the township sees the case (移交乡镇).
        township_level=3,
        levels=(
            EscalationLevel(
                level=1,
                name="班主任",
                responsible="班主任",
                action="发现后及时劝返; 劝返无效的报告学校",
                clause=Clause(
                    document=BAOXUE,
                    section="默认链条第一级",
                    assumption="班主任首先劝返是通行做法; 义务教育法与核心所依方案均未规定",
                    core_default=True,
                ),
            ),
            EscalationLevel(
                level=2,
                name="学校",
                responsible="学校 (校长)",
                action="建立劝返档案, 劝返复学; 无效的报告乡镇人民政府和县教育局",
                clause=_plan(
                    "四、(四)",
                    "实行全程监控、随时报告，确保每位适龄儿童少年跟踪到位、去向明确，"
                    "并采取有效措施进行劝返复学",
                ),
            ),
            EscalationLevel(
                level=3,
                name="乡镇人民政府",
                responsible="乡镇人民政府",
                action="对无正当理由不送学的监护人批评教育, 责令限期改正",
                deadline=DeadlineKind.TOWNSHIP_ACTION,
                clause=_plan("四、(二)", "由当地乡镇人民政府责令限期改正"),
            ),
            EscalationLevel(
                level=4,
                name="县教育局",
                responsible="县级人民政府教育行政部门",
                action="组织和督促入学, 帮助解决困难, 采取措施防止辍学; 批评教育, 责令限期改正",
                clause=_law("第十三条", _PREVENT_DROPOUT),
            ),
            EscalationLevel(
                level=5,
                name="县政府",
                responsible="县级人民政府",
                action="对拒不送子女入学的监护人依法采取法律强制措施",
                clause=_plan(
                    "四、(二)",
                    "对拒不送子女入学的监护人和家长，坚决采取法律强制措施",
                    assumption="条款未写明由谁采取; 默认为县级人民政府 (义务教育法 第七条: "
                    "县级人民政府为主管理)",
                ),
            ),
        ),
    )


@hookimpl(trylast=True)
def baoxue_deadlines():
    def deadline(kind: DeadlineKind, days: int, responsible: str, action: str) -> Deadline:
        return Deadline(
            kind=kind, days=days, responsible=responsible, action=action, clause=_BAOXUE_CLAUSE
        )

    return (
        deadline(DeadlineKind.VERIFICATION, 7, "学校", "核实疑似辍学学生去向"),
        deadline(DeadlineKind.REPORT_MARKING, 7, "学籍管理员", "在学籍系统完成信息标注"),
        deadline(DeadlineKind.RETURN_NOTICE_RESPONSE, 15, "法定监护人", "送子女复学"),
        deadline(DeadlineKind.ESCALATION_STEP, 7, "当前责任层级", "劝返; 无效的上报上一级"),
        Deadline(
            kind=DeadlineKind.TOWNSHIP_ACTION,
            days=15,
            responsible="乡镇人民政府",
            action="责令监护人限期改正, 督促送学",
            clause=_plan(
                "四、(二)",
                "由当地乡镇人民政府责令限期改正",
                assumption="文件未规定期限; 15 天为 Baoxue 核心默认值, 各县可覆盖",
            ),
        ),
        deadline(DeadlineKind.FOLLOW_UP_WINDOW, 30, "学校", "复学后跟踪, 稳定后销号"),
    )


@hookimpl(trylast=True)
def baoxue_key_periods():
    return (
        KeyPeriod(
            code="autumn-enrolment-notice",
            name="秋季学期入学",
            anchor=PeriodAnchor.AUTUMN_TERM_START,
            days=30,
            purpose="向小学、初中起始年级适龄儿童少年发放入学通知书, 督促入学",
            clause=_plan(
                "四、(二)", "每学年秋季学期，向小学、初中起始年级适龄儿童少年发放入学通知书"
            ),
        ),
    )


@hookimpl(trylast=True)
def baoxue_monitoring_focus():
    return (
        MonitoringFocus(
            code="key-monitoring",
            name="重点监测区域、学段和群体",
            stages=(SchoolStage.UPPER_PRIMARY, SchoolStage.JUNIOR_MIDDLE),
            # 流动: either direction (the clause does not say); 家庭经济困难: the 资助 term.
            key_groups=(
                KeyGroup.MIGRANT,
                KeyGroup.MOVED_AWAY,
                KeyGroup.LEFT_BEHIND,
                KeyGroup.DISABLED,
                KeyGroup.FINANCIAL_HARDSHIP,
            ),
            areas=("农村", "边远", "贫困", "流动人口相对集中的村 (社区)"),
            area_kinds=(
                KeyAreaKind.RURAL,
                KeyAreaKind.REMOTE,
                KeyAreaKind.POOR,
                KeyAreaKind.MIGRANT_DENSE,
            ),
            clause=_plan(
                "四、(三)",
                "把小学高年级和初中作为重点监测学段，"
                "把流动、留守、残疾、家庭经济困难适龄儿童少年作为重点监测群体",
            ),
        ),
    )


def _attendance_columns(*place: tuple[str, str]):
    """The attendance returns' columns after the place columns."""
    return columns(
        *place,
        ("stats.registers", "考勤登记 (班·日)"),
        ("stats.attendance_expected", "应出勤人次"),
        ("stats.attendance_present", "实出勤人次"),
        ("stats.attendance_absent", "缺勤人次"),
        ("stats.absent_sick", "病假"),
        ("stats.absent_personal_leave", "事假"),
        ("stats.absent_unexplained", "无故缺勤"),
        ("stats.attendance_late", "迟到人次"),
        ("stats.unexplained_children", "无故缺勤学生人数"),
        ("stats.attendance_rate", "出勤率"),
    )


_ATTENDANCE_HEADINGS = (
    HeaderGroup(
        label="缺勤原因 (人次)",
        columns=("stats_absent_sick", "stats_absent_personal_leave", "stats_absent_unexplained"),
    ),
)


@hookimpl(trylast=True)
def baoxue_report_formats():
    return (
        ReportFormat(
            code="attendance-return",
            title="学生到校情况报表",
            period_kinds=(PeriodKind.DAILY, PeriodKind.WEEKLY, PeriodKind.MONTHLY),
            row_kind=RowKind.SCHOOL,
            columns=columns(
                ("town.name", "乡镇/街道"),
                ("school.name", "学校"),
                ("stats.expected", "应到人数"),
                ("stats.arrived", "实到人数"),
                ("stats.absent", "未到人数"),
                ("stats.suspected_dropouts", "疑似辍学人数"),
                ("stats.returned", "劝返复学人数"),
                ("report.remarks", "备注"),
            ),
            group_by=("town_name",),
            totals=True,
            clause=_plan("四、(三)", "常态化落实学生到校情况日报、周报、月报制度"),
        ),
        ReportFormat(
            code="attendance-register-return",
            title="学生考勤统计表 (日报/周报/月报)",
            period_kinds=(PeriodKind.DAILY, PeriodKind.WEEKLY, PeriodKind.MONTHLY),
            row_kind=RowKind.SCHOOL,
            columns=_attendance_columns(("town.name", "乡镇/街道"), ("school.name", "学校")),
            header_groups=_ATTENDANCE_HEADINGS,
            group_by=("town_name",),
            totals=True,
            clause=_plan(
                "四、(三)",
                "常态化落实学生到校情况日报、周报、月报制度",
                assumption="按班级考勤登记汇总: 应出勤、实出勤人次与各类缺勤人次",
            ),
        ),
        ReportFormat(
            code="attendance-town-return",
            title="乡镇学生考勤统计表 (日报/周报/月报)",
            period_kinds=(PeriodKind.DAILY, PeriodKind.WEEKLY, PeriodKind.MONTHLY),
            row_kind=RowKind.TOWN,
            columns=_attendance_columns(("town.name", "乡镇/街道")),
            header_groups=_ATTENDANCE_HEADINGS,
            totals=True,
            clause=_plan(
                "四、(三)",
                "常态化落实学生到校情况日报、周报、月报制度",
                assumption="按乡镇汇总各校的班级考勤登记",
            ),
        ),
        ReportFormat(
            code="term-start-arrival",
            title="开学学生报到情况统计表",
            period_kinds=(PeriodKind.TERM_START,),
            row_kind=RowKind.SCHOOL,
            columns=columns(
                ("town.name", "乡镇/街道"),
                ("school.name", "学校"),
                ("stats.arrival_expected", "应报到人数"),
                ("stats.arrival_arrived", "已到校人数"),
                ("stats.arrival_missing", "未到校人数"),
                ("stats.arrival_missing_sick", "病假"),
                ("stats.arrival_missing_personal_leave", "事假"),
                ("stats.arrival_missing_unexplained", "无故未到"),
                ("report.remarks", "备注"),
            ),
            header_groups=(
                HeaderGroup(
                    label="未到校原因",
                    columns=(
                        "stats_arrival_missing_sick",
                        "stats_arrival_missing_personal_leave",
                        "stats_arrival_missing_unexplained",
                    ),
                ),
            ),
            group_by=("town_name",),
            totals=True,
            clause=_plan(
                "四、(三)",
                "常态化落实学生到校情况日报、周报、月报制度",
                assumption=(
                    "开学报到按开学两周内的班级考勤登记统计: 应报到为各班首次登记的应到人数, "
                    "未到校为每次登记均缺勤的学生, 原因取最近一次缺勤的类别"
                ),
            ),
        ),
        ReportFormat(
            code="term-start-absentees",
            title="开学未到校学生名单",
            period_kinds=(PeriodKind.TERM_START,),
            row_kind=RowKind.CHILD,
            selection=RowSelection.NOT_ARRIVED,
            columns=columns(
                ("school.name", "学校"),
                ("enrolment.grade", "年级"),
                ("enrolment.class", "班级"),
                ("child.name", "姓名"),
                ("child.gender", "性别"),
                ("guardian.name", "监护人"),
                ("guardian.phone", "联系电话"),
                ("attendance.absent_days", "缺勤天数"),
                ("attendance.missing_reason", "未到校原因"),
                ("attendance.follow_up", "跟踪情况"),
                ("report.remarks", "备注"),
            ),
            group_by=("school_name",),
            clause=_plan(
                "四、(三)",
                "常态化落实学生到校情况日报、周报、月报制度",
                assumption="开学两周内每次考勤均缺勤的学生, 原因取最近一次缺勤的类别",
            ),
        ),
        ReportFormat(
            code="case-ledger",
            title="控辍保学工作台账 (一人一档)",
            period_kinds=(PeriodKind.ON_DEMAND, PeriodKind.MONTHLY),
            row_kind=RowKind.CASE,
            columns=columns(
                ("town.name", "乡镇/街道"),
                ("school.name", "学校"),
                ("child.name", "姓名"),
                ("child.gender", "性别"),
                ("child.id_number", "身份证号"),
                ("enrolment.grade", "年级"),
                ("guardian.name", "监护人"),
                ("guardian.phone", "联系电话"),
                ("case.kind", "类别"),
                ("case.state", "状态"),
                ("case.reason", "辍学原因"),
                ("case.whereabouts", "去向"),
                ("case.opened_on", "上报日期"),
                ("case.persuasion_count", "劝返次数"),
                ("case.responsible", "包保责任人"),
                ("case.returned_on", "复学日期"),
                ("case.closed_on", "销号日期"),
            ),
            group_by=("town_name", "school_name"),
            clause=_plan("四、(四)", "按照“一人一档”的要求建立劝返档案"),
        ),
        # The national ledgers every county keeps, whatever its plugin: suspected and
        # confirmed dropouts and the 辍学学生花名册, each row with where the case came from
        # (来源: 平台下发, 名册比对, 班主任上报 …) and its state; 去向 and 辍学原因 as columns.
        ReportFormat(
            code="suspected-dropouts",
            title="疑似失学辍学儿童少年核查台账",
            period_kinds=(PeriodKind.ON_DEMAND, PeriodKind.WEEKLY, PeriodKind.MONTHLY),
            row_kind=RowKind.CASE,
            selection=RowSelection.SUSPECTED,
            columns=columns(
                ("town.name", "乡镇/街道"),
                ("school.name", "学籍学校"),
                ("child.name", "姓名"),
                ("child.gender", "性别"),
                ("child.id_number", "身份证号"),
                ("enrolment.grade", "年级"),
                ("guardian.name", "监护人"),
                ("guardian.phone", "联系电话"),
                ("case.source", "来源 (比对/上报)"),
                ("case.opened_on", "发现日期"),
                ("case.reason", "疑似原因"),
                ("case.whereabouts", "去向"),
                ("case.state", "状态"),
                ("case.responsible", "核查责任人"),
            ),
            group_by=("town_name", "school_name"),
            clause=_plan("四、(四)", "对疑似辍学情况进行认真核查"),
        ),
        ReportFormat(
            code="confirmed-dropouts",
            title="确认辍学学生劝返台账 (一人一档)",
            period_kinds=(PeriodKind.ON_DEMAND, PeriodKind.WEEKLY, PeriodKind.MONTHLY),
            row_kind=RowKind.CASE,
            selection=RowSelection.CONFIRMED,
            columns=columns(
                ("town.name", "乡镇/街道"),
                ("school.name", "学籍学校"),
                ("child.name", "姓名"),
                ("child.gender", "性别"),
                ("child.id_number", "身份证号"),
                ("enrolment.grade", "年级"),
                ("case.source", "来源"),
                ("case.verified_on", "确认日期"),
                ("case.reason", "辍学原因"),
                ("case.whereabouts", "去向"),
                ("case.state", "状态"),
                ("case.escalation", "当前责任层级"),
                ("case.persuasion_count", "劝返次数"),
                ("case.return_notice_on", "劝返复学通知书下达日期"),
                ("case.responsible", "包保责任人"),
            ),
            group_by=("town_name", "school_name"),
            clause=_plan(
                "四、(四)", "实行全程监控、随时报告，确保每位适龄儿童少年跟踪到位、去向明确"
            ),
        ),
        ReportFormat(
            code="dropout-roster",
            title="辍学学生花名册",
            period_kinds=(PeriodKind.ON_DEMAND, PeriodKind.MONTHLY, PeriodKind.TERM),
            row_kind=RowKind.CASE,
            selection=RowSelection.CONFIRMED,
            columns=columns(
                ("town.name", "乡镇/街道"),
                ("school.name", "学校"),
                ("child.name", "姓名"),
                ("child.gender", "性别"),
                ("child.id_number", "身份证号"),
                ("child.birth_date", "出生日期"),
                ("enrolment.grade", "年级"),
                ("child.registered_address", "家庭住址"),
                ("guardian.name", "监护人"),
                ("guardian.phone", "联系电话"),
                ("case.reason", "辍学原因"),
                ("case.whereabouts", "去向"),
                ("case.source", "来源"),
                ("case.state", "状态"),
            ),
            group_by=("town_name", "school_name"),
            clause=_plan("四、(四)", "按照“一人一档”的要求建立劝返档案"),
        ),
        ReportFormat(
            code="household-register",
            title="学户册 (0—18周岁儿童少年)",
            period_kinds=(PeriodKind.SCHOOL_YEAR,),
            row_kind=RowKind.CHILD,
            columns=columns(
                ("town.name", "乡镇/街道"),
                ("village.name", "村/社区"),
                ("child.name", "姓名"),
                ("child.gender", "性别"),
                ("child.id_number", "身份证号"),
                ("child.birth_date", "出生日期"),
                ("guardian.name", "监护人"),
                ("child.registered_address", "户籍地址"),
                ("enrolment.status", "就学状态"),
                ("school.name", "就读学校"),
                ("enrolment.grade", "年级"),
            ),
            group_by=("town_name", "village_name"),
            clause=_plan("四、(一)", "精准完善学户册信息档案"),
        ),
    )


@hookimpl(trylast=True)
def baoxue_exemption_rules():
    return (
        ExemptionRule(
            code="illness-exemption",
            name="因身体状况延缓入学或休学",
            reasons=("ILLNESS",),
            steps=(
                ProcedureStep(actor="父母或者其他法定监护人", action="提出申请"),
                ProcedureStep(actor="当地乡镇人民政府或者县级人民政府教育行政部门", action="批准"),
            ),
            clause=_law(
                "第十一条",
                "适龄儿童、少年因身体状况需要延缓入学或者休学的，其父母或者其他法定"
                "监护人应当提出申请，由当地乡镇人民政府或者县级人民政府教育行政部门批准。",
            ),
        ),
    )


_RECEIPT = (
    "回执：本人已收到{school}送达的{child_name}的《劝返复学通知书》（{number}），"
    "将于{deadline}前送子女返校复学。    监护人（签字）：__________    日期：__________"
)


@hookimpl(trylast=True)
def baoxue_notice_templates():
    return (
        NoticeTemplate(
            kind=NoticeKind.RETURN_NOTICE,
            title="劝返复学通知书",
            salutation="{guardian_name}（家长/监护人）：",
            paragraphs=(
                "您的子女{child_name}（{child_gender}，{birth_date}出生）系{school}{grade}学生，"
                "现未到校就读。根据《中华人民共和国义务教育法》第五条，适龄儿童、少年的父母或者"
                "其他法定监护人应当依法保证其按时入学接受并完成义务教育。",
                "经学校多次动员，{child_name}仍未返校。现依法通知您：请于{deadline}前送"
                "{child_name}返校复学。逾期仍不返校的，学校将报请当地乡镇人民政府依法责令限期改正。",
                "如家庭有特殊困难，请及时与学校联系，学校和当地政府将依政策给予帮助。",
            ),
            closing="特此通知。",
            issuer="{school}",
            receipt=_RECEIPT,
            clause=_plan(
                "四、(二)",
                "对无正当理由未送适龄儿童少年入学接受义务教育或造成辍学的，"
                "由当地乡镇人民政府责令限期改正",
                assumption="通知书的文字由 Baoxue 拟定; 各县插件可替换",
            ),
        ),
        NoticeTemplate(
            kind=NoticeKind.ADMISSION_NOTICE,
            title="入学通知书",
            salutation="{guardian_name}（家长/监护人）：",
            paragraphs=(
                "您的子女{child_name}（{child_gender}，{birth_date}出生）已到接受义务教育的年龄。"
                "请于{deadline}前携户口簿等材料，送{child_name}到{school}报到，"
                "就读{school_year}学年{grade}。",
                "根据《中华人民共和国义务教育法》，适龄儿童、少年的父母或者其他法定监护人应当依法"
                "保证其按时入学接受并完成义务教育。",
            ),
            closing="特此通知。",
            issuer="{school}",
            clause=_plan(
                "四、(二)",
                "每学年秋季学期，向小学、初中起始年级适龄儿童少年发放入学通知书，"
                "督促家长积极做好孩子入学工作",
                assumption="通知书的文字由 Baoxue 拟定; 各县插件可替换",
            ),
        ),
    )


@hookimpl(trylast=True)
def baoxue_import_formats():
    from core.imports.formats import CORE_FORMATS

    return tuple(CORE_FORMATS.values())


#: 辍学风险预警: the early-warning indicators (attendance, course performance, age and past
#: leaving) that research on dropping out found predictive, with thresholds Baoxue chose.
_RISK = Clause(
    document=BAOXUE,
    section="辍学风险预警",
    assumption=(
        "出勤、学业与年龄指标 (早期预警研究中预测辍学的 ABC 指标) 及其阈值、分值由 Baoxue 设定, "
        "各县可调整"
    ),
    core_default=True,
)

#: The 重点群体 the default KEY_GROUPS rule counts (留守, 监测户/脱贫户, 残疾, 学困 …).
RISK_KEY_GROUPS = (
    KeyGroup.LEFT_BEHIND,
    KeyGroup.MONITORED,
    KeyGroup.POVERTY_LIFTED,
    KeyGroup.LOW_INCOME,
    KeyGroup.DISABLED,
    KeyGroup.LEARNING_DIFFICULTY,
    KeyGroup.ORPHAN,
    KeyGroup.DE_FACTO_UNSUPPORTED,
    KeyGroup.IN_DIFFICULTY,
    KeyGroup.FAMILY_CRISIS,
    KeyGroup.PARENT_IMPRISONED,
)

#: Core's risk rules; a plugin adjusts them with ``CORE_RISK_RULES.adjusted(...)``.
CORE_RISK_RULES = RiskRuleSet(
    version="core-2026.1",
    rules=(
        RiskRule(
            code="UNEXPLAINED_ABSENCES",
            signal=RiskSignal.UNEXPLAINED_ABSENCES,
            label="本学期无故缺勤",
            comparison=Comparison.AT_LEAST,
            threshold=Decimal(3),
            weight=2,
            clause=_RISK,
        ),
        RiskRule(
            code="LOW_ATTENDANCE",
            signal=RiskSignal.ATTENDANCE_RATE,
            comparison=Comparison.AT_MOST,
            threshold=Decimal(90),
            weight=2,
            clause=_RISK,
        ),
        RiskRule(
            code="KEY_GROUP",
            signal=RiskSignal.KEY_GROUPS,
            label="属重点群体",
            comparison=Comparison.AT_LEAST,
            threshold=Decimal(1),
            weight=1,
            key_groups=RISK_KEY_GROUPS,
            clause=_RISK,
        ),
        RiskRule(
            code="PAST_CASE",
            signal=RiskSignal.PAST_CASES,
            label="曾辍学后复学",
            comparison=Comparison.AT_LEAST,
            threshold=Decimal(1),
            weight=2,
            clause=_RISK,
        ),
        RiskRule(
            code="REPEATED_GRADE",
            signal=RiskSignal.REPEATED_GRADES,
            label="留级",
            comparison=Comparison.AT_LEAST,
            threshold=Decimal(1),
            weight=1,
            clause=_RISK,
        ),
        RiskRule(
            code="OVER_AGE",
            signal=RiskSignal.AGE_OVER_GRADE,
            label="超出年级正常年龄",
            comparison=Comparison.AT_LEAST,
            threshold=Decimal(2),
            weight=1,
            clause=_RISK,
        ),
    ),
    watch_at=2,
    high_at=4,
    visit_days=30,
    clause=_RISK,
    description="各条规则命中即计分, 合计 ≥4 分为高风险, ≥2 分为关注",
)


#: The school years the core calendar covers (2020 means 2020—2021).
CALENDAR_YEARS = range(2020, 2036)


def _school_year(year: int) -> tuple[tuple[SchoolTerm, ...], tuple[Holiday, ...]]:
    terms = (
        SchoolTerm(
            code=f"autumn-{year}",
            name=f"{year}—{year + 1}学年秋季学期",
            season=TermSeason.AUTUMN,
            first_day=date(year, 9, 1),
            last_day=date(year + 1, 1, 20),
        ),
        SchoolTerm(
            code=f"spring-{year}",
            name=f"{year}—{year + 1}学年春季学期",
            season=TermSeason.SPRING,
            first_day=date(year + 1, 3, 1),
            last_day=date(year + 1, 7, 5),
        ),
    )
    holidays = (
        Holiday(name="国庆节", first_day=date(year, 10, 1), last_day=date(year, 10, 7)),
        Holiday(name="元旦", first_day=date(year + 1, 1, 1), last_day=date(year + 1, 1, 1)),
        Holiday(name="清明节", first_day=date(year + 1, 4, 4), last_day=date(year + 1, 4, 6)),
        Holiday(name="劳动节", first_day=date(year + 1, 5, 1), last_day=date(year + 1, 5, 5)),
    )
    return terms, holidays


@hookimpl(trylast=True)
def baoxue_term_calendar():
    years = [_school_year(year) for year in CALENDAR_YEARS]
    return TermCalendar(
        terms=tuple(t for terms, _ in years for t in terms),
        holidays=tuple(h for _, holidays in years for h in holidays),
        clause=Clause(
            document=BAOXUE,
            section="校历",
            assumption=(
                "秋季学期 9月1日至次年1月20日, 春季学期 3月1日至7月5日, 国庆、元旦、清明、劳动节"
                "放假 (农历节日与调休以县教育局校历为准, 由县级插件提供)"
            ),
            core_default=True,
        ),
    )


_ABSENCE_ASSUMPTION = (
    "班主任发现学生无故缺勤即应上报疑似辍学; 连续 3 个上学日或当月累计 5 天无故缺勤即视为"
    "疑似辍学, 为 Baoxue 默认值, 各县可覆盖或在重点时段从严"
)


@hookimpl(trylast=True)
def baoxue_absence_rules():
    clause = Clause(
        document=BAOXUE, section="考勤预警", assumption=_ABSENCE_ASSUMPTION, core_default=True
    )
    return (
        AbsenceRule(
            code="consecutive-unexplained",
            name="连续3个上学日无故缺勤",
            kind=AbsenceRuleKind.CONSECUTIVE,
            days=3,
            clause=clause,
        ),
        AbsenceRule(
            code="monthly-unexplained",
            name="当月累计5天无故缺勤",
            kind=AbsenceRuleKind.IN_MONTH,
            days=5,
            clause=clause,
        ),
    )


@hookimpl(trylast=True)
def baoxue_risk_rules():
    return CORE_RISK_RULES
