"""The query cost limit: how many objects a query may ask for, estimated before it runs.

Depth, alias and token limits are strawberry's own extensions (configured in
:mod:`core.api.schema`). They do not see that ``children(first: 100)`` inside
``schools(first: 100)`` may return 10,000 children, so this extension estimates, before
execution, the number of objects an operation can return:

* a field returning an object counts 1 for each object it may return;
* a field with ``first``/``last`` (a connection) multiplies its ``edges`` by that page size
  (the default page size when neither is given);
* any other list of objects multiplies by :data:`LIST_FACTOR`;
* scalars and enums are free, and so is introspection (``__schema``, ``__type``).

An operation over ``max_cost`` fails before any SQL runs with a ``QUERY_TOO_COMPLEX`` error
stating the estimate and the limit. Variables are read, so ``first: $n`` counts as ``$n``.

Nothing a client writes can lower the estimate: a page size below zero (which the connection
would refuse anyway) counts as the largest page, and fields under ``@skip``/``@include`` count
as if they ran, so every field adds a non-negative amount.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_list_type,
)
from graphql.type import GraphQLInterfaceType, GraphQLObjectType
from strawberry.extensions import SchemaExtension

from core.access.enums import ActorKind
from core.api.errors import coded_error

#: Assumed length of a list field that has no page size (guardians, events, classes...).
LIST_FACTOR = 10

QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"


class _Estimator:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        default_page_size: int,
        max_page_size: int,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.default_page_size = default_page_size
        self.max_page_size = max_page_size

    def _int_argument(self, node: FieldNode, name: str) -> int | None:
        for argument in node.arguments or ():
            if argument.name.value != name:
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, VariableNode):
                raw = self.variables.get(value.name.value)
                return raw if isinstance(raw, int) and not isinstance(raw, bool) else None
        return None

    def _fields(
        self, selection_set: SelectionSetNode, parent: Any, seen: frozenset[str]
    ) -> Iterator[tuple[FieldNode, Any]]:
        """Every field selected on ``parent``, with fragments expanded."""
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection, parent
            elif isinstance(selection, InlineFragmentNode):
                target = parent
                if selection.type_condition is not None:
                    target = self.schema.get_type(selection.type_condition.name.value) or parent
                yield from self._fields(selection.selection_set, target, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue
                target = self.schema.get_type(fragment.type_condition.name.value) or parent
                yield from self._fields(fragment.selection_set, target, seen | {name})

    def cost(
        self,
        selection_set: SelectionSetNode | None,
        parent: Any,
        page_size: int | None = None,
        seen: frozenset[str] = frozenset(),
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for node, owner in self._fields(selection_set, parent, seen):
            name = node.name.value
            if name.startswith("__") or not isinstance(
                owner, (GraphQLObjectType, GraphQLInterfaceType)
            ):
                continue
            definition = owner.fields.get(name)
            if definition is None:
                continue
            named = get_named_type(definition.type)
            if not is_composite_type(named):
                continue
            is_list = is_list_type(get_nullable_type(definition.type))
            if is_list:
                count = page_size if page_size is not None else LIST_FACTOR
            else:
                count = 1
            inner_page: int | None = None
            if "first" in definition.args or "last" in definition.args:
                sizes = [
                    n
                    for n in (self._int_argument(node, "first"), self._int_argument(node, "last"))
                    if n is not None
                ]
                # a negative size never runs, but must not subtract: count the largest page
                inner_page = (
                    max(n if n >= 0 else self.max_page_size for n in sizes)
                    if sizes
                    else self.default_page_size
                )
            total += count * (1 + self.cost(node.selection_set, named, inner_page, seen))
        return total


def estimate_cost(
    schema: GraphQLSchema,
    document: Any,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    default_page_size: int,
    max_page_size: int | None = None,
) -> int:
    """The estimated number of objects the chosen operation of ``document`` may return."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if not operations:
        return 0
    operation = operations[0]
    root = schema.get_root_type(operation.operation)
    estimator = _Estimator(
        schema,
        fragments,
        variables or {},
        default_page_size,
        default_page_size if max_page_size is None else max_page_size,
    )
    return estimator.cost(operation.selection_set, root)


class QueryCostLimiter(SchemaExtension):
    """Refuse operations whose estimated cost exceeds ``max_cost`` (see the module docstring)."""

    def __init__(
        self,
        max_cost: int,
        default_page_size: int,
        max_cost_agency: int | None = None,
        max_page_size: int | None = None,
    ) -> None:
        self.max_cost = max_cost
        self.max_cost_agency = max_cost if max_cost_agency is None else max_cost_agency
        self.default_page_size = default_page_size
        self.max_page_size = default_page_size if max_page_size is None else max_page_size

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        document = ctx.graphql_document
        caller = getattr(ctx.context, "caller", None)
        if caller is not None and caller.kind is ActorKind.API_KEY:
            self.max_cost = self.max_cost_agency  # partner agencies get a tighter budget
        if document is not None and not ctx.result:
            cost = estimate_cost(
                ctx.schema._schema,
                document,
                ctx.operation_name,
                ctx.variables,
                self.default_page_size,
                self.max_page_size,
            )
            if cost > self.max_cost:
                ctx.result = ExecutionResult(
                    data=None,
                    errors=[
                        coded_error(
                            f"查询过于复杂: 估计返回 {cost} 个对象, 上限为 {self.max_cost}; "
                            "请减小 first/last 或嵌套层次",
                            f"query too complex: it may return {cost} objects, the limit "
                            f"is {self.max_cost}; ask for smaller pages or less nesting",
                            code=QUERY_TOO_COMPLEX,
                            cost=cost,
                            maxCost=self.max_cost,
                        )
                    ],
                )
        yield
