"""荔浦市 (桂林市, 广西壮族自治区): 荔教〔2023〕1号《荔浦市教育局2023年控辍保学工作实施方案》.

Every rule cites the clause it comes from (section numbers as in the document; 附件 is the
attached 责任学校一览表). Names are written as the document writes them, without the spaces it
puts inside two-character names (罗 燕 → 罗燕). The document itself is inconsistent in two
places, kept as written:

* the member list has 潘德建 (电教站站长) while the table puts 潘德健 on 东昌镇;
* 王熙龙 (蒲芦乡) appears only in the table, with no title.
"""

from __future__ import annotations

from decimal import Decimal

from core.plugins import hookimpl
from core.rules import (
    ApprovingAuthority,
    Clause,
    Comparison,
    Deadline,
    DeadlineKind,
    Duty,
    EscalationChain,
    EscalationLevel,
    ExemptionRule,
    HeaderGroup,
    HomeDeliveryRule,
    JurisdictionSpec,
    KeyAreaKind,
    KeyGroup,
    KeyPeriod,
    LeadershipGroup,
    LeadershipMember,
    LeadershipOffice,
    LeadershipRole,
    Metric,
    MinorityShare,
    MonitoringFocus,
    PeriodAnchor,
    PeriodKind,
    Population,
    ProcedureStep,
    ReportFormat,
    ResponsibilityLine,
    ResponsibilitySpec,
    RowKind,
    RowSelection,
    SchoolSpec,
    Target,
    TargetPeriod,
    TownKind,
    TownSpec,
    VocabularyKind,
    VocabularyTerm,
    columns,
)

__version__ = "0.1.0"

CODE = "450381"
SOURCE = "荔教〔2023〕1号《荔浦市教育局2023年控辍保学工作实施方案》"


def _c(section: str, text: str = "", assumption: str = "") -> Clause:
    return Clause(document=SOURCE, section=section, text=text, assumption=assumption)


# 附件 荔浦市教育局领导干部义务教育控辍保学责任学校一览表, row by row:
# 包片领导 → [(乡镇, schools the table names in brackets, 包乡镇人员)].
RESPONSIBILITY_TABLE: dict[str, list[tuple[str, tuple[str, ...], tuple[str, ...]]]] = {
    "黄杏华": [
        ("马岭镇", (), ("毛如标",)),
        ("双江镇", (), ("黄益金", "杨鸿巧")),
        # 花笱镇: spelt so in the document.
        ("花笱镇", (), ("李素云", "孟慧")),
    ],
    "罗燕": [
        ("杜莫镇", (), ("韦尉基", "胡洪媛")),
        ("新坪镇", (), ("石秀梅",)),
        ("龙怀乡", (), ("何师忠",)),
    ],
    "钟星子": [
        ("荔城镇", ("民中", "滨江小学", "云惠学校"), ("徐有助", "黄琳玲")),
        ("修仁镇", (), ("唐承刚",)),
        ("大塘镇", (), ("伍柳茹",)),
        # 王熙龙 is in the table only; the member list does not name him.
        ("蒲芦乡", (), ("王熙龙",)),
    ],
    "叶少华": [
        ("青山镇", ("特校",), ("张辉",)),
        # 潘德健 in the table; the member list spells 潘德建 (电教站站长).
        ("东昌镇", (), ("潘德健",)),
        ("茶城乡", (), ("李义德",)),
    ],
}
OVERALL = "吴朝春"

# The kinds of the schools the table names are not given; these are assumptions: 民中 (民族中学)
# is taken as a junior middle school, 云惠学校 as a nine-year school, 特校 is the
# 市特殊教育学校 the member list mentions.
_SCHOOL_KINDS = {"民中": "JUNIOR_MIDDLE", "滨江小学": "PRIMARY", "云惠学校": "NINE_YEAR"}
_SCHOOL_KINDS["特校"] = "SPECIAL"


