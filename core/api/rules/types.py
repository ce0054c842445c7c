"""GraphQL types of one county's rules: what its plugin (and, where it is silent, core) says;
and of ``Child.responsibilityChain``, who answers for a child.

The rules are frozen data (:mod:`core.rules`), resolved once per county and kept in memory.
Each type here is derived from the dataclass it presents (:mod:`core.api.rules.derive`): the
fields' types come from the dataclass, the descriptions from here, and ``CountyRules`` has one
field per county hook of the hook table (:mod:`core.hookspecs`). The GraphQL objects of a
county are built once from its rules (:func:`county_rules`) and cost no SQL. They are public
policy: whoever may see a jurisdiction may read its rules (``Jurisdiction.rules``).

The responsibility chain is built by :mod:`core.officials.responsibility` for every child of a
request in one batch (a DataLoader), so a page of children costs a fixed number of statements
whatever its size. Phone numbers are masked unless the caller holds ``READ_PERSONAL_DETAILS``.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from core.access.masking import mask_phone
from core.api.context import Info
from core.api.enums import FieldKind
from core.api.masking import shown
from core.api.rules.derive import RuleType, auto, rule_type
from core.hookspecs import HOOKS, county_hooks
from core.officials.responsibility import (
    ChainLink,
    ChildRef,
    responsibility_chains,
)
from core.plugins import get_plugin_manager
from core.rules import specs
from core.rules.county import CountyRules as CountyRulesData
from core.rules.render import render_sign_off
from core.rules.report_fields import REPORT_FIELDS


@rule_type(specs.Clause, name="Clause", description="规则的出处: 文件、条款与原文摘录")
class Clause(RuleType):
    document: auto = strawberry.field(description="文件名称 (插件所依据的县级文件或国家法律)")
    section: auto = strawberry.field(description="条款或标题编号, 如 三、2")
    text: auto = strawberry.field(
        name="quote", description="原文摘录 (逐字引用; 文件无可摘录的短句时为空字符串)"
    )
    assumption: auto = strawberry.field(
        description="本规则在条款之外所作的假定 (如条款只写“及时”, 天数由 Baoxue 假定; "
        "条款未写明报送单位而补上的); 规则全出自条款时为空字符串"
    )
    core_default: auto = strawberry.field(
        description="是否为核心默认值: 本县文件未作规定, 依国家法律或核心方案 (不是本县自己的规则)"
    )
    label: str = strawberry.field(
        description="出处全称: 文件名称加条款, 如 《……》 三、2 (核心默认值以「核心默认值 · 」开头)"
    )


@strawberry.type(name="CountyPlugin", description="提供本县规则的县级插件")
class CountyPlugin:
    name: str = strawberry.field(description="插件名 (入口点名称), 如 lipu")
    distribution: str = strawberry.field(description="安装包名, 如 baoxue-lipu (未安装为包时为空)")
    version: str = strawberry.field(description="插件版本")


# -- scope -------------------------------------------------------------------------------------


@rule_type(specs.Scope, name="RulesScope", description="规则的适用范围: 文件所覆盖的学段")
class RulesScope(RuleType):
    stages: auto = strawberry.field(description="文件所覆盖的学段 (如 中学方案只含初中)")
    description: auto = strawberry.field(description="说明 (可为空字符串)")
    clause: auto = strawberry.field(description="出处")
    grades: list[int] = strawberry.field(description="所覆盖的年级 (1–9)")


# -- people ------------------------------------------------------------------------------------


@rule_type(
    specs.LeadershipMember,
    name="LeadershipMember",
    description="领导小组成员: 职务、姓名与行政职务 (按文件原文)",
)
class LeadershipMember(RuleType):
    role: auto = strawberry.field(description="小组中的职务")
    name: auto = strawberry.field(description="姓名")
    title: auto = strawberry.field(description="行政职务, 如 市教育局党组书记、局长")


@rule_type(
    specs.LeadershipOffice,
    name="LeadershipOffice",
    description="领导小组办公室: 负责日常工作的机构",
)
class LeadershipOffice(RuleType):
    name: auto = strawberry.field(description="办公室名称")
    location: auto = strawberry.field(description="设在何处, 如 市教育局基教股")
    director: auto = strawberry.field(description="办公室主任")
    duties: auto = strawberry.field(description="职责")
    members: auto = strawberry.field(description="办公室成员姓名")


@rule_type(specs.LeadershipGroup, name="LeadershipGroup", description="控辍保学工作领导小组")
class LeadershipGroup(RuleType):
    name: auto = strawberry.field(description="小组名称")
    members: auto = strawberry.field(description="成员 (按文件顺序)")
    office: auto = strawberry.field(description="领导小组办公室 (文件未设时为空)")
    ex_officio: auto = strawberry.field(description="按职务当然担任的成员, 如 各初中学校校长")
    school_groups_led_by: auto = strawberry.field(
        description="各校自设领导小组的组长, 如 校长 (文件未要求时为空字符串)"
    )
    clause: auto = strawberry.field(description="出处")
    leader: LeadershipMember | None = strawberry.field(description="组长 (文件未指定时为空)")


@rule_type(
    specs.ResponsibilitySpec,
    name="ResponsibilityRule",
    description="责任分工表中的一行: 谁 (某职务或具名人员) 负责哪些乡镇/学校/年级/班/人, 向谁负责",
)
class ResponsibilityRule(RuleType):
    key: auto = strawberry.field(description="本行在表中的键 (reportsTo 引用它)")
    line: auto = strawberry.field(description="责任线")
    duty: auto = strawberry.field(description="分工")
    role: auto = strawberry.field(description="职务/角色, 如 包片领导、班主任")
    person: auto = strawberry.field(description="具名责任人 (文件只规定职务时为空字符串)")
    title: auto = strawberry.field(description="责任人的行政职务 (可为空字符串)")
    towns: auto = strawberry.field(description="负责的乡镇/街道 (空表示每个)")
    schools: auto = strawberry.field(description="负责的学校 (空表示每所)")
    grades: auto = strawberry.field(description="负责的年级 (空表示每个)")
    reports_to: auto = strawberry.field(description="上级行的键 (向谁负责), 最上级为空")
    description: auto = strawberry.field(description="职责说明 (可为空字符串)")
    clause: auto = strawberry.field(description="出处")


# -- targets, chain, deadlines -----------------------------------------------------------------


@rule_type(
    specs.Target,
    name="Target",
    description="工作目标: 指标、比较方式、目标值、统计范围与周期",
)
class Target(RuleType):
    metric: auto = strawberry.field(description="指标")
    comparison: auto = strawberry.field(description="比较方式")
    threshold: auto = strawberry.field(description="目标值: 率为百分数 (如 97.3), 人数为人 (如 0)")
    population: auto = strawberry.field(description="统计范围")
    period: auto = strawberry.field(description="考核周期")
    year: auto = strawberry.field(description="须达成的年份 (如 2025), 每年适用时为空")
    excluding_reasons: auto = strawberry.field(
        description="不计入目标的辍学原因代码 (如 ILLNESS: 除身体原因外)"
    )
    label: str = strawberry.field(description="中文表述, 如 巩固率 ≥ 97.3%")
    clause: auto = strawberry.field(description="出处")

    @strawberry.field(description="单位: % 或 人")
    def unit(self) -> str:
        return self.metric.unit

    @strawberry.field(description="是否为百分率 (否则为人数)")
    def is_rate(self) -> bool:
        return self.metric.is_rate

    @strawberry.field(description="比较符号: ≥、≤ 或 =")
    def symbol(self) -> str:
        return self.comparison.symbol


@rule_type(specs.EscalationLevel, name="EscalationLevel", description="劝返逐级上报链条中的一级")
class EscalationLevel(RuleType):
    level: auto = strawberry.field(description="级次 (从 1 起)")
    name: auto = strawberry.field(description="名称, 如 学校、区教育局")
    responsible: auto = strawberry.field(description="责任单位或人员")
    action: auto = strawberry.field(description="本级采取的措施")
    days_allowed: auto = strawberry.field(
        description="文件规定的本级时限 (天); 未规定时为空, 适用每级上报时限"
    )
    deadline: auto = strawberry.field(
        description="本级按哪类时限计时 (如 TOWNSHIP_ACTION 移交乡镇后乡镇落实劝返, "
        "最高一级也可有); 为空时按本级时限或每级上报时限"
    )
    days: int | None = strawberry.field(
        description="实际适用的本级时限 (天): deadline 所指时限, 本级时限, 否则每级上报时限; "
        "最高一级未指定 deadline 时为空"
    )
    notify: auto = strawberry.field(description="到达本级时还须告知的单位")
    clause: auto = strawberry.field(description="出处")


@rule_type(
    specs.EscalationChain,
    name="EscalationChain",
    description="劝返无效时的逐级上报链条 (如 五级联控)",
    # Who may see a case at which level is the access layer's business (core.access.scope).
    exclude=("township_level",),
)
class EscalationChain(RuleType):
    name: auto = strawberry.field(description="名称")
    levels: auto = strawberry.field(description="各级, 从低到高")
    unreachable_level: auto = strawberry.field(
        description="联系不上儿童或监护人时直接移交的级次 (如 镇街政府), 文件未规定时为空"
    )
    confirmed_level: auto = strawberry.field(
        description="个案确认后直接移交的级次 (文件要求确认辍学即报告上级时); 为空时从第 1 级起"
    )
    return_notice_level: auto = strawberry.field(
        description="下达《劝返复学通知书》的级次: 下达时个案至少升至此级, "
        "通知书到期未复学即从此级上报; 文件未规定时为空"
    )
    clause: auto = strawberry.field(description="出处")

    @classmethod
    def of_county(cls, rules: CountyRulesData) -> EscalationChain:
        """The county's chain with the days that actually apply at each level filled in."""
        chain = rules.escalation
        levels = []
        for level in chain.levels:
            clock = rules.level_clock(level.level)
            levels.append(EscalationLevel.of(level, days=clock[1] if clock else None))
        return cls.of(chain, levels=levels)


