"""荣昌区 (重庆市): 《重庆市荣昌区2025年进一步加强义务教育控辍保学工作实施方案》.

Every rule cites its clause: 三 is 明确目标任务, 四 抓好重点工作 with its parts (一)–(六) and
their items 一是, 二是 … written 1, 2 …. The document groups schools into 学区 and 督导责任区
(it is addressed to "各学区、督导责任区、直属中小学校") but lists neither them nor the 镇街:
the 镇街 below are real 荣昌区 names, not from the document, and the groupings are demo-only.
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
    KeyAreaKind,
    KeyGroup,
    KeyPeriod,
    Metric,
    MinorityShare,
    MonitoringFocus,
    NoticeKind,
    NoticeTemplate,
    PeriodAnchor,
    PeriodKind,
    Population,
    ReportFormat,
    ResponsibilityLine,
    ResponsibilitySpec,
    RowKind,
    SchoolGroupKind,
    SchoolGroupSpec,
    SchoolStage,
    Target,
    TargetPeriod,
    TownKind,
    TownSpec,
    VocabularyKind,
    VocabularyTerm,
    columns,
)

__version__ = "0.1.0"

CODE = "500153"
SOURCE = "重庆市荣昌区教育委员会《重庆市荣昌区2025年进一步加强义务教育控辍保学工作实施方案》"


def _c(section: str, text: str = "", assumption: str = "") -> Clause:
    return Clause(document=SOURCE, section=section, text=text, assumption=assumption)


# Not from the document: 荣昌区's 6 街道 and 15 镇, for the organisation and the demo data.
_SUBDISTRICTS = ("昌元街道", "昌州街道", "广顺街道", "双河街道", "安富街道", "峰高街道")
_TOWNS = (
    "直升镇",
    "仁义镇",
    "吴家镇",
    "盘龙镇",
    "河包镇",
    "古昌镇",
    "龙集镇",
    "万灵镇",
    "清升镇",
    "铜鼓镇",
    "清江镇",
    "远觉镇",
    "荣隆镇",
    "清流镇",
    "观胜镇",
)
# Demo-only groupings: the document has the kinds (学区, 督导责任区), not their members.
_DEMO_DISTRICTS = {
    "昌元学区": ("昌元街道", "昌州街道", "广顺街道"),
    "安富学区": ("安富街道", "峰高街道", "双河街道"),
    "仁义学区": ("仁义镇", "直升镇", "吴家镇", "盘龙镇", "河包镇"),
    "古昌学区": ("古昌镇", "龙集镇", "万灵镇", "清升镇", "铜鼓镇"),
    "清江学区": ("清江镇", "远觉镇", "荣隆镇", "清流镇", "观胜镇"),
}
_DEMO_ZONES = {
    "第一督导责任区": ("昌元街道", "昌州街道", "广顺街道", "安富街道", "峰高街道", "双河街道"),
    "第二督导责任区": ("仁义镇", "直升镇", "吴家镇", "盘龙镇", "河包镇"),
    "第三督导责任区": ("古昌镇", "龙集镇", "万灵镇", "清升镇", "铜鼓镇"),
    "第四督导责任区": ("清江镇", "远觉镇", "荣隆镇", "清流镇", "观胜镇"),
}


@hookimpl
def baoxue_jurisdiction():
    towns = [TownSpec(name=n, kind=TownKind.SUBDISTRICT) for n in _SUBDISTRICTS]
    # 三 names 农村 among the 重点地区 but not which: the 镇 (not the 街道) are marked 农村 for
    # the demo data (shown as 演示数据).
    towns += [TownSpec(name=n, kind=TownKind.TOWN, key_areas=(KeyAreaKind.RURAL,)) for n in _TOWNS]
    # The document is addressed to "各学区、督导责任区" but lists neither: demo-only members.
    groups = [
        SchoolGroupSpec(
            name=name, kind=SchoolGroupKind.SCHOOL_DISTRICT, towns=members, demo_only=True
        )
        for name, members in _DEMO_DISTRICTS.items()
    ] + [
        SchoolGroupSpec(
            name=name, kind=SchoolGroupKind.SUPERVISION_ZONE, towns=members, demo_only=True
        )
        for name, members in _DEMO_ZONES.items()
    ]
    return JurisdictionSpec(
        division_code=CODE,
        name="荣昌区",
        city="重庆市",
        province="重庆市",
        towns=tuple(towns),
        school_groups=tuple(groups),
        sources=(SOURCE,),
        # The document's issuer: 重庆's districts have an 教育委员会 (区教委), not an 教育局.
        bureau="重庆市荣昌区教育委员会",
        # Demo-only (no document gives it): a few 土家族 and 苗族, for the demo data.
        demo_minorities=(MinorityShare("土家族", 3), MinorityShare("苗族", 2)),
    )


@hookimpl
def baoxue_responsibilities():
    gov, edu = ResponsibilityLine.GOVERNMENT, ResponsibilityLine.EDUCATION
    three_levels = _c(
        "四、(六)2", "落实区、镇街、村社三级控辍保学责任制，将控辍保学目标细化到镇街村社、落实到人"
    )
    return [
        # 四、(六)2: three levels of government responsibility, 区 → 镇街 → 村社.
        ResponsibilitySpec(
            key="区", line=gov, duty=Duty.OVERALL, role="区政府", clause=three_levels
        ),
        ResponsibilitySpec(
            key="镇街",
            line=gov,
            duty=Duty.TOWN,
            role="镇街政府",
            reports_to="区",
            description="接收学校关于确认辍学或联系不上学生的汇报, 责成村社落实劝学责任",
            clause=three_levels,
        ),
        ResponsibilitySpec(
            key="村社",
            line=gov,
            duty=Duty.VILLAGE,
            role="村社",
            reports_to="镇街",
            description="落实劝学责任",
            clause=three_levels,
        ),
        # 四、(六)3: the district's education inspectorate checks every autumn.
        ResponsibilitySpec(
            key="区政府教育督导室",
            line=gov,
            duty=Duty.OVERALL,
            role="区政府教育督导室",
            reports_to="区",
            description="秋季学期开学后组织专项督导, 检查入学率、巩固率, 结果纳入学校年度考核",
            clause=_c("四、(六)3", "区政府教育督导室要切实发挥教育督导的指导和监督作用"),
        ),
        # Education line: 区教委 → 学区 / 督导责任区 → 学校.
        ResponsibilitySpec(
            key="区教委",
            line=edu,
            duty=Duty.OVERALL,
            role="区教委",
            clause=_c("四、(六)2", "各学区和学校要制定控辍保学工作方案"),
        ),
        # 四、(一)2: 行政督促复学 by the 督导责任区 and 学区.
        ResponsibilitySpec(
            key="学区、督导责任区",
            line=edu,
            duty=Duty.AREA,
            role="学区、督导责任区",
            reports_to="区教委",
            description="全面掌握辖区内适龄儿童少年情况, 督促监护人送适龄儿童少年入学",
            clause=_c("四、(一)2", "各督导责任区、学区要全面掌握辖区内适龄儿童少年情况"),
        ),
        # 四、(一)2 and 四、(四)2: each school persuades, records, reports; 一校一案.
        ResponsibilitySpec(
            key="学校",
            line=edu,
            duty=Duty.SCHOOL,
            role="学校",
            reports_to="学区、督导责任区",
            description="辍学学生劝返复学、登记与书面报告; 一校一案, 一生一档",
            clause=_c("四、(一)2", "各中小学校要建立和完善辍学学生劝返复学、登记与书面报告制度"),
        ),
    ]


@hookimpl
def baoxue_targets():
    by_2025 = _c("三、明确目标任务", "到2025年，义务教育入学率达到100%，巩固率达到100%")
    return [
        # 三: 到2025年 入学率 and 巩固率 100 %.
        Target(
            metric=Metric.ENROLMENT_RATE,
            comparison=Comparison.AT_LEAST,
            threshold=Decimal("100"),
            period=TargetPeriod.CALENDAR_YEAR,
            year=2025,
            clause=by_2025,
        ),
        Target(
            metric=Metric.CONSOLIDATION_RATE,
            comparison=Comparison.AT_LEAST,
            threshold=Decimal("100"),
            period=TargetPeriod.CALENDAR_YEAR,
            year=2025,
            clause=by_2025,
        ),
        # 三: 资助全覆盖 of students from families in financial hardship.
        Target(
            metric=Metric.ASSISTANCE_COVERAGE,
            comparison=Comparison.AT_LEAST,
            threshold=Decimal("100"),
            population=Population.FINANCIAL_HARDSHIP,
            clause=_c("三、明确目标任务", "确保家庭经济困难学生资助全覆盖"),
        ),
        # 三: not one child out of school.
        Target(
            metric=Metric.DROPOUT_COUNT,
            comparison=Comparison.EQUAL,
            threshold=Decimal("0"),
            clause=_c("三、明确目标任务", "绝不让一个学生失学辍学"),
        ),
    ]


@hookimpl
def baoxue_escalation_chain():
    township = _c(
        "四、(四)3", "对确认辍学或者联系不上的，要及时向当地镇街政府汇报，责成村社落实劝学责任"
    )
    return EscalationChain(
        name="学校劝返 → 镇街政府 (村社)",
        clause=township,
        # 四、(四)3 treats both alike: a child confirmed as a dropout and one who cannot be
        # reached are reported to the 镇街 government at once (及时), which makes the 村社 act.
        unreachable_level=2,
        confirmed_level=2,
        # So the 镇街 sees a case from then on: from level 2 (the 镇街政府's), where every
        # confirmed or unreachable case is. Suspected cases (the platform's list being
        # verified at the school) stay the school's.
        township_level=2,
        levels=(
            # 四、(四)1: schools verify the platform's list, persuade and record every attempt.
            EscalationLevel(
                level=1,
                name="学校",
                responsible="学校",
                action="及时核实处理, 加强劝返复学, 做好每次劝返记录, 实行动态销号管理",
                clause=_c(
                    "四、(四)1",
                    "各级各类学校要及时核实处理，按照有关规定加强劝返复学，做好每次劝返记录",
                ),
            ),
            # The top of the chain: nowhere to go, but the 镇街 has a clock (TOWNSHIP_ACTION
            # below), so its cases show as overdue like any office's.
            EscalationLevel(
                level=2,
                name="镇街政府",
                responsible="镇街政府",
                notify=("村社",),
                action="责成村社落实劝学责任",
                deadline=DeadlineKind.TOWNSHIP_ACTION,
                clause=township,
            ),
        ),
    )


@hookimpl
def baoxue_deadlines():
    return [
        # 四、(四)3: the 镇街 makes the 村社 act on a case reported to it. The clause sets no
        # time ("及时" is about the school's report): the number is this project's.
        Deadline(
            kind=DeadlineKind.TOWNSHIP_ACTION,
            days=15,
            responsible="镇街政府",
            action="责成村社落实劝学责任",
            clause=_c(
                "四、(四)3",
                "对确认辍学或者联系不上的，要及时向当地镇街政府汇报，责成村社落实劝学责任",
                assumption="条款未规定镇街落实劝学的期限; 15 天为 Baoxue 的假定, 区教委可改",
            ),
        ),
    ]


@hookimpl
def baoxue_key_periods():
    return [
        # 四、(六)3: a special inspection after the start of every autumn term.
        KeyPeriod(
            code="autumn-special-inspection",
            name="秋季学期开学专项督导",
            anchor=PeriodAnchor.AUTUMN_TERM_START,
            purpose="区政府教育督导室检查控辍保学工作情况 (含入学率、巩固率), 纳入学校年度考核",
            clause=_c("四、(六)3", "在每年秋季学期开学后组织专项督导"),
        ),
    ]


@hookimpl
def baoxue_monitoring_focus():
    return [
        # 三: 重点地区、重点学段、重点群体.
        MonitoringFocus(
            code="three-key",
            name="重点地区、重点学段、重点群体",
            stages=(SchoolStage.JUNIOR_MIDDLE,),
            key_groups=(
                KeyGroup.LEFT_BEHIND,
                KeyGroup.FINANCIAL_HARDSHIP,
                KeyGroup.IN_DIFFICULTY,
            ),
            areas=("农村", "边远", "贫困", "民族"),
            area_kinds=(
                KeyAreaKind.RURAL,
                KeyAreaKind.REMOTE,
                KeyAreaKind.POOR,
                KeyAreaKind.ETHNIC,
            ),
            clause=_c(
                "三、明确目标任务",
                "加强对农村、边远、贫困、民族等重点地区，初中重点学段，"
                "农村留守儿童、家庭经济贫困儿童和困境儿童等重点群体的动态监控",
            ),
        ),
        # 四、(二)3: children of migrant workers, 应入尽入.
        MonitoringFocus(
            code="migrant-children",
            name="随迁子女应入尽入",
            key_groups=(KeyGroup.MIGRANT,),
            clause=_c("四、(二)3", "切实保障进城务工人员子女平等接受义务教育"),
        ),
        # 四、(二)4: every disabled child not in school gets a plan (一人一案).
        MonitoringFocus(
            code="disabled-children",
            name="适龄残疾少儿核查, 一人一案",
            key_groups=(KeyGroup.DISABLED,),
            description="特殊教育学校、随班就读, 不能到校的送教上门或远程教育并建立学籍",
            clause=_c("四、(二)4", "组织开展未入学适龄残疾少儿核查工作"),
        ),
    ]


@hookimpl
def baoxue_report_formats():
    return [
        # 四、(四)1: 基础教育重点任务“双月报”.
        ReportFormat(
            code="bimonthly-return",
            title="基础教育重点任务“双月报” (控辍保学)",
            period_kinds=(PeriodKind.BIMONTHLY,),
            row_kind=RowKind.TOWN,
            columns=columns(
                ("town.name", "镇街"),
                ("stats.school_age_children", "适龄儿童少年数"),
                ("stats.platform_suspected", "平台下发疑似辍学人数"),
                ("stats.verified", "已核实人数"),
                ("stats.new_suspected", "新增疑似辍学人数"),
                ("stats.dropouts", "确认辍学人数"),
                ("stats.returned", "劝返复学人数"),
                ("stats.still_out", "仍未复学人数"),
                ("stats.enrolment_rate", "入学率"),
                ("stats.consolidation_rate", "巩固率"),
            ),
            header_groups=(
                HeaderGroup(
                    label="疑似辍学",
                    columns=("stats_platform_suspected", "stats_verified", "stats_new_suspected"),
                ),
                HeaderGroup(
                    label="辍学与劝返",
                    columns=("stats_dropouts", "stats_returned", "stats_still_out"),
                ),
            ),
            totals=True,
            # The clause names no recipient (the national platform it mentions is where the
            # suspected-dropout lists come from, not where the 双月报 goes): none is given.
            submit_to=(),
            description="条款未写明报送单位",
            clause=_c("四、(四)1", "通过基础教育重点任务“双月报”加强对各地控辍保学工作调度"),
        ),
        # 四、(四)2: each school's 问题台账, one file per child, every child's whereabouts.
        ReportFormat(
            code="problem-ledger",
            title="控辍保学问题台账 (一校一案, 一生一档)",
            period_kinds=(PeriodKind.ON_DEMAND,),
            row_kind=RowKind.CASE,
            columns=columns(
                ("school.name", "学校"),
                ("child.name", "姓名"),
                ("child.gender", "性别"),
                ("child.id_number", "身份证号"),
                ("child.student_number", "学籍号"),
                ("enrolment.grade", "年级"),
                ("case.source", "来源 (平台下发/学校发现)"),
                ("case.state", "状态"),
                ("case.verification", "核实结果"),
                ("case.whereabouts", "去向"),
                ("case.persuasion_count", "劝返次数"),
                ("case.persuasion_log", "劝返记录"),
                ("enrolment.proof_elsewhere", "转学手续 (人籍一致)"),
                ("case.outcome", "处理结果"),
                ("case.closed_on", "销号日期"),
            ),
            group_by=("school_name",),
            clause=_c("四、(四)2", "各学校要根据汇总信息建立问题台账"),
        ),
    ]


@hookimpl
def baoxue_vocabulary():
    left_behind = _c("四、(二)2", "着重解决少数农村留守儿童无人监护、监护能力弱、无户籍等现实问题")
    return [
        # 四、(一)3
        VocabularyTerm(
            kind=VocabularyKind.ASSISTANCE_PROGRAMME,
            code="SOCIAL_ASSISTANCE",
            label="纳入社会救助政策保障",
            clause=_c("四、(一)3", "要将符合条件的家庭经济困难学生纳入社会救助政策保障范围"),
        ),
        # 四、(二)2
        VocabularyTerm(
            kind=VocabularyKind.CASE_REASON,
            code="NO_GUARDIANSHIP",
            label="无人监护或监护能力弱",
            clause=left_behind,
        ),
        VocabularyTerm(
            kind=VocabularyKind.CASE_REASON,
            code="NO_HOUSEHOLD_REGISTRATION",
            label="无户籍",
            clause=left_behind,
        ),
    ]


@hookimpl
def baoxue_notice_templates():
    return [
        # 四、(五): the admission notice carries the law and what breaking it costs.
        NoticeTemplate(
            kind=NoticeKind.ADMISSION_NOTICE,
            title="义务教育入学通知书",
            salutation="{guardian_name}（家长/监护人）：",
            paragraphs=(
                "您的子女{child_name}（{child_gender}，{birth_date}出生）已到接受义务教育的年龄，"
                "请于{deadline}前送{child_name}到{school}报到，就读{school_year}学年{grade}。",
                "有关法律规定：《中华人民共和国义务教育法》第五条规定，适龄儿童、少年的父母或者"
                "其他法定监护人应当依法保证其按时入学接受并完成义务教育。",
                "违法追责说明：无正当理由未依照规定送适龄子女入学接受义务教育的，"
                "由当地乡镇人民政府或者县级人民政府教育行政部门给予批评教育，责令限期改正"
                " (义务教育法第五十八条)。",
            ),
            closing="特此通知。",
            issuer="{school}",
            clause=_c(
                "四、(五)",
                "各学校在学生入学通知书中加入有关法律规定和违法追责说明",
            ),
        ),
    ]
