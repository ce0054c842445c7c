"""The closed vocabularies county rules are written in.

A plugin may only name members of these enums: an unknown metric, population or period kind
fails at start-up. Adding a member is a change to core (and to the metric formulas, reports and
GraphQL enums that follow from it), never something a plugin does on its own.
"""

from __future__ import annotations

from decimal import Decimal

from core.labelled_enum import LabelledEnum

# A seat in a 领导小组: the officials' vocabulary (a school's own group has seats too).
from core.officials.models import LeadershipRole as LeadershipRole


class Metric(LabelledEnum):
    """指标: what a target measures. Rates are per cent, counts are children."""

    ENROLMENT_RATE = "ENROLMENT_RATE", "入学率"
    CONSOLIDATION_RATE = "CONSOLIDATION_RATE", "巩固率"
    DROPOUT_RATE = "DROPOUT_RATE", "失学辍学率"
    DROPOUT_COUNT = "DROPOUT_COUNT", "失学辍学人数"
    #: 流失: children who left school without a transfer or other accounted-for move.
    OUTFLOW_COUNT = "OUTFLOW_COUNT", "流失学生人数"
    ASSISTANCE_COVERAGE = "ASSISTANCE_COVERAGE", "资助覆盖率"

    @property
    def is_rate(self) -> bool:
        """True for a percentage (0–100), False for a count of children."""
        return self.name.endswith(("_RATE", "_COVERAGE"))

    @property
    def unit(self) -> str:
        return "%" if self.is_rate else "人"


class Comparison(LabelledEnum):
    """How a measured value is held against a target's threshold."""

    AT_LEAST = "AT_LEAST", "不低于"
    AT_MOST = "AT_MOST", "不高于"
    EQUAL = "EQUAL", "等于"

    @property
    def symbol(self) -> str:
        return {"AT_LEAST": "≥", "AT_MOST": "≤", "EQUAL": "="}[self.value]

    def holds(self, value: Decimal, threshold: Decimal) -> bool:
        """Whether ``value`` meets ``threshold`` under this comparison."""
        if self is Comparison.AT_LEAST:
            return value >= threshold
        if self is Comparison.AT_MOST:
            return value <= threshold
        return value == threshold


class Population(LabelledEnum):
    """The children a target counts (its denominator)."""

    ALL = "ALL", "全体适龄儿童少年"
    POVERTY_LIFTED = "POVERTY_LIFTED", "脱贫户 (原建档立卡贫困户) 家庭子女"
    MONITORED = "MONITORED", "监测户家庭子女"
    FINANCIAL_HARDSHIP = "FINANCIAL_HARDSHIP", "家庭经济困难学生"
    LEFT_BEHIND = "LEFT_BEHIND", "农村留守儿童"
    DISABLED = "DISABLED", "残疾儿童少年"
    MIGRANT = "MIGRANT", "进城务工人员随迁子女"


class TargetPeriod(LabelledEnum):
    """Over what time a target is measured."""

    SCHOOL_YEAR = "SCHOOL_YEAR", "学年"
    CALENDAR_YEAR = "CALENDAR_YEAR", "年度"
    ONGOING = "ONGOING", "常态 (任一时点)"


class DeadlineKind(LabelledEnum):
    """时限: the clocks core runs on a case or a report."""

    VERIFICATION = "VERIFICATION", "疑似辍学核实"
    REPORT_MARKING = "REPORT_MARKING", "学籍管理员完成信息标注"
    RETURN_NOTICE_RESPONSE = "RETURN_NOTICE_RESPONSE", "劝返复学通知书限期复学"
    ESCALATION_STEP = "ESCALATION_STEP", "每级劝返无效后上报"
    #: The township government's time on a case handed to it (an escalation level names it).
    TOWNSHIP_ACTION = "TOWNSHIP_ACTION", "移交乡镇后乡镇落实劝返"
    FOLLOW_UP_WINDOW = "FOLLOW_UP_WINDOW", "复学后跟踪 (销号前)"

    @property
    def runs_a_level(self) -> bool:
        """Whether an escalation level may run on this kind (``EscalationLevel.deadline``)."""
        return self in (DeadlineKind.ESCALATION_STEP, DeadlineKind.TOWNSHIP_ACTION)


class PeriodKind(LabelledEnum):
    """报送周期 of a report format."""

    DAILY = "DAILY", "日报"
    WEEKLY = "WEEKLY", "周报"
    MONTHLY = "MONTHLY", "月报"
    BIMONTHLY = "BIMONTHLY", "双月报"
    TERM_START = "TERM_START", "开学报表"
    TERM = "TERM", "学期报"
    SCHOOL_YEAR = "SCHOOL_YEAR", "学年报"
    ON_DEMAND = "ON_DEMAND", "即时/随时"


