"""Relay cursor connections over Tortoise querysets, with ``totalCount``.

Lists of rows page by keyset (:mod:`core.keyset`): a cursor is the row's place in the
list's order, sealed (:mod:`core.api.cursors`), and the next page is the rows beyond it, so
that rows changing, arriving or leaving between two pages neither repeat a row nor skip one.
``totalCount`` is a statement of its own, sent only when the field is asked for.

Offsets (``cursor:<n>``, :func:`page_window`) remain only for lists whose page comes from
elsewhere by position: the children behind a figure (:mod:`core.api.metrics.children`), whose
ids the metrics SQL hands out a slice at a time. Page size defaults to
``settings.default_page_size`` and may not exceed ``settings.max_page_size``.
"""

from __future__ import annotations

import base64
import functools
import operator
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from core.access.secrets_store import cursor_key
from core.api import cursors
from core.errors import DomainError, ErrorCode
from core.keyset import Keyset, keyset_of

T = TypeVar("T")

_PREFIX = "cursor:"
#: Largest offset a cursor may hold (far beyond any list; databases take 64-bit integers).
MAX_OFFSET = 10**9


def encode_cursor(offset: int) -> str:
    return base64.b64encode(f"{_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str, argument: str) -> int:
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
        if not text.startswith(_PREFIX):
            raise ValueError(text)
        digits = text[len(_PREFIX) :]
        if not digits.isdigit() or len(digits) > 10:
            raise ValueError(text)
        offset = int(digits)
        if offset > MAX_OFFSET:
            raise ValueError(text)
        return offset
    except (ValueError, UnicodeDecodeError):
        raise DomainError(
            ErrorCode.INVALID,
            f"游标 {argument} 无效",
            f"cursor '{argument}' is not valid",
            field=argument,
        ) from None


@strawberry.type(description="分页信息")
class PageInfo:
    has_next_page: bool = strawberry.field(description="之后是否还有数据")
    has_previous_page: bool = strawberry.field(description="之前是否还有数据")
    start_cursor: str | None = strawberry.field(description="本页第一条的游标")
    end_cursor: str | None = strawberry.field(description="本页最后一条的游标")


@strawberry.type(description="连接中的一条边: 游标与节点")
class Edge(Generic[T]):
    """``cursor`` is made only when read (sealing one costs a few microseconds, and most
    lists never ask for the cursor of every edge)."""

    _cursor: strawberry.Private[Callable[[], str]]

    @strawberry.field(name="cursor", description="游标")
    def cursor_field(self) -> str:
        return self._cursor()

    node: T = strawberry.field(description="节点")

    @property
    def cursor(self) -> str:
        return self._cursor()


@strawberry.type(description="分页连接 (Relay): 边、分页信息与总数")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="本页的边")
    page_info: PageInfo = strawberry.field(description="分页信息")
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="符合条件的总数 (不受分页影响)")
    async def total_count(self) -> int:
        return await self._count()


def _page_size(value: int | None, argument: str, default: int, maximum: int) -> int | None:
    if value is None:
        return None
    if value < 0 or value > maximum:
        raise DomainError(
            ErrorCode.PAGE_SIZE,
            f"{argument} 须在 0 到 {maximum} 之间, 实为 {value}",
            f"'{argument}' must be between 0 and {maximum}, got {value}",
            field=argument,
        )
    return value


def _page_sizes(
    first: int | None, last: int | None, default_size: int, max_size: int
) -> tuple[int | None, int | None]:
    """``first`` and ``last`` checked: each within bounds, not both."""
    first = _page_size(first, "first", default_size, max_size)
    last = _page_size(last, "last", default_size, max_size)
    if first is not None and last is not None:
        raise DomainError(
            ErrorCode.INVALID,
            "first 与 last 不能同时使用",
            "use either 'first' or 'last', not both",
            field="last",
        )
    return first, last


def cached_count(count: Callable[[], Awaitable[int]]) -> Callable[[], Awaitable[int]]:
    """``count`` run at most once (``totalCount`` and a ``last`` page may both ask)."""
    cache: list[int] = []

    async def once() -> int:
        if not cache:
            cache.append(await count())
        return cache[0]

    return once


async def page_window(
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    default_size: int,
    max_size: int,
    count: Callable[[], Awaitable[int]],
) -> tuple[int, int | None]:
    """The offsets ``[start, end)`` one page covers (``end`` None: to the end), from the Relay
    arguments; ``count`` is asked only for a ``last`` page without ``before``."""
    first, last = _page_sizes(first, last, default_size, max_size)
    start = decode_cursor(after, "after") + 1 if after else 0
    end = decode_cursor(before, "before") if before else None
    if last is not None:
        if end is None:
            end = await count()
        start = max(start, end - last)
    size = first if first is not None else (default_size if last is None else None)
    if size is not None:
        end = start + size if end is None else min(end, start + size)
    return start, end