@rule_type(specs.Deadline, name="Deadline", description="时限: 谁在多少天内完成什么")
class Deadline(RuleType):
    kind: auto = strawberry.field(description="时限类别")
    days: auto = strawberry.field(description="天数 (自然日)")
    responsible: auto = strawberry.field(description="责任人")
    action: auto = strawberry.field(description="须完成的事项")
    notify_on_expiry: auto = strawberry.field(description="到期未完成时须报告的单位")
    clause: auto = strawberry.field(description="出处")


@rule_type(specs.KeyPeriod, name="KeyPeriod", description="重点时段: 需要加强监测的时间")
class KeyPeriod(RuleType):
    code: auto = strawberry.field(description="代码")
    name: auto = strawberry.field(description="名称, 如 每学期开学首月")
    anchor: auto = strawberry.field(description="起算点")
    days: auto = strawberry.field(description="持续天数 (文件未规定时为空)")
    purpose: auto = strawberry.field(description="监测什么")
    clause: auto = strawberry.field(description="出处")


@rule_type(specs.SchoolTerm, name="SchoolTerm", description="学期: 起止日期 (含首尾两天)")
class SchoolTerm(RuleType):
    code: auto = strawberry.field(description="代码, 如 autumn-2026")
    name: auto = strawberry.field(description="名称, 如 2026—2027学年秋季学期")
    season: auto = strawberry.field(description="秋季学期或春季学期")
    first_day: auto = strawberry.field(description="开学日期")
    last_day: auto = strawberry.field(description="学期最后一天")


