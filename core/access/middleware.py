"""HTTP side of access control: read the request safely, authenticate it, and count it.

For every request to ``/graphql``, whatever its method:

1. the caller is authenticated from the headers (API-key checks that are not served from the
   cache are limited per key prefix and per address *before* Argon2 runs, see
   :class:`~core.access.authentication.KeyCheckLimit`);
2. the body is read up to its limit and checked (:mod:`core.graphql_request`: 413/414/415/400
   with a GraphQL-shaped error);
3. the request counts against the caller's limit: its account, its key, or, for anonymous
   callers, its address — except that a request made only of ``login`` fields counts against
   the login limit of its address instead, so that anonymous traffic cannot keep staff behind
   the same address from signing in (each attempt is then also counted per address and per
   username by :mod:`core.access.login_throttle`).

The :class:`~core.access.authentication.Authentication` goes into ``scope["state"]["auth"]``
for the GraphQL context; a caller over its limit gets HTTP 429 with ``Retry-After``.

A ``GET`` under one of ``file_prefixes`` (``/reports/<id>.xlsx``: a stored report's file;
``/registers/household.csv``, ``/ledgers/<format>.csv``: a streamed ledger) is authenticated
and counted the same way; it has no body to check.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.access.authentication import Authentication, KeyCheckLimit, authenticate
from core.access.caller import Caller
from core.access.enums import ActorKind
from core.access.login_throttle import LoginThrottle, use_login_throttle
from core.access.rate_limit import RateLimiter, Verdict
from core.graphql_request import (
    BadRequest,
    GraphQLRequest,
    ResponseMedia,
    is_login_only,
    is_multipart,
    negotiate,
    parse_get,
    parse_post,
    read_body,
    send_error,
)
from core.language import preferred_language
from core.observability import count_rate_limit_refusal

#: The limit a bucket's prefix belongs to, as the metrics name it.
_LIMIT_NAMES = {"user": "staff", "key": "key", "login-requests": "login", "ip": "anonymous"}

#: Longest query string a GET request may carry.
MAX_URL_BYTES = 8192
#: What a multipart request may carry besides its file (the operations and map fields).
MULTIPART_ENVELOPE_BYTES = 64 * 1024


class AccessMiddleware:
    """Authenticate requests to ``paths``, check their body and count them against a limit."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limiter: RateLimiter,
        clock: Callable[[], datetime],
        staff_per_minute: int,
        key_per_minute: int,
        anonymous_per_minute: int,
        login_per_minute: int = 30,
        key_checks_per_minute: int = 10,
        max_body_bytes: int = 128 * 1024,
        max_tokens: int = 4000,
        paths: tuple[str, ...] = ("/graphql",),
        file_prefixes: tuple[str, ...] = (
            "/reports/",
            "/registers/",
            "/ledgers/",
            "/files/",
            "/attachments/",
            "/imports/",
        ),
        max_upload_bytes: int = 10 * 1024 * 1024,
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.clock = clock
        self.limits = {
            ActorKind.STAFF: staff_per_minute,
            ActorKind.API_KEY: key_per_minute,
            ActorKind.ANONYMOUS: anonymous_per_minute,
        }
        self.login_per_minute = login_per_minute
        self.key_checks = KeyCheckLimit(limiter, key_checks_per_minute)
        self.login_throttle = LoginThrottle(limiter, per_address=login_per_minute)
        self.max_body_bytes = max_body_bytes
        self.max_tokens = max_tokens
        self.paths = paths
        self.file_prefixes = file_prefixes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path") or ""
        is_file = path.startswith(self.file_prefixes) and scope.get("method") == "GET"
        if path not in self.paths and not is_file:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        state = scope.setdefault("state", {})
        client = (scope.get("client") or ("", 0))[0]
        auth = await authenticate(
            headers,
            now=self.clock(),
            client_address=client,
            request_id=state.get("request_id", ""),
            key_checks=self.key_checks,
        )
        state["auth"] = auth
        language = preferred_language(headers.get("accept-language"))
        media = negotiate(headers.get("accept", ""))
        if auth.retry_after:
            count_rate_limit_refusal("key_check")
            await _too_many(send, auth.retry_after, auth.failure, media, language)
            return

        if is_file:  # a download (a stored report): authenticated and counted, no body
            verdict = await self._count(
                send, self._bucket(auth.caller, client, None), media, language
            )
            if verdict is not None and not verdict.allowed:
                return
            await self.app(scope, receive, _with_rate_headers(send, verdict))
            return

        request: GraphQLRequest | None = None
        refused: BadRequest | None = None
        try:
            content_type = headers.get("content-type", "")
            if scope.get("method") == "POST" and is_multipart(content_type):
                # a file upload: its own, larger limit, and only for a known caller
                if not auth.caller.is_authenticated:
                    raise BadRequest(
                        401,
                        "UNAUTHENTICATED",
                        "上传文件须先登录或提供 API 密钥",
                        "uploading a file needs a signed-in caller or an API key",
                    )
                limit = self.max_upload_bytes + MULTIPART_ENVELOPE_BYTES
                body = await read_body(receive, headers, limit, "BAOXUE_MAX_UPLOAD_BYTES")
                request = GraphQLRequest(body=body)
            elif scope.get("method") == "POST":
                body = await read_body(receive, headers, self.max_body_bytes)
                request = parse_post(body, content_type)
            else:
                request = parse_get(scope.get("query_string", b""), MAX_URL_BYTES)
        except BadRequest as exc:
            refused = exc

        verdict = await self._count(
            send, self._bucket(auth.caller, client, request), media, language
        )
        if verdict is not None and not verdict.allowed:
            return
        send = _with_rate_headers(send, verdict)
        if refused is not None:
            await send_error(
                send,
                refused.status,
                refused.code,
                refused.zh,
                refused.en,
                language=language,
                media=media,
            )
            return

        body_sent = request is None or scope.get("method") != "POST"

        async def replay() -> Message:
            nonlocal body_sent
            if not body_sent:
                body_sent = True
                return {"type": "http.request", "body": request.body, "more_body": False}
            return await receive()

        with use_login_throttle(self.login_throttle):
            await self.app(scope, replay, send)

    async def _count(
        self, send: Send, bucket_and_limit: tuple[str, int], media: ResponseMedia, language: str
    ) -> Verdict | None:
        """Count the request against its bucket; a refused one is answered here (429). None
        when the bucket has no limit (0)."""
        bucket, limit = bucket_and_limit
        if limit <= 0:
            return None
        verdict = await self.limiter.hit(bucket, limit)
        if not verdict.allowed:
            count_rate_limit_refusal(_LIMIT_NAMES[bucket.split(":", 1)[0]])
            await _too_many(send, verdict.retry_after, _over(limit), media, language, verdict)
        return verdict

    def _bucket(
        self, caller: Caller, client: str, request: GraphQLRequest | None
    ) -> tuple[str, int]:
        if caller.account_id is not None:
            return f"user:{caller.account_id}", self.limits[ActorKind.STAFF]
        if caller.api_key_id is not None:
            return f"key:{caller.api_key_id}", self.limits[ActorKind.API_KEY]
        if request is not None and is_login_only(request, self.max_tokens):
            return f"login-requests:{client}", self.login_per_minute
        return f"ip:{client}", self.limits.get(caller.kind, self.limits[ActorKind.ANONYMOUS])


