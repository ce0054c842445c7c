"""铁东区 (鞍山市, 辽宁省): 《关于加强铁东区中学控辍保学工作实施方案》.

Every rule cites its clause: 二 is 工作目标, 三 工作措施 (items 1–8; the document has no item 7),
四 组织保障. The plan is for the district's 中学 (its title): the rules' scope is the junior
middle grades, and the demo builds 初级中学 only. The document names no towns, schools or
people, so the organisation below is demo-only; the rules are the document's.
"""

from __future__ import annotations

from decimal import Decimal

from core.plugins import hookimpl
from core.rules import (
    Clause,
    Comparison,
    Deadline,
    DeadlineKind,
    Duty,
    EscalationChain,
    EscalationLevel,
    HeaderGroup,
    JurisdictionSpec,
    KeyGroup,
    Metric,
    MinorityShare,
    MonitoringFocus,
    PeriodKind,
    Population,
    ReportFormat,
    ResponsibilityLine,
    ResponsibilitySpec,
    RowKind,
    RowSelection,
    SchoolStage,
    Scope,
    Target,
    TownKind,
    TownSpec,
    VocabularyKind,
    VocabularyTerm,
    columns,
)

__version__ = "0.1.0"

CODE = "210302"
SOURCE = "《关于加强铁东区中学控辍保学工作实施方案》"


def _c(section: str, text: str = "", assumption: str = "") -> Clause:
    return Clause(document=SOURCE, section=section, text=text, assumption=assumption)


# Demo-only: the document lists no subdistricts. These are names of 铁东区 街道 for the demo
# data generator, not taken from the document.
_DEMO_SUBDISTRICTS = ("解放街道", "站前街道", "胜利街道", "园林街道", "山南街道", "湖南街道")


@hookimpl
def baoxue_jurisdiction():
    return JurisdictionSpec(
        division_code=CODE,
        name="铁东区",
        city="鞍山市",
        province="辽宁省",
        towns=tuple(TownSpec(name=n, kind=TownKind.SUBDISTRICT) for n in _DEMO_SUBDISTRICTS),
        sources=(SOURCE,),
        # Demo-only (no document gives it): 满族, 回族 and 朝鲜族 neighbours, for the demo data.
        demo_minorities=(
            MinorityShare("满族", 40),
            MinorityShare("回族", 8),
            MinorityShare("朝鲜族", 5),
        ),
    )


@hookimpl
def baoxue_scope():
    # The title: the plan is for the district's 中学, i.e. the junior middle grades of
    # compulsory education (7–9); the demo builds only those.
    return Scope(
        stages=(SchoolStage.JUNIOR_MIDDLE,),
        description="区内中学 (义务教育阶段初中)",
        clause=_c("标题", "关于加强铁东区中学控辍保学工作实施方案"),
    )


@hookimpl
def baoxue_responsibilities():
    edu = ResponsibilityLine.EDUCATION
    return [
        # 四、3: 区教育局 spot-checks every school.
        ResponsibilitySpec(
            key="区教育局",
            line=edu,
            duty=Duty.OVERALL,
            role="区教育局",
            description="适时对各校控辍保学工作进行抽查, 对工作不力的严肃追究责任",
            clause=_c("四、3", "区教育局将适时对各校控辍保学工作进行抽查"),
        ),
        # 四、1: the head of each school answers directly.
        ResponsibilitySpec(
            key="校长",
            line=edu,
            duty=Duty.SCHOOL,
            role="校长",
            description="控辍保学直接责任人",
            reports_to="区教育局",
            clause=_c("四、1", "各学校校长作为控辍保学直接责任人"),
        ),
        # 三、3: head teachers report suspected dropouts at once.
        ResponsibilitySpec(
            key="班主任",
            line=edu,
            duty=Duty.CLASS,
            role="班主任",
            description="即时上报疑似辍学学生情况, 包括返校上学情况",
            reports_to="校长",
            clause=_c("三、3", "班主任须即时上报疑似辍学学生情况"),
        ),
        # 三、5: 大手拉小手, a teacher paired with each child of a key group.
        ResponsibilitySpec(
            key="大手拉小手",
            line=edu,
            duty=Duty.CHILD,
            role="帮扶教师",
            description="从学习、生活、心理等方面开展帮扶 (一生一策)",
            reports_to="校长",
            clause=_c("三、5", "采取“大手拉小手”方式从学习、生活、心理等方面开展帮扶活动"),
        ),
    ]


