"""The ASGI application: GraphQL (with GraphiQL) at ``/graphql`` and ``/healthz``."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL

from core.api.context import Context, utc_now
from core.api.schema import build_schema
from core.db import close_database, open_database
from core.request_log import RequestLogMiddleware, configure_logging
from core.settings import Settings, load_settings

log = logging.getLogger("baoxue.server")


class BaoxueGraphQL(GraphQL):
    """Strawberry's ASGI view with Baoxue's per-request context.

    ``clock`` is what ``context.now()`` reads (tests pass one they can move).
    """

    def __init__(
        self, settings: Settings, *, clock: Callable[[], datetime] = utc_now, **kwargs: Any
    ) -> None:
        super().__init__(
            build_schema(settings), graphql_ide="graphiql" if settings.graphiql else None, **kwargs
        )
        self.settings = settings
        self.clock = clock

    async def get_context(self, request: Request, response: Response) -> Context:  # type: ignore[override]
        return Context(
            request=request,
            response=response,
            settings=self.settings,
            request_id=request.scope.get("state", {}).get("request_id", "-"),
            clock=self.clock,
        )


async def healthz(request: Request) -> JSONResponse:
    """200 when the database answers a query, 503 otherwise."""
    from tortoise import connections

    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception as exc:  # the reason is reported, the process stays up
        log.warning("health check failed", extra={"error": repr(exc)})
        return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


def create_app(
    settings: Settings | None = None,
    *,
    manage_database: bool = True,
    clock: Callable[[], datetime] = utc_now,
) -> Starlette:
    """Build the application. With ``manage_database`` it opens and closes the database itself;
    tests pass ``False`` and provide a Tortoise context of their own. ``clock`` tells the time
    to deadlines and overdue checks (tests move it instead of sleeping)."""
    settings = settings or load_settings()
    configure_logging(settings.log_level)
    graphql_app = BaoxueGraphQL(settings, clock=clock)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if not manage_database:
            yield
            return
        ctx = await open_database(settings.database_url)
        log.info("database opened", extra={"database": settings.database_url.split("@")[-1]})
        try:
            yield
        finally:
            await close_database(ctx)

    app = Starlette(
        routes=[
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.add_middleware(RequestLogMiddleware)
    return app
