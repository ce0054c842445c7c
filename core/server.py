"""The ASGI application: GraphQL (with GraphiQL) at ``/graphql``, ``/healthz``, ``/readyz`` and
``/metrics``."""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import orjson
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.types.unset import UNSET
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from core.access.authentication import KeyCheckLimit, authenticate
from core.access.caller import Caller
from core.access.middleware import AccessMiddleware, authentication_of
from core.access.rate_limit import build_rate_limiter
from core.api.context import Context, utc_now
from core.api.dataloaders import Loaders
from core.api.events.live import CLOSE_REFUSED, LiveConnection, close_reason
from core.api.graphql_messages import http_refusal
from core.api.imports.download import import_report_download
from core.api.reports.download import attachment_download, register_download, report_download
from core.api.schema import build_schema
from core.db import close_database, open_database
from core.errors import DomainError, ErrorCode
from core.events.broker import Broker, broker_for, close_brokers
from core.files.services import open_attachment
from core.files.storage import LocalFileStore
from core.graphiql import assets_mount, content_security_policy, graphiql_page
from core.graphql_request import JSON, negotiate, send_error
from core.health import health_check, readiness_check
from core.http_etag import ETagMiddleware
from core.language import preferred_language
from core.observability import MetricsMiddleware, metrics_endpoint
from core.plugins import get_plugin_manager
from core.request_log import RequestLogMiddleware, configure_logging
from core.security_headers import SecurityHeadersMiddleware
from core.settings import Settings, load_settings

log = logging.getLogger("baoxue.server")

#: Responses that gzip cannot make smaller (XLSX and DOCX are zip files) or must not buffer.
ALREADY_COMPRESSED = (
    "text/event-stream",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "image/*",
)


class TextWebSocketAdapter(ASGIWebSocketAdapter):
    """Strawberry's WebSocket adapter sending every message as a text frame: the protocol's
    messages are JSON text, and browser clients (graphql-ws) refuse binary frames, which
    strawberry sends when ``encode_json`` returns bytes (orjson does)."""

    async def send_json(self, message: Any) -> None:
        encoded = self.view.encode_json(message)
        text = encoded.decode() if isinstance(encoded, bytes) else encoded
        try:
            await self.ws.send_text(text)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class AuthenticatingTransportWS(BaseGraphQLTransportWSHandler):
    """graphql-transport-ws, with the caller authenticated from ``connection_init``'s payload
    (the headers the HTTP API takes: ``{"Authorization": "Bearer <token>"}`` or
    ``{"X-API-Key": "<key>"}``); a refusal closes the socket with 4403 and its reason in
    both languages instead of strawberry's bare "Forbidden"."""

    async def handle_connection_init(self, message: Any) -> None:
        payload = message.get("payload", {})
        if (
            isinstance(payload, dict)
            and not self.connection_init_received
            and not self.connection_timed_out
        ):
            refusal = await self.view.authenticate_socket(self.context, payload)  # type: ignore[attr-defined]
            if refusal:
                self.connection_init_received = True
                if self.connection_init_timeout_task:
                    self.connection_init_timeout_task.cancel()
                await self.websocket.close(code=CLOSE_REFUSED, reason=close_reason(refusal))
                return
        await super().handle_connection_init(message)


