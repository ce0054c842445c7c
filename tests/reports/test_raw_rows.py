"""The ledgers read raw rows (the driver's values, no Tortoise conversion): every report format
of every demo county gives the same table as when each statement's rows are converted by
Tortoise's ``values()`` (the reference), for the county and for a town."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from core.access.caller import Caller
from core.demo.generator import generate_demo
from core.jurisdictions.models import Town
from core.plugins import get_registry, rules_for
from core.reports import ledgers
from core.reports.enums import PlaceKind
from core.reports.services import ReportRequest, build_report

pytestmark = pytest.mark.asyncio
#: The demo's "today", 10:00 China time.
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
PERIODS = {
    "DAILY": "2026-11-20",
    "WEEKLY": "2026-11-16",
    "MONTHLY": "2026-10",
    "BIMONTHLY": "2026-09",
    "TERM_START": "2026-autumn",
    "TERM": "2026-autumn",
    "SCHOOL_YEAR": "2026",
    "ON_DEMAND": "2026-11-20",
}


async def _typed_values(qs: Any, *fields: str) -> list[dict[str, Any]]:
    """The reference: the same statement's rows converted to Python values by Tortoise."""
    return list(await qs.values(*fields))


async def _tables(code: str, place_kind: PlaceKind | None, place_id: Any) -> dict[str, Any]:
    out = {}
    for fmt in rules_for(code).report_formats:
        kind = fmt.period_kinds[0]
        request = ReportRequest(
            format_code=fmt.code,
            period_value=PERIODS[kind.value],
            period_kind=kind,
            place_kind=place_kind,
            place_id=place_id,
            jurisdiction_code=code,
        )
        out[fmt.code] = (await build_report(Caller.system(), request, NOW)).table
    return out


@pytest.mark.parametrize("code", sorted(s.division_code for s in get_registry().jurisdictions()))
async def test_raw_rows_give_the_tables_of_converted_rows(db, monkeypatch, code) -> None:
    spec = {s.division_code: s for s in get_registry().jurisdictions()}[code]
    await generate_demo(spec, students=150, seed=11)
    town = await Town.filter(jurisdiction__division_code=code).order_by("name").first()
    for place_kind, place_id in ((None, None), (PlaceKind.TOWN, town.id)):
        raw = await _tables(code, place_kind, place_id)
        with monkeypatch.context() as patch:
            patch.setattr(ledgers, "raw_values", _typed_values)
            typed = await _tables(code, place_kind, place_id)
        assert raw.keys() == typed.keys()
        for name, table in raw.items():
            for a, b in zip(table.rows, typed[name].rows, strict=False):
                assert a == b, (name, [(x, y) for x, y in zip(a, b, strict=True) if x != y])
            assert table == typed[name], name
        # the tables have rows with what the raw rows carry
        assert any(len(t.rows) > 3 for t in raw.values())
