"""A cursor connection over the children behind a figure (:class:`core.metrics.service.ChildList`).

The ids of one page come from the metrics SQL (in name order), the rows from one scoped query,
and ``totalCount`` from one more: statements per request do not grow with the page size.
"""

from __future__ import annotations

from core.access.scope import restrict
from core.api.context import Info
from core.api.pagination import Connection, Edge, PageInfo, _page_size, decode_cursor, encode_cursor
from core.errors import DomainError, ErrorCode
from core.metrics.service import ChildList
from core.people.models import Child


async def child_connection(
    info: Info,
    children: ChildList,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Connection[Child]:
    settings = info.context.settings
    first = _page_size(first, "first", settings.default_page_size, settings.max_page_size)
    last = _page_size(last, "last", settings.default_page_size, settings.max_page_size)
    if first is not None and last is not None:
        raise DomainError(
            ErrorCode.INVALID,
            "first 与 last 不能同时使用",
            "use either 'first' or 'last', not both",
            field="last",
        )
    start = decode_cursor(after, "after") + 1 if after else 0
    end = decode_cursor(before, "before") if before else None
    cache: list[int] = []

    async def count() -> int:
        if not cache:
            cache.append(await children.count())
        return cache[0]

    if last is not None:
        if end is None:
            end = await count()
        start = max(start, end - last)
    size = first if first is not None else (settings.default_page_size if last is None else None)
    if size is not None:
        end = start + size if end is None else min(end, start + size)
    limit = max((end if end is not None else start) - start, 0)
    ids = await children.page(start, limit + 1) if limit else []
    has_more = len(ids) > limit
    ids = ids[:limit]
    rows = {r.id: r for r in await restrict(Child.filter(id__in=ids), info.context.caller)}
    nodes = info.context.loaders.prime([rows[i] for i in ids if i in rows])
    edges = [Edge(cursor=encode_cursor(start + i), node=n) for i, n in enumerate(nodes)]
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