@hookimpl
def baoxue_jurisdiction():
    # 附件: every town in the table, in the table's order, with the schools it names.
    towns = []
    for rows in RESPONSIBILITY_TABLE.values():
        for town, schools, _ in rows:
            towns.append(
                TownSpec(
                    name=town,
                    kind=TownKind.TOWNSHIP if town.endswith("乡") else TownKind.TOWN,
                    schools=tuple(SchoolSpec(name=s, kind=_SCHOOL_KINDS[s]) for s in schools),
                    # Demo-only (the document names no 重点地区): all but the city seat 农村.
                    key_areas=() if town == "荔城镇" else (KeyAreaKind.RURAL,),
                )
            )
    return JurisdictionSpec(
        division_code=CODE,
        name="荔浦市",
        city="桂林市",
        province="广西壮族自治区",
        towns=tuple(towns),
        sources=(SOURCE,),
        # Demo-only (no document gives it): 桂北's 壮族 and 瑶族 villages, for the demo data.
        demo_minorities=(
            MinorityShare("壮族", 100),
            MinorityShare("瑶族", 60),
            MinorityShare("苗族", 4),
        ),
        # The README's demo county: what `baoxue demo` and `make serve` build by default.
        demo_default=True,
    )


# 三、健全机构: the member list, in the document's order, titles as written.
_MEMBERS = (
    (LeadershipRole.LEADER, "吴朝春", "市教育局党组书记、局长"),
    (LeadershipRole.DEPUTY_LEADER, "叶少华", "市教育局党组成员"),
    (LeadershipRole.DEPUTY_LEADER, "黄杏华", "市教育局副局长"),
    (LeadershipRole.DEPUTY_LEADER, "罗燕", "市教育局党组成员、副局长"),
    (LeadershipRole.DEPUTY_LEADER, "钟星子", "市教育局党组成员、副局长"),
    (LeadershipRole.MEMBER, "李利敏", "市教育局办公室主任"),
    (LeadershipRole.MEMBER, "韦尉基", "市教育局党务办主任"),
    (LeadershipRole.MEMBER, "张辉", "市教育局基教股股长"),
    (LeadershipRole.MEMBER, "黄益金", "市教育局乡村振兴股股长"),
    (LeadershipRole.MEMBER, "何师忠", "市教育局人事股股长"),
    (LeadershipRole.MEMBER, "唐承刚", "市教育局督导室主任"),
    (LeadershipRole.MEMBER, "李素云", "市教育局计财股股长"),
    (LeadershipRole.MEMBER, "孟慧", "市教育局会计中心主任"),
    (LeadershipRole.MEMBER, "杨鸿巧", "市教育局资助办副主任"),
    (LeadershipRole.MEMBER, "伍柳茹", "市教育局安稳与体卫艺股股长"),
    (LeadershipRole.MEMBER, "潘德建", "市教育局电教站站长"),
    (LeadershipRole.MEMBER, "毛如标", "市教育局师培中心主任"),
    (LeadershipRole.MEMBER, "黄琳玲", "市教育局基建股股长"),
    (LeadershipRole.MEMBER, "石秀梅", "市教育局教研室主任"),
    (LeadershipRole.MEMBER, "李义德", "市教育局招生办主任"),
    (LeadershipRole.MEMBER, "徐有助", "市教育局职成与政策法规股股长"),
    (LeadershipRole.MEMBER, "杨小林", "教育系统工会主席"),
    (LeadershipRole.MEMBER, "胡洪媛", "市教育局青少年校外活动中心副主任"),
)
TITLES = {name: title for _, name, title in _MEMBERS}


