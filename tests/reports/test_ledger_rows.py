"""A county-wide ledger reads its children's facts through one sub-select per table (on
SQLite the children's ids bound as one JSON parameter, on PostgreSQL the selection itself)
instead of 500 ids per statement: both ways give the same rows, for a county and for a town."""

from __future__ import annotations

from datetime import date

import pytest

from core.access.caller import Caller
from core.jurisdictions.models import Jurisdiction, Town
from core.plugins import get_registry, rules_for
from core.reports import ledgers
from core.reports.enums import PlaceKind
from core.rules.enums import RowSelection

pytestmark = pytest.mark.asyncio
LIPU = "450381"
AS_OF = date(2026, 11, 20)


async def _rows(place, selection, chunk, monkeypatch):
    monkeypatch.setattr(ledgers, "CHUNK", chunk)
    return await ledgers.child_rows(
        Caller.system(),
        place,
        start=date(2026, 9, 1),
        as_of=AS_OF,
        rules=rules_for(LIPU),
        selection=selection,
    )


async def test_sub_select_and_id_lists_give_the_same_rows(db, monkeypatch) -> None:
    from core.demo.generator import generate_demo

    spec = {s.division_code: s for s in get_registry().jurisdictions()}[LIPU]
    await generate_demo(spec, students=120, seed=7)
    county = await Jurisdiction.get(division_code=LIPU)
    town = await Town.filter(jurisdiction=county).order_by("name").first()
    places = [
        ledgers.Place(PlaceKind.COUNTY, county.id, county.name),
        ledgers.Place(PlaceKind.TOWN, county.id, town.name, town.id),
    ]
    for place in places:
        for selection in (RowSelection.ALL, RowSelection.KEY_GROUPS):
            # CHUNK 10**6: every id list in one statement; CHUNK 2: the sub-selects.
            by_ids = await _rows(place, selection, 10**6, monkeypatch)
            by_sub_select = await _rows(place, selection, 2, monkeypatch)
            assert len(by_ids) > 2
            assert by_sub_select == by_ids
    # the rows carry what the sub-selects fetch: guardians, schools, grants
    rows = await _rows(places[0], RowSelection.ALL, 3, monkeypatch)
    assert any(r.get("guardian.name") for r in rows)
    assert any(r.get("school.name") for r in rows)
    assert any(r.get("support.assistance") for r in rows)


async def test_a_town_s_ledger_holds_the_children_living_or_learning_in_it(db) -> None:
    """A town's 学户册: every child whose household's village lies in the town (户籍地) or
    whose current school does, and no other; derived here from the households and
    enrolments themselves, against the stored keys the ledger reads."""
    from core.demo.generator import generate_demo
    from core.enrolment.models import Enrolment
    from core.people.models import Child

    spec = {s.division_code: s for s in get_registry().jurisdictions()}[LIPU]
    await generate_demo(spec, students=150, seed=11)
    county = await Jurisdiction.get(division_code=LIPU)
    towns = list(await Town.filter(jurisdiction=county).order_by("name"))
    living = dict(
        await Child.filter(jurisdiction=county, birth_date__lte=AS_OF).values_list(
            "id", "household__village__town_id"
        )
    )
    learning: dict = {}
    for child_id, town_id in await Enrolment.filter(
        is_current=True, child__jurisdiction=county
    ).values_list("child_id", "school__town_id"):
        learning.setdefault(child_id, set()).add(town_id)
    mixed = 0
    for town in towns:
        expected = {
            c for c, home in living.items() if home == town.id or town.id in learning.get(c, ())
        }
        mixed += sum(1 for c in expected if living[c] != town.id)
        place = ledgers.Place(PlaceKind.TOWN, county.id, town.name, town.id)
        qs = await ledgers.place_children(Caller.system(), place, AS_OF, rules_for(LIPU))
        assert set(await qs.values_list("id", flat=True)) == expected, town.name
    assert mixed > 0  # some child learns in a town it does not live in
