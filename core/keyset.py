"""Keyset (seek) paging: the rows after a position in a list's own order.

An offset cursor ("the 40th row") drifts when rows change between two pages: a case that
leaves the list, or a child registered before the cursor, shifts every later row by one, so the
next page repeats a row or skips one. A keyset cursor names the row's values of the order keys
instead, and the next page is the rows beyond those values, wherever they now are.

The order is the queryset's own (``order_by``): columns of the row (``name``), columns of a
related row (``child__name``, annotated so that the row carries its value) and annotations
(``_no_deadline``). ``id`` is appended unless the order already reaches it, so the order is
total and every position names exactly one place. The rows beyond ``(v1, v2, …, id)`` are

    k1 ≥ v1 AND (k1 > v1 OR (k1 = v1 AND (k2 > v2 OR (k2 = v2 AND … id > v_id))))

with ``>`` read as ``<`` for a descending key (the leading ``k1 ≥ v1`` only lets the database
use an index on ``k1``). It is written out rather than as a row-value comparison
``(k1, k2, id) > (…)`` because the keys may run in different directions. NULLs sort where the
database puts them (SQLite: before every value, PostgreSQL: after), and a nullable key's
condition says so: past a NULL there is nothing more (or every value), and before it, the NULLs
still come. Paging backwards (``last``/``before``) is the same over the reversed order.

The API's connections (:mod:`core.api.pagination`) page by it, and so does a streamed 学户册
(:mod:`core.reports.register`), which walks the same order a chunk at a time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pypika_tortoise import Order
from tortoise.expressions import F, Q
from tortoise.fields.relational import RelationalField
from tortoise.queryset import QuerySet


def signature(*parts: str) -> str:
    """A short name of one list's order (which table, which keys, which directions): what a
    cursor of the list carries (:mod:`core.api.cursors`), so that it is refused by another."""
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=6).hexdigest()


@dataclass(frozen=True)
class Key:
    """One order key: the name filters and orderings use for it on :attr:`Keyset.queryset`."""

    name: str
    descending: bool
    nullable: bool


@dataclass(frozen=True)
class Keyset:
    """A list's total order, its keys and the signature cursors of this order carry."""

    queryset: QuerySet[Any]
    keys: tuple[Key, ...]
    order: str
    nulls_large: bool

    @property
    def names(self) -> tuple[str, ...]:
        """The keys' names, as a row read with ``values()`` carries them."""
        return tuple(key.name for key in self.keys)

    def position(self, row: Any) -> tuple[Any, ...]:
        """``row``'s values of the keys (the content of its cursor): a model instance, or a
        mapping of the keys' names (a row read with ``values()``)."""
        if type(row) is dict or isinstance(row, Mapping):
            return tuple(row[key.name] for key in self.keys)
        return tuple(getattr(row, key.name) for key in self.keys)

    def ordered(self, queryset: QuerySet[Any], backward: bool) -> QuerySet[Any]:
        return queryset.order_by(
            *(("-" if key.descending != backward else "") + key.name for key in self.keys)
        )

    def beyond(self, values: tuple[Any, ...], backward: bool) -> Q:
        """The rows after ``values`` in this order (before them when ``backward``)."""
        if len(values) != len(self.keys) or values[-1] is None:
            raise ValueError("a position of another order")
        keys = self.keys
        condition = self._past(keys[-1], values[-1], backward)
        assert condition is not None  # the last key is the id, never NULL
        for key, value in zip(keys[-2::-1], values[-2::-1], strict=True):
            past = self._past(key, value, backward)
            tie = _equal(key, value) & condition
            condition = tie if past is None else past | tie
        return self._bound(keys[0], values[0], backward) & condition

    def _nulls_last(self, key: Key, backward: bool) -> bool:
        """Whether this key's NULLs come after its values when walking in this direction."""
        return (key.descending != backward) != self.nulls_large

    def _past(self, key: Key, value: Any, backward: bool) -> Q | None:
        """Rows strictly past ``value`` on this key alone (None: no row can be)."""
        nulls_last = self._nulls_last(key, backward)
        if value is None:
            return None if nulls_last else Q(**{f"{key.name}__isnull": False})
        past = Q(**{f"{key.name}__{'lt' if key.descending != backward else 'gt'}": value})
        if key.nullable and nulls_last:
            return past | Q(**{f"{key.name}__isnull": True})
        return past

    def _bound(self, key: Key, value: Any, backward: bool) -> Q:
        """Rows at or past ``value`` on the first key (redundant: lets an index on it serve)."""
        nulls_last = self._nulls_last(key, backward)
        if value is None:
            return Q(**{f"{key.name}__isnull": True}) if nulls_last else Q()
        bound = Q(**{f"{key.name}__{'lte' if key.descending != backward else 'gte'}": value})
        if key.nullable and nulls_last:
            return bound | Q(**{f"{key.name}__isnull": True})
        return bound


def _equal(key: Key, value: Any) -> Q:
    return Q(**{f"{key.name}__isnull": True}) if value is None else Q(**{key.name: value})


def _related_nullable(model: Any, path: str) -> bool:
    """Whether ``path`` (``child__name``) may be NULL: a nullable link or a nullable column."""
    *links, column = path.split("__")
    for link in links:
        field = model._meta.fields_map[link]
        if not isinstance(field, RelationalField):
            raise ValueError(f"{path} is not a related column")
        if field.null:
            return True
        model = field.related_model
    return bool(model._meta.fields_map[column].null)


def keyset_of(queryset: QuerySet[Any]) -> Keyset:
    """The keyset of ``queryset``'s order (its ``order_by``, else its model's default order),
    made total by the id. A column of a related row is annotated as ``_key<n>``."""
    model = queryset.model
    meta = model._meta
    pk = meta.pk_attr
    orderings: list[tuple[str, Any]] = list(queryset._orderings)
    if not orderings:
        orderings = [QuerySet._resolve_ordering_string(o) for o in meta.ordering or ()]
    annotations = queryset._annotations
    keys: list[Key] = []
    named: list[str] = []  # the signature names ``child__name``, not its annotation
    related: dict[str, F] = {}
    for name, direction in orderings:
        descending = direction == Order.desc
        if name in annotations:
            keys.append(Key(name, descending, nullable=True))
        elif "__" in name:
            alias = f"_key{len(related)}"
            related[alias] = F(name)
            keys.append(Key(alias, descending, _related_nullable(model, name)))
        else:
            keys.append(Key(name, descending, bool(meta.fields_map[name].null)))
        named.append(f"{'-' if descending else '+'}{name}")
        if name == pk:
            break
    if not keys or keys[-1].name != pk:
        keys.append(Key(pk, False, False))
        named.append(f"+{pk}")
    if related:
        queryset = queryset.annotate(**related)
    return Keyset(
        queryset=queryset,
        keys=tuple(keys),
        order=signature(meta.db_table, *named),
        nulls_large=meta.db.capabilities.dialect == "postgres",
    )