class BaoxueGraphQL(GraphQL):
    """Strawberry's ASGI view with Baoxue's per-request context.

    ``clock`` is what ``context.now()`` reads (tests pass one they can move).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utc_now,
        default_caller: Caller | None = None,
        key_checks: KeyCheckLimit | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            build_schema(settings),
            # dashboards subscribe over graphql-transport-ws only (the legacy graphql-ws
            # protocol has no place for the init refusal this server gives)
            subscription_protocols=("graphql-transport-ws",),
            # a dashboard on another origin may open the socket when CORS lets it call
            allowed_origins=list(settings.cors_origins),
            graphql_ide="graphiql" if settings.graphiql else None,
            # files travel as GraphQL multipart requests; callers authenticate with headers
            # (a bearer token or an API key), never cookies, so a cross-site form cannot
            # upload as them
            multipart_uploads_enabled=True,
            **kwargs,
        )
        self.settings = settings
        self.clock = clock
        self.default_caller = default_caller
        self.key_checks = key_checks
        self.file_store = LocalFileStore(settings.files_path)

    graphql_transport_ws_handler_class = AuthenticatingTransportWS
    websocket_adapter_class = TextWebSocketAdapter  # type: ignore[assignment]

    def broker(self) -> Broker:
        """This process's live-feed broker (Redis pub/sub with ``REDIS_URL``)."""
        return broker_for(self.settings.redis_url, self.settings.subscription_channel)

    async def authenticate_socket(self, context: Context, payload: dict[str, Any]) -> str:
        """Authenticate a WebSocket from its ``connection_init`` payload: the caller goes into
        ``context``; the bilingual reason of a refusal, or "" when accepted."""
        headers = {
            str(k).lower(): v.strip()
            for k, v in payload.items()
            if isinstance(v, str) and str(k).lower() in ("authorization", "x-api-key")
        }
        if not headers:
            return (
                "须在 connection_init 中提供令牌或 API 密钥 / "
                "send Authorization or X-API-Key in connection_init"
            )
        socket = context.request
        auth = await authenticate(
            headers,
            now=self.clock(),
            client_address=context.client_address,
            request_id=context.request_id,
            key_checks=self.key_checks,
        )
        if not auth.caller.is_authenticated:
            return auth.failure or "未登录 / not authenticated"
        context.caller = auth.caller
        context.loaders = Loaders(auth.caller)
        if socket is not None:
            socket.scope.setdefault("state", {})["auth"] = auth
        return ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Strawberry's view, except that its plain-text refusals of a request ("No GraphQL
        query found", a GET mutation …) are answered as GraphQL-shaped errors with a code and
        both languages, like the refusals of :mod:`core.access.middleware`. A WebSocket is
        strawberry's graphql-transport-ws, authenticated on ``connection_init``."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        try:
            response = await self.run(request)
        except HTTPException as exc:
            code, zh, en = http_refusal(exc.reason)
            await send_error(
                send,
                exc.status_code,
                code,
                zh,
                en,
                language=preferred_language(request.headers.get("accept-language")),
                media=negotiate(request.headers.get("accept", "")),
            )
            return
        await response(scope, receive, send)

    @property
    def graphql_ide_html(self) -> str:
        """GraphiQL with its assets from this server (or the CDN, ``BAOXUE_GRAPHIQL_CDN``)."""
        return graphiql_page(use_cdn=self.settings.graphiql_cdn)

    def encode_json(self, data: object) -> bytes:
        """Raw UTF-8 JSON (no ``\\uXXXX`` escapes for Chinese text), by orjson."""
        return orjson.dumps(data)

    async def process_result(self, request: Request, result: Any) -> Any:  # type: ignore[override]
        """Every error carries ``extensions.code``: parse errors (which no extension sees) get
        ``GRAPHQL_PARSE_FAILED``, any other uncoded one ``GRAPHQL_VALIDATION_FAILED``.

        A request that failed before execution (parse, validation, variable coercion: no
        ``data`` and no error with a ``path``) is answered, to a client that accepts
        ``application/graphql-response+json``, with HTTP 400 and no ``data`` entry
        (:func:`core.graphql_request.negotiate`)."""
        response = await super().process_result(request, result)
        for error in response.get("errors") or []:
            extensions = error.setdefault("extensions", {})
            if "code" not in extensions:
                syntax = str(error.get("message", "")).startswith("Syntax Error")
                extensions["code"] = (
                    "GRAPHQL_PARSE_FAILED" if syntax else "GRAPHQL_VALIDATION_FAILED"
                )
        media = negotiate(request.headers.get("accept", ""))
        request.state.response_media = media
        before_execution = (
            result.data is None
            and bool(result.errors)
            and all(e.path is None for e in result.errors)
        )
        if before_execution and media.graphql_response:
            response.pop("data", None)
            request.state.response_status = 400
        return response

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        """Strawberry's answer, with the negotiated media type and status."""
        response = await super().run(request, context, root_value)
        media = (
            getattr(request.state, "response_media", None) if isinstance(request, Request) else None
        )
        if media is not None and response.headers.get("content-type", "").startswith(JSON):
            response.headers["content-type"] = media.content_type
            response.status_code = getattr(request.state, "response_status", response.status_code)
        return response

    async def get_context(self, request: Request, response: Response) -> Context:  # type: ignore[override]
        if isinstance(request, WebSocket):  # the caller comes with connection_init
            context = Context(
                request=request,  # type: ignore[arg-type]
                response=None,
                settings=self.settings,
                request_id=uuid.uuid4().hex[:16],
                clock=self.clock,
            )
            context.extra["live"] = LiveConnection(
                self.broker(), self.settings.subscription_check_seconds
            )
            return context
        auth = authentication_of(request.scope)
        caller = auth.caller
        if self.default_caller is not None and not caller.is_authenticated and not auth.failure:
            caller = self.default_caller
        context = Context(
            request=request,
            response=response,
            settings=self.settings,
            request_id=request.scope.get("state", {}).get("request_id", "-"),
            clock=self.clock,
            caller=caller,
            auth_failure=auth.failure,
        )
        context.extra["file_store"] = self.file_store
        context.extra["broker"] = self.broker()
        return context