@hookimpl
def baoxue_leadership():
    return LeadershipGroup(
        name="荔浦市教育局控辍保学工作领导小组",
        members=tuple(LeadershipMember(role=r, name=n, title=t) for r, n, t in _MEMBERS),
        ex_officio=("各乡镇中心学校校长", "各初中学校校长", "市特殊教育学校校长", "滨江小学校长"),
        # 三、健全机构: 领导小组下设办公室 … 办公室设在教育局基教股
        office=LeadershipOffice(
            name="荔浦市教育局控辍保学工作领导小组办公室",
            location="市教育局基教股",
            director="叶少华",
            members=("张辉", "杨进禄", "赖永勤", "韦良芳", "沈彦英"),
            duties="具体负责组织、协调和督导全市教育系统控辍保学工作",
        ),
        # 三、健全机构: 各学校也要成立由校长担任组长的控辍保学工作领导小组
        school_groups_led_by="校长",
        clause=_c("三、健全机构", "特成立荔浦市教育局控辍保学工作领导小组"),
    )


@hookimpl
def baoxue_responsibilities():
    edu = ResponsibilityLine.EDUCATION
    table = _c("附件", "荔浦市教育局领导干部义务教育控辍保学责任学校一览表")
    specs = [
        ResponsibilitySpec(
            key="总负责人",
            line=edu,
            duty=Duty.OVERALL,
            role="总负责人",
            person=OVERALL,
            title=TITLES[OVERALL],
            clause=table,
        )
    ]
    for leader, rows in RESPONSIBILITY_TABLE.items():
        specs.append(
            ResponsibilitySpec(
                key=f"包片-{leader}",
                line=edu,
                duty=Duty.AREA,
                role="包片领导",
                person=leader,
                title=TITLES[leader],
                towns=tuple(town for town, _, _ in rows),
                reports_to="总负责人",
                clause=table,
            )
        )
        for town, schools, people in rows:
            for person in people:
                specs.append(
                    ResponsibilitySpec(
                        key=f"包乡镇-{town}-{person}",
                        line=edu,
                        duty=Duty.TOWN,
                        role="包乡镇人员",
                        person=person,
                        title=TITLES.get(person, ""),
                        towns=(town,),
                        schools=schools,
                        reports_to=f"包片-{leader}",
                        clause=table,
                    )
                )
    # 四、(二)1: 校长是第一责任人; 双线四包 education line, role by role.
    four = _c("四、(二)1", "教育局领导包学校、校领导包年级、班主任包班、科任教师包人")
    specs += [
        ResponsibilitySpec(
            key="校长",
            line=edu,
            duty=Duty.SCHOOL,
            role="校长",
            description="学校控辍保学工作第一责任人",
            clause=_c("四、(二)1", "要明确学校校长是控辍保学工作的第一责任人"),
        ),
        ResponsibilitySpec(
            key="校领导包年级",
            line=edu,
            duty=Duty.GRADE,
            role="校领导",
            reports_to="校长",
            clause=four,
        ),
        ResponsibilitySpec(
            key="班主任包班",
            line=edu,
            duty=Duty.CLASS,
            role="班主任",
            reports_to="校领导包年级",
            clause=four,
        ),
        ResponsibilitySpec(
            key="科任教师包人",
            line=edu,
            duty=Duty.CHILD,
            role="科任教师",
            reports_to="班主任包班",
            clause=four,
        ),
        # 四、(三)2: 对建档立卡脱贫户子女，学校实行包保责任制
        ResponsibilitySpec(
            key="脱贫户子女包保",
            line=edu,
            duty=Duty.CHILD,
            role="包保责任人",
            description="建档立卡脱贫户子女, 每人落实包保责任人",
            reports_to="校长",
            clause=_c("四、(三)2", "对建档立卡脱贫户子女，学校实行包保责任制"),
        ),
    ]
    return specs