@rule_type(specs.Holiday, name="Holiday", description="学期内的节假日 (不上课)")
class Holiday(RuleType):
    name: auto = strawberry.field(description="名称, 如 国庆节")
    first_day: auto = strawberry.field(description="放假第一天")
    last_day: auto = strawberry.field(description="放假最后一天")


@rule_type(specs.TermCalendar, name="TermCalendar", description="校历: 学期、节假日与调休上课日")
class TermCalendar(RuleType):
    terms: auto = strawberry.field(description="各学期")
    holidays: auto = strawberry.field(description="学期内的节假日")
    make_up_days: auto = strawberry.field(description="调休上课的周末日期")
    clause: auto = strawberry.field(description="出处")


@rule_type(
    specs.AbsenceRule,
    name="AbsenceRule",
    description="考勤预警规则: 无故缺勤达到几天即视为疑似辍学, 自动立案",
)
class AbsenceRule(RuleType):
    code: auto = strawberry.field(description="代码")
    name: auto = strawberry.field(description="名称, 如 连续3个上学日无故缺勤")
    kind: auto = strawberry.field(description="计数方式: 连续上学日或当月累计")
    days: auto = strawberry.field(description="天数 (达到即触发)")
    key_period: auto = strawberry.field(
        description="仅在此重点时段内适用 (重点时段代码; 为空时全学期适用)"
    )
    clause: auto = strawberry.field(description="出处")


