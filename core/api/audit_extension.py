"""Audit of what requests did: every mutation that executed, and every read of unmasked
personal details.

* :class:`MutationAudit` wraps every field of ``Mutation`` (:func:`audited` adds it when the
  schema is built), so the audit follows what executed - a mutation inside an inline fragment
  or a fragment spread, under an alias or a directive, is audited like any other, and one that
  did not run is not. Before the resolver runs it puts a :class:`~core.access.audit.WriteAudit`
  (operation, the id its input named, who, from where) in ``context.write_audit``; a service
  that writes takes it and records it *in the transaction of its change*. A mutation that
  changed nothing (refused with ``errors``, or failed) is recorded afterwards, with the codes.
* :class:`AuditExtension` records the personal-detail reads of a request as one entry
  listing the objects shown unmasked (collected in ``context.personal_reads`` by the masking
  helpers).

The system caller (command line, tests' internal client) is not audited here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from strawberry.extensions import FieldExtension, SchemaExtension
from strawberry.relay import GlobalID
from strawberry.types.base import StrawberryObjectDefinition

from core.access import audit
from core.access.enums import ActorKind, AuditAction
from core.api.ids import decode_global_id

#: Input fields that name the object a mutation acts on, in order of preference.
_ID_FIELDS = ("case_id", "child_id", "id", "home_visit_id", "assistance_id")
#: Longest object id an audit entry keeps.
MAX_OBJECT_ID = 128
#: Most object ids one personal-data entry lists.
MAX_LISTED = 500


def _object_id(value: Any) -> str:
    """A well-formed global id as the API writes it; anything else is not recorded."""
    text = str(value) if isinstance(value, GlobalID) else value
    if not isinstance(text, str) or decode_global_id(text) is None:
        return ""
    return text if len(text) <= MAX_OBJECT_ID else ""


def _target(arguments: dict[str, Any]) -> str:
    """The id of the object the mutation's arguments name first."""
    for name, value in arguments.items():
        if name in _ID_FIELDS:
            return _object_id(value)
        for field_name in _ID_FIELDS:
            if hasattr(value, field_name) and getattr(value, field_name) is not None:
                return _object_id(getattr(value, field_name))
    return ""


def _error_codes(payload: Any) -> list[str]:
    return [getattr(e.code, "value", str(e.code)) for e in getattr(payload, "errors", None) or ()]


class MutationAudit(FieldExtension):
    """Audits one mutation field each time it executes."""

    def resolve(self, next_: Callable[..., Any], source: Any, info: Any, **kwargs: Any) -> Any:
        raise TypeError("mutations are async: an audited mutation must be an async resolver")

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Any, **kwargs: Any
    ) -> Any:
        context = info.context
        caller = getattr(context, "caller", None)
        if caller is None or caller.kind is ActorKind.SYSTEM:
            return await next_(source, info, **kwargs)
        entry = audit.WriteAudit(
            caller=caller,
            at=context.now(),
            operation=info.field_name,
            object_id=_target(kwargs),
            request_id=context.request_id,
            client_address=context.client_address,
        )
        context.write_audit = entry
        try:
            payload = await next_(source, info, **kwargs)
        except Exception:
            await entry.record(refused=True)  # nothing was written: no payload, an error
            raise
        finally:
            context.write_audit = None
        await entry.record(errors=_error_codes(payload))  # a no-op if the service wrote it
        return payload


def audited(mutation_type: type) -> type:
    """``mutation_type`` with :class:`MutationAudit` on every field (once)."""
    definition: StrawberryObjectDefinition = mutation_type.__strawberry_definition__  # type: ignore[attr-defined]
    for field in definition.fields:
        if not any(isinstance(e, MutationAudit) for e in field.extensions):
            field.extensions.append(MutationAudit())
    return mutation_type


async def record_personal_reads(context: Any, operation: str) -> None:
    """One audit entry for the personal details ``context`` has shown since the last entry
    (a request's, or one delivery's of a subscription), then forget them."""
    caller = getattr(context, "caller", None)
    if caller is None or caller.kind is ActorKind.SYSTEM or not context.personal_reads:
        return
    reads = sorted(context.personal_reads)
    context.personal_reads.clear()
    await audit.record(
        AuditAction.PERSONAL_DATA_READ,
        caller=caller,
        at=context.now(),
        request_id=context.request_id,
        client_address=context.client_address,
        operation=operation,
        object_id=reads[0][1] if len(reads) == 1 else "",
        details={
            "count": len(reads),
            "objects": [f"{t}:{i}" for t, i in reads[:MAX_LISTED]],
        },
    )


class AuditExtension(SchemaExtension):
    """One entry per request listing the objects whose personal details were shown (a
    subscription records one per delivery: :mod:`core.api.events.live`)."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        ctx = self.execution_context
        if getattr(ctx.context, "personal_reads", None):
            await record_personal_reads(ctx.context, ctx.operation_name or "")
