"""Audit of what requests did: every mutation, and every read of unmasked personal details.

One schema extension writes the entries after the operation ran, so no resolver has to
remember to. A mutation is recorded with its field name, the ids its input named and the error
codes its payload returned; personal-detail reads are recorded as one entry per request listing
the objects shown unmasked (collected in ``context.personal_reads`` by the masking helpers).
The system caller (command line, tests' internal client) is not audited here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from graphql import FieldNode, OperationDefinitionNode, OperationType
from graphql.utilities import value_from_ast_untyped
from strawberry.extensions import SchemaExtension

from core.access import audit
from core.access.enums import ActorKind, AuditAction

#: Input fields that name the object a mutation acts on, in order of preference.
_ID_FIELDS = ("caseId", "childId", "id", "homeVisitId", "assistanceId")
#: Most object ids one personal-data entry lists.
MAX_LISTED = 500


def _operation(document: Any, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name:
        operations = [o for o in operations if o.name and o.name.value == name]
    return operations[0] if operations else None


def _target(field: FieldNode, variables: dict[str, Any]) -> str:
    for argument in field.arguments or ():
        value = value_from_ast_untyped(argument.value, variables)
        if argument.name.value in _ID_FIELDS and isinstance(value, str):
            return value
        if isinstance(value, dict):
            for key in _ID_FIELDS:
                if isinstance(value.get(key), str):
                    return value[key]
    return ""


class AuditExtension(SchemaExtension):
    async def on_operation(self) -> AsyncIterator[None]:
        yield
        ctx = self.execution_context
        context = ctx.context
        caller = getattr(context, "caller", None)
        if caller is None or caller.kind is ActorKind.SYSTEM:
            return
        entries = self._entries(ctx, context)
        request = context.request
        client = request.client.host if request is not None and request.client else ""
        for entry in entries:
            await audit.record(
                entry["action"],
                caller=caller,
                at=context.now(),
                request_id=context.request_id,
                client_address=client,
                operation=entry["operation"],
                object_id=entry["object_id"],
                details=entry["details"],
            )

    def _entries(self, ctx: Any, context: Any) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = []
        document = ctx.graphql_document
        operation = _operation(document, ctx.operation_name) if document is not None else None
        if operation is not None and operation.operation is OperationType.MUTATION:
            data = (ctx.result.data if ctx.result else None) or {}
            for selection in operation.selection_set.selections:
                if not isinstance(selection, FieldNode):
                    continue
                name = selection.name.value
                alias = selection.alias.value if selection.alias else name
                payload = data.get(alias) if isinstance(data, dict) else None
                codes = []
                if isinstance(payload, dict) and isinstance(payload.get("errors"), list):
                    codes = [e.get("code") for e in payload["errors"] if isinstance(e, dict)]
                entries.append(
                    {
                        "action": AuditAction.MUTATION,
                        "operation": name,
                        "object_id": _target(selection, ctx.variables or {}),
                        "details": {"errors": codes, "refused": payload is None},
                    }
                )
        if context.personal_reads:
            reads = sorted(context.personal_reads)
            entries.append(
                {
                    "action": AuditAction.PERSONAL_DATA_READ,
                    "operation": ctx.operation_name or "",
                    "object_id": reads[0][1] if len(reads) == 1 else "",
                    "details": {
                        "count": len(reads),
                        "objects": [f"{t}:{i}" for t, i in reads[:MAX_LISTED]],
                    },
                }
            )
        return entries