@rule_type(
    specs.MonitoringFocus,
    name="MonitoringFocus",
    description="重点监测: 重点学段、重点群体与重点地区",
)
class MonitoringFocus(RuleType):
    code: auto = strawberry.field(description="代码")
    name: auto = strawberry.field(description="名称")
    stages: auto = strawberry.field(description="重点学段")
    key_groups: auto = strawberry.field(description="重点群体")
    areas: auto = strawberry.field(description="重点地区的类别 (文件原文), 如 农村、边远、民族")
    area_kinds: auto = strawberry.field(
        description="重点地区的类别 (代码): 乡镇/村的 keyAreas 与筛选条件 keyAreas 用这些代码"
    )
    description: auto = strawberry.field(description="说明 (可为空字符串)")
    clause: auto = strawberry.field(description="出处")


# -- reports -----------------------------------------------------------------------------------


@rule_type(specs.Column, name="ReportColumn", description="报表的一栏: 键、中文表头与数据来源")
class ReportColumn(RuleType):
    key: auto = strawberry.field(description="栏目键 (groupBy 引用它)")
    header: auto = strawberry.field(description="中文表头")
    source: auto = strawberry.field(description="数据来源字段, 如 child.name")

    @strawberry.field(description="数据来源字段的中文名")
    def source_label(self) -> str:
        return REPORT_FIELDS[self.source].label

    @strawberry.field(description="数值类型")
    def kind(self) -> FieldKind:
        return REPORT_FIELDS[self.source].kind


@rule_type(
    specs.HeaderGroup,
    name="ReportHeaderGroup",
    description="表头分组: 合并在相邻几栏之上的表头 (如 未按时到校人数: 其中转学、其中疑似辍学)",
)
class ReportHeaderGroup(RuleType):
    label: auto = strawberry.field(description="分组表头")
    columns: auto = strawberry.field(description="其下各栏的键 (相邻, 按表中顺序)")


@rule_type(specs.SignOff, name="ReportSignOff", description="报表签署: 由谁以何种方式签署")
class ReportSignOff(RuleType):
    role: auto = strawberry.field(description="签署人, 如 单位主要负责同志")
    actions: auto = strawberry.field(description="审核、签字、盖章")


@rule_type(
    specs.ReportFormat,
    name="ReportFormat",
    description="报表或台账的格式: 标题、报送周期、栏目、分组与签署",
)
class ReportFormat(RuleType):
    code: auto = strawberry.field(description="代码")
    title: auto = strawberry.field(description="标题, 如 开学工作统计报表")
    period_kinds: auto = strawberry.field(description="报送周期")
    row_kind: auto = strawberry.field(description="每一行代表什么")
    columns: auto = strawberry.field(description="栏目 (按表中顺序)")
    group_by: auto = strawberry.field(description="分组排序所依据的栏目键")
    numbered: auto = strawberry.field(description="是否有序号栏")
    totals: auto = strawberry.field(description="是否有合计行")
    privacy: auto = strawberry.field(description="是否对个人信息打码 (公示用)")
    sign_off: auto = strawberry.field(description="签署要求")
    submit_to: auto = strawberry.field(description="报送单位, 如 县教育局教育股")
    description: auto = strawberry.field(description="说明 (可为空字符串)")
    header_groups: auto = strawberry.field(description="表头分组 (合并单元格)")
    selection: auto = strawberry.field(description="台账所列的儿童或个案 (全部、疑似、确认辍学 …)")
    clause: auto = strawberry.field(description="出处")

    @strawberry.field(description="表下签署栏的文字, 如 单位主要负责同志 (审核、签字、盖章)：")
    def sign_off_lines(self) -> list[str]:
        return render_sign_off(self.rule)


