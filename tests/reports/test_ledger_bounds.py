"""A ledger's statements are bounded by its own rows: the place's children are chosen by
sub-selects on their own indexes, a dropout ledger reads only its own cases' facts, and only
the tables its columns need are read. Each gives the rows the unbounded reading gives."""

from __future__ import annotations

from datetime import date

import pytest
from tortoise.expressions import Q

from core.access.caller import Caller
from core.access.scope import scoped
from core.enrolment.models import Enrolment, EnrolmentStatus
from core.jurisdictions.models import Jurisdiction, SchoolGroup, Town
from core.people.enums import KeyGroup, MigrationStatus, PovertyStatus
from core.people.models import Child, ChildKeyGroup
from core.plugins import get_registry, rules_for
from core.querysets import ids_of
from core.reports import ledgers
from core.reports.enums import PlaceKind
from core.rules.enums import RowKind, RowSelection
from core.schools.models import School

pytestmark = pytest.mark.asyncio
LIPU = "450381"
START, AS_OF = date(2026, 9, 1), date(2026, 11, 20)


async def _county():
    from core.demo.generator import generate_demo

    spec = {s.division_code: s for s in get_registry().jurisdictions()}[LIPU]
    await generate_demo(spec, students=150, seed=5)
    county = await Jurisdiction.get(division_code=LIPU)
    town = await Town.filter(jurisdiction=county).order_by("name").first()
    school = await School.filter(jurisdiction=county).order_by("name").first()
    group = await SchoolGroup.filter(jurisdiction=county).order_by("name").first()
    places = [
        ledgers.Place(PlaceKind.COUNTY, county.id, county.name),
        ledgers.Place(PlaceKind.TOWN, county.id, town.name, town.id),
        ledgers.Place(PlaceKind.SCHOOL, county.id, school.name, school.id),
    ]
    if group is not None:
        places.append(ledgers.Place(PlaceKind.SCHOOL_GROUP, county.id, group.name, group.id))
    return places


async def _joined_child_ids(place, selection) -> list:
    """The place's children as the ledgers chose them before: joins from every child."""
    qs = scoped(Child, Caller.system()).filter(
        jurisdiction_id=place.jurisdiction_id, birth_date__lte=AS_OF
    )
    if place.kind is not PlaceKind.COUNTY:
        enrolled = Enrolment.filter(place.school_q("school"), is_current=True)
        condition = Q(id__in=ids_of(enrolled, "child_id"))
        if place.kind is PlaceKind.TOWN:
            condition |= Q(household__village__town_id=place.id)
        qs = qs.filter(condition)
    if selection is RowSelection.KEY_GROUPS:
        qs = qs.filter(id__in=ids_of(ChildKeyGroup.all(), "child_id"))
    elif selection is RowSelection.POVERTY_LIFTED:
        qs = qs.filter(household__poverty_status=PovertyStatus.LIFTED_OUT)
    elif selection is RowSelection.MOVED_AWAY:
        moved = ids_of(ChildKeyGroup.filter(group=KeyGroup.MOVED_AWAY), "child_id")
        qs = qs.filter(
            Q(id__in=moved) | Q(household__migration_status=MigrationStatus.WHOLE_FAMILY_AWAY)
        )
    ids = list(dict.fromkeys(await qs.order_by("name", "id").values_list("id", flat=True)))
    if selection is RowSelection.ALL:
        return ids
    return [i for i in ids if i in await _of_school_age()]


async def _of_school_age() -> set:
    """Children of 荔浦's compulsory-school age in the school year of AS_OF, counted in Python:
    grade g's cohort is born 1 Sep of 2026 − g − 6 to 31 Aug of 2026 − g − 5 (grades 1–9), or
    on a current roll of grades 1–9 (an over-age pupil)."""
    kept = set()
    for child_id, born in await Child.all().values_list("id", "birth_date"):
        if any(date(2026 - g - 6, 9, 1) <= born <= date(2026 - g - 5, 8, 31) for g in range(1, 10)):
            kept.add(child_id)
    on_roll = Enrolment.filter(is_current=True, status=EnrolmentStatus.ENROLLED, grade__lte=9)
    kept.update(await on_roll.values_list("child_id", flat=True))
    return kept


