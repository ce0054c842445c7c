"""Reading a GraphQL request off HTTP before anything else looks at it.

The body is read up to ``max_bytes`` (HTTP 413 beyond, whether or not ``Content-Length`` says
so) and must be a UTF-8 JSON object ``{"query": string, "variables": object|null,
"operationName": string|null, "extensions": object|null}`` nested at most :data:`MAX_DEPTH`
deep; anything else is HTTP 400 with a GraphQL-shaped error (code ``BAD_REQUEST``) instead of
the 500 a bare ``123``, invalid UTF-8 or 3,000 nested ``[`` used to give. JSON is parsed with
orjson, which refuses invalid UTF-8 and lone surrogates (``"\\ud800"``). A GET request's
``variables`` parameter is held to the same rules and its query string to ``max_url_bytes``.

The answer's media type follows the GraphQL-over-HTTP specification (:func:`negotiate`): a
client that accepts ``application/graphql-response+json`` gets it, with HTTP 400 and no
``data`` entry when the request fails before execution (a malformed body, a parse, validation
or variable-coercion error); a client that names ``application/json`` gets the legacy answer,
HTTP 200 with ``"data": null`` and the errors; one that sends ``*/*`` or no ``Accept`` gets
``application/json`` with the status codes it always had (400 for a malformed body).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import orjson
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    parse,
)
from starlette.types import Receive, Send

from core.language import DEFAULT_LANGUAGE, in_language, messages

#: Deepest nesting of arrays and objects a request body may have.
MAX_DEPTH = 32

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"


@dataclass(frozen=True)
class ResponseMedia:
    """How to answer one request, from its ``Accept`` header."""

    media_type: str = JSON
    #: The client named ``application/json`` itself (not ``*/*``): the legacy answer, HTTP 200
    #: for a request that fails before execution.
    explicit_json: bool = False

    @property
    def graphql_response(self) -> bool:
        return self.media_type == GRAPHQL_RESPONSE_JSON

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"

    def status_of_request_error(self, status: int) -> int:
        """The status for a request refused before execution with ``status``."""
        return 200 if self.explicit_json and status == 400 else status


def negotiate(accept: str) -> ResponseMedia:
    """The media type to answer with: the acceptable one with the highest ``q``, the earlier
    one on a tie; ``application/json`` for ``*/*``, ``application/*``, nothing or anything
    else."""
    best: tuple[float, int, str] | None = None
    for position, item in enumerate(accept.split(",")):
        media, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        if quality <= 0 or media not in (GRAPHQL_RESPONSE_JSON, JSON, "application/*", "*/*"):
            continue
        if best is None or quality > best[0]:
            best = (quality, position, media)
    if best is None or best[2] in ("application/*", "*/*"):
        return ResponseMedia()
    if best[2] == GRAPHQL_RESPONSE_JSON:
        return ResponseMedia(GRAPHQL_RESPONSE_JSON)
    return ResponseMedia(JSON, explicit_json=True)


class BadRequest(Exception):
    """A request refused before GraphQL sees it: HTTP ``status`` and a bilingual reason."""

    def __init__(self, status: int, code: str, zh: str, en: str) -> None:
        self.status = status
        self.code = code
        self.zh = zh
        self.en = en
        super().__init__(f"{zh} / {en}")


@dataclass(frozen=True)
class GraphQLRequest:
    query: str | None = None
    variables: dict[str, Any] | None = None
    operation_name: str | None = None
    body: bytes = b""
    extras: dict[str, Any] = field(default_factory=dict)


def _bad(zh: str, en: str) -> BadRequest:
    return BadRequest(400, "BAD_REQUEST", f"请求格式错误: {zh}", f"malformed request: {en}")


def too_large(limit: int, setting: str = "BAOXUE_MAX_BODY_BYTES") -> BadRequest:
    return BadRequest(
        413,
        "REQUEST_TOO_LARGE",
        f"请求体过大: 最多 {limit} 字节 ({setting})",
        f"request body too large: at most {limit} bytes ({setting})",
    )


def is_multipart(content_type: str) -> bool:
    """A GraphQL multipart request (file uploads: the GraphQL multipart request spec)."""
    return content_type.split(";")[0].strip().lower() == "multipart/form-data"


