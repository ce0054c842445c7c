"""Answering a planned document: the root field's page, then every level below it
loaded for all its rows at once and written out as plain dicts, with no per-field resolver,
no DataLoader, no model instance below the root and no task per field.

Anything unexpected (a refusal or a bad argument from the root resolver, a non-null field
that is null, variables that do not coerce) raises :class:`Fallback`; the caller then lets
normal execution answer, which reports it as it always does. Nothing is written here: the
personal details shown are collected on the :class:`Run` and handed to the request's audit
set only once the whole answer is made.
"""

from __future__ import annotations

import asyncio
import inspect
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import orjson
from graphql import GraphQLSchema
from graphql.execution.values import get_argument_values, get_variable_values
from strawberry.relay import to_base64
from strawberry.types.arguments import convert_arguments

from core.api.fastpath.plan import Plan, Selected
from core.api.fastpath.roots import page
from core.api.fastpath.statements import STATEMENTS, Join
from core.api.fastpath.types import ROOTS, TYPES, Row
from core.api.masking import reveal

#: Distinct variables whose converted arguments a plan keeps.
ARGUMENTS_KEPT = 64


class Fallback(Exception):
    """Normal execution must answer this request."""


class Run:
    """One request's fast answer: the caller, the clock, the rows' statements."""

    def __init__(self, context: Any) -> None:
        self.context = context
        self.caller = context.caller
        self.now: datetime = context.now()
        self.reads: set[tuple[str, str]] = set()

    async def values(
        self,
        model: type,
        columns: tuple[str, ...],
        ids_filter: str,
        ids: list[Any],
        joins: tuple[Join, ...] = (),
        **filters: Any,
    ) -> list[Row]:
        """The ``columns`` of the ``model`` rows the caller may see whose ``ids_filter``
        (``pk__in``, ``household_id__in`` …) is one of ``ids``, plus ``filters``, with
        ``joins`` read in the same statement (PostgreSQL)."""
        return await STATEMENTS.run(self, model, columns, ids_filter, ids, filters, joins)

    async def level(self, type_name: str, selected: list[Selected], rows: list[Row]) -> list[Any]:
        """``rows`` of ``type_name`` written out as ``selected`` asks. The relations of one
        level that need a statement are loaded concurrently (one statement each), then the
        levels below them; a relation read with its parent's rows (a join) and a level with
        no relation below it take no task and no wait."""
        specs = TYPES[type_name]
        relations = [sel for sel in selected if specs[sel.name].relation]
        found = await _together([specs[sel.name].load(self, rows) for sel in relations])  # type: ignore[misc]
        flats: list[list[Row]] = []
        for sel, values in zip(relations, found, strict=True):
            flat: list[Row] = []
            for value in values:
                if value is None:
                    if not sel.nullable:
                        raise Fallback(f"{type_name}.{sel.name} is null")
                elif isinstance(value, list):
                    flat.extend(value)
                else:
                    flat.append(value)
            flats.append(flat)
        below = await _together(
            [
                self.level(sel.type_name, sel.below, flat)
                if any(TYPES[sel.type_name][s.name].relation for s in sel.below)
                else self.write(sel.type_name, sel.below, flat, {})
                for sel, flat in zip(relations, flats, strict=True)
            ]
        )
        loaded: dict[str, list[Any]] = {}
        for sel, values, written_rows in zip(relations, found, below, strict=True):
            written = iter(written_rows)
            loaded[sel.key] = [
                None
                if v is None
                else [next(written) for _ in v]
                if isinstance(v, list)
                else next(written)
                for v in values
            ]
        return self.write(type_name, selected, rows, loaded)

    def write(
        self,
        type_name: str,
        selected: list[Selected],
        rows: list[Row],
        loaded: dict[str, list[Any]],
    ) -> list[Any]:
        """``rows`` of ``type_name`` written out as ``selected`` asks, the relations'
        values (one a row) taken from ``loaded``."""
        specs = TYPES[type_name]
        # how each field is written, worked out once for all the rows
        fields: list[tuple[Selected, int, Any]] = []
        for sel in selected:
            if sel.key in loaded:
                fields.append((sel, _LOADED, loaded[sel.key]))
                continue
            spec = specs[sel.name]
            if sel.name == "id":
                fields.append((sel, _ID, spec))
            elif spec.compute is not None:
                fields.append((sel, _COMPUTED, spec.compute))
            elif spec.mask is not None:
                fields.append((sel, _MASKED, spec))
            else:
                fields.append((sel, _PLAIN, spec.attr))
        caller, reads = self.caller, self.reads
        out = []
        for i, row in enumerate(rows):
            item: dict[str, Any] = {}
            for sel, how, arg in fields:
                if how == _LOADED:
                    item[sel.key] = arg[i]
                    continue
                if how == _PLAIN:
                    value = row[arg]
                elif how == _ID:
                    value = to_base64(type_name, str(row["id"]))
                elif how == _COMPUTED:
                    value = arg(row, self)
                else:
                    value = reveal(caller, reads, type_name, row["id"], row[arg.attr], arg.mask)
                if value is None:
                    if not sel.nullable:
                        raise Fallback(f"{type_name}.{sel.name} is null")
                    item[sel.key] = None
                else:
                    item[sel.key] = sel.serialize(value)  # type: ignore[misc]
            out.append(item)
        return out


