"""Permission checks for resolvers: 401-style and FORBIDDEN errors with clear messages."""

from __future__ import annotations

from typing import Any

from tortoise.models import Model
from tortoise.queryset import QuerySet

from core.access.caller import Caller
from core.access.enums import Permission
from core.access.scope import list_permissions, scoped
from core.access.scope import restrict as scope_restrict
from core.api.context import Info
from core.errors import DomainError, ErrorCode


def require_caller(info: Info) -> Caller:
    """The authenticated caller, or an UNAUTHENTICATED error saying why there is none."""
    caller = info.context.caller
    if not caller.is_authenticated:
        reason = info.context.auth_failure
        if reason:
            zh, _, en = reason.partition(" / ")
            raise DomainError(ErrorCode.UNAUTHENTICATED, zh, en or zh)
        raise DomainError(
            ErrorCode.UNAUTHENTICATED,
            "请先登录 (Authorization: Bearer 令牌) 或提供 API 密钥 (X-API-Key)",
            "authentication required: send 'Authorization: Bearer <token>' or 'X-API-Key'",
        )
    return caller


def require(info: Info, *permissions: Permission) -> Caller:
    """The caller, if authenticated and holding at least one of ``permissions``."""
    caller = require_caller(info)
    if permissions and not any(caller.can(p) for p in permissions):
        needed = " / ".join(p.value for p in permissions)
        labels = "、".join(p.label for p in permissions)
        raise DomainError(
            ErrorCode.FORBIDDEN,
            f"无此权限: 需要 {needed} ({labels})",
            f"forbidden: this needs the {needed} permission",
        )
    return caller


def restrict(info: Info, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """``queryset`` narrowed to what the caller may see, after checking they may list it at
    all (UNAUTHENTICATED / FORBIDDEN otherwise). Every connection and count goes through here."""
    caller = require(info, *list_permissions(queryset.model))
    return scope_restrict(queryset, caller)


async def guard_write(info: Info, model: type[Model], row_id: Any, field: str) -> Caller:
    """Check the caller may write (``WRITE_CASES``) and that the row they name is in their
    scope. A row outside it is reported exactly like a row that does not exist."""
    caller = require(info, Permission.WRITE_CASES)
    if row_id is not None and not await scoped(model, caller).filter(pk=row_id).exists():
        raise DomainError(
            ErrorCode.NOT_FOUND,
            "对象不存在或不在您的工作范围内",
            "no such object within your scope",
            field=field,
        )
    return caller
