"""The fast path's plans: which documents it answers, and what each asks for.

A plan is made once per query text and operation name (a bounded cache) from the parsed
document, and only for a document the fast path covers entirely:

* one query operation whose selection is one root field the fast path knows (``children``),
  whose resolver has no field extensions or permission classes of its own;
* below it only fields listed in :data:`core.api.fastpath.types.TYPES` (plain values, masked
  personal details, the relations it loads in batches), under any alias;
* no fragments, no directives, no ``__typename``, no response key asked twice.

Anything else is ``None``: normal execution answers it. Validation, limits and the other
extensions run on every document before the fast path is asked (it works in ``on_execute``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)
from graphql.utilities import get_operation_ast

from core.api.fastpath.types import CONNECTION_FIELDS, PAGE_INFO_FIELDS, ROOTS, TYPES

#: Distinct (query text, operation name) pairs whose plan is kept.
PLAN_CACHE = 512


@dataclass
class Selected:
    """One selected field: its response key, its name and, for objects, what is selected
    below it; ``serialize`` is the leaf type's (GraphQL's own) and ``nullable`` whether
    ``None`` may be answered."""

    key: str
    name: str
    serialize: Callable[[Any], Any] | None = None
    nullable: bool = True
    type_name: str = ""
    below: list[Selected] = field(default_factory=list)


@dataclass
class Plan:
    operation: OperationDefinitionNode
    root: FieldNode
    root_key: str
    root_type: str  # the node type of the connection the root field returns
    connection: list[Selected]
    #: the root field's converted arguments by the variables' JSON (``run._arguments``)
    arguments: OrderedDict[bytes, dict[str, Any]] = field(
        default_factory=OrderedDict, compare=False, repr=False
    )


class NotCovered(Exception):
    """The document asks for something the fast path does not answer."""


def _unwrap(type_: Any) -> tuple[Any, bool, bool]:
    """``(named type, nullable, is list)``."""
    nullable = not isinstance(type_, GraphQLNonNull)
    if not nullable:
        type_ = type_.of_type
    is_list = isinstance(type_, GraphQLList)
    if is_list:
        inner = type_.of_type
        if isinstance(inner, GraphQLNonNull):
            inner = inner.of_type
        type_ = inner
    return type_, nullable, is_list


def _serializer(named: Any) -> Callable[[Any], Any]:
    """``named``'s ``serialize``; for an enum, remembering each member's answer (an enum has
    few, and strawberry's conversion of a member to its GraphQL name is a lookup per value)."""
    if not isinstance(named, GraphQLEnumType):
        return named.serialize
    serialize = named.serialize
    known: dict[tuple[type, Any], Any] = {}

    def remembered(value: Any) -> Any:
        key = (type(value), value)
        found = known.get(key)
        if found is None:
            found = known[key] = serialize(value)
        return found

    return remembered


def _fields(selection_set: SelectionSetNode | None) -> list[FieldNode]:
    if selection_set is None:
        raise NotCovered("an object without a selection")
    nodes: list[FieldNode] = []
    keys: set[str] = set()
    for node in selection_set.selections:
        if not isinstance(node, FieldNode) or node.directives:
            raise NotCovered("fragment or directive")
        key = node.alias.value if node.alias else node.name.value
        if key in keys:
            raise NotCovered("a response key asked twice")
        keys.add(key)
        nodes.append(node)
    return nodes


def _object(schema: GraphQLSchema, type_name: str, selection_set: Any) -> list[Selected]:
    known = TYPES[type_name]
    graphql_type = schema.get_type(type_name)
    selected = []
    for node in _fields(selection_set):
        name = node.name.value
        spec = known.get(name)
        if spec is None or node.arguments:
            raise NotCovered(f"{type_name}.{name}")
        named, nullable, _ = _unwrap(graphql_type.fields[name].type)  # type: ignore[union-attr]
        key = node.alias.value if node.alias else name
        if spec.relation:
            selected.append(
                Selected(
                    key,
                    name,
                    nullable=nullable,
                    type_name=spec.target,
                    below=_object(schema, spec.target, node.selection_set),
                )
            )
        else:
            if node.selection_set is not None:
                raise NotCovered("a selection on a leaf")
            selected.append(Selected(key, name, _serializer(named), nullable))
    return selected


def _plain(
    schema: GraphQLSchema, type_name: str, names: frozenset[str], selection_set: Any
) -> list[Selected]:
    graphql_type = schema.get_type(type_name)
    selected = []
    for node in _fields(selection_set):
        name = node.name.value
        if name not in names or node.arguments or node.selection_set is not None:
            raise NotCovered(f"{type_name}.{name}")
        named, nullable, _ = _unwrap(graphql_type.fields[name].type)  # type: ignore[union-attr]
        selected.append(
            Selected(node.alias.value if node.alias else name, name, named.serialize, nullable)
        )
    return selected


def _connection(schema: GraphQLSchema, root: FieldNode, node_type: str) -> list[Selected]:
    root_type = _unwrap(schema.query_type.fields[root.name.value].type)[0]  # type: ignore[union-attr]
    selected = []
    for node in _fields(root.selection_set):
        name = node.name.value
        key = node.alias.value if node.alias else name
        if name not in CONNECTION_FIELDS or node.arguments:
            raise NotCovered(f"connection.{name}")
        if name == "totalCount":
            selected.append(Selected(key, name, root_type.fields[name].type.of_type.serialize))
        elif name == "pageInfo":
            page_info = _unwrap(root_type.fields[name].type)[0].name
            selected.append(
                Selected(
                    key, name, below=_plain(schema, page_info, PAGE_INFO_FIELDS, node.selection_set)
                )
            )
        else:  # edges
            edge_type = _unwrap(root_type.fields[name].type)[0]
            below = []
            for edge_node in _fields(node.selection_set):
                edge_name = edge_node.name.value
                edge_key = edge_node.alias.value if edge_node.alias else edge_name
                if edge_node.arguments:
                    raise NotCovered("edge arguments")
                if edge_name == "cursor" and edge_node.selection_set is None:
                    serialize = edge_type.fields["cursor"].type.of_type.serialize
                    below.append(Selected(edge_key, "cursor", serialize, False))
                elif edge_name == "node":
                    below.append(
                        Selected(
                            edge_key,
                            "node",
                            nullable=False,
                            type_name=node_type,
                            below=_object(schema, node_type, edge_node.selection_set),
                        )
                    )
                else:
                    raise NotCovered(f"edge.{edge_name}")
            selected.append(Selected(key, name, below=below))
    return selected


def make_plan(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None
) -> Plan | None:
    """The plan of ``document``'s operation, or None when the fast path does not cover it."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.QUERY:
        return None
    if operation.directives or any(d.kind != "operation_definition" for d in document.definitions):
        return None  # fragments defined, or an operation directive
    try:
        (root,) = _fields(operation.selection_set)
        if root.name.value not in ROOTS:
            return None
        node_type = ROOTS[root.name.value].node_type
        connection = _connection(schema, root, node_type)
    except (NotCovered, ValueError):
        return None
    return Plan(
        operation=operation,
        root=root,
        root_key=root.alias.value if root.alias else root.name.value,
        root_type=node_type,
        connection=connection,
    )


class PlanCache:
    """Plans by (query text, operation name), least recently used dropped past ``maxsize``;
    a document the fast path does not cover is remembered too (as None)."""

    def __init__(self, maxsize: int = PLAN_CACHE) -> None:
        self.maxsize = maxsize
        self._plans: OrderedDict[tuple[str, str | None], Plan | None] = OrderedDict()
        self._lock = Lock()

    def get(
        self,
        schema: GraphQLSchema,
        query: str,
        document: DocumentNode,
        operation_name: str | None,
    ) -> Plan | None:
        key = (query, operation_name)
        with self._lock:
            if key in self._plans:
                self._plans.move_to_end(key)
                return self._plans[key]
        plan = make_plan(schema, document, operation_name)
        with self._lock:
            self._plans[key] = plan
            while len(self._plans) > self.maxsize:
                self._plans.popitem(last=False)
        return plan

    def __len__(self) -> int:
        return len(self._plans)
