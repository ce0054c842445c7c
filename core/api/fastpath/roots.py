"""The root fields the fast path answers, and their pages as statements built once per shape.

A root field's page is what its resolver answers (the same filter checks, permission check,
row scope, order and Relay window: :func:`core.api.pagination.paginate_with`), but its two
statements, the page and the total, are built by Tortoise once per shape and then reused
(:mod:`core.api.fastpath.statements`), and the page's rows come back as plain rows
(``QuerySet.values``), not model instances. The shape is what the resolver's queryset is a
function of (for ``children``: the checked domain filter and the order, from
:func:`core.api.people.query.children_list`), the caller (its row scope) and the database;
the offset and the limit go where stand-ins were. The permission check runs on every
request, before any statement is looked up.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any

from tortoise.queryset import QuerySet

from core.access.scope import restrict as scope_restrict
from core.api.fastpath.statements import STATEMENTS, Statement, caller_key, template
from core.api.pagination import Connection, paginate_with
from core.api.people.query import children_list
from core.api.permissions import list_permissions, require
from core.people.models import Child

#: Stand-ins for a page's offset and limit while its statement is built (found nowhere else).
_OFFSET, _LIMIT = 987_654_301, 987_654_313


@dataclass(frozen=True)
class Root:
    """A root field: the node type of its connection, the columns read of its rows, and
    ``query(info, kwargs)``: the shape and the queryset its resolver pages through."""

    node_type: str
    model: type
    columns: tuple[str, ...]
    query: Callable[[Any, dict[str, Any]], Awaitable[tuple[Hashable, QuerySet[Any]]]]


async def page(root: Root, info: Any, kwargs: dict[str, Any]) -> Connection[Any]:
    """The root field's connection for ``kwargs``, its nodes plain rows of ``root.columns``."""
    shape, queryset = await root.query(info, kwargs)
    caller = require(info, *list_permissions(root.model))  # as the resolver's restrict does

    def visible() -> QuerySet[Any]:
        return scope_restrict(queryset, caller)

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

    async def fetch(start: int, limit: int | None) -> list[dict[str, Any]]:
        if limit is None:
            found = statement(
                "to the end",
                lambda: template(
                    visible().offset(_OFFSET).values(*root.columns), root.model, [_OFFSET]
                ),
            )
            return await STATEMENTS.execute(root.model, found, [start])
        found = statement(
            "page",
            lambda: template(
                visible().offset(_OFFSET).limit(_LIMIT).values(*root.columns),
                root.model,
                [_OFFSET, _LIMIT],
            ),
        )
        return await STATEMENTS.execute(root.model, found, [start, limit])

    async def count() -> int:
        found = statement("count", lambda: template(visible().count(), root.model, []))
        rows = await STATEMENTS.execute(root.model, found, [])
        return int(next(iter(rows[0].values())))

    return await paginate_with(
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
