"""Every formula on the hand-computed tiny county (tests/metrics/tiny_county.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from core.access.caller import Caller
from core.metrics import (
    AccountingState,
    Breakdown,
    IndicatorCode,
    Options,
    PlaceKind,
    TargetStatus,
    evaluate,
    evaluate_targets,
    indicator,
    service,
)
from core.people.models import Child
from core.rules import Clause, Comparison, Metric, Population, Target, TargetPeriod
from tests.api.statements import count_statements
from tests.metrics.tiny_county import AS_OF, build, names

pytestmark = pytest.mark.asyncio
S = AccountingState
NOW = datetime(2026, 11, 21, 4, 0, tzinfo=UTC)


async def _frame(t, day=AS_OF, kind=PlaceKind.COUNTY, place_id=None):
    place = await service.resolve_place(
        Caller.system(), jurisdiction_code="369901", kind=kind, place_id=place_id
    )
    return service.frame_for(place, day, NOW)


def _by_code(values):
    return {v.indicator.code: v for v in values}


async def test_accounting_states_add_up_to_the_registry(db):
    t = await build()
    acc = await service.accounting(await _frame(t))
    # A, B, C, D, E, F, G, H, I, L, M: J is under six, K finished long ago.
    assert acc.registry == 11
    counts = {s.state: s.children for s in acc.states if s.children}
    assert counts == {
        S.IN_SCHOOL_REGULAR: 3,  # A, D, M
        S.IN_SCHOOL_INCLUSIVE: 1,  # L
        S.STUDYING_ELSEWHERE: 1,  # C (转出 with the receiving school named)
        S.DECEASED: 1,  # E
        S.CONFIRMED_OUT: 2,  # B (学籍 辍学), F (case confirmed 11-15)
        S.MOVED_AWAY: 1,  # G
        S.UNACCOUNTED: 1,  # H
        S.EXEMPTED_OR_DEFERRED: 1,  # I (休学)
    }
    assert acc.unaccounted == 1


async def test_every_formula_by_hand(db):
    t = await build()
    v = _by_code(await evaluate(await _frame(t)))
    # 入学率: in school A D M L + elsewhere C = 5 ÷ (11 − E dead − G moved away) = 9.
    assert (
        v[IndicatorCode.ENROLMENT_RATE].numerator,
        v[IndicatorCode.ENROLMENT_RATE].denominator,
    ) == (5, 9)
    assert v[IndicatorCode.ENROLMENT_RATE].value == Decimal("55.56")
    # 巩固率: cohort A B C D E (grade-9 age), ever enrolled 5, − C transferred − E dead = 3;
    # in school A D = 2.
    c = v[IndicatorCode.CONSOLIDATION_RATE]
    assert (c.numerator, c.denominator, c.value) == (2, 3, Decimal("66.67"))
    # 失学辍学: B and F; rate 2 ÷ 9.
    assert v[IndicatorCode.DROPOUT_COUNT].numerator == 2
    assert v[IndicatorCode.DROPOUT_RATE].value == Decimal("22.22")
    # 流失: on a roll once and now out (B, F); H never had a roll.
    assert v[IndicatorCode.OUTFLOW_COUNT].numerator == 2
    # 资助: L and M in school and in hardship; L assisted this school year.
    a = v[IndicatorCode.ASSISTANCE_COVERAGE]
    assert (a.numerator, a.denominator) == (1, 2)
    # 家访: L and M in key groups; L visited on 10-05.
    h = v[IndicatorCode.HOME_VISIT_COVERAGE]
    assert (h.numerator, h.denominator) == (1, 2)
    assert v[IndicatorCode.UNACCOUNTED_COUNT].numerator == 1
    assert v[IndicatorCode.SUSPECTED_COUNT].numerator == 0


async def test_as_of_an_earlier_day_reads_the_histories(db):
    t = await build()
    # 2026-11-01: F's case is under verification (confirmed only on 11-15); B dropped out.
    acc = await service.accounting(await _frame(t, date(2026, 11, 1)))
    assert acc.count(S.UNDER_VERIFICATION) == 1
    assert acc.count(S.CONFIRMED_OUT) == 1
    # 2026-09-15: B still in school, I not yet suspended, F's case not yet reported.
    acc = await service.accounting(await _frame(t, date(2026, 9, 15)))
    assert acc.count(S.CONFIRMED_OUT) == 0
    assert acc.count(S.IN_SCHOOL_REGULAR) == 6  # A D M B I F
    assert acc.registry == 11


async def test_excluded_reasons_are_counted_beside(db):
    t = await build()
    frame = await _frame(t)
    [dropouts] = await evaluate(
        frame, [indicator(Metric.DROPOUT_COUNT)], options=Options(excluding_reasons=("ILLNESS",))
    )
    assert (dropouts.numerator, dropouts.excepted) == (1, 1)  # B counts; F (ILLNESS) excepted


async def test_breakdowns_by_stage_and_town_and_key_group(db):
    t = await build()
    frame = await _frame(t)
    [*stages] = await evaluate(
        frame, [indicator(IndicatorCode.DROPOUT_COUNT)], breakdown=Breakdown.STAGE
    )
    # F (grade 3 age) is a primary dropout; B (grade 9 age) a junior one.
    assert {v.bucket: v.numerator for v in stages} == {"JUNIOR_MIDDLE": 1, "PRIMARY": 1}
    towns = await evaluate(
        frame, [indicator(IndicatorCode.UNACCOUNTED_COUNT)], breakdown=Breakdown.TOWN
    )
    assert {v.bucket: v.numerator for v in towns} == {str(t.town.id): 1, str(t.other_town.id): 0}
    groups = await evaluate(
        frame, [indicator(IndicatorCode.ASSISTANCE_COVERAGE)], breakdown=Breakdown.KEY_GROUP
    )
    got = {v.bucket: (v.numerator, v.denominator) for v in groups}
    assert got == {"FINANCIAL_HARDSHIP": (1, 2), "POVERTY_LIFTED": (0, 1)}


async def test_breakdown_by_key_area_counts_each_child_once_per_kind(db):
    from core.jurisdictions.models import KeyArea, KeyAreaKind

    t = await build()
    village = await t.town.villages.all().first()
    # 东村 is 农村 twice over: by itself and as part of 东镇 (a whole town marked): a child of
    # 东村 still counts once for 农村. 西镇 (G's household) is 边远.
    await KeyArea.create(jurisdiction=t.county, village=village, kind=KeyAreaKind.RURAL)
    await KeyArea.create(jurisdiction=t.county, town=t.town, kind=KeyAreaKind.RURAL)
    await KeyArea.create(jurisdiction=t.county, town=t.other_town, kind=KeyAreaKind.REMOTE)
    frame = await _frame(t)
    codes = [IndicatorCode.DROPOUT_COUNT, IndicatorCode.UNACCOUNTED_COUNT]
    values = await evaluate(frame, [indicator(c) for c in codes], breakdown=Breakdown.KEY_AREA)
    got = {(v.indicator.code, v.bucket): v.numerator for v in values}
    # B and F (dropouts) and H (unaccounted) live in 东村; G in 西村 is neither.
    assert got == {
        (IndicatorCode.DROPOUT_COUNT, "RURAL"): 2,
        (IndicatorCode.DROPOUT_COUNT, "REMOTE"): 0,
        (IndicatorCode.UNACCOUNTED_COUNT, "RURAL"): 1,
        (IndicatorCode.UNACCOUNTED_COUNT, "REMOTE"): 0,
    }
    rates = await evaluate(
        frame, [indicator(IndicatorCode.ENROLMENT_RATE)], breakdown=Breakdown.KEY_AREA
    )
    # 农村: the registry's 11 less G (西村) = 10, less E (dead) = 9; in school A D L M and C
    # elsewhere = 5. 边远: G alone, moved away with the family, so 0 ÷ 0.
    assert {v.bucket: (v.numerator, v.denominator) for v in rates} == {
        "RURAL": (5, 9),
        "REMOTE": (0, 0),
    }


async def test_places_town_and_school(db):
    t = await build()
    town = await service.accounting(await _frame(t, kind=PlaceKind.TOWN, place_id=t.other_town.id))
    assert town.registry == 1 and town.count(S.MOVED_AWAY) == 1  # G's household is in 西村
    school = await service.accounting(await _frame(t, kind=PlaceKind.SCHOOL, place_id=t.school.id))
    # Last roll at 东镇学校: A B C E F I L.
    assert school.registry == 7


def _target(metric, comparison, threshold, **kw):
    return Target(
        metric=metric,
        comparison=comparison,
        threshold=Decimal(threshold),
        clause=Clause(document="测试", section="一"),
        **kw,
    )


async def test_targets_with_their_gap_in_children(db):
    t = await build()
    frame = await _frame(t)
    targets = (
        _target(Metric.CONSOLIDATION_RATE, Comparison.AT_LEAST, "97.3"),
        _target(Metric.DROPOUT_COUNT, Comparison.EQUAL, "0", period=TargetPeriod.ONGOING),
        _target(
            Metric.DROPOUT_COUNT,
            Comparison.EQUAL,
            "0",
            population=Population.POVERTY_LIFTED,
            excluding_reasons=("ILLNESS",),
        ),
        _target(Metric.DROPOUT_COUNT, Comparison.EQUAL, "0", excluding_reasons=("ILLNESS",)),
    )
    evaluations, _ = await evaluate_targets(frame, targets)
    consolidation, zero, poor, except_illness = evaluations
    # 2 ÷ 3: one more child in school gives 3 ÷ 3 ≥ 97.3 %; ceil((97.3×3 − 200) ÷ 100) = 1.
    assert consolidation.gap == 1
    assert consolidation.status is TargetStatus.AT_RISK  # the school year runs to 2027-08-31
    assert "差 1 人" in consolidation.summary
    assert (zero.gap, zero.status) == (2, TargetStatus.MISSED)  # ONGOING: judged now
    assert (poor.value.numerator, poor.status) == (0, TargetStatus.MET)  # M is in school
    assert (except_illness.gap, except_illness.value.excepted) == (1, 1)
    # the exception is named, as the county names the reason (荔浦: 身体原因)
    assert except_illness.excepted_labels == ("身体原因 (疾病)",)
    assert "(另有 1 人因身体原因 (疾病)除外)" in except_illness.summary
    # The children behind the gaps.
    caller = Caller.system()
    gap = service.child_list(caller, frame, service.target_condition(consolidation))
    assert names(await Child.filter(id__in=await gap.page(0, 10))) == ["B"]
    zero_list = service.child_list(caller, frame, service.target_condition(zero))
    assert await zero_list.count() == 2
    assert names(await Child.filter(id__in=await zero_list.page(0, 10))) == ["B", "F"]
    assert len(await zero_list.page(1, 10)) == 1


async def test_state_children_lists(db):
    t = await build()
    frame = await _frame(t)
    listed = service.child_list(Caller.system(), frame, service.state_condition((S.UNACCOUNTED,)))
    assert names(await Child.filter(id__in=await listed.page(0, 50))) == ["H"]


async def test_no_future_dates(db):
    t = await build()
    place = await service.resolve_place(Caller.system(), jurisdiction_code="369901")
    from core.errors import DomainError

    with pytest.raises(DomainError) as raised:
        service.frame_for(place, date(2026, 12, 31), NOW)
    assert raised.value.field == "asOf"
    assert t.county.division_code == "369901"


async def test_a_page_gives_the_count_of_all_its_children(db):
    """A page carries the count of every child of the list (one statement for a connection's
    page and its totalCount), from any offset, and a page past the end does not set it."""
    t = await build()
    frame = await _frame(t)
    caller = Caller.system()
    condition = service.state_condition(tuple(S))
    with count_statements() as counted:
        fresh = await service.child_list(caller, frame, condition).count()
    assert fresh > 2 and len(counted) >= 1
    from_second = service.child_list(caller, frame, condition)
    assert len(await from_second.page(1, 1)) == 1
    with count_statements() as seen:
        assert await from_second.count() == fresh
    assert len(seen) == 0
    past_end = service.child_list(caller, frame, condition)
    assert await past_end.page(fresh + 5, 10) == []
    assert await past_end.count() == fresh
    empty = service.child_list(caller, frame, service.state_condition(()))
    assert await empty.page(0, 10) == []
    assert await empty.count() == 0