@hookimpl
def baoxue_targets():
    return [
        # 二、工作目标: no 脱贫户 child out of school, unless for health reasons.
        Target(
            metric=Metric.DROPOUT_COUNT,
            comparison=Comparison.EQUAL,
            threshold=Decimal("0"),
            population=Population.POVERTY_LIFTED,
            excluding_reasons=("ILLNESS",),
            clause=_c(
                "二、工作目标",
                "确保建档立卡脱贫户适龄儿童少年除身体原因不具备学习条件外不失学辍学",
            ),
        ),
        # 二、工作目标: from dynamic to normal 清零 — zero at every point in time.
        Target(
            metric=Metric.DROPOUT_COUNT,
            comparison=Comparison.EQUAL,
            threshold=Decimal("0"),
            period=TargetPeriod.ONGOING,
            clause=_c("二、工作目标", "义务教育阶段失学辍学学生从动态“清零”向常态“清零”转变"),
        ),
    ]


_NOTICE = "法定监护人在接到通知书后一周内仍不送学生复学的，学校要报告乡镇政府和市教育局"


@hookimpl
def baoxue_escalation_chain():
    return EscalationChain(
        name="劝返复学 (教师 → 学校 → 乡镇政府和市教育局)",
        clause=_c("四、(一)", _NOTICE),
        # 五、(一): reported to 乡镇人民政府 once the school's 劝返 has failed.
        township_level=3,
        # 四、(一): the school serves the 劝返复学通知书; the guardian's week runs from it (the
        # RETURN_NOTICE_RESPONSE deadline below), and when it runs out the case goes from the
        # school to the township government and the 市教育局.
        return_notice_level=2,
        levels=(
            # 五、(一): teachers visit and hand over the 辍学学生劝返通知书.
            EscalationLevel(
                level=1,
                name="班主任、科任教师",
                responsible="班主任、科任教师",
                action="家访动员, 发放《辍学学生劝返通知书》, 催促返校",
                clause=_c(
                    "五、(一)",
                    "及时组织科任教师深入到未及时返校就读学生家庭，发放《辍学学生劝返通知书》",
                ),
            ),
            # 四、(一): the school serves the 劝返复学通知书; the guardian has one week from it.
            # The document sets no time at the school before the notice: a case escalated to
            # the school without one is on the core ESCALATION_STEP clock, not this week.
            EscalationLevel(
                level=2,
                name="学校",
                responsible="学校 (校长为第一责任人)",
                action="多次动员仍不返校的, 依法向法定监护人下达《劝返复学通知书》, 责令限期改正",
                clause=_c(
                    "四、(一)",
                    "对经多次动员仍不返校的学生，各学校要依法向其法定监护人下达《劝返复学通知书》",
                ),
            ),
            # 四、(一) and 五、(一): reported to both; the township acts on the guardian. The
            # document gives the township no time: the core TOWNSHIP_ACTION default applies.
            EscalationLevel(
                level=3,
                name="乡镇政府、市教育局",
                responsible="乡镇人民政府",
                notify=("市教育局",),
                action="采取相应措施, 由乡镇政府依法催促动员监护人送学",
                deadline=DeadlineKind.TOWNSHIP_ACTION,
                clause=_c(
                    "五、(一)",
                    "劝返无效的，书面报告市教育局和当地乡镇人民政府，由乡镇政府依法催促动员",
                ),
            ),
        ),
    )


@hookimpl
def baoxue_deadlines():
    return [
        # 四、(一): one week after the 劝返复学通知书, then township and 市教育局.
        Deadline(
            kind=DeadlineKind.RETURN_NOTICE_RESPONSE,
            days=7,
            responsible="法定监护人",
            action="接到《劝返复学通知书》后送学生复学",
            notify_on_expiry=("乡镇政府", "市教育局"),
            clause=_c("四、(一)", _NOTICE),
        ),
    ]


