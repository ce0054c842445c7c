"""The CSV and XLSX writers, read back: BOM, merged group headers, frozen header, typed cells."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from core.plugins import get_registry
from core.reports.render_csv import BOM, render_csv
from core.reports.render_xlsx import display_width, render_xlsx
from core.reports.table import Masking, ReportTable, build_table
from core.rules import sample_row
from core.rules.enums import RowKind


@pytest.fixture
def term_start():
    return get_registry().for_jurisdiction("430527").report_format("term-start-statistics")


def _rows():
    return [
        sample_row(RowKind.SCHOOL, **{"school.name": "乙校", "stats.arrival_missing": 3}),
        sample_row(RowKind.SCHOOL, **{"school.name": "甲校", "stats.arrival_missing": 2}),
    ]


def test_csv_starts_with_the_bom_and_holds_header_rows_and_totals(term_start) -> None:
    data = render_csv(build_table(term_start, _rows()))
    assert data.startswith(BOM.encode("utf-8"))
    text = data.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][:3] == ["序号", "学校", "上学期末在籍学生数"]
    assert [line[1] for line in lines[1:3]] == ["乙校", "甲校"]
    assert lines[-1][0] == "合计" and lines[-1][lines[0].index("未按时到校人数")] == "5"
    assert data.count(b"\r\n") == len(lines)


def test_xlsx_has_title_merged_group_header_frozen_header_and_sign_off(term_start) -> None:
    table = build_table(term_start, _rows(), subtitle="绥宁县 · 2026-09-01")
    sheet = load_workbook(io.BytesIO(render_xlsx(table))).active
    assert sheet["A1"].value == "开学工作统计报表"
    assert sheet["A1"].font.bold and sheet["A1"].font.size == 16
    assert sheet["A2"].value == "绥宁县 · 2026-09-01"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    headers = [c.header for c in table.columns]
    sick = headers.index("病假") + 1
    letter, end = get_column_letter(sick), get_column_letter(sick + 2)
    # the group heading over its three columns, their own headers on the second row
    assert f"{letter}3:{end}3" in merged
    assert sheet.cell(3, sick).value == "未按时到校原因"
    assert [sheet.cell(4, sick + i).value for i in range(3)] == ["病假", "事假", "无故未到"]
    where = sick + 3
    assert f"{get_column_letter(where)}3:{get_column_letter(where + 1)}3" in merged
    assert sheet.cell(3, where).value == "未按时到校学生去向"
    assert [sheet.cell(4, where + i).value for i in range(2)] == [
        "其中转学人数",
        "其中疑似辍学人数",
    ]
    # a column outside every group: its header merged down both header rows
    assert "B3:B4" in merged and sheet["B3"].value == "学校"
    assert sheet["B3"].font.bold and sheet["B3"].fill.fgColor.rgb.endswith("D9E1F2")
    assert sheet.freeze_panes == "A5"
    # typed cells: numbers are numbers, the 合计 row sums
    absent = headers.index("未按时到校人数") + 1
    assert sheet.cell(5, absent).value == 3 and isinstance(sheet.cell(5, absent).value, int)
    assert sheet.cell(7, 1).value == "合计" and sheet.cell(7, absent).value == 5
    texts = [sheet.cell(r, 1).value for r in range(8, sheet.max_row + 1)]
    assert "单位主要负责同志 (审核、签字、盖章)：" in texts
    assert "报送单位：县教育局教育股" in texts
    assert any(t and t.startswith("依据：") and "二、(二)2" in t for t in texts)
    # widths follow the widest value, CJK characters counting double
    assert sheet.column_dimensions["B"].width >= display_width("学校") + 2


def test_xlsx_types_percentages_and_dates() -> None:
    fmt = get_registry().for_jurisdiction("500153").report_format("bimonthly-return")
    table = build_table(fmt, [sample_row(RowKind.TOWN)])
    sheet = load_workbook(io.BytesIO(render_xlsx(table))).active
    headers = [c.header for c in table.columns]
    rate = sheet.cell(5, headers.index("入学率") + 1)
    assert rate.value == pytest.approx(1.0) and rate.number_format == "0.00%"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert sum(1 for m in merged if m.endswith("3") and ":" in m and m[0] != "A") >= 2

    ledger = get_registry().for_jurisdiction("450381").report_format("dropout-roster")
    row = sample_row(RowKind.CASE, **{"case.return_notice_on": date(2026, 3, 2)})
    table = build_table(ledger, [row])
    sheet = load_workbook(io.BytesIO(render_xlsx(table))).active
    headers = [c.header for c in table.columns]
    notice = sheet.cell(4, headers.index("劝返通知书发放日期") + 1)
    assert notice.value.date() == date(2026, 3, 2) and notice.number_format == "yyyy-mm-dd"
    assert sheet.freeze_panes == "A4"  # one header row: no groups in this form


def test_public_variant_masks_names_and_id_numbers() -> None:
    ledger = get_registry().for_jurisdiction("450381").report_format("dropout-roster")
    row = sample_row(
        RowKind.CASE,
        **{
            "child.name": "张小三",
            "child.id_number": "45038120120101123X",
            "guardian.name": "张大山",
        },
    )
    public = build_table(ledger, [row], masking=Masking.PUBLIC)
    cells = dict(zip(public.header, public.rows[0], strict=True))
    assert cells["姓名"] == "张*三"
    assert cells["身份证号"] == "450381************"
    assert cells["监护人"] == "张*山"
    personal = build_table(ledger, [row], masking=Masking.PERSONAL)
    cells = dict(zip(personal.header, personal.rows[0], strict=True))
    assert cells["姓名"] == "张小三" and cells["身份证号"] == "450381************"
    full = build_table(ledger, [row])
    assert dict(zip(full.header, full.rows[0], strict=True))["身份证号"] == "45038120120101123X"


def test_table_round_trips_through_json(term_start) -> None:
    table = build_table(term_start, _rows(), subtitle="x")
    assert ReportTable.from_json(table.to_json()) == table