# -- notices ----------------------------------------------------------------------------------


@rule_type(
    specs.NoticeTemplate,
    name="NoticeTemplate",
    description="文书模板: 劝返复学通知书、入学通知书的文字 (花括号内为由系统填写的空白)",
)
class NoticeTemplate(RuleType):
    kind: auto = strawberry.field(description="文书类别")
    title: auto = strawberry.field(description="标题")
    salutation: auto = strawberry.field(description="称呼, 如 {guardian_name}（家长/监护人）：")
    paragraphs: auto = strawberry.field(description="正文各段")
    closing: auto = strawberry.field(description="结束语, 如 特此通知。")
    issuer: auto = strawberry.field(description="落款单位")
    receipt: auto = strawberry.field(description="回执 (空字符串: 无回执)")
    clause: auto = strawberry.field(description="出处")


# -- vocabulary and exemptions -----------------------------------------------------------------


@rule_type(
    specs.VocabularyTerm,
    name="VocabularyTerm",
    description="县级补充的词汇: 辍学原因或资助项目",
)
class VocabularyTerm(RuleType):
    kind: auto = strawberry.field(description="类别")
    code: auto = strawberry.field(description="代码 (写入数据时使用)")
    label: auto = strawberry.field(description="中文名称")
    clause: auto = strawberry.field(description="出处")


@rule_type(
    specs.ImportColumn,
    name="ImportColumn",
    description="导入格式的一列: 表头、同义表头、所填字段与取值方式",
)
class ImportColumn(RuleType):
    field: auto = strawberry.field(description="所填字段 (如 id_number、student_number)")
    header: auto = strawberry.field(description="导出文件中的表头, 如 身份证件号")
    synonyms: auto = strawberry.field(description="同一列的其他表头, 如 身份证号码、公民身份号码")
    required: auto = strawberry.field(description="是否必填")
    kind: auto = strawberry.field(description="取值方式: 文本、日期、身份证件号、学籍号、代码表")
    vocabulary: auto = strawberry.field(description="代码表名称 (取值方式为代码表时), 如 gender")
    max_length: auto = strawberry.field(description="最多字数")
    sample: auto = strawberry.field(description="示例值 (可为空字符串)")


@rule_type(
    specs.ImportFormat,
    name="ImportFormat",
    description="名册导入格式: 学籍名册、学户册、残疾儿童名册、重点群体名单、平台疑似名单",
)
class ImportFormat(RuleType):
    code: auto = strawberry.field(description="代码, 如 STUDENT_ROSTER (导入时使用)")
    label: auto = strawberry.field(description="名称, 如 全国中小学生学籍信息管理系统 学生名册")
    kind: auto = strawberry.field(description="名册类别")
    source: auto = strawberry.field(description="名册来源部门或系统, 如 学籍系统、残联")
    columns: auto = strawberry.field(description="各列 (按导出顺序)")
    key_group: auto = strawberry.field(description="重点群体名单所认定的群体 (其他格式为空)")


@rule_type(specs.ProcedureStep, name="ProcedureStep", description="程序中的一步: 谁做什么")
class ProcedureStep(RuleType):
    actor: auto = strawberry.field(description="办理人, 如 法定监护人、乡镇人民政府")
    action: auto = strawberry.field(description="办理事项")


@rule_type(
    specs.ExemptionRule,
    name="ExemptionRule",
    description="缓学/免学规则: 何种情形可缓学免学, 须办哪些手续",
)
class ExemptionRule(RuleType):
    code: auto = strawberry.field(description="代码")
    name: auto = strawberry.field(description="名称")
    reasons: auto = strawberry.field(description="适用的辍学原因代码")
    steps: auto = strawberry.field(description="办理步骤 (按顺序)")
    counts_as_dropout: auto = strawberry.field(description="是否仍计入辍学 (影响目标考核)")
    approved_by: auto = strawberry.field(
        description="批准机关 (其中之一批准即可; 其他人员批准时返回 FORBIDDEN)"
    )
    filed_with: auto = strawberry.field(description="批准后备案的部门 (空: 无须备案)")
    also_approves: auto = strawberry.field(
        description="同一批准机关还须批准的事项 (休学、一人一案安置生效)"
    )
    clause: auto = strawberry.field(description="出处")


