"""Permission checks for resolvers: 401-style and FORBIDDEN errors with clear messages."""

from __future__ import annotations

from core.access.caller import Caller
from core.access.enums import Permission
from core.api.context import Info
from core.api.errors import ApiError, ErrorCode


def require_caller(info: Info) -> Caller:
    """The authenticated caller, or an UNAUTHENTICATED error saying why there is none."""
    caller = info.context.caller
    if not caller.is_authenticated:
        reason = info.context.auth_failure
        if reason:
            zh, _, en = reason.partition(" / ")
            raise ApiError(ErrorCode.UNAUTHENTICATED, zh, en or zh)
        raise ApiError(
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
        raise ApiError(
            ErrorCode.FORBIDDEN,
            f"无此权限: 需要 {needed} ({labels})",
            f"forbidden: this needs the {needed} permission",
        )
    return caller
