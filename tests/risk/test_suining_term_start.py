"""绥宁's 开学工作统计报表 (plugins/suining, 二、(二)2) counts who was expected, who came and who
did not and why from the class registers (the start-of-term arrival count), and the 去向 of
those who did not come from the cases opened at the school: the same county as the other
return tests, as 绥宁县, generated over GraphQL by the county bureau."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.cases.enums import CaseKind, CaseSource, CaseState
from core.cases.models import Case
from core.people.models import Child

from .conftest import make_risk_county
from .test_attendance_returns import _by_header, _class_5_registers, _generate

SUINING = "430527"


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
    keys = (
        "本学期应到人数", "实到人数", "未按时到校人数", "病假", "事假", "无故未到",
        "其中转学人数", "其中疑似辍学人数",
    )  # fmt: skip
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