@hookimpl
def baoxue_key_periods():
    visits = _c("四、(四)2", "针对寒、暑假学生容易辍学的特点")
    return [
        # 五、(一): at the start of term, compare with last term and find who has not returned.
        KeyPeriod(
            code="term-start-return",
            name="开学返校",
            anchor=PeriodAnchor.TERM_START,
            purpose="对比上学期学生情况, 摸清未及时返校学生人数、名单及去向, 登记造册",
            clause=_c("五、(一)", "摸清未及时返校学生人数、名单及去向情况"),
        ),
        # 四、(四)2: 寒、暑假 are when children drop out: “大家访”.
        KeyPeriod(
            code="winter-holiday-visits",
            name="寒假大家访",
            anchor=PeriodAnchor.WINTER_HOLIDAY,
            purpose="组织行政人员、班主任、科任教师开展“大家访”, 有辍学迹象的学生及时家访",
            clause=visits,
        ),
        KeyPeriod(
            code="summer-holiday-visits",
            name="暑假大家访",
            anchor=PeriodAnchor.SUMMER_HOLIDAY,
            purpose="组织行政人员、班主任、科任教师开展“大家访”, 有辍学迹象的学生及时家访",
            clause=visits,
        ),
    ]


@hookimpl
def baoxue_monitoring_focus():
    return [
        # 四、(三)1. 流动 is not said to be either direction: both, moved in and moved away.
        MonitoringFocus(
            code="key-groups",
            name="控辍保学重点人群",
            key_groups=(
                KeyGroup.POVERTY_LIFTED,
                KeyGroup.LEFT_BEHIND,
                KeyGroup.MIGRANT,
                KeyGroup.MOVED_AWAY,
                KeyGroup.DISABLED,
            ),
            clause=_c(
                "四、(三)1",
                "各学校要将贫困、留守、流动、残疾适龄儿童少年列为控辍保学工作的重点人群",
            ),
        ),
        # 四、(三)3: severely disabled children aged 6–16 who cannot attend: 送教上门.
        MonitoringFocus(
            code="home-delivered-schooling",
            name="重度残疾儿童少年送教上门",
            key_groups=(KeyGroup.DISABLED,),
            description="6至16岁确实不能到校的重度残疾儿童少年, “一人一案”送教上门",
            clause=_c("四、(三)3", "要明确“一人一案”送教上门服务"),
        ),
    ]


_TO_CITY_AND_TOWN = ("市教育局", "当地乡镇人民政府")