class PeriodAnchor(LabelledEnum):
    """The point in the school calendar a key period starts from."""

    TERM_START = "TERM_START", "每学期开学"
    AUTUMN_TERM_START = "AUTUMN_TERM_START", "秋季学期开学"
    SPRING_TERM_START = "SPRING_TERM_START", "春季学期开学"
    WINTER_HOLIDAY = "WINTER_HOLIDAY", "寒假"
    SUMMER_HOLIDAY = "SUMMER_HOLIDAY", "暑假"


class TermSeason(LabelledEnum):
    """学期: the autumn term opens the school year, the spring term closes it."""

    AUTUMN = "AUTUMN", "秋季学期"
    SPRING = "SPRING", "春季学期"


class AbsenceRuleKind(LabelledEnum):
    """How an absence rule counts a child's unexplained absences (无故缺勤)."""

    CONSECUTIVE = "CONSECUTIVE", "连续无故缺勤上学日数"
    IN_MONTH = "IN_MONTH", "本学期当月累计无故缺勤天数"


class SchoolStage(LabelledEnum):
    """学段."""

    PRIMARY = "PRIMARY", "小学"
    UPPER_PRIMARY = "UPPER_PRIMARY", "小学高年级"
    JUNIOR_MIDDLE = "JUNIOR_MIDDLE", "初中"

    @property
    def grades(self) -> tuple[int, ...]:
        """The grades (1–9) of the stage; 小学高年级 is taken as grades 5–6."""
        return {"PRIMARY": (1, 2, 3, 4, 5, 6), "UPPER_PRIMARY": (5, 6)}.get(self.value, (7, 8, 9))


class VocabularyKind(LabelledEnum):
    """Which open vocabulary a plugin adds a term to (both are stored as text)."""

    CASE_REASON = "CASE_REASON", "辍学原因"
    ASSISTANCE_PROGRAMME = "ASSISTANCE_PROGRAMME", "资助项目"


class SignOffAction(LabelledEnum):
    """What the signatory of a report does."""

    REVIEW = "REVIEW", "审核"
    SIGN = "SIGN", "签字"
    STAMP = "STAMP", "盖章"


class RowKind(LabelledEnum):
    """What one row of a report stands for."""

    CHILD = "CHILD", "每名学生一行"
    CASE = "CASE", "每个个案一行"
    SCHOOL = "SCHOOL", "每所学校一行"
    TOWN = "TOWN", "每个乡镇/街道一行"
    SCHOOL_GROUP = "SCHOOL_GROUP", "每个学区/督导责任区一行"

    @property
    def is_aggregate(self) -> bool:
        return self in (RowKind.SCHOOL, RowKind.TOWN, RowKind.SCHOOL_GROUP)


class RowSelection(LabelledEnum):
    """Which children or cases a ledger lists (its rows' kind says which of the two)."""

    ALL = "ALL", "全部"
    #: Cases: 疑似辍学 not yet settled (reported, being verified).
    SUSPECTED = "SUSPECTED", "疑似辍学 (已上报、核实中)"
    #: Cases: 确认失学辍学 and not back (confirmed, being persuaded, out of reach).
    CONFIRMED = "CONFIRMED", "确认失学辍学 (已确认、劝返中、联系不上)"
    #: Children of compulsory-school age (the county's registry cohorts, or on such a roll) of
    #: at least one 重点群体.
    KEY_GROUPS = "KEY_GROUPS", "重点群体适龄儿童少年"
    #: Children of compulsory-school age of 脱贫户 (原建档立卡贫困户).
    POVERTY_LIFTED = "POVERTY_LIFTED", "脱贫户家庭适龄子女"
    #: Children of compulsory-school age away with their family (举家外出, 流出).
    MOVED_AWAY = "MOVED_AWAY", "随家庭外出的适龄儿童少年 (举家外出/流出)"
    #: Children who have not come since term began: absent on every register of their class in
    #: the period (开学未到校, core.reports.attendance).
    NOT_ARRIVED = "NOT_ARRIVED", "开学未到校 (期间每次考勤均缺勤)"

    @property
    def row_kinds(self) -> frozenset[RowKind]:
        """The kinds of row a ledger with this selection may have."""
        if self is RowSelection.ALL:
            return frozenset(RowKind)
        if self in (RowSelection.SUSPECTED, RowSelection.CONFIRMED):
            return frozenset({RowKind.CASE})
        return frozenset({RowKind.CHILD})


