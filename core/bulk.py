"""Writing many rows at once (批量写入): one ``INSERT`` executed for a batch of parameter rows,
without building a model instance per row.

``Model.bulk_create`` builds a full instance for every row (field validation, descriptors,
lazy relations) before it writes, which costs more than the database does for a 100,000-row
roster. :func:`insert_rows` takes plain dicts keyed by the model's field names (``child_id``
for a foreign key), fills what the model would (defaults, ``auto_now``/``auto_now_add``
timestamps, a fresh UUID for a missing primary key), converts each value with the field's own
``to_db_value`` and sends the model's own ``INSERT`` statement through the current connection -
inside the caller's transaction when there is one, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from tortoise.fields import DatetimeField
from tortoise.models import Model

#: Rows per statement.
BATCH = 1000

_MISSING = object()


def _default_of(field: Any, now: datetime) -> Callable[[], Any]:
    if isinstance(field, DatetimeField) and (field.auto_now or field.auto_now_add):
        return lambda: now
    default = field.default
    if callable(default):
        return default
    if default is None and field.pk:
        return uuid.uuid4
    return lambda: default


async def insert_rows(
    model: type[Model], rows: Iterable[dict[str, Any]], batch: int = BATCH
) -> int:
    """Insert ``rows`` (dicts by field name) into ``model``'s table; the number written."""
    db = model._meta.db
    executor = db.executor_class(model=model, db=db)
    columns = executor.regular_columns_all
    sql = executor.insert_query_all
    fields_map = model._meta.fields_map
    now = datetime.now(UTC)
    plan = [(name, fields_map[name], _default_of(fields_map[name], now)) for name in columns]
    written = 0
    values: list[list[Any]] = []
    for row in rows:
        line = []
        for name, field, default in plan:
            value = row.get(name, _MISSING)
            if value is _MISSING:
                value = default()
            line.append(field.to_db_value(value, None))
        values.append(line)
        if len(values) >= batch:
            await db.execute_many(sql, values)
            written += len(values)
            values = []
    if values:
        await db.execute_many(sql, values)
        written += len(values)
    return written


async def update_rows(
    model: type[Model],
    columns: tuple[str, ...],
    rows: Iterable[dict[str, Any]],
    *,
    bump: bool = True,
    batch: int = BATCH,
) -> int:
    """Set ``columns`` of each row (a dict with its ``id`` and the new values) by one
    ``UPDATE … WHERE id = ?`` executed for a batch of rows; ``version`` goes up by one when
    ``bump`` (and the model has one) and an ``auto_now`` timestamp is set, as a save would."""
    db = model._meta.db
    executor = db.executor_class(model=model, db=db)
    meta = model._meta
    fields_map = meta.fields_map
    now = datetime.now(UTC)
    stamped = [
        name
        for name, field in fields_map.items()
        if isinstance(field, DatetimeField) and field.auto_now and name not in columns
    ]
    names = [*columns, *stamped]
    table = meta.basetable
    query = db.query_class.update(table)
    for i, name in enumerate(names):
        query = query.set(table[meta.fields_db_projection[name]], executor.parameter(i))
    if bump and "version" in fields_map and "version" not in columns:
        query = query.set(table["version"], table["version"] + 1)
    query = query.where(table[meta.db_pk_column] == executor.parameter(len(names)))
    sql = str(query)
    pk = meta.pk
    written = 0
    values: list[list[Any]] = []

    async def flush() -> None:
        nonlocal values, written
        if values:
            await db.execute_many(sql, values)
            written += len(values)
            values = []

    for row in rows:
        line = [
            fields_map[name].to_db_value(row[name] if name in columns else now, None)
            for name in names
        ]
        line.append(pk.to_db_value(row["id"], None))
        values.append(line)
        if len(values) >= batch:
            await flush()
    await flush()
    return written