async def read_body(
    receive: Receive,
    headers: dict[str, str],
    max_bytes: int,
    setting: str = "BAOXUE_MAX_BODY_BYTES",
) -> bytes:
    """The whole body, or :class:`BadRequest` 413 as soon as it passes ``max_bytes``."""
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large(max_bytes, setting)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            raise too_large(max_bytes, setting)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _check_depth(value: Any) -> None:
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _bad(f"嵌套超过 {MAX_DEPTH} 层", f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def _json(raw: bytes | str, zh: str, en: str) -> Any:
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        reason = str(exc).split(":")[0]
        raise _bad(
            f"{zh}不是有效的 UTF-8 JSON ({reason})", f"{en} is not valid UTF-8 JSON ({reason})"
        ) from None
    _check_depth(value)
    return value


def _shape(data: Any, body: bytes) -> GraphQLRequest:
    if not isinstance(data, dict):
        raise _bad('须为 JSON 对象 {"query": ...}', 'the body must be a JSON object {"query": ...}')
    query, variables, name = data.get("query"), data.get("variables"), data.get("operationName")
    if not isinstance(query, str):
        raise _bad("query 须为字符串", "'query' must be a string")
    if variables is not None and not isinstance(variables, dict):
        raise _bad("variables 须为对象或 null", "'variables' must be an object or null")
    if name is not None and not isinstance(name, str):
        raise _bad("operationName 须为字符串或 null", "'operationName' must be a string or null")
    extensions = data.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise _bad("extensions 须为对象或 null", "'extensions' must be an object or null")
    return GraphQLRequest(query=query, variables=variables, operation_name=name, body=body)


def parse_post(body: bytes, content_type: str) -> GraphQLRequest:
    media = content_type.split(";")[0].strip().lower()
    if media != "application/json":
        raise BadRequest(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "请以 Content-Type: application/json 发送 GraphQL 请求",
            "send GraphQL requests with Content-Type: application/json",
        )
    return _shape(_json(body, "请求体", "the body"), body)


def parse_get(query_string: bytes, max_url_bytes: int) -> GraphQLRequest:
    """The GraphQL parameters of a GET request (no ``query`` = the GraphiQL page)."""
    if len(query_string) > max_url_bytes:
        raise BadRequest(
            414,
            "REQUEST_TOO_LARGE",
            f"网址过长: 查询参数最多 {max_url_bytes} 字节, 请改用 POST",
            f"URL too long: at most {max_url_bytes} bytes of parameters, use POST",
        )
    try:
        params = parse_qs(query_string.decode("utf-8"), errors="strict")
    except UnicodeDecodeError:
        raise _bad("网址参数不是 UTF-8", "the URL parameters are not UTF-8") from None
    query = params.get("query", [None])[0]
    raw_variables = params.get("variables", [None])[0]
    variables = _json(raw_variables, "variables ", "'variables'") if raw_variables else None
    if variables is not None and not isinstance(variables, dict):
        raise _bad("variables 须为对象", "'variables' must be an object")
    return GraphQLRequest(
        query=query, variables=variables, operation_name=params.get("operationName", [None])[0]
    )


def _root_fields(
    selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode], seen: set[str]
) -> Iterable[str]:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection.name.value
        elif isinstance(selection, InlineFragmentNode):
            yield from _root_fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:
                seen.add(name)
                yield from _root_fields(fragments[name].selection_set, fragments, seen)
            else:
                yield "?"


def is_login_only(request: GraphQLRequest, max_tokens: int) -> bool:
    """True when the operation that would run is a mutation of ``login`` fields only (what an
    anonymous caller may do); anything unparseable is not."""
    if not request.query:
        return False
    try:
        document = parse(request.query, no_location=True, max_tokens=max_tokens)
    except Exception:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if request.operation_name:
        operations = [o for o in operations if o.name and o.name.value == request.operation_name]
    if len(operations) != 1 or operations[0].operation is not OperationType.MUTATION:
        return False
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    names = set(_root_fields(operations[0].selection_set, fragments, set()))
    return "login" in names and names <= {"login", "__typename"}


async def send_error(
    send: Send,
    status: int,
    code: str,
    zh: str,
    en: str,
    *,
    language: str = DEFAULT_LANGUAGE,
    extensions: dict[str, Any] | None = None,
    headers: Iterable[tuple[bytes, bytes]] = (),
    media: ResponseMedia | None = None,
) -> None:
    """A GraphQL-shaped error response for a request refused before execution, in the media
    type negotiated for it (no ``data`` entry in ``application/graphql-response+json``), its
    message in ``language`` and both texts in ``extensions.messages``."""
    media = media or ResponseMedia()
    payload: dict[str, Any] = {} if media.graphql_response else {"data": None}
    payload["errors"] = [
        {
            "message": in_language(language, zh, en),
            "extensions": {"code": code, **(extensions or {}), "messages": messages(zh, en)},
        }
    ]
    body = orjson.dumps(payload)
    await send(
        {
            "type": "http.response.start",
            "status": media.status_of_request_error(status),
            "headers": [
                (b"content-type", media.content_type.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
