"""Per-request DataLoaders, so that nested queries cost the same for 5 rows or 100.

``Loaders`` is created afresh for every request by the context getter (never at module level:
a loader caches what it has loaded). ``by_id(Model)`` loads rows by primary key;
``many(Model, "fk_id", **filters)`` loads the rows that point at each key, in the model's
order. Every loader issues one statement per batch of at most :data:`MAX_BATCH` keys, so the
number of statements a request issues depends on the shape of the query, not on how many rows
each level returns.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from typing import Any

from strawberry.dataloader import DataLoader
from tortoise.models import Model
from tortoise.queryset import QuerySet

from core.access.caller import Caller
from core.access.scope import named_by_record, scoped_batch
from core.schools.models import School, SchoolClass

#: Most keys one statement asks for (keeps ``IN (...)`` lists well inside every database's
#: limit on bound parameters).
MAX_BATCH = 1000


def as_uuid(value: Any) -> uuid.UUID | None:
    """``value`` as a UUID, or None when it is not one."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, AttributeError, TypeError):
        return None


def _freeze(value: Any) -> Hashable:
    """A hashable stand-in for a filter value (lists and sets become sorted tuples)."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(sorted(str(v) for v in value))
    return value


class Loaders:
    """The DataLoaders of one request, seeing only what ``caller`` may see.

    Every loader starts from :func:`core.access.scope.scoped_batch` (the rows of
    :func:`~core.access.scope.scoped`, checked row by row for a batch), so a nested field can never
    reach a row that a list or ``node(id:)`` would refuse. Without a caller (internal use)
    nothing is filtered.
    """

    def __init__(self, caller: Caller | None = None) -> None:
        self.caller = caller
        self._by_id: dict[type[Model], DataLoader[Any, Any]] = {}
        self._many: dict[tuple[Any, ...], DataLoader[Any, Any]] = {}
        self._custom: dict[str, DataLoader[Any, Any]] = {}

    def visible(self, model: type[Model]) -> QuerySet[Any]:
        """Every ``model`` row the caller may see (what each loader starts from): the scope
        written for batches of ids (:func:`~core.access.scope.scoped_batch`)."""
        return model.all() if self.caller is None else scoped_batch(model, self.caller)

    _base = visible

    def by_id(self, model: type[Model]) -> DataLoader[Any, Model | None]:
        """Loader of ``model`` rows by primary key; unknown or malformed keys give None."""
        loader = self._by_id.get(model)
        if loader is None:

            async def load(keys: Sequence[Any]) -> list[Model | None]:
                ids = list({k for k in (as_uuid(k) for k in keys) if k is not None})
                query = self._base(model).filter(pk__in=ids)
                rows = {str(r.pk): r for r in await query} if ids else {}
                return [rows.get(str(as_uuid(k))) for k in keys]

            loader = DataLoader(load_fn=load, cache_key_fn=str, max_batch_size=MAX_BATCH)
            self._by_id[model] = loader
        return loader

    def named_school(self, model: type[School] | type[SchoolClass]) -> DataLoader[Any, Any]:
        """Loader of the schools or classes a visible record names, by id
        (:func:`~core.access.scope.named_by_record`: any of the caller's county)."""
        loader = self._custom.get(f"named:{model.__name__}")
        if loader is None:

            async def load(keys: Sequence[Any]) -> list[Model | None]:
                ids = list({k for k in (as_uuid(k) for k in keys) if k is not None})
                query = model.all() if self.caller is None else named_by_record(model, self.caller)
                rows = {str(r.pk): r for r in await query.filter(pk__in=ids)} if ids else {}
                return [rows.get(str(as_uuid(k))) for k in keys]

            loader = self.custom(f"named:{model.__name__}", load)
        return loader

    def many(
        self, model: type[Model], fk_field: str, **filters: Any
    ) -> DataLoader[Any, list[Model]]:
        """Loader of the ``model`` rows whose ``fk_field`` equals each key (plus ``filters``)."""
        key = (model, fk_field, tuple(sorted((k, _freeze(v)) for k, v in filters.items())))
        loader = self._many.get(key)
        if loader is None:

            async def load(keys: Sequence[Any]) -> list[list[Model]]:
                grouped: dict[str, list[Model]] = defaultdict(list)
                ids = list({str(k) for k in keys})
                query = self._base(model).filter(**{f"{fk_field}__in": ids}, **filters)
                for row in await query:
                    grouped[str(getattr(row, fk_field))].append(row)
                return [grouped.get(str(k), []) for k in keys]

            loader = DataLoader(load_fn=load, cache_key_fn=str, max_batch_size=MAX_BATCH)
            self._many[key] = loader
        return loader

    def custom(
        self, name: str, load_fn: Callable[[Sequence[Any]], Awaitable[list[Any]]]
    ) -> DataLoader[Any, Any]:
        """A loader of this request named ``name``, made from ``load_fn`` on first use (for
        lookups ``by_id`` and ``many`` cannot express, such as many-to-many links)."""
        loader = self._custom.get(name)
        if loader is None:
            loader = DataLoader(load_fn=load_fn, cache_key_fn=str, max_batch_size=MAX_BATCH)
            self._custom[name] = loader
        return loader

    def prime(self, rows: Iterable[Model]) -> list[Model]:
        """Put rows already fetched into the by-id cache of their model; returns them."""
        rows = list(rows)
        for row in rows:
            self.by_id(type(row)).prime(str(row.pk), row)
        return rows
