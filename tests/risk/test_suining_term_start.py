"""绥宁's 开学工作统计报表 (plugins/suining, 二、(二)2) counts who was expected, who came and who
did not and why from the class registers (the start-of-term arrival count), and the 去向 of
those who did not come (转学 or 疑似辍学) from their own dropout cases: the same county as the
other return tests, as 绥宁县, generated over GraphQL by the county bureau."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.attendance.models import AttendanceMark, ClassDay, MarkKind
from core.cases.enums import CaseKind, CaseSource, CaseState
from core.cases.models import Case
from core.people.models import Child

from .conftest import make_risk_county
from .test_attendance_returns import (
    _by_header,
    _class_5_registers,
    _generate,
    pupil_of_class_5,
)

SUINING = "430527"
KEYS = (
    "本学期应到人数", "实到人数", "未按时到校人数", "病假", "事假", "无故未到",
    "其中转学人数", "其中疑似辍学人数",
)  # fmt: skip


async def _case(county, child: Child, state: CaseState, opened: datetime, **extra) -> Case:
    return await Case.create(
        jurisdiction=county.jurisdiction, child=child, school=county.school_b,
        kind=CaseKind.DROPOUT, state=state, source=CaseSource.HEAD_TEACHER_REPORT,
        reason="UNKNOWN", opened_at=opened, open_key=f"{child.id}:DROPOUT", version=1,
        escalation_level=0, **extra,
    )  # fmt: skip


@pytest.fixture
async def county(db):
    return await make_risk_county(SUINING, "绥宁县")


async def test_the_term_start_statistics_count_the_arrivals(http, county, sign_in) -> None:
    await _class_5_registers(county)
    ji = await Child.get(name="学生己")
    # 己 never came: the head teacher's report opened a suspected-dropout case in the period
    await Case.create(
        jurisdiction=county.jurisdiction, child=ji, school=county.school_b,
        kind=CaseKind.DROPOUT, state=CaseState.REPORTED, source=CaseSource.HEAD_TEACHER_REPORT,
        reason="UNKNOWN", opened_at=datetime(2026, 3, 12, 2, 0, tzinfo=UTC),
        open_key=f"{ji.id}:DROPOUT", version=1, escalation_level=0,
    )  # fmt: skip
    headers = await sign_in("county")
    report = await _generate(
        http, headers, formatCode="term-start-statistics", period="2026-03-09",
        periodKind="TERM_START",
    )  # fmt: skip
    table = report["table"]
    rows = {r["学校"]: r for r in _by_header(table)}
    keys = KEYS
    # class 4 all came at least once; 己 of class 5 never did, absent last without a reason
    assert [rows["东镇小学"][k] for k in keys] == ["4", "4", "0", "0", "0", "0", "0", "0"]
    assert [rows["西镇小学"][k] for k in keys] == ["2", "1", "1", "0", "0", "1", "0", "1"]
    assert [g["label"] for g in table["headerGroups"]] == ["未按时到校原因", "未按时到校学生去向"]
    # the 合计 row adds the schools up, and 应到 = 实到 + 未到 in every row
    totals = dict(zip([c["header"] for c in table["columns"]], table["totals"], strict=True))
    assert [totals[k] for k in keys] == ["6", "5", "1", "0", "0", "1", "0", "1"]
    for row in [*rows.values(), totals]:
        assert int(row["本学期应到人数"]) == int(row["实到人数"]) + int(row["未按时到校人数"])
        reasons = sum(int(row[k]) for k in ("病假", "事假", "无故未到"))
        assert reasons == int(row["未按时到校人数"])


async def test_the_destinations_are_of_the_children_who_did_not_come(http, county, sign_in) -> None:
    """其中转学 / 其中疑似辍学 are the 去向 of the 未按时到校 children (掌握未按时到校学生的去向,
    确定是否转学或疑似辍学): a child who came, whatever case was opened for them in the period,
    is neither, and neither count can exceed 未按时到校 (the form's 其中)."""
    await _class_5_registers(county)
    registers = ClassDay.filter(school_class_id=county.class_5.id)
    await registers.update(expected=3, absent=2)
    xin = await pupil_of_class_5(county, "辛", date(2015, 6, 6), 23)
    for register in await registers:
        await AttendanceMark.create(
            class_day=register, jurisdiction=county.jurisdiction, school=county.school_b,
            child=xin, day=register.day, kind=MarkKind.PERSONAL_LEAVE,
        )  # fmt: skip
    march = datetime(2026, 3, 11, 2, 0, tzinfo=UTC)
    # 己 and 辛 never came: 己's case is being verified, 辛 turned out to have transferred
    await _case(county, await Child.get(name="学生己"), CaseState.VERIFYING, march)
    await _case(
        county, xin, CaseState.TRANSFERRED, march, closed_at=datetime(2026, 3, 13, 2, tzinfo=UTC)
    )
    # 丁 came (present on class 5's registers), yet a case was opened for them in the period;
    # so was one for 甲 of school A, closed as transferred: neither is a 未按时到校 child's 去向
    await _case(county, county.children["丁"], CaseState.REPORTED, march)
    await _case(county, county.children["甲"], CaseState.TRANSFERRED, march, closed_at=march)
    report = await _generate(
        http, await sign_in("county"), formatCode="term-start-statistics", period="2026-03-09",
        periodKind="TERM_START",
    )  # fmt: skip
    table = report["table"]
    rows = {r["学校"]: r for r in _by_header(table)}
    assert [rows["东镇小学"][k] for k in KEYS] == ["4", "4", "0", "0", "0", "0", "0", "0"]
    assert [rows["西镇小学"][k] for k in KEYS] == ["3", "1", "2", "0", "1", "1", "1", "1"]
    totals = dict(zip([c["header"] for c in table["columns"]], table["totals"], strict=True))
    assert [totals[k] for k in KEYS] == ["7", "5", "2", "0", "1", "1", "1", "1"]
    for row in [*rows.values(), totals]:
        destinations = int(row["其中转学人数"]) + int(row["其中疑似辍学人数"])
        assert destinations <= int(row["未按时到校人数"])