#: How :meth:`Run.level` writes a field: loaded below, a column, the global id, computed
#: from the row, a personal detail shown through :func:`~core.api.masking.reveal`.
_LOADED, _PLAIN, _ID, _COMPUTED, _MASKED = range(5)


async def _together(items: list[Any]) -> list[Any]:
    """``items`` with each awaitable among them awaited: concurrently when there are several
    (a task each, as ``asyncio.gather`` makes them), directly when there is one."""
    waiting = [i for i, item in enumerate(items) if inspect.isawaitable(item)]
    if len(waiting) == 1:
        items[waiting[0]] = await items[waiting[0]]
    elif waiting:
        done = await asyncio.gather(*(items[i] for i in waiting))
        for i, value in zip(waiting, done, strict=True):
            items[i] = value
    return items


def _arguments(schema: Any, plan: Plan, raw_variables: dict[str, Any] | None) -> dict[str, Any]:
    """The root field's arguments as its resolver receives them (strawberry's inputs), kept
    on the plan by the variables' JSON (a client pages through a list with the same few):
    coercing and converting them cost as much as a statement. Nothing changes the inputs
    (the resolvers only read them), and each request gets its own dict of them."""
    try:
        key = orjson.dumps(raw_variables or {}, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return _converted(schema, plan, raw_variables)
    found = plan.arguments.get(key)
    if found is None:
        found = _converted(schema, plan, raw_variables)
        plan.arguments[key] = found
        while len(plan.arguments) > ARGUMENTS_KEPT:
            plan.arguments.popitem(last=False)
    else:
        plan.arguments.move_to_end(key)
    return dict(found)


def _converted(schema: Any, plan: Plan, raw_variables: dict[str, Any] | None) -> dict[str, Any]:
    graphql_schema: GraphQLSchema = schema._schema
    variables = get_variable_values(
        graphql_schema, plan.operation.variable_definitions or (), raw_variables or {}
    )
    if isinstance(variables, list):
        raise Fallback("variables do not coerce")
    field_def = graphql_schema.query_type.fields[plan.root.name.value]  # type: ignore[union-attr]
    values = get_argument_values(field_def, plan.root, variables)
    field = root_field(schema, plan.root.name.value)
    return convert_arguments(
        values,
        field.arguments,
        scalar_registry=schema.schema_converter.scalar_registry,
        config=schema.config,
    )


def root_field(schema: Any, name: str) -> Any:
    """The strawberry field of ``Query.<name>``."""
    definition = schema.get_type_by_name("Query")
    for f in definition.fields:
        if f.graphql_name == name or schema.config.name_converter.get_graphql_name(f) == name:
            return f
    raise Fallback(f"no Query.{name}")


async def answer(schema: Any, plan: Plan, context: Any, raw_variables: Any) -> dict[str, Any]:
    """The ``data`` of the response to ``plan``'s document (or :class:`Fallback`)."""
    kwargs = _arguments(schema, plan, raw_variables)
    info = SimpleNamespace(context=context)
    try:
        connection = await page(ROOTS[plan.root.name.value], info, kwargs)
    except Exception as exc:  # a typed refusal or error: normal execution reports it
        raise Fallback(str(exc)) from exc
    run = Run(context)
    rows = [e.node for e in connection.edges]
    # the total and the nodes are independent: their statements go out together
    wanted = [s for s in plan.connection if s.name == "totalCount"]
    nodes_asked = [
        n for e in plan.connection if e.name == "edges" for n in e.below if n.name == "node"
    ]
    counted, *written = await asyncio.gather(
        connection._count() if wanted else _nothing(),
        *(run.level(plan.root_type, n.below, rows) for n in nodes_asked),
    )
    written_by_key = {id(n): w for n, w in zip(nodes_asked, written, strict=True)}
    out: dict[str, Any] = {}
    for sel in plan.connection:
        if sel.name == "totalCount":
            out[sel.key] = sel.serialize(counted)  # type: ignore[misc]
        elif sel.name == "pageInfo":
            page_info = connection.page_info
            out[sel.key] = {s.key: _leaf(s, getattr(page_info, _snake(s.name))) for s in sel.below}
        else:
            edges: list[dict[str, Any]] = [{} for _ in rows]
            for s in sel.below:
                if s.name == "cursor":
                    for item, edge in zip(edges, connection.edges, strict=True):
                        item[s.key] = edge.cursor
                else:
                    for item, node in zip(edges, written_by_key[id(s)], strict=True):
                        item[s.key] = node
            out[sel.key] = edges
    context.personal_reads |= run.reads
    return {plan.root_key: out}


async def _nothing() -> None:
    return None


def _leaf(sel: Selected, value: Any) -> Any:
    if value is None:
        if not sel.nullable:
            raise Fallback(f"{sel.name} is null")
        return None
    return sel.serialize(value)  # type: ignore[misc]


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name)
