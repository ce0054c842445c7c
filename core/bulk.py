"""Writing many rows at once (批量写入): multi-row ``INSERT``s (SQLite) or ``COPY``
(PostgreSQL) for a batch of parameter rows, without building a model instance per row.

``Model.bulk_create`` builds a full instance for every row (field validation, descriptors,
lazy relations) before it writes, which costs more than the database does for a 100,000-row
roster. :func:`insert_rows` takes plain dicts keyed by the model's field names (``child_id``
for a foreign key), fills what the model would (defaults, ``auto_now``/``auto_now_add``
timestamps, a fresh UUID for a missing primary key), converts each value with the field's own
``to_db_value`` and sends the model's own ``INSERT`` statement, with as many ``VALUES`` rows as
fit in one statement, through the current connection - inside the caller's transaction when
there is one. On
PostgreSQL the rows go by ``COPY`` (asyncpg's ``copy_records_to_table``) on that same
connection instead: a few times faster than one ``INSERT`` per parameter row, and inside the
transaction just the same (a rolled-back import keeps none of them).

:func:`select_in` looks a batch of keys up in one statement: ``IN (?, ?, …)`` on SQLite,
``= ANY($1)`` with one array parameter on PostgreSQL (one plan, whatever the batch size).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from tortoise import fields as f
from tortoise.exceptions import IntegrityError
from tortoise.fields import DatetimeField
from tortoise.fields.data import CharEnumFieldInstance, IntEnumFieldInstance
from tortoise.models import Model

#: Rows per statement.
BATCH = 1000
#: Rows per ``COPY`` on PostgreSQL.
COPY_BATCH = 5000
#: SQLite: rows per multi-row ``INSERT … VALUES (…), (…)``, and the bound parameters one
#: statement may carry (``SQLITE_MAX_VARIABLE_NUMBER`` is 32,766 since SQLite 3.32).
ROWS_PER_INSERT = 500
MAX_PARAMETERS = 32_000

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


def _same(value: Any) -> Any:
    return value


def _uuid_text(value: Any) -> Any:
    return None if value is None else str(value)


def _enum_of(field: Any) -> Callable[[Any], Any]:
    enum_type = field.enum_type

    def convert(value: Any) -> Any:
        if value is None or isinstance(value, Enum):
            return None if value is None else value.value
        return enum_type(value).value  # a text that is no member is refused here

    return convert


def converter(field: Any) -> Callable[[Any], Any]:
    """How a value goes to the database for ``field``: what its ``to_db_value`` does, without
    the per-value validation for the plain types (the values were checked before)."""
    if isinstance(field, f.UUIDField):
        return _uuid_text
    if isinstance(field, (CharEnumFieldInstance, IntEnumFieldInstance)):
        return _enum_of(field)
    if type(field) in (f.DateField, f.DatetimeField, f.BooleanField, f.IntField, f.SmallIntField):
        return _same
    if type(field) is f.CharField:
        return _text_of(field)
    return lambda value: field.to_db_value(value, None)


def _text_of(field: Any) -> Callable[[Any], Any]:
    """A ``CharField``'s value: a text within its length as it is, anything else through the
    field's own ``to_db_value`` (which converts it, or refuses it naming the field)."""
    longest = field.max_length

    def convert(value: Any) -> Any:
        if value is None or (type(value) is str and len(value) <= longest):
            return value
        return field.to_db_value(value, None)

    return convert


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
    plan = [
        (name, converter(fields_map[name]), _default_of(fields_map[name], now)) for name in columns
    ]
    if is_postgres(db):
        send = _copier(model, db, columns)
        batch = max(batch, COPY_BATCH)
    else:
        send = _multi_row_inserter(db, sql, len(columns))

    written = 0
    values: list[list[Any]] = []
    for row in rows:
        get = row.get
        values.append(
            [
                convert(default() if (value := get(name, _MISSING)) is _MISSING else value)
                for name, convert, default in plan
            ]
        )
        if len(values) >= batch:
            await send(values)
            written += len(values)
            values = []
    if values:
        await send(values)
        written += len(values)
    return written


