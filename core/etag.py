"""ETags for GraphQL queries sent by GET (条件请求): a client that repeats the same query (a
partner agency polling a list) sends ``If-None-Match`` with the tag of the answer it holds and
gets ``304 Not Modified`` without the body when the answer is unchanged.

The tag is a hash of the answer's bytes, so it changes whenever anything in the answer does;
the query still runs (scope, masking and the audit of personal-data reads as always), only the
bytes on the wire are saved. Answers carry ``Cache-Control: private, no-cache``: a browser or
client may keep them but must revalidate, and no shared cache may store them (they hold
personal data and depend on the caller). Only successful (200) JSON answers to GET get a tag;
POST (every mutation, and queries sent by POST) passes untouched.
"""

from __future__ import annotations

import hashlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def etag_of(body: bytes) -> bytes:
    """A strong entity tag for ``body``: a quoted 128-bit BLAKE2 hash."""
    return b'"' + hashlib.blake2b(body, digest_size=16).hexdigest().encode() + b'"'


def _matches(if_none_match: bytes, tag: bytes) -> bool:
    """``If-None-Match`` (a list of tags, ``W/`` prefixes compared weakly, or ``*``) holds
    ``tag``."""
    for candidate in if_none_match.split(b","):
        candidate = candidate.strip()
        if candidate == b"*" or candidate.removeprefix(b"W/") == tag:
            return True
    return False


class ETagMiddleware:
    """Tag the 200 JSON answers to GET requests on ``path``; answer 304 to a matching
    ``If-None-Match``."""

    def __init__(self, app: ASGIApp, *, path: str = "/graphql") -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        if_none_match = b""
        for name, value in scope.get("headers") or []:
            if name == b"if-none-match":
                if_none_match = value
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffered(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            await _finish(start, b"".join(chunks))

        async def _finish(start: Message, body: bytes) -> None:
            headers = list(start.get("headers") or [])
            content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
            if start["status"] != 200 or b"json" not in content_type:
                await send(start)
                await send({"type": "http.response.body", "body": body})
                return
            tag = etag_of(body)
            headers = [(k, v) for k, v in headers if k.lower() not in (b"etag", b"cache-control")]
            headers += [(b"etag", tag), (b"cache-control", b"private, no-cache")]
            if if_none_match and _matches(if_none_match, tag):
                headers = [
                    (k, v)
                    for k, v in headers
                    if k.lower() not in (b"content-length", b"content-type")
                ]
                await send({**start, "status": 304, "headers": headers})
                await send({"type": "http.response.body", "body": b""})
                return
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, buffered)
