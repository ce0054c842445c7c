"""A cursor connection over the children behind a figure (:class:`core.metrics.service.ChildList`).

The ids of one page come from the metrics SQL (in name order), the rows from one scoped query,
and ``totalCount`` from one more: statements per request do not grow with the page size.
"""

from __future__ import annotations

from core.access.scope import restrict
from core.api.context import Info
from core.api.pagination import Connection, cached_count, connection_of, page_window
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
    count = cached_count(children.count)
    start, end = await page_window(
        first=first,
        after=after,
        last=last,
        before=before,
        default_size=settings.default_page_size,
        max_size=settings.max_page_size,
        count=count,
    )
    limit = max((end if end is not None else start) - start, 0)
    ids = await children.page(start, limit + 1) if limit else []
    has_more = len(ids) > limit
    ids = ids[:limit]
    rows = {r.id: r for r in await restrict(Child.filter(id__in=ids), info.context.caller)}
    nodes = info.context.loaders.prime([rows[i] for i in ids if i in rows])
    return connection_of(nodes, start=start, has_more=has_more, before=before, count=count)
