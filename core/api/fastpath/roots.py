"""The root fields the fast path answers, and their pages as statements built once per shape.

A root field's page is what its resolver answers (the same filter checks, permission check,
row scope, order and keyset window: :func:`core.api.pagination.paginate_with`), but its
statements, the first (or last) page and the total, are built by Tortoise once per shape and
then reused (:mod:`core.api.fastpath.statements`), and the page's rows come back as plain rows
(``QuerySet.values``), not model instances. The shape is what the resolver's queryset is a
function of (for ``children``: the checked domain filter and the order, from
:func:`core.api.people.query.children_list`), the caller (its row scope) and the database;
the limit goes where a stand-in was. A page past a cursor carries the cursor's values in its
statement, so it is built for its request alone. The permission check runs on every
request, before any statement is looked up.
"""

from __future__ import annotations

import functools
import operator
import secrets
import uuid
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from core.access.scope import restrict as scope_restrict
from core.api.fastpath.statements import (
    STATEMENTS,
    Join,
    Statement,
    caller_key,
    joined,
    joins_on,
    template,
)
from core.api.pagination import Connection, paginate_with
from core.api.people.query import children_list
from core.api.permissions import list_permissions, require
from core.keyset import keyset_of
from core.people.models import Child

#: Stand-in for a page's limit while its statement is built (found nowhere else).
_LIMIT = 987_654_313


@dataclass(frozen=True)
class Root:
    """A root field: the node type of its connection, the columns read of its rows, and
    ``query(info, kwargs)``: the shape and (built when called) the queryset its resolver
    pages through."""

    node_type: str
    model: type
    columns: tuple[str, ...]
    query: Callable[[Any, dict[str, Any]], Awaitable[tuple[Hashable, Callable[[], QuerySet[Any]]]]]
    #: one-to-one relations read in the page's statement (PostgreSQL)
    joins: tuple[Join, ...] = ()


