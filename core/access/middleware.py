"""HTTP side of access control: authenticate each request and apply the caller's rate limit.

The middleware puts the :class:`~core.access.authentication.Authentication` into
``scope["state"]["auth"]`` for the GraphQL context; a caller over its limit gets HTTP 429 with
a GraphQL-shaped error body and ``Retry-After``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from starlette.types import ASGIApp, Receive, Scope, Send

from core.access.authentication import Authentication, authenticate
from core.access.caller import Caller
from core.access.enums import ActorKind
from core.access.rate_limit import RateLimiter


class AccessMiddleware:
    """Authenticate requests to ``paths`` and count them against the caller's limit."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limiter: RateLimiter,
        clock: Callable[[], datetime],
        staff_per_minute: int,
        key_per_minute: int,
        anonymous_per_minute: int,
        paths: tuple[str, ...] = ("/graphql",),
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.clock = clock
        self.limits = {
            ActorKind.STAFF: staff_per_minute,
            ActorKind.API_KEY: key_per_minute,
            ActorKind.ANONYMOUS: anonymous_per_minute,
        }
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") not in self.paths:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        state = scope.setdefault("state", {})
        client = (scope.get("client") or ("", 0))[0]
        auth = await authenticate(
            headers, now=self.clock(), client_address=client, request_id=state.get("request_id", "")
        )
        state["auth"] = auth
        limit = self.limits.get(auth.caller.kind, 0)
        if limit > 0 and scope.get("method") == "POST":
            verdict = await self.limiter.hit(_limit_key(auth.caller, client), limit)
            if not verdict.allowed:
                await _too_many(send, verdict.retry_after, limit)
                return
        await self.app(scope, receive, send)


def _limit_key(caller: Caller, client: str) -> str:
    if caller.account_id is not None:
        return f"user:{caller.account_id}"
    if caller.api_key_id is not None:
        return f"key:{caller.api_key_id}"
    return f"ip:{client}"


async def _too_many(send: Send, retry_after: int, limit: int) -> None:
    body = json.dumps(
        {
            "data": None,
            "errors": [
                {
                    "message": f"请求过于频繁: 每分钟最多 {limit} 次, 请 {retry_after} 秒后再试 / "
                    f"rate limit exceeded: at most {limit} requests a minute, "
                    f"retry in {retry_after} s",
                    "extensions": {"code": "RATE_LIMITED", "retryAfter": retry_after},
                }
            ],
        },
        ensure_ascii=False,
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"retry-after", str(retry_after).encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def authentication_of(scope: Scope) -> Authentication:
    """What the middleware decided for this request (anonymous when it did not run)."""
    return scope.get("state", {}).get("auth") or Authentication(Caller.anonymous())
