"""Errors the API reports: typed mutation errors and coded top-level errors.

Two kinds, as in Saleor:

* validation failures of a mutation come back in the payload's ``errors`` list as
  :class:`FieldError` (``code``, ``field``, ``message``);
* failures of a whole request (bad page size, bad filter, not allowed, not found) are GraphQL
  errors raised as :class:`ApiError`, whose ``extensions.code`` names the problem.

Every other exception is masked: the client sees "内部错误 / Internal error" and a request id,
and the traceback goes to the log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from enum import Enum
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

log = logging.getLogger("baoxue.errors")


@strawberry.enum(description="错误代码")
class ErrorCode(Enum):
    INVALID = strawberry.enum_value("INVALID", description="取值无效")
    REQUIRED = strawberry.enum_value("REQUIRED", description="缺少必填项")
    NOT_FOUND = strawberry.enum_value("NOT_FOUND", description="对象不存在或无权查看")
    CONFLICT = strawberry.enum_value("CONFLICT", description="版本冲突: 对象已被他人修改")
    DUPLICATE = strawberry.enum_value("DUPLICATE", description="重复: 已存在相同记录")
    INVALID_TRANSITION = strawberry.enum_value(
        "INVALID_TRANSITION", description="当前状态不允许此操作"
    )
    TOO_EARLY = strawberry.enum_value("TOO_EARLY", description="时限未到")
    FORBIDDEN = strawberry.enum_value("FORBIDDEN", description="无此权限")
    UNAUTHENTICATED = strawberry.enum_value("UNAUTHENTICATED", description="未登录或凭证无效")
    PAGE_SIZE = strawberry.enum_value("PAGE_SIZE", description="分页大小超出范围")
    INVALID_FILTER = strawberry.enum_value("INVALID_FILTER", description="筛选条件无效")
    RATE_LIMITED = strawberry.enum_value("RATE_LIMITED", description="请求过于频繁")
    INTERNAL = strawberry.enum_value("INTERNAL", description="内部错误")


def bilingual(zh: str, en: str) -> str:
    """The message format users see: Chinese first, then English."""
    return f"{zh} / {en}"


class ApiError(Exception):
    """A coded error reported as a top-level GraphQL error (never masked)."""

    def __init__(self, code: ErrorCode, zh: str, en: str, *, field: str | None = None) -> None:
        self.code = code
        self.field = field
        self.message = bilingual(zh, en)
        super().__init__(self.message)

    @property
    def extensions(self) -> dict[str, Any]:
        ext: dict[str, Any] = {"code": self.code.value}
        if self.field:
            ext["field"] = self.field
        return ext


@strawberry.type(description="字段级错误: 代码、字段与说明 (中英文)")
class FieldError:
    code: ErrorCode = strawberry.field(description="错误代码")
    field: str | None = strawberry.field(description="出错的输入字段 (camelCase 路径), 可空")
    message: str = strawberry.field(description="说明 (中文 / English)")


class ValidationFailed(Exception):
    """Raised by services when input is invalid; mutations turn it into ``errors``."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(e.message for e in errors))

    @classmethod
    def single(cls, code: ErrorCode, field: str | None, zh: str, en: str) -> ValidationFailed:
        return cls([FieldError(code=code, field=field, message=bilingual(zh, en))])


def _original(error: GraphQLError) -> BaseException | None:
    return error.original_error


class MaskInternalErrors(SchemaExtension):
    """Replace unexpected errors with a request id; keep coded and validation errors.

    Strawberry's ``MaskErrors`` would hide our own coded errors too, so this extension decides
    per error: :class:`ApiError` keeps its message and gains ``extensions.code``; errors without
    an original exception (parse and validation errors) pass through; everything else is logged
    with its traceback and replaced.
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
        if isinstance(original, ApiError):
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