def _over(limit: int) -> str:
    return f"每分钟最多 {limit} 次 / at most {limit} requests a minute"


def rate_headers(verdict: Verdict | None) -> list[tuple[bytes, bytes]]:
    """``X-RateLimit-Limit``, ``-Remaining`` and ``-Reset`` (the end of the window in seconds
    since the epoch), as GitHub's API sends them."""
    if verdict is None:
        return []
    return [
        (b"x-ratelimit-limit", str(verdict.limit).encode()),
        (b"x-ratelimit-remaining", str(verdict.remaining).encode()),
        (b"x-ratelimit-reset", str(verdict.reset).encode()),
    ]


def _with_rate_headers(send: Send, verdict: Verdict | None) -> Send:
    extra = rate_headers(verdict)
    if not extra:
        return send

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), *extra]
        await send(message)

    return sending


async def _too_many(
    send: Send,
    retry_after: int,
    reason: str,
    media: ResponseMedia,
    language: str,
    verdict: Verdict | None = None,
) -> None:
    zh, _, en = reason.partition(" / ")
    await send_error(
        send,
        429,
        "RATE_LIMITED",
        f"请求过于频繁 ({zh}), 请 {retry_after} 秒后再试",
        f"rate limit exceeded ({en or zh}), retry in {retry_after} s",
        language=language,
        extensions={"retryAfter": retry_after},
        headers=[(b"retry-after", str(retry_after).encode()), *rate_headers(verdict)],
        media=media,
    )


def authentication_of(scope: Scope) -> Authentication:
    """What the middleware decided for this request (anonymous when it did not run)."""
    return scope.get("state", {}).get("auth") or Authentication(Caller.anonymous())
