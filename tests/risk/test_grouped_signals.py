"""The grouped risk signals (one query per signal, joined on the child's id) against a
straightforward per-child computation, child by child, on the risk county with a few more
children at the edges: an enrolment begun mid-term, a transfer inside a school year, a child
not in school, marks of a child outside the list's class."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from core.access.caller import Caller
from core.attendance.models import ABSENCE_KINDS, AttendanceMark, ClassDay, MarkKind
from core.cases.enums import CaseKind, CaseSource, CaseState
from core.cases.models import Case
from core.enrolment.models import Enrolment, EnrolmentStatus
from core.people.enums import KeyGroup
from core.people.models import Child, ChildKeyGroup, Household
from core.plugins import rules_for
from core.reports.periods import term_of
from core.risk.evaluation import Assessment, evaluate
from core.risk.services import RiskFilter, assess, children_at_risk
from core.rules.enums import RiskLevel, RiskSignal
from tests.risk.conftest import CODE, SCHOOL_DAYS, RiskCounty, _child

TODAY = date(2026, 3, 20)


def _school_year(day: date) -> int:
    return day.year if day.month >= 9 else day.year - 1


async def _by_hand(child: Child) -> Assessment:
    """The child's assessment from the records, one rule at a time, in Python."""
    county_rules = rules_for(CODE)
    rules = county_rules.risk_rules
    start = term_of(TODAY, county_rules.term_calendar)[0]
    marks = AttendanceMark.filter(child_id=child.id, day__gte=start, day__lte=TODAY)
    enrolments = await Enrolment.filter(child_id=child.id)
    values: dict[str, Decimal | int | None] = {}
    for rule in rules.rules:
        if rule.signal is RiskSignal.UNEXPLAINED_ABSENCES:
            values[rule.code] = await marks.filter(kind=MarkKind.UNEXPLAINED).count()
        elif rule.signal is RiskSignal.ATTENDANCE_RATE:
            recorded = 0
            for e in enrolments:
                if e.is_current and e.school_class_id is not None:
                    recorded += await ClassDay.filter(
                        school_class_id=e.school_class_id,
                        day__gte=max(start, e.started_on),
                        day__lte=TODAY,
                    ).count()
            absent = await marks.filter(kind__in=list(ABSENCE_KINDS)).count()
            present = max(recorded - absent, 0)
            values[rule.code] = Decimal(present * 100) / recorded if recorded else None
        elif rule.signal is RiskSignal.KEY_GROUPS:
            values[rule.code] = await ChildKeyGroup.filter(
                child_id=child.id, ended_on__isnull=True, group__in=list(rule.key_groups)
            ).count()
        elif rule.signal is RiskSignal.PAST_CASES:
            values[rule.code] = await Case.filter(
                child_id=child.id,
                kind__in=[CaseKind.DROPOUT, CaseKind.NEVER_ENROLLED],
                state__in=[CaseState.RETURNED, CaseState.MONITORING, CaseState.CLOSED],
            ).count()
        elif rule.signal is RiskSignal.REPEATED_GRADES:
            pairs = {(_school_year(e.started_on), e.grade) for e in enrolments}
            values[rule.code] = len(pairs) - len({e.grade for e in enrolments})
        elif rule.signal is RiskSignal.AGE_OVER_GRADE:
            current = [
                e for e in enrolments if e.is_current and e.status is EnrolmentStatus.ENROLLED
            ]
            born = child.birth_date
            entry = born.year + 6 + (1 if born.month >= 9 else 0)
            values[rule.code] = (
                _school_year(TODAY) - entry + 1 - current[0].grade if current else None
            )
    return evaluate(rules, values)


async def _more_children(county: RiskCounty) -> None:
    j = county.jurisdiction
    home = await Household.create(jurisdiction=j, head_name="户主二")
    # 己 joined class 4 on 16 March: 5 of the 10 registers are hers, 2 unexplained absences.
    ji = await _child(j, home, "学生己", date(2016, 5, 1), 21)
    await Enrolment.create(
        child=ji, school=county.school_a, school_class=county.class_4, grade=4,
        status=EnrolmentStatus.ENROLLED, started_on=date(2026, 3, 16),
    )  # fmt: skip
    for day in SCHOOL_DAYS[5:7]:
        register = await ClassDay.get(school_class_id=county.class_4.id, day=day)
        await AttendanceMark.create(
            class_day=register, jurisdiction=j, school=county.school_a, child=ji, day=day,
            kind=MarkKind.UNEXPLAINED,
        )  # fmt: skip
    # 庚 moved school inside the 2024 school year in grade 3 (no repeat), now grade 4 in class 4.
    geng = await _child(j, home, "学生庚", date(2014, 10, 2), 23)
    for started, ended, current in (
        (date(2024, 9, 1), date(2025, 1, 10), False),
        (date(2025, 2, 20), date(2025, 7, 10), False),
    ):
        await Enrolment.create(
            child=geng, school=county.school_b, grade=3, status=EnrolmentStatus.GRADUATED,
            started_on=started, ended_on=ended, is_current=current,
        )  # fmt: skip
    await Enrolment.create(
        child=geng, school=county.school_a, school_class=county.class_4, grade=4,
        status=EnrolmentStatus.ENROLLED, started_on=date(2025, 9, 1),
    )  # fmt: skip
    # 辛 is in no school: 留守, a case that came back (RETURNED) and one still being worked on.
    xin = await _child(j, home, "学生辛", date(2012, 2, 3), 25)
    await ChildKeyGroup.create(child=xin, group=KeyGroup.LEFT_BEHIND)
    for state in (CaseState.RETURNED, CaseState.PERSUADING):
        await Case.create(
            jurisdiction=j, child=xin, kind=CaseKind.DROPOUT, state=state,
            source=CaseSource.HEAD_TEACHER_REPORT, opened_at=datetime(2025, 10, 1, tzinfo=UTC),
        )  # fmt: skip


async def test_the_grouped_signals_equal_a_per_child_computation(county: RiskCounty) -> None:
    await _more_children(county)
    children = await Child.filter(jurisdiction_id=county.jurisdiction.id).order_by("name")
    assert len(children) == 8
    expected = {str(c.id): await _by_hand(c) for c in children}
    # The explanations of every child, computed together.
    assert await assess([(c.id, CODE) for c in children], TODAY) == expected
    # The list of every level, in the whole county and narrowed to class 4 (the signals then
    # measured for that class only): the same scores, highest first, then name and id.
    every = tuple(RiskLevel)
    for flt in (
        RiskFilter(levels=every, jurisdiction_code=CODE),
        RiskFilter(levels=every, jurisdiction_code=CODE, school_class_id=county.class_4.id),
    ):
        qs, _ = await children_at_risk(Caller.system(), flt, TODAY)
        rows = await qs.values_list("id", "name", "risk_score")
        ids = {str(c.id) for c in children}
        if flt.school_class_id:
            ids = {
                str(e.child_id) for e in await Enrolment.filter(school_class_id=flt.school_class_id)
            }
        want = sorted(
            ((expected[i].score, c.name, i) for c in children if (i := str(c.id)) in ids),
            key=lambda t: (-t[0], t[1], t[2]),
        )
        assert [(s, n, str(i)) for i, n, s in rows] == want
        assert await qs.count() == len(want)
    scores = {c.name: expected[str(c.id)].score for c in children}
    # The edge children are really scored: 己 60 % (3 of 5 registers), 辛 a key group and a
    # past case (not in school: no age over grade), 庚 no repeat for a move inside a year.
    assert (scores["学生己"], scores["学生辛"], scores["学生庚"]) == (2, 3, 0)