def _multi_row_inserter(
    db: Any, sql: str, width: int
) -> Callable[[list[list[Any]]], Awaitable[None]]:
    """SQLite: send parameter rows as multi-row ``INSERT``s of up to :data:`ROWS_PER_INSERT`
    rows (one statement for many rows) rather than the single-row statement executed once
    per row. On a table with triggers (the stored keys and facts, migrations 0015-0019)
    SQLite opens a statement journal for every execution of a statement, and writes into it
    the pages the statement changes: executed once per row that cost a 20,000-row roster
    import more than the rows themselves (bench/README.md, "The roster import")."""
    head, _, row = sql.partition(" VALUES ")
    if not (row.startswith("(") and row.endswith(")")):
        raise ValueError(f"not a single-row INSERT … VALUES (…): {sql}")
    per_statement = max(1, min(ROWS_PER_INSERT, MAX_PARAMETERS // max(width, 1)))

    async def send(values: list[list[Any]]) -> None:
        for start in range(0, len(values), per_statement):
            part = values[start : start + per_statement]
            await db.execute_query(
                f"{head} VALUES {','.join([row] * len(part))}",
                [value for line in part for value in line],
            )

    return send


def is_postgres(db: Any) -> bool:
    return db.capabilities.dialect == "postgres"


def _copier(
    model: type[Model], db: Any, columns: list[str]
) -> Callable[[list[list[Any]]], Awaitable[None]]:
    """``COPY`` rows into ``model``'s table on the current connection (the transaction's, when
    there is one); a unique or foreign-key violation is tortoise's ``IntegrityError``, as an
    ``INSERT`` would raise it."""
    import asyncpg

    meta = model._meta
    table = meta.db_table
    db_columns = [meta.fields_db_projection[name] for name in columns]

    async def send(values: list[list[Any]]) -> None:
        try:
            async with db.acquire_connection() as connection:
                await connection.copy_records_to_table(table, records=values, columns=db_columns)
        except asyncpg.exceptions.IntegrityConstraintViolationError as exc:
            raise IntegrityError(exc) from exc

    return send


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
    plan = [(name, converter(fields_map[name])) for name in names]
    pk_value = converter(meta.pk)
    written = 0
    values: list[list[Any]] = []

    async def flush() -> None:
        nonlocal values, written
        if values:
            await db.execute_many(sql, values)
            written += len(values)
            values = []

    for row in rows:
        line = [convert(row[name] if name in columns else now) for name, convert in plan]
        line.append(pk_value(row["id"]))
        values.append(line)
        if len(values) >= batch:
            await flush()
    await flush()
    return written


async def select_in(
    model: type[Model],
    columns: tuple[str, ...],
    field: str,
    values: Iterable[Any],
    **equal: Any,
) -> list[dict[str, Any]]:
    """The rows (dicts of ``columns`` by field name, as Python values) whose ``field`` is one of
    ``values`` and whose other fields equal ``equal`` (``None``: IS NULL) - a batch lookup by
    key without building a filter term per value."""
    wanted = list(values)
    if not wanted:
        return []
    db = model._meta.db
    meta = model._meta
    fields_map = meta.fields_map
    column = meta.fields_db_projection
    key = converter(fields_map[field])
    if is_postgres(db):
        conditions = [f'"{column[field]}" = ANY($1)']
        params: list[Any] = [[key(v) for v in wanted]]
        for name, value in equal.items():
            if value is None:
                conditions.append(f'"{column[name]}" IS NULL')
            else:
                params.append(converter(fields_map[name])(value))
                conditions.append(f'"{column[name]}" = ${len(params)}')
        selected = ", ".join(f'"{column[c]}"' for c in columns)
        sql = f'SELECT {selected} FROM "{meta.db_table}" WHERE {" AND ".join(conditions)}'
    else:
        executor = db.executor_class(model=model, db=db)
        table = meta.basetable
        query = db.query_class.from_(table).select(*(table[column[c]] for c in columns))
        params = [key(v) for v in wanted]
        query = query.where(
            table[column[field]].isin([executor.parameter(i) for i in range(len(params))])
        )
        for name, value in equal.items():
            if value is None:
                query = query.where(table[column[name]].isnull())
            else:
                query = query.where(table[column[name]] == executor.parameter(len(params)))
                params.append(converter(fields_map[name])(value))
        sql = str(query)
    _, rows = await db.execute_query(sql, params)
    back = [(c, column[c], fields_map[c].to_python_value) for c in columns]
    return [{c: to_python(row[col]) for c, col, to_python in back} for row in rows]
