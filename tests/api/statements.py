"""Count the SQL statements a block of code sends to the database."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any

from tortoise import connections

_METHODS = (
    "execute_query",
    "execute_query_dict",
    "execute_insert",
    "execute_many",
    "execute_script",
)


@contextlib.contextmanager
def count_statements() -> Iterator[list[str]]:
    """Yield a list that collects every statement sent on the default connection's class while
    the block runs (wrapping the client class's execute methods, restored afterwards)."""
    client_class = type(connections.get("default"))
    seen: list[str] = []
    originals: dict[str, Any] = {}
    for name in _METHODS:
        original = getattr(client_class, name, None)
        if original is None:
            continue
        originals[name] = original

        def wrap(method: Any) -> Any:
            @functools.wraps(method)
            async def counted(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
                seen.append(query)
                return await method(self, query, *args, **kwargs)

            return counted

        setattr(client_class, name, wrap(original))
    try:
        yield seen
    finally:
        for name, original in originals.items():
            setattr(client_class, name, original)
