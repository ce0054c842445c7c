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

import types
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from threading import Lock
from typing import Any

from core.api.dataloaders import _freeze

#: Statement shapes kept (callers × levels × list sizes).
STATEMENT_CACHE = 2048


@dataclass(frozen=True)
class Statement:
    sql: str
    params: tuple[Any, ...]
    #: where each id goes in ``params``, and whether the driver wants it as text
    slots: tuple[tuple[int, bool], ...]
    converters: tuple[tuple[str, Callable[[Any], Any]], ...]


class Statements:
    def __init__(self, maxsize: int = STATEMENT_CACHE) -> None:
        self.maxsize = maxsize
        self._cache: OrderedDict[Hashable, Statement] = OrderedDict()
        self._lock = Lock()

    def _build(
        self,
        run: Any,
        model: type,
        columns: tuple[str, ...],
        ids_filter: str,
        size: int,
        filters: dict[str, Any],
    ) -> Statement:
        stand_ins = [uuid.uuid4() for _ in range(size)]
        query = (
            run.context.loaders.visible(model)
            .filter(**{ids_filter: stand_ins}, **filters)
            .values(*columns)
        )
        query._choose_db_if_not_chosen()
        query._make_query()
        sql, params = query.query.get_parameterized_sql()
        text = [str(p) for p in params]
        slots = []
        for stand_in in stand_ins:
            position = text.index(str(stand_in))
            slots.append((position, isinstance(params[position], str)))
        converters = tuple(
            (alias, convert)
            for alias, convert in (
                (alias, query.resolve_to_python_value(model, name))
                for alias, name in query._fields_for_select.items()
            )
            if not isinstance(convert, types.LambdaType)
        )
        return Statement(sql, tuple(params), tuple(slots), converters)

    async def run(
        self,
        run: Any,
        model: type,
        columns: tuple[str, ...],
        ids_filter: str,
        ids: list[Any],
        filters: dict[str, Any],
    ) -> list[dict[str, Any]]:
        db = model._meta.db  # type: ignore[attr-defined]
        key = (
            db.capabilities.dialect,
            model,
            columns,
            ids_filter,
            len(ids),
            tuple(sorted((k, _freeze(v)) for k, v in filters.items())),
            run.caller,
        )
        with self._lock:
            statement = self._cache.get(key)
            if statement is not None:
                self._cache.move_to_end(key)
        if statement is None:
            statement = self._build(run, model, columns, ids_filter, len(ids), filters)
            with self._lock:
                self._cache[key] = statement
                while len(self._cache) > self.maxsize:
                    self._cache.popitem(last=False)
        params = list(statement.params)
        for (position, as_text), value in zip(statement.slots, ids, strict=True):
            params[position] = str(value) if as_text else uuid.UUID(str(value))
        rows = await db.execute_query_dict(statement.sql, params)
        for row in rows:
            for column, convert in statement.converters:
                row[column] = convert(row[column])
        return rows

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def __len__(self) -> int:
        return len(self._cache)


STATEMENTS = Statements()
