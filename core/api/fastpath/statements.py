"""The fast path's statements, built by Tortoise once per shape and then reused.

Each level below the root is one ``SELECT columns FROM model WHERE <the caller's row scope>
AND <key> IN (…) [AND filters]``. Building it through Tortoise and pypika each time (the scope
conditions, one term per id of the ``IN`` list) cost about as much as running it. The shape of
such a statement depends only on the model, the columns, the filters, the number of ids (the
fast path pads the lists to powers of two) and the caller, since
:func:`core.access.scope.scoped` is a function of the caller and the model alone (no clock, no
lookups). So the statement is built once per shape, with stand-ins for the ids, through
exactly the queryset the DataLoaders use (:meth:`core.api.dataloaders.Loaders.visible`);
later requests put their ids where the stand-ins were and send the same SQL text, with the
same conversion of the columns to Python values as ``QuerySet.values``.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from threading import Lock
from typing import Any, TypeVar

from tortoise.expressions import RawSQL

from core.api.dataloaders import _freeze
from core.querysets import Statement, run_statement, template

T = TypeVar("T")

#: Statement shapes kept (callers × levels × list sizes).
STATEMENT_CACHE = 2048


@dataclass(frozen=True)
class Join:
    """A one-to-one relation read in its parent's statement: the ``columns`` of the
    ``model`` row the parent's ``fk`` names, among the rows the caller may see (else NULL),
    as columns ``<name>__<column>`` of the parent's row."""

    name: str
    model: type
    fk: str
    columns: tuple[str, ...]


def joins_on(model: type) -> bool:
    """Whether a level's statement takes its joins (:class:`Join`) on ``model``'s database:
    PostgreSQL. SQLite does not flatten a sub-select on the right of a LEFT JOIN that has a
    WHERE clause of its own (the scope), so there a join would read every visible row; the
    relations keep their own statements there."""
    return model._meta.db.capabilities.dialect == "postgres"  # type: ignore[attr-defined]


def joined(
    statement: Statement,
    joins: list[tuple[Join, Any]],
    order: list[tuple[str, bool]] | None = None,
) -> Statement:
    """``statement`` (PostgreSQL) with each of ``joins`` — a :class:`Join` and the query of
    the rows of its model the caller may see — LEFT JOINed to its rows by their ids, in
    ``order`` (column, descending) when the statement had one (a page: the join keeps the
    rows but not their order)."""
    params = list(statement.params)
    select = ['"p".*']
    sources = [f'({statement.sql}) "p"']
    converters = list(statement.converters)
    for i, (join, visible) in enumerate(joins):
        # unordered: the model's default order would sort the rows of the sub-select
        unordered = visible.annotate(_unordered=RawSQL("1"))
        related = template(unordered.values(*join.columns), join.model, [])
        shift = len(params)
        sql = re.sub(r"\$(\d+)", lambda m: f"${int(m.group(1)) + shift}", related.sql)  # noqa: B023
        params += related.params
        alias = f"j{i}"
        select += [f'"{alias}"."{c}" "{join.name}__{c}"' for c in join.columns]
        sources.append(f'LEFT JOIN ({sql}) "{alias}" ON "{alias}"."id" = "p"."{join.fk}"')
        converters += [(f"{join.name}__{c}", convert) for c, convert in related.converters]
    sql = f"SELECT {', '.join(select)} FROM {' '.join(sources)}"
    if order:
        sql += " ORDER BY " + ", ".join(
            f'"p"."{column}" {"DESC" if descending else "ASC"}' for column, descending in order
        )
    return Statement(sql, tuple(params), statement.slots, tuple(converters))


def caller_key(caller: Any) -> Hashable:
    """What a row scope is a function of: the caller, whichever of its sessions it comes in."""
    return dataclasses.replace(caller, session_id=None)


class Statements:
    def __init__(self, maxsize: int = STATEMENT_CACHE) -> None:
        self.maxsize = maxsize
        self._cache: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = Lock()

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The statement (or what else a statement is made from) kept under ``key``, built
        by ``build()`` the first time."""
        with self._lock:
            statement = self._cache.get(key)
            if statement is not None:
                self._cache.move_to_end(key)
                return statement
        statement = build()
        with self._lock:
            self._cache[key] = statement
            while len(self._cache) > self.maxsize:
                self._cache.popitem(last=False)
        return statement

    async def execute(
        self, model: type, statement: Statement, values: list[Any]
    ) -> list[dict[str, Any]]:
        """``statement`` sent with ``values`` in its slots; rows as ``QuerySet.values`` gives."""
        return await run_statement(model, statement, values)

    async def run(
        self,
        run: Any,
        model: type,
        columns: tuple[str, ...],
        ids_filter: str,
        ids: list[Any],
        filters: dict[str, Any],
        joins: tuple[Join, ...] = (),
    ) -> list[dict[str, Any]]:
        """The ``columns`` of the ``model`` rows ``run``'s caller may see whose
        ``ids_filter`` is one of ``ids``, plus ``filters``; on PostgreSQL with ``joins``
        (:func:`joined`)."""
        joins = joins if joins_on(model) else ()
        key = (
            model._meta.db.capabilities.dialect,  # type: ignore[attr-defined]
            model,
            columns,
            ids_filter,
            len(ids),
            tuple(sorted((k, _freeze(v)) for k, v in filters.items())),
            caller_key(run.caller),
            joins,
        )

        def build() -> Statement:
            stand_ins = [uuid.uuid4() for _ in ids]
            query = (
                run.context.loaders.visible(model)
                .filter(**{ids_filter: stand_ins}, **filters)
                .values(*columns)
            )
            found = template(query, model, stand_ins)
            if joins:
                visible = run.context.loaders.visible
                found = joined(found, [(j, visible(j.model)) for j in joins])
            return found

        return await self.execute(model, self.get(key, build), ids)

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def __len__(self) -> int:
        return len(self._cache)


STATEMENTS = Statements()

__all__ = [
    "STATEMENTS",
    "Join",
    "Statement",
    "Statements",
    "caller_key",
    "joined",
    "joins_on",
    "template",
]