async def test_the_places_children_by_sub_selects_are_those_of_the_joins(db) -> None:
    places = await _county()
    seen = 0
    for place in places:
        for selection in (
            RowSelection.ALL,
            RowSelection.KEY_GROUPS,
            RowSelection.POVERTY_LIFTED,
            RowSelection.MOVED_AWAY,
        ):
            ids, within, facts = await ledgers._place_children_facts(
                Caller.system(), place, AS_OF, selection, rules_for(LIPU), None
            )
            joined = await _joined_child_ids(place, selection)
            assert [str(i) for i in ids] == [str(i) for i in joined], (place.kind, selection)
            in_sub_select = await Child.filter(id__in=within).values_list("id", flat=True)
            assert sorted(map(str, in_sub_select)) == sorted(map(str, joined))
            # the facts read with the ids are those read by id afterwards
            assert facts == await ledgers._children(ids, AS_OF, within), (place.kind, selection)
            seen += len(ids)
    assert seen > 100


async def test_a_groups_ledger_lists_its_children_of_school_age_only(db) -> None:
    """The 公示 of 脱贫户 pupils, the care ledger of 重点群体: a group's infants and grown children
    are not its pupils (the demo's 脱贫户 have both)."""
    county = (await _county())[0]
    lifted = await Child.filter(household__poverty_status=PovertyStatus.LIFTED_OUT).values_list(
        "id", flat=True
    )
    ids, _, _ = await ledgers._place_children_facts(
        Caller.system(), county, AS_OF, RowSelection.POVERTY_LIFTED, rules_for(LIPU), None
    )
    of_age = await _of_school_age()
    assert set(map(str, ids)) == {str(i) for i in lifted if i in of_age}
    assert 0 < len(ids) < len(lifted)


async def test_dropout_ledgers_read_their_own_cases_and_give_the_filtered_rows(db) -> None:
    places = await _county()
    rules = rules_for(LIPU)
    kept = 0
    for place in places[:2]:
        every = await ledgers.case_rows(
            Caller.system(), place, start=START, as_of=AS_OF, rules=rules
        )
        for selection in (RowSelection.SUSPECTED, RowSelection.CONFIRMED):
            rows = await ledgers.case_rows(
                Caller.system(), place, start=START, as_of=AS_OF, rules=rules, selection=selection
            )
            expected = [r for r in every if ledgers._selected(r, selection)]
            assert len(rows) == len(expected), selection
            for got, want in zip(rows, expected, strict=True):
                differ = {k: (got.get(k), want.get(k)) for k in got.keys() | want.keys()}
                assert got == want, {k: v for k, v in differ.items() if v[0] != v[1]}
            kept += len(rows)
    assert kept > 0


async def test_a_ledger_reads_what_its_columns_need_and_the_same_values(db) -> None:
    places = await _county()
    rules = rules_for(LIPU)
    checked = 0
    for fmt in rules.report_formats:
        if fmt.row_kind.is_aggregate:
            continue
        source = ledgers.child_rows if fmt.row_kind is RowKind.CHILD else ledgers.case_rows
        wanted = frozenset(c.source for c in fmt.columns)
        for place in places[:2]:
            args = dict(start=START, as_of=AS_OF, rules=rules, selection=fmt.selection)
            every = await source(Caller.system(), place, **args)
            narrow = await source(Caller.system(), place, **args, fields=wanted)
            assert [{k: r.get(k) for k in wanted} for r in narrow] == [
                {k: r.get(k) for k in wanted} for r in every
            ], fmt.code
            checked += len(narrow)
    assert checked > 100
