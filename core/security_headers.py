"""Security headers on every response.

The GraphiQL page gets the content security policy :mod:`core.graphiql` gives it (scripts from
this server only, unless the CDN is switched on); every other response gets a policy that
allows nothing.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.graphiql import content_security_policy

_COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
_API_CSP = b"default-src 'none'; frame-ancestors 'none'"


class SecurityHeadersMiddleware:
    def __init__(
        self, app: ASGIApp, *, ide_policy: bytes | None = None, hsts: bool = False
    ) -> None:
        self.app = app
        self.ide_policy = ide_policy or content_security_policy()
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {k.lower() for k, _ in headers}
                content_type = dict(headers).get(b"content-type", b"")
                csp = self.ide_policy if content_type.startswith(b"text/html") else _API_CSP
                extra = [*_COMMON, (b"content-security-policy", csp)]
                if self.hsts:
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                headers += [(k, v) for k, v in extra if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
