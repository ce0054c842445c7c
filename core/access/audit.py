"""Writing the append-only audit log. Reading it is a query like any other."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.access.caller import Caller
from core.access.enums import AuditAction
from core.access.models import AuditEntry


async def record(
    action: AuditAction,
    *,
    caller: Caller,
    at: datetime,
    request_id: str = "",
    client_address: str = "",
    operation: str = "",
    object_type: str = "",
    object_id: str = "",
    jurisdiction_id: Any = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry."""
    if jurisdiction_id is None and caller.scope is not None:
        jurisdiction_id = caller.scope.jurisdiction_id
    return await AuditEntry.create(
        occurred_at=at,
        actor_kind=caller.kind,
        actor_label=caller.label,
        account_id=caller.account_id,
        api_key_id=caller.api_key_id,
        jurisdiction_id=jurisdiction_id,
        action=action,
        operation=operation,
        object_type=object_type,
        object_id=str(object_id) if object_id else "",
        request_id=request_id,
        client_address=client_address,
        details=details or {},
    )
