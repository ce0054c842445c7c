"""What a GET request may ask for: reference data only, never personal data.

A GET request carries its query and variables in the URL, and URLs end up in proxy and server
logs, browser history and ``Referer`` headers. So over GET the API answers only operations
whose every selected field returns a scalar, an enum or one of :data:`GET_SAFE_TYPES` — the
county's places, schools, rules and the caller's own ``me``; a field that returns a child, a
household, a case, an official, a key, the audit log or a ``node`` (which may be any of them)
needs POST. Such a request is refused before it runs with code ``POST_REQUIRED``. New types
are POST-only until they are added here, so nothing becomes readable over GET by accident.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    is_composite_type,
)
from graphql.type import GraphQLInterfaceType, GraphQLObjectType
from strawberry.extensions import SchemaExtension

from core.api.errors import coded_error

POST_REQUIRED = "POST_REQUIRED"

#: Object types that hold no personal data and may be read over GET.
GET_SAFE_TYPES = frozenset(
    {
        "Query",
        "Viewer",
        "Jurisdiction",
        "Town",
        "Village",
        "SchoolGroup",
        "School",
        "SchoolConnection",
        "SchoolEdge",
        "PageInfo",
        "CountyRules",
        "CountyPlugin",
        "Clause",
        "Deadline",
        "EscalationChain",
        "EscalationLevel",
        "ExemptionRule",
        "KeyPeriod",
        "MonitoringFocus",
        "ProcedureStep",
        "ReportColumn",
        "ReportFormat",
        "ReportSignOff",
        "ResponsibilityRule",
        "Target",
        "VocabularyTerm",
        "LeadershipGroup",
        "LeadershipOffice",
        "LeadershipMember",
        "CaseStatistics",
        "CaseStateCount",
        "CaseKindCount",
        "EscalationLevelCount",
    }
)


def first_unsafe_field(
    schema: GraphQLSchema, document: object, operation_name: str | None
) -> str | None:
    """``Type.field`` of the first field GET may not read, or None when all are safe."""
    definitions = getattr(document, "definitions", ())
    fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    for operation in operations[:1]:
        root = schema.get_root_type(operation.operation)
        if root is None or root.name != "Query":
            return f"{operation.operation.value}"
        return _walk(schema, operation.selection_set, root, fragments, set())
    return None


def _walk(
    schema: GraphQLSchema,
    selection_set: SelectionSetNode,
    parent: GraphQLObjectType | GraphQLInterfaceType,
    fragments: dict[str, FragmentDefinitionNode],
    seen: set[str],
) -> str | None:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            name = selection.name.value
            if name.startswith("__"):
                continue
            definition = parent.fields.get(name)
            if definition is None:
                continue
            named = get_named_type(definition.type)
            if not is_composite_type(named):
                continue
            if named.name not in GET_SAFE_TYPES or not isinstance(named, GraphQLObjectType):
                return f"{parent.name}.{name}"
            if selection.selection_set is not None:
                found = _walk(schema, selection.selection_set, named, fragments, seen)
                if found:
                    return found
        else:
            if isinstance(selection, InlineFragmentNode):
                target, inner = selection.type_condition, selection.selection_set
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is None or selection.name.value in seen:
                    continue
                seen.add(selection.name.value)
                target, inner = fragment.type_condition, fragment.selection_set
            else:
                continue
            typed = schema.get_type(target.name.value) if target is not None else parent
            if not isinstance(typed, GraphQLObjectType) or typed.name not in GET_SAFE_TYPES:
                return typed.name if typed is not None else "?"
            found = _walk(schema, inner, typed, fragments, seen)
            if found:
                return found
    return None


class PersonalDataNeedsPost(SchemaExtension):
    """Refuse, over GET, operations that reach beyond :data:`GET_SAFE_TYPES`."""

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        request = getattr(ctx.context, "request", None)
        if (
            request is not None
            and getattr(request, "method", None) == "GET"
            and ctx.graphql_document is not None
            and not ctx.result
        ):
            unsafe = first_unsafe_field(
                ctx.schema._schema, ctx.graphql_document, ctx.operation_name
            )
            if unsafe:
                ctx.result = ExecutionResult(
                    data=None,
                    errors=[
                        coded_error(
                            f"{unsafe} 可能含个人信息, 不能经 GET (网址) 查询, 请用 POST",
                            f"{unsafe} may carry personal data and cannot be read over GET "
                            "(the URL is logged); use POST",
                            code=POST_REQUIRED,
                            field=unsafe,
                        )
                    ],
                )
        yield
