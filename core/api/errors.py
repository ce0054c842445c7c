"""Errors the API reports: typed mutation errors and coded top-level errors.

The domain refuses with one exception, :class:`core.errors.DomainError`; this module turns it
into what a client reads, as in Saleor:

* a refused mutation returns it in the payload's ``errors`` list as a :class:`FieldError`
  (``code``, ``field``, ``message``), made by :func:`field_error`;
* a failure of a whole request (bad page size, bad filter, not allowed, not found) reaches
  the client as a top-level GraphQL error whose ``extensions.code`` names the problem
  (:class:`MaskInternalErrors` keeps its message).

Every other exception is masked: the client sees "内部错误 / Internal error" and a request id,
and the traceback goes to the log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from core.api.enums import ErrorCode
from core.errors import CALLER_CODES, DomainError, bilingual

log = logging.getLogger("baoxue.errors")

__all__ = ["DomainError", "ErrorCode", "FieldError", "MaskInternalErrors", "bilingual"]


@strawberry.type(description="字段级错误: 代码、字段与说明 (中英文)")
class FieldError:
    code: ErrorCode = strawberry.field(description="错误代码")
    field: str | None = strawberry.field(description="出错的输入字段 (camelCase 路径), 可空")
    message: str = strawberry.field(description="说明 (中文 / English)")


def in_payload(exc: DomainError) -> DomainError:
    """``exc``, if it belongs in a mutation's payload. A refusal of the caller (not signed in,
    not allowed) is raised instead: a top-level error, as any query would give."""
    if exc.code in CALLER_CODES:
        raise exc
    return exc


def field_error(exc: DomainError) -> FieldError:
    """A refusal as an entry of a mutation payload's ``errors``."""
    return FieldError(code=exc.code, field=exc.field, message=exc.message)


def _original(error: GraphQLError) -> BaseException | None:
    return error.original_error


class MaskInternalErrors(SchemaExtension):
    """Replace unexpected errors with a request id; keep coded and validation errors.

    Strawberry's ``MaskErrors`` would hide our own coded errors too, so this extension decides
    per error: a :class:`~core.errors.DomainError` keeps its message and gains
    ``extensions.code``; errors without an original exception (parse and validation errors)
    pass through; everything else is logged with its traceback and replaced.
    """

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not getattr(result, "errors", None):
            return
        request_id = getattr(self.execution_context.context, "request_id", "-")
        result.errors = [self._process(e, request_id) for e in result.errors]

    def _process(self, error: GraphQLError, request_id: str) -> GraphQLError:
        original = _original(error)
        if isinstance(original, DomainError):
            return GraphQLError(
                original.message,
                nodes=error.nodes,
                path=error.path,
                original_error=None,
                extensions={**(error.extensions or {}), **original.extensions},
            )
        if original is None or (error.path is None and isinstance(original, GraphQLError)):
            # parse and validation errors, and input coercion errors (a variable of the wrong
            # type, an unknown enum value): the client's mistake, reported as it is
            extensions = error.extensions or {}
            if "code" not in extensions:
                extensions = {**extensions, "code": "GRAPHQL_VALIDATION_FAILED"}
            return GraphQLError(
                error.message,
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
        return GraphQLError(
            bilingual(
                f"内部错误, 请联系管理员并提供请求编号 {request_id}",
                f"Internal error; quote request id {request_id} to the administrator",
            ),
            nodes=error.nodes,
            path=error.path,
            extensions={"code": ErrorCode.INTERNAL.value, "requestId": request_id},
        )
