"""render_report: a report format and plain dict rows in, a table of strings out."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from core.cases.enums import CaseState
from core.rules import (
    Clause,
    PeriodKind,
    ReportFormat,
    RowKind,
    columns,
    render_report,
)
from core.rules.render import mask_value

CLAUSE = Clause(document="测试文件", section="一")


def fmt(row_kind: RowKind, *pairs: tuple[str, str], **changes) -> ReportFormat:
    values = dict(
        code="t",
        title="测试表",
        period_kinds=(PeriodKind.MONTHLY,),
        row_kind=row_kind,
        columns=columns(*pairs),
        clause=CLAUSE,
    )
    values.update(changes)
    return ReportFormat(**values)


def test_header_numbering_grouping_and_totals() -> None:
    report = fmt(
        RowKind.SCHOOL,
        ("town.name", "乡镇"),
        ("school.name", "学校"),
        ("stats.absent", "未到"),
        ("stats.consolidation_rate", "巩固率"),
        group_by=("town_name",),
        totals=True,
    )
    rows = [
        {"town.name": "乙镇", "school.name": "乙小", "stats.absent": 2},
        {"town.name": "甲镇", "school.name": "甲小", "stats.absent": 1},
        {"town.name": "乙镇", "school.name": "乙中", "stats.consolidation_rate": Decimal("97.3")},
    ]
    assert render_report(report, rows) == [
        ["序号", "乡镇", "学校", "未到", "巩固率"],
        ["1", "乙镇", "乙小", "2", ""],
        ["2", "乙镇", "乙中", "", "97.30%"],
        ["3", "甲镇", "甲小", "1", ""],
        ["合计", "", "", "3", ""],
    ]


def test_values_are_written_the_way_a_bureau_reads_them() -> None:
    report = fmt(
        RowKind.CASE,
        ("case.state", "状态"),
        ("case.returned", "是否返校"),
        ("case.opened_on", "上报日期"),
        ("child.key_groups", "重点群体"),
        ("support.assistance_amount", "金额"),
        numbered=False,
    )
    row = {
        "case.state": CaseState.PERSUADING,
        "case.returned": False,
        "case.opened_on": date(2025, 9, 3),
        "child.key_groups": ("留守儿童", "孤儿"),
        "support.assistance_amount": 1250,
        "an.unknown.key": "ignored",
    }
    assert render_report(report, [row])[1] == [
        "劝返中",
        "否",
        "2025-09-03",
        "留守儿童、孤儿",
        "1250.00",
    ]


def test_privacy_masks_personal_values_only() -> None:
    report = fmt(
        RowKind.CHILD,
        ("child.name", "姓名"),
        ("child.id_number", "身份证号"),
        ("guardian.phone", "电话"),
        ("child.registered_address", "住址"),
        ("enrolment.grade", "年级"),
        numbered=False,
        privacy=True,
    )
    row = {
        "child.name": "韦小燕",
        "child.id_number": "45038120120101123X",
        "guardian.phone": "13800001234",
        "child.registered_address": "荔浦市马岭镇某某村3组",
        "enrolment.grade": 8,
    }
    assert render_report(report, [row])[1] == [
        "韦*燕",
        "450381************",
        "138****1234",
        "荔浦市马岭镇***",
        "8",
    ]
    assert mask_value("G45038120120101123X", "id") == "G450381************"
    assert mask_value("张三", "name") == "张*"
    assert mask_value("欧阳小明", "name") == "欧**明"


def test_totals_without_a_number_column_label_the_first_cell() -> None:
    report = fmt(
        RowKind.TOWN, ("town.name", "乡镇"), ("stats.dropouts", "辍学"), numbered=False, totals=True
    )
    assert render_report(report, []) == [["乡镇", "辍学"], ["合计", "0"]]
