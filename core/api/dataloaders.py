"""Per-request DataLoaders, so that nested queries cost the same for 5 rows or 100.

``Loaders`` is created afresh for every request by the context getter (never at module level:
a loader caches what it has loaded). ``by_id(Model)`` loads rows by primary key;
``many(Model, "fk_id")`` loads the rows that point at each key, in the model's order.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from strawberry.dataloader import DataLoader
from tortoise.models import Model


def as_uuid(value: Any) -> uuid.UUID | None:
    """``value`` as a UUID, or None when it is not one."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, AttributeError, TypeError):
        return None


class Loaders:
    """The DataLoaders of one request."""

    def __init__(self) -> None:
        self._by_id: dict[type[Model], DataLoader[Any, Any]] = {}
        self._many: dict[tuple[type[Model], str, tuple[tuple[str, Any], ...]], DataLoader] = {}

    def by_id(self, model: type[Model]) -> DataLoader[Any, Model | None]:
        """Loader of ``model`` rows by primary key; unknown or malformed keys give None."""
        loader = self._by_id.get(model)
        if loader is None:

            async def load(keys: Sequence[Any]) -> list[Model | None]:
                ids = [k for k in (as_uuid(k) for k in keys) if k is not None]
                rows = {str(r.pk): r for r in await model.filter(pk__in=ids)} if ids else {}
                return [rows.get(str(k)) for k in keys]

            loader = DataLoader(load_fn=load, cache_key_fn=str)
            self._by_id[model] = loader
        return loader

    def many(
        self, model: type[Model], fk_field: str, **filters: Any
    ) -> DataLoader[Any, list[Model]]:
        """Loader of the ``model`` rows whose ``fk_field`` equals each key (plus ``filters``)."""
        key = (model, fk_field, tuple(sorted(filters.items())))
        loader = self._many.get(key)
        if loader is None:

            async def load(keys: Sequence[Any]) -> list[list[Model]]:
                grouped: dict[str, list[Model]] = defaultdict(list)
                ids = list({str(k) for k in keys})
                query = model.filter(**{f"{fk_field}__in": ids}, **filters)
                for row in await query:
                    grouped[str(getattr(row, fk_field))].append(row)
                return [grouped.get(str(k), []) for k in keys]

            loader = DataLoader(load_fn=load, cache_key_fn=str)
            self._many[key] = loader
        return loader

    def prime(self, rows: Iterable[Model]) -> None:
        """Put rows already fetched into the by-id cache of their model."""
        for row in rows:
            self.by_id(type(row)).prime(str(row.pk), row)