def connection_of(
    nodes: Sequence[Any],
    *,
    start: int,
    has_more: bool,
    before: str | None,
    count: Callable[[], Awaitable[int]],
) -> Connection[Any]:
    """The page of ``nodes`` that begins at offset ``start``, with its cursors."""
    edges = [
        Edge(_cursor=functools.partial(encode_cursor, start + i), node=n)
        for i, n in enumerate(nodes)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_more if before is None else True,
            has_previous_page=start > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        _count=count,
    )


async def paginate(
    queryset: QuerySet[Any],
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    default_size: int,
    max_size: int,
    transform: Callable[[Sequence[Any]], Sequence[Any]] | None = None,
) -> Connection[Any]:
    """One page of an ordered queryset, by keyset (see the module). Issues one statement (two
    with ``totalCount``), whatever the arguments: ``last`` reads the reversed order."""
    keyset = keyset_of(queryset)

    async def fetch(beyond: Q | None, backward: bool, limit: int) -> Sequence[Any]:
        page = keyset.queryset if beyond is None else keyset.queryset.filter(beyond)
        return list(await keyset.ordered(page, backward).limit(limit))

    return await paginate_with(
        keyset,
        fetch,
        queryset.count,
        first=first,
        after=after,
        last=last,
        before=before,
        default_size=default_size,
        max_size=max_size,
        transform=transform,
    )


async def paginate_with(
    keyset: Keyset,
    fetch: Callable[[Q | None, bool, int], Awaitable[Sequence[Any]]],
    count_all: Callable[[], Awaitable[int]],
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    default_size: int,
    max_size: int,
    transform: Callable[[Sequence[Any]], Sequence[Any]] | None = None,
    fetch_between: Callable[
        [tuple[Any, ...] | None, tuple[Any, ...] | None, bool, int], Awaitable[Sequence[Any]]
    ]
    | None = None,
) -> Connection[Any]:
    """:func:`paginate` over ``fetch(beyond, backward, limit)``: at most ``limit`` rows of
    ``keyset``'s list (reversed when ``backward``) that meet ``beyond`` (None: from the start),
    as model instances or as mappings of the keys' names; and ``count_all()``.

    With ``fetch_between`` the page is ``fetch_between(after, before, backward, limit)``
    instead, given the cursors' positions (None where there is no cursor), for a caller that
    builds the condition :meth:`Keyset.beyond` gives itself (the fast path, once per shape)."""
    first, last = _page_sizes(first, last, default_size, max_size)
    count = cached_count(count_all)
    key = await cursor_key()
    low = cursors.decode(key, keyset.order, after, "after") if after else None
    high = cursors.decode(key, keyset.order, before, "before") if before else None
    backward = last is not None
    size = last if last is not None else (first if first is not None else default_size)

    if fetch_between is not None:
        rows = list(await fetch_between(low, high, backward, size + 1))
    else:
        conditions = []
        if low is not None:
            conditions.append(keyset.beyond(low, backward=False))
        if high is not None:
            conditions.append(keyset.beyond(high, backward=True))
        beyond = functools.reduce(operator.and_, conditions) if conditions else None
        rows = list(await fetch(beyond, backward, size + 1))
    more = len(rows) > size
    rows = rows[:size]
    if backward:
        rows.reverse()
    places = [
        functools.partial(cursors.encode, key, keyset.order, keyset.position(row)) for row in rows
    ]
    nodes = list(transform(rows)) if transform else rows
    edges = [Edge(_cursor=place, node=node) for place, node in zip(places, nodes, strict=True)]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            # Relay: past ``before`` there is at least its row; before ``after``, its row
            has_next_page=high is not None if backward else (more or high is not None),
            has_previous_page=(more or low is not None) if backward else low is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        _count=count,
    )


async def page_of(
    info: Any,
    queryset: QuerySet[Any],
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Connection[Any]:
    """:func:`paginate` over the rows the caller may see, with the request's page-size
    settings; the rows of the page are put in the request's by-id DataLoader cache, so nested
    fields that point back at them cost nothing.
    """
    from core.api.permissions import restrict

    settings = info.context.settings
    return await paginate(
        restrict(info, queryset),
        first=first,
        after=after,
        last=last,
        before=before,
        default_size=settings.default_page_size,
        max_size=settings.max_page_size,
        transform=info.context.loaders.prime,
    )
