"""The caller of one request: who they are, what they may do, and how far they reach."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace

from core.access.enums import ActorKind, Permission, ScopeKind


@dataclass(frozen=True)
class Scope:
    """Where a caller reaches. ``jurisdiction_id`` None means every jurisdiction (CLI only)."""

    kind: ScopeKind
    jurisdiction_id: uuid.UUID | None
    town_ids: frozenset[uuid.UUID] = frozenset()
    school_id: uuid.UUID | None = None
    class_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Caller:
    """An authenticated staff member, an agency's API key, or the system itself."""

    kind: ActorKind
    label: str
    scope: Scope | None
    permissions: frozenset[Permission] = field(default_factory=frozenset)
    account_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.kind is not ActorKind.ANONYMOUS

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    @classmethod
    def anonymous(cls) -> Caller:
        return cls(kind=ActorKind.ANONYMOUS, label="anonymous", scope=None)

    @classmethod
    def system(cls) -> Caller:
        """The operator at the command line: every permission, every jurisdiction."""
        return cls(
            kind=ActorKind.SYSTEM,
            label="system",
            scope=Scope(kind=ScopeKind.COUNTY, jurisdiction_id=None),
            permissions=frozenset(Permission),
        )

    def with_permission(self, permission: Permission) -> Caller:
        """The same caller and scope, holding one more permission (for narrow internal lookups,
        such as the status-only enrolment check, which must find a child it cannot list)."""
        return replace(self, permissions=self.permissions | {permission})
