"""The attendance returns (日报/周报/月报 per school, per town, for the county) and the
start-of-term arrival count, generated over GraphQL by the county bureau from the registers of
tests/risk/conftest.py, plus class 5 of school B: five registers (9–13 March) on which 学生己
was absent every day (3 sick, then 2 unexplained) and 丁 was present.

By hand, March up to the 20th — school A: 10 registers, 40 expected, 8 absent (甲 4 无故, 丙 3
无故 + 1 病假), 32 present, 1 late (戊): 80.00 %. School B: 5 registers, 10 expected, 5 absent
(3 病假, 2 无故), 5 present: 50.00 %. The county: 50 expected, 37 present: 74.00 %.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from tortoise.functions import Sum

from core.attendance.models import AttendanceMark, ClassDay, MarkKind
from core.enrolment.models import Enrolment, EnrolmentStatus
from core.people.models import Child, Household
from tests.conftest import graphql

from .conftest import NOW, RiskCounty, _child

GENERATE = """mutation($input: GenerateReportInput!) { generateReport(input: $input) {
  report { id downloads { xlsx csv } table { columns { key header } rows(limit: 100) totals
    headerGroups { label first span } } }
  errors { code field message } } }"""


async def pupil_of_class_5(county: RiskCounty, name: str, born: date, seq: int) -> Child:
    """A child of a household of their own, on the roll of class 5 of school B."""
    home = await Household.create(jurisdiction=county.jurisdiction, head_name=f"{name}家")
    child = await _child(county.jurisdiction, home, f"学生{name}", born, seq)
    await Enrolment.create(
        child=child, school=county.school_b, school_class=county.class_5, grade=5,
        status=EnrolmentStatus.ENROLLED, started_on=date(2020, 9, 1),
    )  # fmt: skip
    return child


async def _class_5_registers(county: RiskCounty) -> None:
    ji = await pupil_of_class_5(county, "己", date(2015, 5, 5), 21)
    for offset in range(5):
        day = date(2026, 3, 9) + timedelta(days=offset)
        register = await ClassDay.create(
            jurisdiction=county.jurisdiction, school=county.school_b, school_class=county.class_5,
            day=day, expected=2, present=1, absent=1, late=0, recorded_at=NOW,
        )  # fmt: skip
        await AttendanceMark.create(
            class_day=register, jurisdiction=county.jurisdiction, school=county.school_b,
            child=ji, day=day, kind=MarkKind.SICK if offset < 3 else MarkKind.UNEXPLAINED,
        )  # fmt: skip


async def _generate(http, headers, **input: Any) -> dict[str, Any]:
    body = await graphql(http, GENERATE, {"input": input}, headers=headers)
    assert "errors" not in body, body
    payload = body["data"]["generateReport"]
    assert payload["errors"] == [], payload
    return payload["report"]


def _by_header(table: dict[str, Any]) -> list[dict[str, str]]:
    headers = [c["header"] for c in table["columns"]]
    return [dict(zip(headers, row, strict=True)) for row in table["rows"]]


@pytest.fixture
async def returns(county, sign_in) -> dict[str, str]:
    await _class_5_registers(county)
    return await sign_in("county")


async def test_the_monthly_return_per_school(http, county, returns) -> None:
    report = await _generate(
        http, returns, formatCode="attendance-register-return", period="2026-03",
        periodKind="MONTHLY",
    )  # fmt: skip
    table = report["table"]
    rows = {r["学校"]: r for r in _by_header(table)}
    a, b = rows["东镇小学"], rows["西镇小学"]
    assert [a[k] for k in ("考勤登记 (班·日)", "应出勤人次", "实出勤人次", "缺勤人次")] == [
        "10", "40", "32", "8",
    ]  # fmt: skip
    assert [a[k] for k in ("病假", "事假", "无故缺勤", "迟到人次", "无故缺勤学生人数")] == [
        "1", "0", "7", "1", "2",
    ]  # fmt: skip
    assert a["出勤率"] == "80.00%"
    assert [b[k] for k in ("应出勤人次", "实出勤人次", "病假", "无故缺勤", "出勤率")] == [
        "10", "5", "3", "2", "50.00%",
    ]  # fmt: skip
    headers = [c["header"] for c in table["columns"]]
    totals = dict(zip(headers, table["totals"], strict=True))
    # The rate of the sums (37 / 50), not the sum of the rates.
    assert (totals["应出勤人次"], totals["实出勤人次"], totals["出勤率"]) == ("50", "37", "74.00%")
    assert table["headerGroups"][0]["label"] == "缺勤原因 (人次)"


async def test_the_returns_add_up_to_the_raw_records(http, county, returns) -> None:
    """Every figure of the county's town return equals a count of the registers and marks."""
    first, last = date(2026, 3, 1), date(2026, 3, 20)
    report = await _generate(
        http, returns, formatCode="attendance-town-return", period="2026-03", periodKind="MONTHLY"
    )
    table = report["table"]
    headers = [c["header"] for c in table["columns"]]
    totals = dict(zip(headers, table["totals"], strict=True))
    rows = _by_header(table)
    assert [r["乡镇/街道"] for r in rows] == ["东镇", "西镇"]
    in_period = ClassDay.filter(day__gte=first, day__lte=last)
    sums = (
        await in_period.annotate(e=Sum("expected"), p=Sum("present"), a=Sum("absent"))
        .first()
        .values("e", "p", "a")
    )
    marks = AttendanceMark.filter(day__gte=first, day__lte=last)
    raw = {
        "考勤登记 (班·日)": await in_period.count(),
        "应出勤人次": sums["e"],
        "实出勤人次": sums["p"],
        "缺勤人次": await marks.filter(kind__not=MarkKind.LATE).count(),
        "病假": await marks.filter(kind=MarkKind.SICK).count(),
        "事假": await marks.filter(kind=MarkKind.PERSONAL_LEAVE).count(),
        "无故缺勤": await marks.filter(kind=MarkKind.UNEXPLAINED).count(),
        "迟到人次": await marks.filter(kind=MarkKind.LATE).count(),
    }
    assert raw["缺勤人次"] == sums["a"] == raw["病假"] + raw["事假"] + raw["无故缺勤"]
    for header, value in raw.items():
        assert int(totals[header]) == value, header
        assert sum(int(r[header]) for r in rows) == value, header
    # The January register is last term's, outside the month.
    assert raw["考勤登记 (班·日)"] == 15


