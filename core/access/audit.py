"""Writing the append-only audit log. Reading it is a query like any other.

:func:`record` appends an entry. A write's entry travels as a :class:`WriteAudit` into the
service, which writes it in the same transaction as the change (:func:`record_write`), with
the write's own entry first when it has one (:func:`record_change`: LOGOUT, KEY_CHANGE).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.access.caller import Caller
from core.access.enums import AuditAction
from core.access.models import AuditEntry
from core.observability import count_audit_event


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
    """Append one entry (and count it: :func:`core.observability.count_audit_event`)."""
    count_audit_event(action.value)
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


@dataclass
class WriteAudit:
    """The audit entry of one write, carried from the request into the service.

    The API fills in what it knows of the request (who, from where, which operation on which
    object); the service writes the entry with :meth:`record` *inside the transaction of its
    change*, so the change and its entry are committed together or not at all. A write that is
    refused (nothing changed) is recorded afterwards by the API, with its error codes.
    """

    caller: Caller
    at: datetime
    operation: str
    object_id: str = ""
    request_id: str = ""
    client_address: str = ""
    #: Set once the entry is written (by the service, or by the API for a refusal).
    written: bool = field(default=False, init=False)

    async def record(self, *, errors: Sequence[str] = (), refused: bool = False) -> None:
        """Append the entry (once)."""
        if self.written:
            return
        await self.record_other(
            AuditAction.MUTATION,
            object_id=self.object_id,
            details={"errors": list(errors), "refused": refused},
        )
        self.written = True

    async def record_other(self, action: AuditAction, **entry: Any) -> None:
        """Append another entry about this write (``action``: LOGOUT, KEY_CHANGE …) with what
        is known of its request: who, when, from where, which operation."""
        await record(
            action,
            caller=self.caller,
            at=self.at,
            request_id=self.request_id,
            client_address=self.client_address,
            operation=self.operation,
            **entry,
        )


async def record_write(audit: WriteAudit | None) -> None:
    """Write ``audit``'s entry if there is one: called by a service as the last statement of
    the transaction that made its change."""
    if audit is not None:
        await audit.record()


async def record_change(audit: WriteAudit | None, action: AuditAction, **entry: Any) -> None:
    """The write's own entry (``action``, e.g. KEY_CHANGE, with ``entry``'s object and details)
    and then its MUTATION entry: called by a service inside the transaction of its change.
    Without ``audit`` (the command line) nothing is written."""
    if audit is not None:
        await audit.record_other(action, **entry)
        await audit.record()
