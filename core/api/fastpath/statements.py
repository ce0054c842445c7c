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
import types
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from threading import Lock
from typing import Any

from core.api.dataloaders import _freeze
from core.querysets import sql_of

#: Statement shapes kept (callers × levels × list sizes).
STATEMENT_CACHE = 2048


@dataclass(frozen=True)
class Statement:
    sql: str
    params: tuple[Any, ...]
    #: where each value goes in ``params``, and how the driver wants it
    slots: tuple[tuple[int, Callable[[Any], Any]], ...]
    converters: tuple[tuple[str, Callable[[Any], Any]], ...]


def _as_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def template(query: Any, model: type, stand_ins: list[Any]) -> Statement:
    """The statement ``query`` (a ``ValuesQuery`` or ``CountQuery``, not yet run) sends, with
    a slot where each of ``stand_ins`` (values found nowhere else in it) went."""
    sql, params = sql_of(query)
    text = [str(p) for p in params]
    slots = []
    for stand_in in stand_ins:
        position = text.index(str(stand_in))
        found = params[position]
        kind = str if isinstance(found, str) else int if isinstance(found, int) else _as_uuid
        slots.append((position, kind))
    converters = tuple(
        (alias, convert)
        for alias, convert in (
            (alias, query.resolve_to_python_value(model, name))
            for alias, name in getattr(query, "_fields_for_select", {}).items()
        )
        if not isinstance(convert, types.LambdaType)
    )
    return Statement(sql, tuple(params), tuple(slots), converters)


def caller_key(caller: Any) -> Hashable:
    """What a row scope is a function of: the caller, whichever of its sessions it comes in."""
    return dataclasses.replace(caller, session_id=None)


class Statements:
    def __init__(self, maxsize: int = STATEMENT_CACHE) -> None:
        self.maxsize = maxsize
        self._cache: OrderedDict[Hashable, Statement] = OrderedDict()
        self._lock = Lock()

    def get(self, key: Hashable, build: Callable[[], Statement]) -> Statement:
        """The statement kept under ``key``, built by ``build()`` the first time."""
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
        params = list(statement.params)
        for (position, kind), value in zip(statement.slots, values, strict=True):
            params[position] = kind(value)
        rows = await model._meta.db.execute_query_dict(statement.sql, params)  # type: ignore[attr-defined]
        for row in rows:
            for column, convert in statement.converters:
                row[column] = convert(row[column])
        return rows

    async def run(
        self,
        run: Any,
        model: type,
        columns: tuple[str, ...],
        ids_filter: str,
        ids: list[Any],
        filters: dict[str, Any],
    ) -> list[dict[str, Any]]:
        """The ``columns`` of the ``model`` rows ``run``'s caller may see whose
        ``ids_filter`` is one of ``ids``, plus ``filters``."""
        key = (
            model._meta.db.capabilities.dialect,  # type: ignore[attr-defined]
            model,
            columns,
            ids_filter,
            len(ids),
            tuple(sorted((k, _freeze(v)) for k, v in filters.items())),
            caller_key(run.caller),
        )

        def build() -> Statement:
            stand_ins = [uuid.uuid4() for _ in ids]
            query = (
                run.context.loaders.visible(model)
                .filter(**{ids_filter: stand_ins}, **filters)
                .values(*columns)
            )
            return template(query, model, stand_ins)

        return await self.execute(model, self.get(key, build), ids)

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def __len__(self) -> int:
        return len(self._cache)


STATEMENTS = Statements()