def file_download(
    graphql_app: BaoxueGraphQL,
) -> Callable[[Request], Awaitable[Response]]:
    """``GET /files/<attachment id>``: the file, to an authenticated caller who may see the
    record it belongs to (401 without credentials, 404 for anything else); audited."""

    async def download(request: Request) -> Response:
        auth = authentication_of(request.scope)
        caller = auth.caller
        if graphql_app.default_caller is not None and not caller.is_authenticated:
            caller = graphql_app.default_caller
        try:
            attachment_id = uuid.UUID(request.path_params["attachment_id"])
        except ValueError:
            attachment_id = None
        try:
            attachment, data = await open_attachment(
                caller,
                attachment_id,
                store=graphql_app.file_store,
                now=graphql_app.clock(),
                request_id=request.scope.get("state", {}).get("request_id", ""),
                client_address=request.client.host if request.client else "",
            )
        except DomainError as exc:
            status = 401 if exc.code is ErrorCode.UNAUTHENTICATED else 404
            if auth.failure and status == 401:
                exc = DomainError(exc.code, *auth.failure.partition(" / ")[::2])
            return JSONResponse(
                {"errors": [{"message": exc.message, "extensions": {"code": exc.code.value}}]},
                status_code=status,
                headers={"cache-control": "no-store"},
            )
        disposition = f"attachment; filename*=UTF-8''{quote(attachment.file_name)}"
        return Response(
            data,
            media_type=attachment.content_type,
            headers={"content-disposition": disposition, "cache-control": "no-store, private"},
        )

    return download


