"""One structured log: every line on stderr is a JSON object, whoever writes it.

The application (``baoxue.*``), strawberry, uvicorn (its error and access loggers) and any other
library log through the standard library; :func:`configure_logging` (and, for ``baoxue serve``,
:func:`logging_config`, handed to uvicorn before it writes its first line) gives the root
logger one handler whose :class:`JsonFormatter` is structlog's ``ProcessorFormatter``: time,
level, logger, message, the record's ``extra`` fields and whatever is bound for the current
request (request id, the client's own request id), each value passed through
:func:`core.log_redaction.redact` (no secret or request value is written), tracebacks too.

:class:`RequestLogMiddleware` gives every HTTP request an id of the server's own (the
``X-Request-ID`` response header; a client's ``X-Request-ID`` is kept beside it as
``client_request_id`` and echoed as ``X-Client-Request-ID``) and writes one line when the
request ends: method, path, status, duration, client address, the GraphQL operation's name
and, for every request the access middleware authenticated (``/graphql``, a report's file, a
streamed 学户册), the caller's kind and id (account or API key).
"""

from __future__ import annotations

import logging
import logging.config
import sys
import time
import uuid
from typing import Any

import orjson
import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.log_redaction import redact

log = logging.getLogger("baoxue.request")

#: The loggers whose lines :func:`logging_config` routes to the JSON handler.
LIBRARY_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "strawberry", "tortoise")


def _redact_values(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    for key, value in event.items():
        if isinstance(value, str):
            event[key] = redact(value)
        elif not isinstance(value, (int, float, bool)) and value is not None:
            event[key] = redact(str(value))
    return event


def _drop_internals(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    event.pop("_record", None)
    event.pop("_from_structlog", None)
    event.pop("color_message", None)  # uvicorn's coloured copy of the message
    return event


_FIRST = ("time", "level", "logger", "message")


def _orjson(_: Any, __: str, event: dict[str, Any]) -> str:
    ordered = {key: event.pop(key) for key in _FIRST if key in event}
    ordered.update(event)
    return orjson.dumps(ordered, default=str).decode()


class JsonFormatter(structlog.stdlib.ProcessorFormatter):
    """One JSON object per line: ``time``, ``level``, ``logger``, ``message``, the record's
    ``extra`` fields and the values bound to the current request, all redacted."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(
            foreign_pre_chain=[
                structlog.contextvars.merge_contextvars,
                structlog.stdlib.add_log_level,
                structlog.stdlib.add_logger_name,
                structlog.stdlib.ExtraAdder(),
                structlog.processors.TimeStamper(fmt="iso", utc=True, key="time"),
                structlog.processors.format_exc_info,
            ],
            processors=[
                _drop_internals,
                structlog.processors.EventRenamer("message"),
                _redact_values,
                _orjson,
            ],
        )


def logging_config(level: str = "info") -> dict[str, Any]:
    """A :func:`logging.config.dictConfig` configuration: the root logger and ``baoxue`` (which
    does not propagate, so that handlers added to either see its lines once) write JSON lines
    to stderr; uvicorn's and strawberry's loggers propagate to the root."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {
            "json": {"class": "logging.StreamHandler", "formatter": "json", "stream": sys.stderr}
        },
        "root": {"handlers": ["json"], "level": level.upper()},
        "loggers": {
            "baoxue": {"handlers": ["json"], "level": level.upper(), "propagate": False},
            **{
                name: {"handlers": [], "level": level.upper(), "propagate": True}
                for name in LIBRARY_LOGGERS
            },
            "py.warnings": {"handlers": [], "propagate": True},
        },
    }


def _is_configured() -> bool:
    return any(
        isinstance(getattr(h, "formatter", None), JsonFormatter)
        for h in logging.getLogger("baoxue").handlers
    )


def configure_logging(level: str = "info") -> None:
    """Send every log line to stderr as JSON (idempotent: a configuration already in place,
    such as the one ``baoxue serve`` gave uvicorn, is kept)."""
    logging.captureWarnings(True)  # warnings too, as JSON lines
    if _is_configured():
        return
    # Not dictConfig: it would strip the handlers of every existing ``baoxue.*`` logger.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name, propagate in (("", True), ("baoxue", False)):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(level.upper())
        logger.propagate = propagate
    for name in LIBRARY_LOGGERS:  # e.g. uvicorn's own handlers, when it was started directly
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True


_MAX_CLIENT_ID = 64


def _client_request_id(scope: Scope) -> str | None:
    raw = dict(scope.get("headers") or []).get(b"x-request-id", b"")
    text = raw.decode("latin-1").strip()
    if not text or len(text) > _MAX_CLIENT_ID or not text.isprintable():
        return None
    return text


def _caller_fields(state: dict[str, Any]) -> dict[str, Any]:
    auth = state.get("auth")
    caller = getattr(auth, "caller", None)
    if caller is None:
        return {"caller_kind": "ANONYMOUS"}
    fields: dict[str, Any] = {"caller_kind": caller.kind.value}
    if caller.account_id is not None:
        fields["caller_id"] = str(caller.account_id)
    elif caller.api_key_id is not None:
        fields["caller_id"] = str(caller.api_key_id)
    return fields


class RequestLogMiddleware:
    """Give every HTTP request the server's id and log one line when it ends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        client_request_id = _client_request_id(scope)
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        bound: dict[str, Any] = {"request_id": request_id}
        if client_request_id:
            state["client_request_id"] = client_request_id
            bound["client_request_id"] = client_request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers") or [])
                headers.append((b"x-request-id", request_id.encode()))
                if client_request_id:
                    headers.append((b"x-client-request-id", client_request_id.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        with structlog.contextvars.bound_contextvars(**bound):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                client = scope.get("client") or ("-", 0)
                extra: dict[str, Any] = {
                    "method": scope.get("method"),
                    "path": scope.get("path"),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "client": client[0],
                }
                if "operation" in state:
                    extra["operation"] = state["operation"]
                if "auth" in state or scope.get("path") == "/graphql":
                    extra.update(_caller_fields(state))
                log.info("request", extra=extra)
