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

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from core.access.scope import restrict as scope_restrict
from core.api.fastpath.statements import STATEMENTS, Statement, caller_key, template
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
    ``query(info, kwargs)``: the shape and the queryset its resolver pages through."""

    node_type: str
    model: type
    columns: tuple[str, ...]
    query: Callable[[Any, dict[str, Any]], Awaitable[tuple[Hashable, QuerySet[Any]]]]


async def page(root: Root, info: Any, kwargs: dict[str, Any]) -> Connection[Any]:
    """The root field's connection for ``kwargs``, its nodes plain rows of ``root.columns``
    (and of the order's keys, which the cursors are made of)."""
    shape, queryset = await root.query(info, kwargs)
    caller = require(info, *list_permissions(root.model))  # as the resolver's restrict does
    keyset = keyset_of(queryset)
    columns = tuple(dict.fromkeys((*root.columns, *keyset.names)))

    def ordered(beyond: Q | None, backward: bool) -> QuerySet[Any]:
        visible = scope_restrict(keyset.queryset, caller)
        return keyset.ordered(visible if beyond is None else visible.filter(beyond), backward)

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

    def statement(kind: str, build: Callable[[], Statement]) -> Statement:
        return build() if key is None else STATEMENTS.get((kind, *key), build)

    async def fetch(beyond: Q | None, backward: bool, limit: int) -> list[dict[str, Any]]:
        if beyond is not None:  # a page past a cursor: its values are in the statement
            found = template(
                ordered(beyond, backward).limit(_LIMIT).values(*columns), root.model, [_LIMIT]
            )
        else:
            found = statement(
                "last page" if backward else "first page",
                lambda: template(
                    ordered(None, backward).limit(_LIMIT).values(*columns),
                    root.model,
                    [_LIMIT],
                ),
            )
        return await STATEMENTS.execute(root.model, found, [limit])

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
        first=kwargs.get("first"),
        after=kwargs.get("after"),
        last=kwargs.get("last"),
        before=kwargs.get("before"),
        default_size=settings.default_page_size,
        max_size=settings.max_page_size,
    )


async def _children(info: Any, kwargs: dict[str, Any]) -> tuple[Hashable, QuerySet[Any]]:
    return await children_list(info, kwargs.get("filter"), kwargs.get("order_by"))


def roots(child_columns: tuple[str, ...]) -> dict[str, Root]:
    """The root fields by GraphQL name."""
    return {"children": Root("Child", Child, child_columns, _children)}