@hookimpl
def baoxue_targets():
    return [
        # 二、工作目标
        Target(
            metric=Metric.CONSOLIDATION_RATE,
            comparison=Comparison.AT_LEAST,
            threshold=Decimal("97.3"),
            clause=_c("二、工作目标", "确保我区实现全区义务教育巩固率达到97.3%"),
        ),
        # 二、工作目标: 建档立卡 poor families are today's 脱贫户.
        Target(
            metric=Metric.DROPOUT_RATE,
            comparison=Comparison.EQUAL,
            threshold=Decimal("0"),
            population=Population.POVERTY_LIFTED,
            clause=_c("二、工作目标", "确保建档立卡贫困家庭儿童失学辍学率为零"),
        ),
    ]


@hookimpl
def baoxue_escalation_chain():
    # 三、2: 五级联控. Each level acts when the one below has failed; the document sets no
    # time at any level ("及时"), so the ESCALATION_STEP deadline applies.
    clause = _c("三、2", "实施“班主任-学校-区教育局-区政府-司法部门”五级联控机制")
    return EscalationChain(
        name="五级联控",
        clause=clause,
        # The chain names no township; a case leaves the school at 区教育局, and from there
        # the 街道 see it too.
        township_level=3,
        levels=(
            EscalationLevel(
                level=1,
                name="班主任",
                responsible="班主任",
                action="发现疑似辍学现象及时劝返; 劝返无效的, 及时报告学校",
                clause=_c("三、2", "班主任如发现疑似辍学现象及时进行劝返"),
            ),
            EscalationLevel(
                level=2,
                name="学校",
                responsible="学校",
                action="劝返; 劝返无效, 及时书面报告区教育局",
                clause=_c("三、2", "学校劝返无效，及时书面报告区教育局"),
            ),
            EscalationLevel(
                level=3,
                name="区教育局",
                responsible="区教育局",
                action="联合相关部门依法实施劝返",
                clause=_c("三、2", "区教育局联合相关部门依法实施劝返"),
            ),
            # The document names 区政府 in the chain but describes no action of its own.
            EscalationLevel(
                level=4,
                name="区政府",
                responsible="区政府",
                action="五级联控的第四级 (文件未另列具体措施)",
                clause=clause,
            ),
            EscalationLevel(
                level=5,
                name="司法部门",
                responsible="司法部门",
                action="依法敦促其整改, 情节严重的依法追究法律责任",
                clause=_c(
                    "三、2",
                    "仍劝返无效，由司法部门依法敦促其整改，情节严重的，将依法追究法律责任",
                ),
            ),
        ),
    )


@hookimpl
def baoxue_deadlines():
    return [
        # 三、3: the 学籍管理员 marks a head teacher's report within one week.
        Deadline(
            kind=DeadlineKind.REPORT_MARKING,
            days=7,
            responsible="学籍管理员",
            action="根据班主任上报信息完成信息标注",
            clause=_c("三、3", "学籍管理员根据班主任上报信息要在一周内完成信息标注"),
        ),
    ]


@hookimpl
def baoxue_monitoring_focus():
    return [
        # 三、5
        MonitoringFocus(
            code="key-groups",
            name="重点群体关爱",
            key_groups=(KeyGroup.MIGRANT, KeyGroup.POVERTY_LIFTED),
            description="进城务工人员子女和贫困学生, 一生一策",
            clause=_c("三、5", "对进城务工人员子女和贫困学生给予更多的情感呵护"),
        ),
        # 三、6: 师访万家 visits these groups regularly.
        MonitoringFocus(
            code="teacher-home-visits",
            name="师访万家",
            key_groups=(
                KeyGroup.FINANCIAL_HARDSHIP,
                KeyGroup.LEARNING_DIFFICULTY,
                KeyGroup.MIGRANT,
                KeyGroup.FAMILY_CRISIS,
            ),
            description="经济困难、学习困难、进城务工随迁子女、家庭突发重大变故学生",
            clause=_c(
                "三、6",
                "适时定期对经济困难、学习困难、进城务工随迁子女、家庭突发重大变故学生等群体进行走访",
            ),
        ),
    ]