async def test_a_daily_return_is_that_day(http, county, returns) -> None:
    report = await _generate(
        http, returns, formatCode="attendance-register-return", period="2026-03-12",
        periodKind="DAILY",
    )  # fmt: skip
    rows = {r["学校"]: r for r in _by_header(report["table"])}
    # 12 March: 甲 (4th day) and 丙 (1st day) unexplained in class 4; 己 unexplained.
    assert [rows["东镇小学"][k] for k in ("应出勤人次", "缺勤人次", "无故缺勤")] == ["4", "2", "2"]
    assert [rows["西镇小学"][k] for k in ("应出勤人次", "缺勤人次", "无故缺勤")] == ["2", "1", "1"]


async def test_the_start_of_term_arrival_count(http, county, returns, tmp_path: Path) -> None:
    report = await _generate(
        http, returns, formatCode="term-start-arrival", period="2026-03-09",
        periodKind="TERM_START",
    )  # fmt: skip
    table = report["table"]
    rows = {r["学校"]: r for r in _by_header(table)}
    keys = ("应报到人数", "已到校人数", "未到校人数", "病假", "事假", "无故未到")
    # Everyone in class 4 came at least once; 己 never did, absent last without a reason.
    assert [rows["东镇小学"][k] for k in keys] == ["4", "4", "0", "0", "0", "0"]
    assert [rows["西镇小学"][k] for k in keys] == ["2", "1", "1", "0", "0", "1"]
    assert table["headerGroups"] == [{"label": "未到校原因", "first": 6, "span": 3}]
    # The spreadsheet: the title, the merged heading over the reasons.
    response = await http.get(report["downloads"]["xlsx"], headers=returns)
    assert response.status_code == 200
    path = tmp_path / "arrival.xlsx"
    path.write_bytes(response.content)
    from openpyxl import load_workbook

    sheet = load_workbook(path).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "开学学生报到情况统计表" in cells[0] and "未到校原因" in cells


async def test_who_did_not_come_and_why(http, county, returns) -> None:
    from core.attendance.models import AbsenceFollowUp, FollowUpOutcome

    ji = await Child.get(name="学生己")
    await AbsenceFollowUp.create(
        jurisdiction=county.jurisdiction, school=county.school_b, child=ji, day=date(2026, 3, 12),
        caller_name="王老师", outcome=FollowUpOutcome.NOT_REACHED, note="电话无人接听",
    )  # fmt: skip
    report = await _generate(
        http, returns, formatCode="term-start-absentees", period="2026-03-09",
        periodKind="TERM_START",
    )  # fmt: skip
    rows = _by_header(report["table"])
    assert [(r["学校"], r["姓名"], r["缺勤天数"], r["未到校原因"]) for r in rows] == [
        ("西镇小学", "学生己", "5", "无故缺勤 (旷课)"),
    ]
    assert rows[0]["跟踪情况"] == "2026-03-12 王老师: 未联系上监护人 (电话无人接听)"