@rule_type(
    specs.HomeDeliveryRule,
    name="HomeDeliveryRule",
    description="送教上门的条件: 年龄与残疾等级 (登记送教上门时强制执行)",
)
class HomeDeliveryRule(RuleType):
    min_age: auto = strawberry.field(description="最小年龄 (周岁, 含)")
    max_age: auto = strawberry.field(description="最大年龄 (周岁, 含)")
    disability_grades: auto = strawberry.field(description="符合条件的残疾等级 (重度: 1、2 级)")
    clause: auto = strawberry.field(description="出处")


# -- risk --------------------------------------------------------------------------------------


@rule_type(
    specs.RiskRule,
    name="RiskRule",
    description="一条辍学风险预警规则: 指标达到阈值即命中, 计入分值",
)
class RiskRule(RuleType):
    code: auto = strawberry.field(description="规则代码 (风险说明中引用)")
    signal: auto = strawberry.field(description="所衡量的指标")
    label: auto = strawberry.field(description="说明中的指标名称 (为空时用指标本身的名称)")
    comparison: auto = strawberry.field(description="比较方式: 不低于 (≥) 或 不高于 (≤)")
    threshold: auto = strawberry.field(description="阈值 (出勤率为百分数)")
    weight: auto = strawberry.field(description="命中时计入的分值")
    key_groups: auto = strawberry.field(description="KEY_GROUPS 规则所计的重点群体")
    clause: auto = strawberry.field(description="出处")

    @strawberry.field(description="指标的单位, 如 天、%、类")
    def unit(self) -> str:
        return self.rule.signal.unit

    @strawberry.field(description="比较符号: ≥ 或 ≤")
    def symbol(self) -> str:
        return self.rule.comparison.symbol


@rule_type(
    specs.RiskRuleSet,
    name="RiskRuleSet",
    description="辍学风险预警规则集 (有版本号): 命中规则的分值相加, 达到门槛即为关注或高风险",
)
class RiskRuleSet(RuleType):
    version: auto = strawberry.field(description="规则集版本 (每个风险结论都注明所依据的版本)")
    rules: auto = strawberry.field(description="各条规则")
    watch_at: auto = strawberry.field(description="「关注」的最低分")
    high_at: auto = strawberry.field(description="「高风险」的最低分")
    visit_days: auto = strawberry.field(
        description="高风险且无在办个案的儿童, 多少天内无家访即列入「无人跟进」名单"
    )
    description: auto = strawberry.field(description="说明 (可为空字符串)")
    clause: auto = strawberry.field(description="出处")


# -- event channels ----------------------------------------------------------------------------


@rule_type(
    specs.EventChannel,
    name="EventChannel",
    description="事件通知渠道: 县里使用的短信网关、工作群机器人等 (由插件提供)",
    exclude=("render",),
)
class EventChannel(RuleType):
    name: auto = strawberry.field(description="渠道代码")
    label: auto = strawberry.field(description="渠道名称")
    event_kinds: auto = strawberry.field(description="所通知的事件类型 (EventKind 的值)")


# -- the whole ---------------------------------------------------------------------------------

_CHAIN = HOOKS["baoxue_escalation_chain"]


@rule_type(
    CountyRulesData,
    name="CountyRules",
    description="一个县的控辍保学规则: 县级插件按文件提供, 插件未规定的适用核心默认值",
    # One field per county hook, described by the hook's label; the chain has a resolver of
    # its own below (it adds the days that apply at each level).
    fields={h.fills: h.label for h in county_hooks() if h is not _CHAIN},
    exclude=("jurisdiction", _CHAIN.fills),
)
class CountyRules(RuleType):
    jurisdiction_code: auto = strawberry.field(description="行政区划代码")

    @strawberry.field(description="提供规则的县级插件 (没有本县插件、只适用核心默认值时为空)")
    def plugin(self) -> CountyPlugin | None:
        return plugin_of(self.rule.plugin)

    @strawberry.field(description="插件所依据的文件 (没有本县插件时为空列表)")
    def sources(self) -> list[str]:
        spec = self.rule.jurisdiction
        return list(spec.sources) if spec is not None else []

    @strawberry.field(description=_CHAIN.label)
    def escalation_chain(self) -> EscalationChain:
        return EscalationChain.of_county(self.rule)


