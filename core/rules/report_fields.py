"""The fields a report column may be filled from: core's half of the report contract.

A plugin's :class:`~core.rules.specs.Column` names one of these keys as its ``source``; the
DB-backed report builder fills a plain ``dict`` row with the same keys, and
:func:`core.rules.render.render_report` writes it out. A column naming a key that is not here
fails at start-up.

``scope`` says which rows a field can appear in: ``place`` everywhere, ``child`` in rows about
one child (CHILD, CASE), ``case`` in CASE rows, ``stats`` in aggregate rows (SCHOOL, TOWN,
SCHOOL_GROUP), ``any`` everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from core.rules.enums import FieldKind, RowKind

#: Which scopes each kind of row accepts.
SCOPES_BY_ROW_KIND: dict[RowKind, frozenset[str]] = {
    RowKind.CHILD: frozenset({"any", "place", "child"}),
    RowKind.CASE: frozenset({"any", "place", "child", "case"}),
    RowKind.SCHOOL: frozenset({"any", "place", "stats"}),
    RowKind.TOWN: frozenset({"any", "place", "stats"}),
    RowKind.SCHOOL_GROUP: frozenset({"any", "place", "stats"}),
}


@dataclass(frozen=True, kw_only=True)
class ReportField:
    """A value core knows how to find for a report row.

    ``mask`` is how the value is hidden in a ``privacy`` report: ``name``, ``id``, ``phone`` or
    ``address``; None for values that are not personal.
    """

    key: str
    label: str
    kind: FieldKind
    scope: str
    sample: Any
    mask: str | None = None


def _f(key: str, label: str, kind: FieldKind, scope: str, sample: Any, mask: str | None = None):
    return ReportField(key=key, label=label, kind=kind, scope=scope, sample=sample, mask=mask)


TXT, INT, DEC, PCT, DAY, YES, LST = (
    FieldKind.TEXT,
    FieldKind.INTEGER,
    FieldKind.DECIMAL,
    FieldKind.PERCENT,
    FieldKind.DATE,
    FieldKind.BOOLEAN,
    FieldKind.LIST,
)

_FIELDS: tuple[ReportField, ...] = (
    # -- place
    _f("town.name", "乡镇/街道", TXT, "place", "示例镇"),
    _f("village.name", "村/社区", TXT, "place", "示例村"),
    _f("school_group.name", "学区/督导责任区", TXT, "place", "第一督导责任区"),
    _f("school.name", "学校", TXT, "place", "示例镇中心学校"),
    _f("school.code", "学校标识码", TXT, "place", "2145000001"),
    _f("school.principal", "校长", TXT, "place", "王校长", "name"),
    # -- one child
    _f("child.name", "姓名", TXT, "child", "李小明", "name"),
    _f("child.gender", "性别", TXT, "child", "男"),
    _f("child.id_number", "身份证号", TXT, "child", "110101201201011237", "id"),
    _f("child.student_number", "学籍号", TXT, "child", "G110101201201011237", "id"),
    _f("child.birth_date", "出生日期", DAY, "child", date(2012, 1, 1)),
    _f("child.age", "年龄", INT, "child", 13),
    _f("child.ethnicity", "民族", TXT, "child", "瑶族"),
    _f("child.key_groups", "重点群体类别", LST, "child", ("留守儿童", "脱贫户家庭子女")),
    _f("child.poverty_status", "帮扶身份", TXT, "child", "脱贫户"),
    _f("child.is_poverty_lifted", "是否脱贫户", YES, "child", True),
    _f("child.disability", "残疾类别及等级", TXT, "child", "肢体残疾二级"),
    _f("child.registered_address", "户籍地址", TXT, "child", "示例镇示例村3组", "address"),
    _f("child.current_address", "现住址", TXT, "child", "广东省东莞市", "address"),
    _f("child.migration_status", "外出情况", TXT, "child", "举家外出"),
    _f("child.family_situation", "家庭情况", TXT, "child", "父母外出务工, 随祖父母生活"),
    _f("guardian.name", "监护人", TXT, "child", "李大山", "name"),
    _f("guardian.relation", "与学生关系", TXT, "child", "祖父"),
    _f("guardian.phone", "联系电话", TXT, "child", "13800001234", "phone"),
    _f("enrolment.grade", "年级", INT, "child", 8),
    _f("enrolment.class", "班级", TXT, "child", "(2)班"),
    _f("enrolment.status", "学籍状态", TXT, "child", "在读"),
    _f("enrolment.mode", "就读方式", TXT, "child", "在校就读"),
    _f("enrolment.head_teacher", "班主任", TXT, "child", "张老师", "name"),
    _f("enrolment.school_elsewhere", "现就读学校 (异地)", TXT, "child", "东莞市某中学"),
    _f("enrolment.proof_elsewhere", "异地入学手续/证明", TXT, "child", "已取得就读证明"),
    _f("support.plan", "帮扶措施 (一生一策)", TXT, "child", "每周一次课业辅导"),
    _f("support.mentor", "结对帮扶教师", TXT, "child", "赵老师", "name"),
    _f("support.study", "学习帮扶", TXT, "child", "数学补差"),
    _f("support.life", "生活帮扶", TXT, "child", "寄宿优先"),
    _f("support.psychological", "心理帮扶", TXT, "child", "每月谈心"),
    _f("support.assistance", "资助情况", LST, "child", ("两免一补", "营养改善计划")),
    _f("support.assistance_amount", "资助金额 (元)", DEC, "child", Decimal("1250.00")),
    _f("child.persuasion_summary", "劝返情况", TXT, "child", "已劝返复学"),
    _f("visits.summary", "家访情况", TXT, "child", "2次, 家长表示支持"),
    _f("visits.last_on", "最近家访日期", DAY, "child", date(2025, 9, 12)),
    _f("attendance.absent_days", "期间缺勤天数", INT, "child", 5),
    _f("attendance.missing_reason", "未到校原因", TXT, "child", "无故缺勤 (旷课)"),
    _f("attendance.follow_up", "缺勤跟踪情况", TXT, "child", "2026-09-02 张老师: 未联系上监护人"),
    # -- one case
    _f("case.kind", "类别", TXT, "case", "辍学 (含疑似辍学)"),
    _f("case.state", "状态", TXT, "case", "劝返中"),
    _f("case.source", "来源", TXT, "case", "全国平台下发疑似名单"),
    _f("case.reason", "辍学原因", TXT, "case", "学习困难/厌学"),
    _f("case.reason_detail", "原因说明", TXT, "case", "成绩落后, 不愿到校"),
    _f("case.whereabouts", "去向", TXT, "case", "在家"),
    _f("case.opened_on", "上报日期", DAY, "case", date(2025, 9, 3)),
    _f("case.reported_by", "上报人", TXT, "case", "张老师", "name"),
    _f("case.marked_on", "学籍标注日期", DAY, "case", date(2025, 9, 8)),
    _f("case.verified_on", "核实日期", DAY, "case", date(2025, 9, 5)),
    _f("case.verification", "核实结果", TXT, "case", "确认辍学"),
    _f("case.persuasion_count", "劝返次数", INT, "case", 3),
    _f("case.persuasion_log", "劝返记录", TXT, "case", "9月5日家访; 9月10日电话"),
    _f("case.return_notice_on", "劝返复学通知书下达日期", DAY, "case", date(2025, 9, 15)),
    _f("case.escalation", "当前责任层级", TXT, "case", "学校"),
    _f("case.responsible", "包保责任人", TXT, "case", "张老师", "name"),
    _f("case.returned", "是否返校", YES, "case", False),
    _f("case.returned_on", "复学日期", DAY, "case", None),
    _f("case.outcome", "处理结果", TXT, "case", "劝返中"),
    _f("case.closed_on", "销号日期", DAY, "case", None),
    # -- aggregate rows
    _f("stats.school_age_children", "适龄儿童少年数", INT, "stats", 1200),
    _f("stats.enrolled_last_term", "上学期末在籍学生数", INT, "stats", 1180),
    _f("stats.expected", "本学期应到人数", INT, "stats", 1175),
    _f("stats.arrived", "实到人数", INT, "stats", 1170),
    _f("stats.absent", "未按时到校人数", INT, "stats", 5),
    _f("stats.transferred", "转学人数", INT, "stats", 3),
    _f("stats.suspected_dropouts", "疑似辍学人数", INT, "stats", 2),
    _f("stats.platform_suspected", "平台下发疑似辍学人数", INT, "stats", 2),
    _f("stats.new_suspected", "新增疑似辍学人数", INT, "stats", 1),
    _f("stats.verified", "已核实人数", INT, "stats", 2),
    _f("stats.dropouts", "辍学人数", INT, "stats", 1),
    _f("stats.returned", "劝返复学人数", INT, "stats", 1),
    _f("stats.still_out", "仍未复学人数", INT, "stats", 0),
    _f("stats.exempted", "缓学/免学人数", INT, "stats", 0),
    _f("stats.poverty_lifted_dropouts", "脱贫户学生辍学人数", INT, "stats", 0),
    _f("stats.enrolment_rate", "入学率", PCT, "stats", Decimal("100.00")),
    _f("stats.consolidation_rate", "巩固率", PCT, "stats", Decimal("99.12")),
    _f("stats.assistance_coverage", "资助覆盖率", PCT, "stats", Decimal("100.00")),
    # -- aggregate rows: attendance returns (core.reports.attendance)
    _f("stats.registers", "考勤登记 (班·日)", INT, "stats", 50),
    _f("stats.attendance_expected", "应出勤人次", INT, "stats", 2350),
    _f("stats.attendance_present", "实出勤人次", INT, "stats", 2331),
    _f("stats.attendance_absent", "缺勤人次", INT, "stats", 19),
    _f("stats.absent_sick", "病假人次", INT, "stats", 11),
    _f("stats.absent_personal_leave", "事假人次", INT, "stats", 5),
    _f("stats.absent_unexplained", "无故缺勤人次", INT, "stats", 3),
    _f("stats.attendance_late", "迟到人次", INT, "stats", 7),
    _f("stats.unexplained_children", "无故缺勤学生人数", INT, "stats", 2),
    _f("stats.attendance_rate", "出勤率", PCT, "stats", Decimal("99.19")),
    _f("stats.arrival_expected", "应报到人数", INT, "stats", 470),
    _f("stats.arrival_arrived", "已到校人数", INT, "stats", 466),
    _f("stats.arrival_missing", "未到校人数", INT, "stats", 4),
    _f("stats.arrival_missing_sick", "其中病假", INT, "stats", 2),
    _f("stats.arrival_missing_personal_leave", "其中事假", INT, "stats", 1),
    _f("stats.arrival_missing_unexplained", "其中无故未到", INT, "stats", 1),
    _f("stats.arrival_missing_transferred", "其中已转学", INT, "stats", 1),
    _f("stats.arrival_missing_suspected", "其中疑似辍学", INT, "stats", 2),
    # -- anywhere
    _f("report.remarks", "备注", TXT, "any", ""),
)

#: Every field a report column may name, by key.
REPORT_FIELDS: dict[str, ReportField] = {f.key: f for f in _FIELDS}

#: The counts that are a part (其中) of another count, and the count they are counted within:
#: a column headed 其中… must name one of these with its whole shown in the same form, so that
#: no 其中 can exceed what it is part of (checked at start-up, ``check_report_formats``).
PART_OF: dict[str, str] = {
    "stats.transferred": "stats.absent",
    "stats.suspected_dropouts": "stats.absent",
    "stats.platform_suspected": "stats.new_suspected",
    "stats.verified": "stats.new_suspected",
    "stats.poverty_lifted_dropouts": "stats.dropouts",
    "stats.absent_sick": "stats.attendance_absent",
    "stats.absent_personal_leave": "stats.attendance_absent",
    "stats.absent_unexplained": "stats.attendance_absent",
    "stats.arrival_missing": "stats.arrival_expected",
    "stats.arrival_missing_sick": "stats.arrival_missing",
    "stats.arrival_missing_personal_leave": "stats.arrival_missing",
    "stats.arrival_missing_unexplained": "stats.arrival_missing",
    "stats.arrival_missing_transferred": "stats.arrival_missing",
    "stats.arrival_missing_suspected": "stats.arrival_missing",
}
#: How a header that says its column is a part of another begins.
PART_HEADER = "其中"


def fields_for(row_kind: RowKind) -> tuple[ReportField, ...]:
    """The fields a report whose rows are ``row_kind`` may use."""
    scopes = SCOPES_BY_ROW_KIND[row_kind]
    return tuple(f for f in _FIELDS if f.scope in scopes)


def sample_row(row_kind: RowKind, **overrides: Any) -> dict[str, Any]:
    """A row with a plausible value in every field ``row_kind`` allows (for tests and docs)."""
    row = {f.key: f.sample for f in fields_for(row_kind)}
    row.update(overrides)
    return row