def create_app(
    settings: Settings | None = None,
    *,
    manage_database: bool = True,
    clock: Callable[[], datetime] = utc_now,
    default_caller: Caller | None = None,
) -> Starlette:
    """Build the application. With ``manage_database`` it opens and closes the database itself;
    tests pass ``False`` and provide a Tortoise context of their own. ``clock`` tells the time
    to deadlines and overdue checks (tests move it instead of sleeping). ``default_caller``
    stands in for requests that bring no credentials (tests of other features use it; a
    deployment never does).

    The plugin manager is built and validated here, so a broken county plugin stops start-up
    with an error naming the plugin and the hook."""
    settings = settings or load_settings()
    configure_logging(settings.log_level)
    get_plugin_manager()
    limiter = build_rate_limiter(settings.redis_url)
    graphql_app = BaoxueGraphQL(
        settings,
        clock=clock,
        default_caller=default_caller,
        key_checks=KeyCheckLimit(limiter, settings.rate_limit_key_failures),
    )

    async def end_interrupted_imports() -> None:
        # import jobs a previous run of the server left RUNNING (it was restarted or killed
        # mid-import): failed, with the reason, and their county and format free again
        from core.imports.services import fail_interrupted

        ended = await fail_interrupted(datetime.now(UTC))
        if ended:
            log.warning("interrupted import jobs marked failed", extra={"jobs": ended})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if not manage_database:  # the caller (a test) has opened the database
            await end_interrupted_imports()
            try:
                yield
            finally:
                await close_brokers()
            return
        ctx = await open_database(settings.database_url)
        # Open the connection now: Tortoise's SQLite client can keep its lock if the first
        # query is cancelled while connecting, and every later query would then hang.
        from tortoise import connections

        await connections.get("default").execute_query("SELECT 1")
        log.info("database opened", extra={"database": settings.database_url.split("@")[-1]})
        try:
            await end_interrupted_imports()
            yield
        finally:
            await close_brokers()
            await close_database(ctx)

    routes: list[BaseRoute] = [
        Route("/graphql", graphql_app, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql_app),  # subscriptions (graphql-transport-ws)
        Route("/healthz", health_check(limiter), methods=["GET"]),
        Route("/readyz", readiness_check(limiter), methods=["GET"]),
        Route("/metrics", metrics_endpoint(settings.metrics_token), methods=["GET"]),
        Route(
            "/registers/household.{extension}",
            register_download(clock, default_caller),
            methods=["GET"],
        ),
        Route(
            "/ledgers/{format_code}.{extension}",
            register_download(clock, default_caller),
            methods=["GET"],
        ),
        Route(
            "/reports/{snapshot_id}.{extension}",
            report_download(clock, default_caller),
            methods=["GET"],
        ),
        Route(
            "/imports/{job_id}/report.{extension}",
            import_report_download(clock, default_caller),
            methods=["GET"],
        ),
        Route("/files/{attachment_id}", file_download(graphql_app), methods=["GET"]),
        Route("/attachments/{attachment_id}", attachment_download(), methods=["GET"]),
    ]
    if settings.graphiql and not settings.graphiql_cdn:
        routes.append(assets_mount())
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
    )
    app.add_middleware(
        AccessMiddleware,
        limiter=limiter,
        clock=clock,
        staff_per_minute=settings.rate_limit_staff,
        key_per_minute=settings.rate_limit_key,
        anonymous_per_minute=settings.rate_limit_anonymous,
        login_per_minute=settings.rate_limit_login,
        key_checks_per_minute=settings.rate_limit_key_failures,
        max_body_bytes=settings.max_body_bytes,
        # an attachment or a roster: each mutation checks its own limit on the file
        max_upload_bytes=max(settings.max_upload_bytes, settings.max_import_bytes),
        max_tokens=settings.max_tokens,
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type", "x-api-key", "x-request-id"],
            expose_headers=[
                "x-request-id",
                "x-client-request-id",
                "retry-after",
                "x-ratelimit-limit",
                "x-ratelimit-remaining",
                "x-ratelimit-reset",
            ],
            max_age=600,
        )
    app.add_middleware(
        SecurityHeadersMiddleware,
        ide_policy=content_security_policy(use_cdn=settings.graphiql_cdn),
    )
    app.add_middleware(ETagMiddleware)  # inside gzip: the tag is of the JSON itself
    if settings.gzip_minimum_size:
        app.add_middleware(
            GZipMiddleware,
            minimum_size=settings.gzip_minimum_size,
            compresslevel=6,  # most of level 9's gain for a fraction of its time
            exclude_content_types=ALREADY_COMPRESSED,
        )
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(RequestLogMiddleware)
    if settings.trusted_proxies:
        # outermost, so that the log, the limits and the audit all see the real client
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))
    return app
