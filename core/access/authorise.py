"""Authorisation where the rules are: what a service asks before it writes anything.

Every write service (cases, home visits, assistance) takes the :class:`Caller` and

1. checks the permission the write needs (:func:`require_permission`: ``UNAUTHENTICATED`` or
   ``FORBIDDEN``), and
2. looks up every row its input names in the caller's scope and in the county of the record
   being written (:func:`find_in_scope`): a row outside either is reported exactly like a
   row that does not exist (``NOT_FOUND`` on the input field), so ids from another county or
   another class can neither be written to nor named in a record.

The GraphQL resolvers call :func:`require_permission` too, first, so that a caller who may not
write learns that before anything about what they sent; the command line passes an explicit
operator caller (:meth:`Caller.system`).
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from tortoise.models import Model

from core.access.caller import Caller
from core.access.enums import ActorKind, Permission, ScopeKind
from core.access.scope import scoped
from core.assistance.models import Assistance
from core.cases.models import Case
from core.enrolment.models import Enrolment
from core.errors import DomainError, ErrorCode
from core.jurisdictions.models import Village
from core.officials.models import Official
from core.people.models import Child, Guardian, Household
from core.rules.enums import ApprovingAuthority
from core.schools.models import School, SchoolClass
from core.visits.models import HomeVisit, SupportPlan

M = TypeVar("M", bound=Model)

#: How each model a write may name reaches its county (行政区).
_JURISDICTION_PATHS: dict[type[Model], str] = {
    Case: "jurisdiction_id",
    Child: "jurisdiction_id",
    Household: "jurisdiction_id",
    Guardian: "household__jurisdiction_id",
    Village: "town__jurisdiction_id",
    Enrolment: "child__jurisdiction_id",
    School: "jurisdiction_id",
    SchoolClass: "school__jurisdiction_id",
    Official: "jurisdiction_id",
    HomeVisit: "child__jurisdiction_id",
    SupportPlan: "child__jurisdiction_id",
    Assistance: "child__jurisdiction_id",
}


def authorities_of(caller: Caller) -> frozenset[ApprovingAuthority]:
    """The approving authorities (批准机关) a caller acts for: a township's account or key for
    the township, a county-wide staff account for the county's education department, a school
    account for the school; the operator at the command line for all of them."""
    if caller.kind is ActorKind.SYSTEM:
        return frozenset(ApprovingAuthority)
    scope = caller.scope
    if scope is None or not caller.is_authenticated:
        return frozenset()
    if scope.kind is ScopeKind.TOWN:
        return frozenset({ApprovingAuthority.TOWNSHIP})
    if caller.kind is ActorKind.STAFF and scope.kind is ScopeKind.COUNTY:
        return frozenset({ApprovingAuthority.COUNTY_EDUCATION_BUREAU})
    if caller.kind is ActorKind.STAFF and scope.kind is ScopeKind.SCHOOL:
        return frozenset({ApprovingAuthority.SCHOOL})
    return frozenset()


def require_authority(
    caller: Caller,
    allowed: tuple[ApprovingAuthority, ...],
    what: tuple[str, str],
    source: str = "",
) -> None:
    """``FORBIDDEN`` unless ``caller`` acts for one of the ``allowed`` authorities (the ones a
    county's rule names for ``what``, quoted from ``source``)."""
    if authorities_of(caller) & set(allowed):
        return
    zh, en = what
    names = "、".join(a.label for a in allowed)
    codes = " / ".join(a.value for a in allowed)
    where = f" ({source})" if source else ""
    raise DomainError(
        ErrorCode.FORBIDDEN,
        f"{zh}须由{names}批准{where}; 您的账号不代表该批准机关",
        f"{en} must be approved by {codes}{where}; your account does not act for it",
    )


def require_permission(caller: Caller, *permissions: Permission) -> Caller:
    """``caller``, if authenticated and holding at least one of ``permissions``."""
    if not caller.is_authenticated:
        raise DomainError(
            ErrorCode.UNAUTHENTICATED,
            "请先登录 (Authorization: Bearer 令牌) 或提供 API 密钥 (X-API-Key)",
            "authentication required: send 'Authorization: Bearer <token>' or 'X-API-Key'",
        )
    if permissions and not any(caller.can(p) for p in permissions):
        needed = " / ".join(p.value for p in permissions)
        labels = "、".join(p.label for p in permissions)
        raise DomainError(
            ErrorCode.FORBIDDEN,
            f"无此权限: 需要 {needed} ({labels})",
            f"forbidden: this needs the {needed} permission",
        )
    return caller


async def find_in_scope(
    model: type[M],
    caller: Caller,
    row_id: uuid.UUID | None,
    field: str,
    what: tuple[str, str],
    *,
    jurisdiction_id: uuid.UUID | None = None,
) -> M:
    """The row of ``model`` named ``row_id``, if ``caller`` may see it and it belongs to
    ``jurisdiction_id`` (when given); ``NOT_FOUND`` on ``field`` otherwise. ``what`` names the
    thing in Chinese and English for the message."""
    row = None
    if row_id is not None:
        query: Any = scoped(model, caller).filter(pk=row_id)
        if jurisdiction_id is not None:
            query = query.filter(**{_JURISDICTION_PATHS[model]: jurisdiction_id})
        row = await query.first()
    if row is None:
        zh, en = what
        raise DomainError(
            ErrorCode.NOT_FOUND,
            f"{zh}不存在或不在您的工作范围内",
            f"no such {en} within your scope",
            field=field,
        )
    return row