@hookimpl
def baoxue_report_formats():
    return [
        # 三、3: the ledger the head teacher reports into and the 学籍管理员 marks.
        ReportFormat(
            code="management-ledger",
            title="控辍保学工作管理台账",
            period_kinds=(PeriodKind.ON_DEMAND,),
            row_kind=RowKind.CASE,
            columns=columns(
                ("school.name", "学校"),
                ("enrolment.grade", "年级"),
                ("enrolment.class", "班级"),
                ("child.name", "姓名"),
                ("child.gender", "性别"),
                ("child.id_number", "身份证号"),
                ("enrolment.head_teacher", "班主任"),
                ("case.opened_on", "上报日期"),
                ("case.reason", "疑似辍学原因"),
                ("case.persuasion_log", "劝返情况"),
                ("case.returned", "是否返校上学"),
                ("case.returned_on", "返校日期"),
                ("case.marked_on", "学籍管理员标注日期"),
                ("report.remarks", "备注"),
            ),
            group_by=("school_name",),
            clause=_c("三、3", "各学校建立控辍保学工作管理台账"),
        ),
        # 三、5 and 三、8: one plan per child (一生一策), support in study, life and mind,
        # and the assistance plan (一生一案).
        ReportFormat(
            code="key-group-care-ledger",
            title="重点群体关爱台账 (一生一策)",
            period_kinds=(PeriodKind.TERM,),
            row_kind=RowKind.CHILD,
            columns=columns(
                ("school.name", "学校"),
                ("enrolment.grade", "年级"),
                ("enrolment.class", "班级"),
                ("child.name", "姓名"),
                ("child.key_groups", "重点群体类别"),
                ("child.family_situation", "家庭情况"),
                ("support.mentor", "帮扶教师 (大手拉小手)"),
                ("support.study", "学习帮扶"),
                ("support.life", "生活帮扶"),
                ("support.psychological", "心理帮扶"),
                ("support.plan", "一生一策措施"),
                ("support.assistance", "资助情况 (一生一案)"),
            ),
            header_groups=(
                HeaderGroup(
                    label="帮扶措施",
                    columns=("support_study", "support_life", "support_psychological"),
                ),
            ),
            group_by=("school_name",),
            selection=RowSelection.KEY_GROUPS,
            clause=_c("三、5", "各学校建立重点群体关爱台账，“一生一策”"),
        ),
        # 三、6: 师访万家 visit records.
        ReportFormat(
            code="teacher-home-visits",
            title="“师访万家”走访记录",
            period_kinds=(PeriodKind.TERM,),
            row_kind=RowKind.CHILD,
            columns=columns(
                ("school.name", "学校"),
                ("enrolment.class", "班级"),
                ("child.name", "姓名"),
                ("child.key_groups", "走访群体"),
                ("visits.last_on", "走访日期"),
                ("visits.summary", "走访情况"),
            ),
            group_by=("school_name",),
            selection=RowSelection.KEY_GROUPS,
            clause=_c("三、6", "持续开展“师访万家”活动"),
        ),
    ]


@hookimpl
def baoxue_vocabulary():
    return [
        # 三、4: dropouts caused by a school's or teacher's misconduct are to be stopped.
        VocabularyTerm(
            kind=VocabularyKind.CASE_REASON,
            code="TEACHER_MISCONDUCT",
            label="学校或教师教育教学行为违规",
            clause=_c("三、4", "坚决遏制因学校或教师教育教学行为违规导致学生辍学的现象"),
        ),
    ]
