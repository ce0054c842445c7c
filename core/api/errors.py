"""Errors the API reports: typed mutation errors and coded top-level errors.

The domain refuses with one exception, :class:`core.errors.DomainError`; this module turns it
into what a client reads, as in Saleor:

* a refused mutation returns it in the payload's ``errors`` list as a :class:`FieldError`
  (``code``, ``field``, ``message``, ``messages``), made by :func:`field_error`;
* a failure of a whole request (bad page size, bad filter, not allowed, not found) reaches
  the client as a top-level GraphQL error whose ``extensions.code`` names the problem
  (:class:`MaskInternalErrors` keeps its message).

Every message is in the language the client asked for (``Accept-Language``, Chinese by
default, :mod:`core.language`), with both texts beside it: ``messages { zh en }`` on a typed
error, ``extensions.messages`` on a top-level one. graphql-core's own English messages are
translated by :mod:`core.api.graphql_messages`. Every other exception is masked: the client
sees "内部错误" (or "Internal error") and a request id, and the traceback goes to the log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from core.api.enums import ErrorCode
from core.api.graphql_messages import translate
from core.errors import CALLER_CODES, DomainError, bilingual
from core.language import in_language, messages

log = logging.getLogger("baoxue.errors")

__all__ = [
    "DomainError",
    "ErrorCode",
    "FieldError",
    "LocalisedText",
    "MaskInternalErrors",
    "bilingual",
    "coded_error",
]

MESSAGE_DESCRIPTION = "说明, 按请求头 Accept-Language 选择中文或英文 (默认中文)"


@strawberry.type(description="中英文两种文本")
class LocalisedText:
    zh: str = strawberry.field(description="中文")
    en: str = strawberry.field(description="英文 (English)")


@strawberry.type
class Localised:
    """A typed error's ``message`` in the reader's language and ``messages`` in both."""

    zh: strawberry.Private[str]
    en: strawberry.Private[str]

    @strawberry.field(description=MESSAGE_DESCRIPTION)
    def message(self, info: strawberry.Info) -> str:
        return in_language(getattr(info.context, "language", "zh"), self.zh, self.en)

    @strawberry.field(description="中英文说明 (客户端可自行选择显示)")
    def messages(self) -> LocalisedText:
        return LocalisedText(zh=self.zh, en=self.en)


@strawberry.type(description="字段级错误: 代码、字段与说明 (中英文)")
class FieldError(Localised):
    code: ErrorCode = strawberry.field(description="错误代码")
    field: str | None = strawberry.field(description="出错的输入字段 (camelCase 路径), 可空")


def in_payload(exc: DomainError) -> DomainError:
    """``exc``, if it belongs in a mutation's payload. A refusal of the caller (not signed in,
    not allowed) is raised instead: a top-level error, as any query would give."""
    if exc.code in CALLER_CODES:
        raise exc
    return exc


def field_error(exc: DomainError) -> FieldError:
    """A refusal as an entry of a mutation payload's ``errors``."""
    return FieldError(code=exc.code, field=exc.field, zh=exc.zh, en=exc.en)


def coded_error(zh: str, en: str, **extensions: object) -> GraphQLError:
    """A top-level error raised outside a resolver (by a schema extension), in both languages:
    :class:`MaskInternalErrors` shows the reader's one as ``message``."""
    return GraphQLError(zh, extensions={**extensions, "messages": messages(zh, en)})


def _original(error: GraphQLError) -> BaseException | None:
    return error.original_error


class MaskInternalErrors(SchemaExtension):
    """Replace unexpected errors with a request id; keep coded and validation errors; give
    each error's message in the reader's language.

    Strawberry's ``MaskErrors`` would hide our own coded errors too, so this extension decides
    per error: a :class:`~core.errors.DomainError` keeps its message and gains
    ``extensions.code``; errors without an original exception (parse and validation errors)
    pass through, translated; everything else is logged with its traceback and replaced.
    Every error leaves with ``message`` in the language of ``Accept-Language`` and
    ``extensions.messages`` holding both.
    """

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not getattr(result, "errors", None):
            return
        context = self.execution_context.context
        request_id = getattr(context, "request_id", "-")
        language = getattr(context, "language", "zh")
        result.errors = [self._process(e, request_id, language) for e in result.errors]

    def on_stream_result(self, result: Any) -> Iterator[None]:
        """The same for each result of a subscription (sent before the operation ends)."""
        if getattr(result, "errors", None):
            context = self.execution_context.context
            request_id = getattr(context, "request_id", "-")
            language = getattr(context, "language", "zh")
            result.errors = [self._process(e, request_id, language) for e in result.errors]
        yield

    def _process(self, error: GraphQLError, request_id: str, language: str) -> GraphQLError:
        original = _original(error)
        if isinstance(original, DomainError):
            return GraphQLError(
                in_language(language, original.zh, original.en),
                nodes=error.nodes,
                path=error.path,
                original_error=None,
                extensions={
                    **(error.extensions or {}),
                    **original.extensions,
                    "messages": messages(original.zh, original.en),
                },
            )
        if original is None or (error.path is None and isinstance(original, GraphQLError)):
            # parse and validation errors, and input coercion errors (a variable of the wrong
            # type, an unknown enum value): the client's mistake, reported as it is
            extensions = dict(error.extensions or {})
            extensions.setdefault("code", "GRAPHQL_VALIDATION_FAILED")
            texts = extensions.get("messages")
            if not (isinstance(texts, dict) and {"zh", "en"} <= texts.keys()):
                texts = messages(translate(error.message) or error.message, error.message)
            extensions["messages"] = texts
            return GraphQLError(
                in_language(language, texts["zh"], texts["en"]),
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                extensions=extensions,
            )
        log.error(
            "internal error",
            exc_info=(type(original), original, original.__traceback__),
            extra={"request_id": request_id, "path": error.path},
        )
        zh = f"内部错误, 请联系管理员并提供请求编号 {request_id}"
        en = f"Internal error; quote request id {request_id} to the administrator"
        return GraphQLError(
            in_language(language, zh, en),
            nodes=error.nodes,
            path=error.path,
            extensions={
                "code": ErrorCode.INTERNAL.value,
                "requestId": request_id,
                "messages": messages(zh, en),
            },
        )
