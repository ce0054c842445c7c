"""Queryset helpers every read model shares."""

from __future__ import annotations

import re
import types
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from pypika_tortoise.context import SqlContext
from pypika_tortoise.terms import Term, ValueWrapper
from tortoise.expressions import RawSQL, Subquery
from tortoise.queryset import QuerySet


def ids_of(qs: QuerySet[Any], column: str) -> Subquery:
    """``column`` of the rows of ``qs``, as an unordered subquery for ``__in``.

    Tortoise adds a model's default ordering (``Meta.ordering``) to every query, sub-selects
    included, except annotated ones; sorting the rows of an ``IN (...)`` sub-select is wasted
    work that made a town's case list sort every child of the town (0.8 s at 100,000 pupils).
    The annotation is never selected: it only switches the default ordering off.
    """
    return Subquery(qs.annotate(_unordered=RawSQL("1")).values(column))


class BoundIds(Term):
    """Ids for ``__in`` as one bound parameter, a JSON array that SQLite's ``json_each`` reads
    back as rows: ``IN (SELECT value FROM json_each(?))``. SQLite turns the list into a
    temporary index once per statement, and each id is then a look-up."""

    def __init__(self, ids: Sequence[Any]) -> None:
        super().__init__()
        self.ids = ids

    def get_sql(self, ctx: SqlContext) -> str:
        array = ValueWrapper(orjson.dumps(list(self.ids), default=str).decode())
        return f"(SELECT value FROM json_each({array.get_sql(ctx)}))"


def ids_within(qs: QuerySet[Any], ids: Sequence[Any]) -> Term:
    """The rows ``ids`` that ``qs`` found, as a sub-select for ``__in`` in the statements that
    read their facts. On SQLite the ids themselves (:class:`BoundIds`): a sub-select of ``qs``
    is run again in every statement, 0.2 s each for the 36,792 children of a county's 关爱台账
    at 100,000 pupils, where looking up the bound ids costs a few milliseconds. On PostgreSQL
    ``qs``'s own sub-select, which its planner joins (at 1,000,000 pupils the ids would be one
    parameter of 50 MB)."""
    if qs.model._meta.db.capabilities.dialect == "sqlite":
        return BoundIds(ids)
    return ids_of(qs, "id")


def sql_of(query: Any) -> tuple[str, list[Any]]:
    """The statement a Tortoise query (a queryset, ``values()``, ``count()``, not yet run)
    would send, and its parameters."""
    query._choose_db_if_not_chosen()
    query._make_query()
    return query.query.get_parameterized_sql()


async def raw_values(qs: QuerySet[Any], *fields: str) -> list[dict[str, Any]]:
    """``fields`` of the rows of ``qs`` (in its order, the model's default one included, as
    ``values()`` gives them) as the database driver returns them: one statement through the
    connection, without Tortoise's conversion of every value to its Python type (on SQLite ids
    and dates stay text, booleans 0/1, JSON text; on PostgreSQL asyncpg's types), which at a
    county's 150,000 children is most of the time a ledger takes."""
    query = qs.values(*fields)
    sql, params = sql_of(query)
    _, rows = await query._db.execute_query(sql, params)
    return [dict(r) for r in rows]


def bound_sql(query: Any, bind: Callable[[Any], str], *, postgres: bool) -> str:
    """The statement text of a Tortoise query (:func:`sql_of`) with each of its parameters
    replaced by ``bind(value)``: the placeholder of a statement written by hand (as
    :class:`core.metrics.sql.Params` gives them), so that the query can be its sub-select —
    the scope rule of :mod:`core.access.scope` inside a grouped count, not a copy of it."""
    sql, values = sql_of(query)
    if postgres:
        return re.sub(r"\$(\d+)", lambda m: bind(values[int(m.group(1)) - 1]), sql)
    items = iter(values)
    return re.sub(r"\?", lambda m: bind(next(items)), sql)


# --- statements built once and sent many times -------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """A query's statement built once by Tortoise (:func:`template`) with stand-ins where its
    values go, sent many times with other values (:func:`run_statement`): building a query
    through Tortoise and pypika costs about as much as running it. Its rows are converted as
    ``QuerySet.values`` converts them."""

    sql: str
    params: tuple[Any, ...]
    #: where each value goes in ``params`` (a value may go to several places), which of the
    #: values it is, and how the driver wants it
    slots: tuple[tuple[int, int, Callable[[Any], Any]], ...]
    converters: tuple[tuple[str, Callable[[Any], Any]], ...]


def _as_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def template(query: Any, model: type, stand_ins: list[Any]) -> Statement:
    """The statement ``query`` (a ``ValuesQuery`` or ``CountQuery``, not yet run) sends, with
    a slot wherever each of ``stand_ins`` (values found nowhere else in it) went."""
    sql, params = sql_of(query)
    text = [str(p) for p in params]
    slots = []
    for index, stand_in in enumerate(stand_ins):
        positions = [i for i, t in enumerate(text) if t == str(stand_in)]
        if not positions:
            raise ValueError(f"stand-in {stand_in!r} is not in the statement")
        for position in positions:
            found = params[position]
            kind = str if isinstance(found, str) else int if isinstance(found, int) else _as_uuid
            slots.append((position, index, kind))
    converters = tuple(
        (alias, convert)
        for alias, convert in (
            (alias, query.resolve_to_python_value(model, name))
            for alias, name in getattr(query, "_fields_for_select", {}).items()
        )
        if not isinstance(convert, types.LambdaType)
    )
    return Statement(sql, tuple(params), tuple(slots), converters)


async def run_statement(
    model: type, statement: Statement, values: list[Any]
) -> list[dict[str, Any]]:
    """``statement`` sent with ``values`` in its slots; rows as ``QuerySet.values`` gives."""
    params = list(statement.params)
    for position, index, kind in statement.slots:
        params[position] = kind(values[index])
    rows = await model._meta.db.execute_query_dict(statement.sql, params)  # type: ignore[attr-defined]
    for row in rows:
        for column, convert in statement.converters:
            row[column] = convert(row[column])
    return rows