@hookimpl
def baoxue_report_formats():
    return [
        # 五、(一): 日报、周报、月报 of children back (or not) at school.
        ReportFormat(
            code="daily-weekly-monthly",
            title="控辍保学情况报表 (日报/周报/月报)",
            period_kinds=(PeriodKind.DAILY, PeriodKind.WEEKLY, PeriodKind.MONTHLY),
            row_kind=RowKind.SCHOOL,
            columns=columns(
                ("town.name", "乡镇"),
                ("school.name", "学校"),
                ("stats.enrolled_last_term", "上学期学生数"),
                ("stats.expected", "本学期应返校人数"),
                ("stats.arrived", "已返校人数"),
                ("stats.absent", "未及时返校人数"),
                # 其中: the children not back who did not leave with papers (转学) - a part of
                # 未及时返校, as the form's heading says; the school's dropouts on the day are
                # the next column, beside it, not under it
                ("stats.suspected_dropouts", "其中辍学人数"),
                ("stats.dropouts", "辍学学生人数 (截至统计日)"),
                ("stats.returned", "劝返复学人数"),
                ("report.remarks", "备注"),
            ),
            header_groups=(
                HeaderGroup(label="返校情况", columns=("stats_expected", "stats_arrived")),
                HeaderGroup(
                    label="未及时返校", columns=("stats_absent", "stats_suspected_dropouts")
                ),
            ),
            group_by=("town_name",),
            totals=True,
            submit_to=_TO_CITY_AND_TOWN,
            clause=_c(
                "五、(一)",
                "各学校要继续执行日报、周报、月报制度",
                assumption="条款未写明日报、周报、月报报送何处; 按同段辍学学生花名册的报送单位 "
                "(市教育局和当地乡镇人民政府)。条款未附表式: 其中辍学人数为未及时返校学生中"
                "未办转学手续者, 另列截至统计日的辍学学生人数",
            ),
        ),
        # 五、(一)(二): 辍学学生花名册 with 基本情况、辍学原因和去向.
        ReportFormat(
            code="dropout-roster",
            title="辍学学生花名册",
            period_kinds=(PeriodKind.DAILY, PeriodKind.WEEKLY, PeriodKind.MONTHLY),
            row_kind=RowKind.CASE,
            columns=columns(
                ("town.name", "乡镇"),
                ("school.name", "学校"),
                ("child.name", "姓名"),
                ("child.gender", "性别"),
                ("child.id_number", "身份证号"),
                ("enrolment.grade", "年级"),
                ("enrolment.class", "班级"),
                ("child.registered_address", "家庭住址"),
                ("guardian.name", "监护人"),
                ("guardian.phone", "联系电话"),
                ("child.is_poverty_lifted", "是否脱贫户"),
                ("case.reason", "辍学原因"),
                ("case.whereabouts", "去向"),
                ("case.return_notice_on", "劝返通知书发放日期"),
                ("case.persuasion_log", "劝返情况"),
                ("report.remarks", "备注"),
            ),
            group_by=("town_name", "school_name"),
            selection=RowSelection.CONFIRMED,
            submit_to=_TO_CITY_AND_TOWN,
            clause=_c(
                "五、(二)",
                "对辍学适龄儿童少年的基本情况、辍学原因和去向等进行登记造册，由学校进行统一汇总，"
                "填写好有关辍学学生花名册，并及时上报市教育局和当地乡镇人民政府",
            ),
        ),
        # 五、(五): 脱贫户 students may be listed publicly only with their privacy protected.
        ReportFormat(
            code="poverty-lifted-public-list",
            title="建档立卡脱贫户学生帮扶、劝返情况公示",
            period_kinds=(PeriodKind.TERM,),
            row_kind=RowKind.CHILD,
            columns=columns(
                ("school.name", "学校"),
                ("child.name", "姓名"),
                ("enrolment.grade", "年级"),
                ("support.plan", "帮扶情况"),
                ("support.assistance", "资助情况"),
                ("child.persuasion_summary", "劝返情况"),
            ),
            group_by=("school_name",),
            selection=RowSelection.POVERTY_LIFTED,
            privacy=True,
            clause=_c(
                "五、(五)", "建档立卡脱贫户学生要在保护学生隐私的情况下，在一定范围公开、公示"
            ),
        ),
    ]


@hookimpl
def baoxue_vocabulary():
    return [
        # 四、(三)1
        VocabularyTerm(
            kind=VocabularyKind.ASSISTANCE_PROGRAMME,
            code="STUDENT_AID_FUND",
            label="贫困学生助学基金",
            clause=_c("四、(三)1", "有条件的学校可建立贫困学生助学基金"),
        ),
    ]


@hookimpl
def baoxue_home_delivery():
    return HomeDeliveryRule(
        min_age=6,
        max_age=16,
        disability_grades=(1, 2),
        clause=_c(
            "四、(三)3",
            "对因各种原因确实不能到学校接受义务教育的6至16岁重度残疾儿童少年，"
            "要明确“一人一案”送教上门服务",
            assumption="重度残疾: 残疾等级一级、二级",
        ),
    )


@hookimpl
def baoxue_exemption_rules():
    return [
        # 四、(一): written application by the guardian, township approval, filed with 基教股.
        ExemptionRule(
            code="illness-exemption",
            name="因疾病或者特殊情况不能入学",
            reasons=("ILLNESS", "OTHER"),
            steps=(
                ProcedureStep(actor="法定监护人", action="提出书面申请"),
                ProcedureStep(actor="乡镇", action="批准"),
                ProcedureStep(actor="市教育局基教股", action="备案"),
            ),
            clause=_c(
                "四、(一)", "必须由其法定监护人提出书面申请，经乡镇批准后，报市教育局基教股备案"
            ),
            approved_by=(ApprovingAuthority.TOWNSHIP,),
            filed_with="市教育局基教股",
        ),
    ]
