"""The real server as the benchmark runs it: ``core.server.create_app`` under uvicorn, one
worker, as ``baoxue serve`` runs it (``core.cli.uvicorn_options``), plus one thing the
benchmark needs to know: how many SQL statements each request sent, in the response header
``x-bench-sql-statements``.

Counting wraps the execute methods of the database client class (as ``bench/bench_api.py``
and ``tests/api/statements.py`` do) and attributes each call to the request that made it
through a context variable, so it holds at any concurrency. Its cost is a function call per
statement.

    python -m bench.serve --port 8150          # settings from the environment (DATABASE_URL)
"""

from __future__ import annotations

import argparse
import contextvars
import functools
from typing import Any

import uvicorn

HEADER = b"x-bench-sql-statements"
_METHODS = ("execute_query", "execute_query_dict", "execute_insert", "execute_many")
_current: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "bench_statements", default=None
)


def _count_on(client_class: type) -> None:
    if getattr(client_class, "_bench_counted", False):
        return
    for name in _METHODS:
        original = getattr(client_class, name, None)
        if original is None:
            continue

        def wrap(method: Any) -> Any:
            @functools.wraps(method)
            async def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
                box = _current.get()
                if box is not None:
                    box[0] += 1
                return await method(self, *args, **kwargs)

            return counted

        setattr(client_class, name, wrap(original))
    client_class._bench_counted = True  # type: ignore[attr-defined]


class CountStatements:
    """ASGI wrapper: counts the statements of each HTTP request and reports them in a header."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from tortoise import connections

        try:
            _count_on(type(connections.get("default")))
        except Exception:  # the database is not open yet
            pass
        box = [0]
        token = _current.set(box)

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((HEADER, str(box[0]).encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            _current.reset(token)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()

    from core.cli import uvicorn_options
    from core.server import create_app
    from core.settings import load_settings

    settings = load_settings()
    options = {k: v for k, v in uvicorn_options(settings).items() if k != "factory"}
    app = CountStatements(create_app(settings))
    uvicorn.run(app, host=args.host, port=args.port, workers=1, **options)


if __name__ == "__main__":
    main()
