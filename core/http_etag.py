"""ETags for GraphQL GET requests (issue 15, point 4): a partner agency that repeats the same
query all day gets ``304 Not Modified`` and no body when the answer has not changed.

The query still runs in full - authentication, row scope, masking and the audit of personal
reads happen as for any request; only the bytes on the wire are saved. The tag is weak
(``W/"…"``: the same JSON, whatever the transfer encoding) and is a hash of the answer's body,
so it changes with any change to the data the caller sees. Answers are marked
``Cache-Control: private, no-cache`` (a shared cache must not keep personal data; the client
must revalidate every time) and ``Vary`` on the credentials.

Only ``GET`` answers with status 200 and a JSON body sent in one piece are tagged; anything
else (POST, errors, streamed answers, downloads) passes through untouched.
"""

from __future__ import annotations

import hashlib
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_JSON_TYPES = ("application/json", "application/graphql-response+json")


def entity_tag(body: bytes) -> str:
    """The weak entity tag of a response body."""
    return 'W/"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def _matches(if_none_match: str, tag: str) -> bool:
    """RFC 9110 weak comparison: any listed tag (weak or strong) with the same opaque part."""
    if if_none_match.strip() == "*":
        return True
    opaque = tag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == opaque for t in if_none_match.split(","))


class ETagMiddleware:
    """Tag the GET answers of ``paths``; answer ``If-None-Match`` with 304 when it matches."""

    def __init__(self, app: ASGIApp, paths: tuple[str, ...] = ("/graphql",)) -> None:
        self.app = app
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        if_none_match = Headers(scope=scope).get("if-none-match")
        start: Message | None = None
        passing = False

        async def tagging_send(message: Message) -> None:
            nonlocal start, passing
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                content_type = Headers(raw=message["headers"]).get("content-type", "")
                if message["status"] != 200 or not content_type.startswith(_JSON_TYPES):
                    passing = True
                    await send(message)
                else:
                    start = message
                return
            if message["type"] == "http.response.body" and start is not None:
                if message.get("more_body", False):  # streamed: send as it comes, untagged
                    passing = True
                    await send(start)
                    await send(message)
                    return
                await self._send_tagged(start, message.get("body", b""), if_none_match, send)
                return
            await send(message)

        await self.app(scope, receive, tagging_send)

    @staticmethod
    async def _send_tagged(
        start: Message, body: bytes, if_none_match: str | None, send: Send
    ) -> None:
        tag = entity_tag(body)
        headers = MutableHeaders(raw=list(start["headers"]))
        headers["etag"] = tag
        headers["cache-control"] = "private, no-cache"
        for name in ("Authorization", "X-API-Key"):
            headers.add_vary_header(name)
        if if_none_match and _matches(if_none_match, tag):
            for name in ("content-length", "content-type"):
                if name in headers:
                    del headers[name]
            response: dict[str, Any] = {**start, "status": 304, "headers": headers.raw}
            await send(response)
            await send({"type": "http.response.body", "body": b""})
            return
        await send({**start, "headers": headers.raw})
        await send({"type": "http.response.body", "body": body})