class NoticeKind(LabelledEnum):
    """Printable notices a county sends families (文书)."""

    #: 劝返复学通知书: issued with ``issueReturnNotice`` to the guardian of a child out of school.
    RETURN_NOTICE = "RETURN_NOTICE", "劝返复学通知书"
    #: 入学通知书: sent each autumn to the children of the first grade of 小学 and 初中.
    ADMISSION_NOTICE = "ADMISSION_NOTICE", "入学通知书"


class FieldKind(LabelledEnum):
    """How a report field's value is written out."""

    TEXT = "TEXT", "文本"
    INTEGER = "INTEGER", "整数"
    DECIMAL = "DECIMAL", "金额/小数"
    PERCENT = "PERCENT", "百分比"
    DATE = "DATE", "日期"
    BOOLEAN = "BOOLEAN", "是/否"
    LIST = "LIST", "多项"


class ApprovingAuthority(LabelledEnum):
    """批准机关: who may approve a 缓学/免学 (or 休学) application, as a county's rule names it.

    A caller acts for the authority its scope stands for: a township (乡镇) account or key for
    ``TOWNSHIP``, a county-wide staff account (教育局) for ``COUNTY_EDUCATION_BUREAU``, a
    school account for ``SCHOOL``.
    """

    TOWNSHIP = "TOWNSHIP", "乡镇人民政府 (街道办事处)"
    COUNTY_EDUCATION_BUREAU = "COUNTY_EDUCATION_BUREAU", "县级人民政府教育行政部门"
    SCHOOL = "SCHOOL", "学校"


class ApprovalKind(LabelledEnum):
    """What besides a 缓学/免学 an approving authority decides (义务教育法 第十一条: 休学;
    一人一案: a placement taking effect)."""

    SUSPENSION = "SUSPENSION", "休学"
    PLACEMENT = "PLACEMENT", "一人一案安置"


class ImportKind(LabelledEnum):
    """What a roster is, which decides what an import does with its rows."""

    STUDENT_ROSTER = "STUDENT_ROSTER", "学籍名册 (在校学生)"
    HOUSEHOLD_REGISTER = "HOUSEHOLD_REGISTER", "学户册 (0–18 岁户籍人口)"
    DISABLED_ROSTER = "DISABLED_ROSTER", "残疾儿童少年名册"
    KEY_GROUP_LIST = "KEY_GROUP_LIST", "重点群体名单"
    PLATFORM_SUSPECTED = "PLATFORM_SUSPECTED", "全国平台疑似辍学名单"
    ATTENDANCE = "ATTENDANCE", "考勤记录 (班级考勤日)"


class ValueKind(LabelledEnum):
    """How a cell's text becomes a value."""

    TEXT = "TEXT", "文本"
    DATE = "DATE", "日期"
    ID_NUMBER = "ID_NUMBER", "身份证件号"
    STUDENT_NUMBER = "STUDENT_NUMBER", "学籍号"
    VOCABULARY = "VOCABULARY", "代码表"


class RiskSignal(LabelledEnum):
    """What a risk rule measures about one child (辍学风险预警的指标)."""

    #: 本学期无故缺勤天数 (unexplained absences this term).
    UNEXPLAINED_ABSENCES = "UNEXPLAINED_ABSENCES", "本学期无故缺勤天数"
    #: 本学期出勤率, in per cent of the school days recorded for the child.
    ATTENDANCE_RATE = "ATTENDANCE_RATE", "本学期出勤率"
    #: 所属重点群体数 (of the rule's ``key_groups``).
    KEY_GROUPS = "KEY_GROUPS", "所属重点群体数"
    #: 曾辍学后复学的个案数 (past cases: out of school once, back since).
    PAST_CASES = "PAST_CASES", "曾有辍学个案数"
    #: 留级次数 (the same grade in more than one school year).
    REPEATED_GRADES = "REPEATED_GRADES", "留级次数"
    #: 超龄年数: how many years older the child is than the grade's age.
    AGE_OVER_GRADE = "AGE_OVER_GRADE", "超龄年数"

    @property
    def unit(self) -> str:
        """The unit a value of the signal is written with."""
        return {
            "UNEXPLAINED_ABSENCES": "天",
            "ATTENDANCE_RATE": "%",
            "KEY_GROUPS": "类",
            "PAST_CASES": "次",
            "REPEATED_GRADES": "次",
            "AGE_OVER_GRADE": "岁",
        }[self.value]

    @property
    def needs_attendance(self) -> bool:
        return self in (RiskSignal.UNEXPLAINED_ABSENCES, RiskSignal.ATTENDANCE_RATE)


class RiskLevel(LabelledEnum):
    """辍学风险等级."""

    NONE = "NONE", "无风险"
    WATCH = "WATCH", "关注"
    HIGH = "HIGH", "高风险"