async def page(root: Root, info: Any, kwargs: dict[str, Any]) -> Connection[Any]:
    """The root field's connection for ``kwargs``, its nodes plain rows of ``root.columns``
    (and of the order's keys, which the cursors are made of)."""
    shape, build_queryset = await root.query(info, kwargs)
    caller = require(info, *list_permissions(root.model))  # as the resolver's restrict does
    settings = info.context.settings
    key = (
        root.model._meta.db.capabilities.dialect,  # type: ignore[attr-defined]
        root.model,
        root.columns,
        shape,
        caller_key(caller),
    )  # type: ignore[attr-defined]
    try:
        hash(key)
    except TypeError:  # a filter that is no key: built for this request alone
        key = None

    def ordering() -> tuple[QuerySet[Any], Any]:
        queryset = build_queryset()
        return queryset, keyset_of(queryset)

    # the queryset and its keyset, a function of the shape: built once per shape too
    queryset, keyset = ordering() if key is None else STATEMENTS.get(("order", *key), ordering)
    columns = tuple(dict.fromkeys((*root.columns, *keyset.names)))

    def ordered(beyond: Q | None, backward: bool) -> QuerySet[Any]:
        visible = scope_restrict(keyset.queryset, caller)
        return keyset.ordered(visible if beyond is None else visible.filter(beyond), backward)

    def statement(kind: Any, build: Callable[[], Statement]) -> Statement:
        return build() if key is None else STATEMENTS.get((kind, *key), build)

    joins = root.joins if joins_on(root.model) else ()

    def page_statement(query: QuerySet[Any], stand_ins: list[Any], backward: bool) -> Statement:
        found = template(query.limit(_LIMIT).values(*columns), root.model, stand_ins)
        if not joins:
            return found
        visible = info.context.loaders.visible
        order = [(k.name, k.descending != backward) for k in keyset.keys]
        return joined(found, [(j, visible(j.model)) for j in joins], order)

    async def fetch(beyond: Q | None, backward: bool, limit: int) -> list[dict[str, Any]]:
        """A page past a cursor, built for this request alone (its values in the statement)."""
        found = page_statement(ordered(beyond, backward), [_LIMIT], backward)
        return await STATEMENTS.execute(root.model, found, [limit])

    async def fetch_between(
        low: tuple[Any, ...] | None, high: tuple[Any, ...] | None, backward: bool, limit: int
    ) -> list[dict[str, Any]]:
        """The page between the cursors' positions: a statement built once per shape (which
        positions there are, and which of their values are NULL), the cursors' values put
        where stand-ins were."""
        bounds = [(p, b) for p, b in ((low, False), (high, True)) if p is not None]
        values: list[Any] = [limit]
        stand_ins: list[Any] = [_LIMIT]
        conditions = []
        shape_of_bounds = []
        for position, bound_backward in bounds:
            if len(position) != len(keyset.keys) or position[-1] is None:
                raise ValueError("a position of another order")  # as Keyset.beyond refuses it
            standing = []
            for value in position:
                stand_in = _stand_in(value)
                if stand_in is _NOT_TEMPLATED:
                    return await fetch(_beyond(keyset, low, high), backward, limit)
                while stand_in is not None and stand_in in stand_ins:
                    stand_in = _stand_in(value)
                standing.append(stand_in)
                if stand_in is not None:
                    values.append(value)
                    stand_ins.append(stand_in)
            conditions.append((tuple(standing), bound_backward))
            shape_of_bounds.append(
                (bound_backward, tuple(None if v is None else type(v) for v in position))
            )

        def build() -> Statement:
            beyond = functools.reduce(
                operator.and_, (keyset.beyond(p, backward=b) for p, b in conditions), Q()
            )
            return page_statement(
                ordered(beyond if conditions else None, backward), stand_ins, backward
            )

        kind = ("page", backward, tuple(shape_of_bounds))
        return await STATEMENTS.execute(root.model, statement(kind, build), values)

    async def count() -> int:
        found = statement(
            "count",
            lambda: template(scope_restrict(queryset, caller).count(), root.model, []),
        )
        rows = await STATEMENTS.execute(root.model, found, [])
        return int(next(iter(rows[0].values())))

    return await paginate_with(
        keyset,
        fetch,
        count,
        fetch_between=fetch_between,
        first=kwargs.get("first"),
        after=kwargs.get("after"),
        last=kwargs.get("last"),
        before=kwargs.get("before"),
        default_size=settings.default_page_size,
        max_size=settings.max_page_size,
    )


#: What :func:`_stand_in` answers for a value it has no stand-in for.
_NOT_TEMPLATED = object()


def _stand_in(value: Any) -> Any:
    """A value of ``value``'s kind found nowhere else in a statement (None for None), or
    ``_NOT_TEMPLATED`` for a kind a statement's slots do not convert (dates, decimals …)."""
    if value is None:
        return None
    if isinstance(value, uuid.UUID):
        return uuid.uuid4()
    if isinstance(value, str) and value:
        # as long as the value, so that a column's length check passes: characters of the
        # private use area, which no real value of a key has
        return "".join(chr(0xE000 + secrets.randbelow(0x1900)) for _ in value)
    if isinstance(value, int) and not isinstance(value, bool):
        return _LIMIT + 1 + secrets.randbelow(10**9)
    return _NOT_TEMPLATED


def _beyond(keyset: Any, low: tuple[Any, ...] | None, high: tuple[Any, ...] | None) -> Q | None:
    conditions = []
    if low is not None:
        conditions.append(keyset.beyond(low, backward=False))
    if high is not None:
        conditions.append(keyset.beyond(high, backward=True))
    return functools.reduce(operator.and_, conditions) if conditions else None


async def _children(
    info: Any, kwargs: dict[str, Any]
) -> tuple[Hashable, Callable[[], QuerySet[Any]]]:
    return await children_list(info, kwargs.get("filter"), kwargs.get("order_by"))


def roots(child_columns: tuple[str, ...], child_joins: tuple[Join, ...] = ()) -> dict[str, Root]:
    """The root fields by GraphQL name."""
    return {"children": Root("Child", Child, child_columns, _children, child_joins)}
