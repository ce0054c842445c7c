"""``core.bulk.insert_rows`` writes every row it is given, whatever the batch and statement
sizes (SQLite: multi-row ``INSERT``s of up to ``ROWS_PER_INSERT`` rows; PostgreSQL: ``COPY``),
with the model's defaults filled, inside the caller's transaction."""

from __future__ import annotations

import pytest
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core import bulk
from core.jurisdictions.models import Jurisdiction, Town, TownKind

pytestmark = pytest.mark.asyncio


async def test_rows_across_statement_and_batch_boundaries_are_all_written(db, monkeypatch) -> None:
    monkeypatch.setattr(bulk, "ROWS_PER_INSERT", 7)  # 1,203 rows: full statements and a tail
    county = await Jurisdiction.create(division_code="999901", name="测试县")
    rows = [
        {"jurisdiction_id": county.id, "name": f"镇{i:04d}", **({"code": f"C{i}"} if i % 2 else {})}
        for i in range(1203)
    ]
    assert await bulk.insert_rows(Town, rows, batch=500) == 1203
    towns = {t.name: t for t in await Town.filter(jurisdiction_id=county.id)}
    assert len(towns) == 1203
    assert towns["镇0001"].code == "C1" and towns["镇0002"].code == ""  # the model's default
    assert towns["镇1202"].kind is TownKind.TOWN
    assert len({t.id for t in towns.values()}) == 1203  # a fresh primary key each


async def test_a_refused_row_leaves_none_of_the_transaction_s_rows(db) -> None:
    county = await Jurisdiction.create(division_code="999902", name="测试县二")
    rows = [{"jurisdiction_id": county.id, "name": f"镇{i}"} for i in range(600)]
    rows.append({"jurisdiction_id": county.id, "name": "镇5"})  # unique (jurisdiction, name)
    with pytest.raises(IntegrityError):
        async with in_transaction():
            await bulk.insert_rows(Town, rows)
    assert await Town.filter(jurisdiction_id=county.id).count() == 0
