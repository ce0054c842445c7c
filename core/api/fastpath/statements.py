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
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any

from core.api.dataloaders import _freeze
from core.querysets import Statement, run_statement, template

#: Statement shapes kept (callers × levels × list sizes).
STATEMENT_CACHE = 2048


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
        return await run_statement(model, statement, values)

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

__all__ = ["STATEMENTS", "Statement", "Statements", "caller_key", "template"]
