"""A simulated stretch of term: the head teacher records each day over HTTP, the daily check
runs in the evening, and the children the county's rules should catch are caught on the right
day, once; 绥宁's first month of term catches earlier than the default; a relapse reopens."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import httpx

from core.access.enums import Role
from core.attendance.models import AttendanceAlert
from core.attendance.rules import check_county
from core.cases.models import Case, CaseEvent
from core.china_time import at_local
from tests.cases.conftest import Clock, County, Workflow, make_county

from .conftest import RECORD


def _days(first: date, last: date) -> list[date]:
    """Weekdays from ``first`` to ``last`` (the core calendar's school days in March 2026)."""
    out = []
    while first <= last:
        if first.weekday() < 5:
            out.append(first)
        first += timedelta(days=1)
    return out


class Term:
    """Drives the simulation: records a day as the head teacher, then runs the evening check."""

    def __init__(self, http: httpx.AsyncClient, county: County, clock: Clock) -> None:
        self.county = county
        self.clock = clock
        self.teacher = Workflow(http, county, Role.HEAD_TEACHER)
        #: Day → the children (by index) caught that day.
        self.caught: dict[date, set[int]] = {}

    async def day(self, day: date, marks: dict[int, str]) -> set[int]:
        self.clock.now = at_local(day, time(9, 0))
        body = await self.teacher.query(
            RECORD,
            {
                "input": {
                    "classId": self.county.gid("SchoolClass", self.county.class_4),
                    "date": day.isoformat(),
                    "marks": [
                        {"childId": self.county.gid("Child", self.county.children[i]), "kind": k}
                        for i, k in marks.items()
                    ],
                }
            },
        )
        assert body["data"]["recordClassAttendance"]["errors"] == [], body
        result = await check_county(self.county.jurisdiction, day, at_local(day, time(20, 0)))
        ids = {c.id: i for i, c in enumerate(self.county.children)}
        caught = {ids[a.child_id] for a in [*result.opened, *result.reopened]}
        self.caught[day] = caught
        return caught

    def days_caught(self) -> dict[int, list[date]]:
        out: dict[int, list[date]] = {}
        for day, children in sorted(self.caught.items()):
            for child in children:
                out.setdefault(child, []).append(day)
        return out


#: Each child's marks by day in the first two weeks of the spring term 2026 (2 March is a
#: Monday): 0 stays away from the first day, 1 misses every other day, 2 is ill all week, 3
#: misses two days and comes back, 4 is always late.
PATTERN: dict[int, dict[date, str]] = {
    0: {d: "UNEXPLAINED" for d in _days(date(2026, 3, 2), date(2026, 3, 13))},
    1: {d: "UNEXPLAINED" for d in (date(2026, 3, n) for n in (2, 4, 6, 10, 12))},
    2: {d: "SICK" for d in _days(date(2026, 3, 2), date(2026, 3, 6))},
    3: {
        date(2026, 3, 2): "UNEXPLAINED",
        date(2026, 3, 3): "UNEXPLAINED",
        date(2026, 3, 9): "UNEXPLAINED",
    },
    4: {d: "LATE" for d in _days(date(2026, 3, 2), date(2026, 3, 13))},
}


def _marks_on(day: date, pattern: dict[int, dict[date, str]] = PATTERN) -> dict[int, str]:
    return {child: days[day] for child, days in pattern.items() if day in days}


async def test_the_default_rules_catch_the_right_children_on_the_right_day(http, db, clock) -> None:
    county = await make_county(children=8)  # 荔浦: its plugin sets no absence rule
    term = Term(http, county, clock)
    for day in _days(date(2026, 3, 2), date(2026, 3, 13)):
        await term.day(day, _marks_on(day))
    # 0: three consecutive unexplained school days on Wednesday 4 March; 1: the fifth
    # unexplained day of March on Thursday 12 March. Nobody else, and nobody twice.
    assert term.days_caught() == {0: [date(2026, 3, 4)], 1: [date(2026, 3, 12)]}

    alerts = {a.child_id: a for a in await AttendanceAlert.all()}
    first = alerts[county.children[0].id]
    assert (first.rule_code, first.absences) == ("consecutive-unexplained", 3)
    assert [e["day"] for e in first.evidence] == ["2026-03-02", "2026-03-03", "2026-03-04"]
    second = alerts[county.children[1].id]
    assert (second.rule_code, second.absences) == ("monthly-unexplained", 5)
    cases = await Case.filter(source="ATTENDANCE_RULE").order_by("opened_at")
    assert [c.child_id for c in cases] == [county.children[0].id, county.children[1].id]
    assert {c.id for c in cases} == {a.case_id for a in alerts.values()}

    # a re-run of a day opens nothing more
    again = await check_county(county.jurisdiction, date(2026, 3, 12), datetime.now(UTC))
    assert again.opened == again.reopened == []
    assert await Case.filter(source="ATTENDANCE_RULE").count() == 2

    # the head teacher sees both cases in the case list, with the absences on the timeline
    body = await term.teacher.query(
        """{ cases(filter: {sources: [ATTENDANCE_RULE]}) { totalCount edges { node {
            state events { kind details } } } } }"""
    )
    assert "errors" not in body, body
    listed = body["data"]["cases"]
    assert listed["totalCount"] == 2
    report = listed["edges"][0]["node"]["events"][0]
    assert report["kind"] == "REPORT" and "无故缺勤" in str(report["details"])


async def test_suining_first_month_of_term_catches_earlier(http, db, clock) -> None:
    default = await make_county(children=4)
    suining = await make_county(code="430527", name="绥宁县", children=4)
    pattern: dict[int, dict[date, str]] = {
        0: {date(2026, 3, 2): "UNEXPLAINED", date(2026, 3, 3): "UNEXPLAINED"},
        1: {date(2026, 4, 1): "UNEXPLAINED", date(2026, 4, 2): "UNEXPLAINED"},
    }
    runs = {}
    for county in (default, suining):
        term = Term(http, county, clock)
        for day in (
            date(2026, 3, 2),
            date(2026, 3, 3),
            date(2026, 3, 4),
            date(2026, 4, 1),
            date(2026, 4, 2),
        ):
            await term.day(day, _marks_on(day, pattern))
        runs[county.jurisdiction.division_code] = term.days_caught()
    # Two unexplained days in the first month of term are enough in 绥宁 (二、(三) key period,
    # 30 days from 1 March); the same two days in April, after it, are not; the default county
    # waits for a third.
    assert runs == {"450381": {}, "430527": {0: [date(2026, 3, 3)]}}
    alert = await AttendanceAlert.get(child_id=suining.children[0].id)
    assert (alert.rule_code, alert.key_period) == (
        "term-start-consecutive",
        "term-start-first-month",
    )


async def test_a_relapse_reopens_the_same_case(http, db, clock) -> None:
    county = await make_county(children=4)
    term = Term(http, county, clock)
    for day in _days(date(2026, 3, 2), date(2026, 3, 4)):
        await term.day(day, {0: "UNEXPLAINED"})
    case = await Case.get(child_id=county.children[0].id)
    cid = county.gid("Case", case)

    # the school verifies, confirms, brings the child back and follows up: 保学跟踪
    bureau = Workflow(term.teacher.http, county)
    clock.now = at_local(date(2026, 3, 5), time(10, 0))
    bureau.versions[cid] = case.version
    await bureau.ok("verifyCase", cid)
    await bureau.ok("confirmCase", cid, findings="在家")
    await bureau.ok("recordReturn", cid, schoolClassId=county.gid("SchoolClass", county.class_4))
    await bureau.ok("recordFollowUp", cid, attending=True)
    assert (await Case.get(id=case.id)).state == "MONITORING"

    caught = {}
    for day in _days(date(2026, 3, 5), date(2026, 3, 11)):
        absent = {0: "UNEXPLAINED"} if day >= date(2026, 3, 9) else {}
        caught[day] = await term.day(day, absent)
    # the three days before the return do not count again; three new ones do, on 11 March
    assert {d for d, c in caught.items() if c} == {date(2026, 3, 11)}
    after = await Case.get(id=case.id)
    assert after.state == "REPORTED" and after.open_key is not None
    assert await Case.filter(child_id=county.children[0].id).count() == 1  # not a new case
    kinds = (
        await CaseEvent.filter(case_id=case.id)
        .order_by("occurred_at")
        .values_list("kind", flat=True)
    )
    assert kinds[-1] == "REOPEN" and "RETURN" in kinds and kinds[0] == "REPORT"
    reopen = await CaseEvent.filter(case_id=case.id, kind="REOPEN").get()
    assert reopen.details["source"] == "ATTENDANCE_RULE"
    assert reopen.details["previousState"] == "MONITORING"
    alerts = await AttendanceAlert.filter(child_id=county.children[0].id).order_by("day")
    assert [(a.day, a.reopened, a.case_id) for a in alerts] == [
        (date(2026, 3, 4), False, case.id),
        (date(2026, 3, 11), True, case.id),
    ]
