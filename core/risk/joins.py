"""The risk signals' grouped tables joined to a queryset of children: a filter
(:class:`SignalJoins`) that adds ``LEFT JOIN (<grouped query>) alias ON alias.child_id =
child.id`` for every :class:`~core.risk.signals.SignalTable`, so the rows, the count and the
ordering of a Tortoise queryset all read the same per-child values, computed once per
statement.

Each grouped query is restricted to the children of a scope, the ids a queryset of children
selects (the caller's scope and the list's conditions): a class's list measures its class, a
county's list its county. Its SQL is rendered inside the statement, parameters included.
"""

from __future__ import annotations

import re
from typing import Any

from pypika_tortoise.context import SqlContext
from pypika_tortoise.queries import Selectable
from tortoise.expressions import Q, ResolveContext
from tortoise.query_utils import QueryModifier
from tortoise.queryset import QuerySet

from core.querysets import ids_of
from core.risk.signals import SCOPE, SignalTable

#: A signal table's restriction to the scope: ``<alias>.child_id IN (<scope>)``.
_UNRESTRICTED = re.compile(r"\w+\.child_id IN \(" + SCOPE + r"\)")


class _Grouped(Selectable):
    """A grouped signal query as a derived table of the statement."""

    def __init__(self, table: SignalTable, scope: Any | None) -> None:
        super().__init__(table.alias)
        self.table = table
        self.scope = scope

    def get_sql(self, ctx: SqlContext) -> str:
        inner = ctx.copy(subquery=False, with_alias=False)
        sql = self.table.sql
        if self.scope is None:
            return f'({_UNRESTRICTED.sub("1 = 1", sql)}) "{self.alias}"'
        # Render the scope once per occurrence, in text order, so positional parameters line up.
        parts = sql.split(SCOPE)
        text = parts[0]
        for part in parts[1:]:
            text += self.scope.get_sql(inner) + part
        return f'({text}) "{self.alias}"'


class SignalJoins(Q):
    """A queryset condition that joins the signal tables, measured for the children
    ``scope`` selects, to its child rows (it filters nothing: a child without a row in a
    table has nothing to count there). ``scope`` None measures every child: cheaper than
    restricting the tables when the statement's rows are a whole county (SQLite builds the
    list of ids once per table), and as exact, since each child's row is computed from all of
    that child's records either way."""

    __slots__ = ("scope", "tables")

    def __init__(self, tables: list[SignalTable], scope: QuerySet[Any] | None) -> None:
        super().__init__()
        self.tables = tables
        self.scope = scope

    def resolve(self, resolve_context: ResolveContext) -> QueryModifier:
        child = resolve_context.table
        joins = []
        for table in self.tables:
            scope = None if self.scope is None else ids_of(self.scope, "id")
            grouped = _Grouped(table, scope)
            joins.append((grouped, grouped.field("child_id") == child["id"]))
        return QueryModifier(joins=joins)

    def __invert__(self) -> Q:  # pragma: no cover - a join cannot be negated
        raise TypeError("SignalJoins cannot be negated")
