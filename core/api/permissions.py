"""Permission checks for resolvers: 401-style and FORBIDDEN errors with clear messages.

The rules are the domain's (:mod:`core.access.authorise`); resolvers call them first so that a
caller who may not do something learns that before anything about what they sent.
"""

from __future__ import annotations

from typing import Any

from tortoise.models import Model
from tortoise.queryset import QuerySet

from core.access.authorise import require_permission
from core.access.caller import Caller
from core.access.enums import Permission
from core.access.scope import list_permissions
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
        require_permission(caller)
    return caller


def require(info: Info, *permissions: Permission) -> Caller:
    """The caller, if authenticated and holding at least one of ``permissions``."""
    return require_permission(require_caller(info), *permissions)


def restrict(info: Info, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """``queryset`` narrowed to what the caller may see, after checking they may list it at
    all (UNAUTHENTICATED / FORBIDDEN otherwise). Every connection and count goes through here."""
    caller = require(info, *list_permissions(queryset.model))
    return scope_restrict(queryset, caller)


async def related(info: Info, model: type[Model], row_id: Any) -> Any:
    """The ``model`` row a non-null relation names, as the caller may see it.

    A caller may read a record but not what it points to: a partner agency's READ_CASES key
    reads cases, but a case's child is a roster row (READ_ROSTER). The schema promises the row,
    so such a caller gets FORBIDDEN naming the permission it lacks, not a null the schema does
    not allow (which GraphQL reports as an internal error)."""
    require(info, *list_permissions(model))
    row = await info.context.loaders.by_id(model).load(row_id)
    if row is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            "该记录不在您的工作范围内",
            f"this {model.__name__} is not within your scope",
        )
    return row