_presented: dict[int, tuple[CountyRulesData, CountyRules]] = {}


def county_rules(rules: CountyRulesData) -> CountyRules:
    """The GraphQL object of one county's rules, built once per resolved rules object (the
    registry keeps one per county, so this costs nothing after the first request)."""
    hit = _presented.get(id(rules))
    if hit is None or hit[0] is not rules:
        if len(_presented) > 256:  # rules of rebuilt managers (tests): let them go
            _presented.clear()
        hit = (rules, CountyRules.of(rules))
        _presented[id(rules)] = hit
    return hit[1]


def plugin_of(name: str | None) -> CountyPlugin | None:
    """Name, distribution and version of the installed plugin called ``name``."""
    if name is None:
        return None
    pm = get_plugin_manager()
    dist = pm.distributions.get(name)
    module = pm.get_plugin(name)
    version = dist.version if dist else str(getattr(module, "__version__", ""))
    return CountyPlugin(name=name, distribution=dist.name if dist else "", version=version)


# -- who answers for a child -------------------------------------------------------------------


OfficialType = Annotated["Official", strawberry.lazy("core.api.officials.types")]
AssignmentType = Annotated["ResponsibilityAssignment", strawberry.lazy("core.api.officials.types")]


@rule_type(
    ChainLink,
    name="ResponsibleOfficial",
    description="对某儿童负责的一位人员 (或文件只规定了职务时的一个职务), 责任链条中的一环",
)
class ResponsibleOfficial(RuleType):
    tier: auto = strawberry.field(description="层级")
    duty: auto = strawberry.field(description="分工")
    line: auto = strawberry.field(description="责任线")
    role: auto = strawberry.field(
        description="职务/角色, 如 科任教师、班主任、校长、包片领导、总负责人"
    )
    name: auto = strawberry.field(description="姓名 (文件只规定职务、记录中又无此人时为空)")
    title: auto = strawberry.field(description="行政职务 (可为空字符串)")
    organisation: auto = strawberry.field(description="单位 (可为空字符串)")
    source: auto = strawberry.field(description="信息来源")
    basis: auto = strawberry.field(description="依据: 责任分工记录所载依据, 或县级规则的文件条款")
    clause: auto = strawberry.field(description="县级规则中的出处 (无对应规则时为空)")

    @strawberry.field(description="分工的中文名称, 如 包班")
    def duty_label(self) -> str:
        return self.duty.label

    @strawberry.field(description="工作电话 (无「查看个人敏感信息」权限时打码; 无记录时为空)")
    def phone(self, info: Info) -> str | None:
        official = self.rule.official
        if official is None or not official.phone:
            return None
        return shown(info, official, "Official", official.phone, mask_phone)

    # The two records are Tortoise rows, which their Node types present (core.api.node).
    @strawberry.field(description="人员记录 (县级规则中具名、但系统中无此人记录时为空)")
    def official(self) -> OfficialType | None:
        return self.rule.official  # type: ignore[return-value]

    @strawberry.field(description="所依据的责任分工记录 (来自班级、学校信息或县级规则时为空)")
    def assignment(self) -> AssignmentType | None:
        return self.rule.assignment  # type: ignore[return-value]


#: The DataLoader of this request that builds chains, keyed by child id.
LOADER = "child.responsibility_chain"


async def responsibility_chain(info: Info, child: Any) -> list[ResponsibleOfficial]:
    """The chain of ``child`` (a Child row), batched with every other child of the request."""
    loader = info.context.loaders.custom(LOADER, responsibility_chains)
    return [ResponsibleOfficial.of(link) for link in await loader.load(ChildRef.of(child))]
