"""What the fast path knows of the schema: the fields it answers, type by type, as the
resolvers of :mod:`core.api.people.types`, :mod:`core.api.enrolment.types`,
:mod:`core.api.schools.types` and :mod:`core.api.cases.types` answer them.

A field is a plain value (a column, possibly computed from the row and the request's clock),
a personal detail shown through :func:`core.api.masking.reveal` (masked, or remembered for the
unmasked-read audit), or a relation loaded for every row of a level in one statement that
starts, like the DataLoaders, from the rows the caller may see
(:meth:`core.api.dataloaders.Loaders.visible`). Rows are plain dicts (``QuerySet.values``),
never model instances. A field not listed here sends the whole document to normal execution.
"""

from __future__ import annotations

import inspect
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from core.access.masking import (
    mask_address,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_student_number,
)
from core.api.fastpath.roots import roots
from core.api.fastpath.statements import Join
from core.api.people.types import OPEN_CASES, guardians_in_visible_order
from core.cases.enums import TERMINAL_STATES, CaseState
from core.cases.models import Case
from core.china_time import local_date
from core.enrolment.models import Enrolment
from core.people import models as pmodels
from core.people.queries import age_on
from core.schools.models import School, SchoolClass

Row = dict[str, Any]


#: What a relation's ``load`` answers: one value per row, at once or awaited.
Loaded = list[Any] | Awaitable[list[Any]]


@dataclass(frozen=True)
class Spec:
    """One field: ``attr`` read from the row (or ``compute(row, run)``), shown through
    ``mask`` for personal details; or, with ``target``, a relation ``load(run, rows)``
    returning one value per row (a row, None or a list of rows): at once when the rows'
    statement read it (a join), else awaited (a statement)."""

    attr: str = ""
    mask: Callable[[Any], Any] | None = None
    compute: Callable[[Row, Any], Any] | None = None
    target: str = ""
    load: Callable[[Any, list[Row]], Loaded] | None = None

    @property
    def relation(self) -> bool:
        return bool(self.target)


def _then(found: Loaded, then: Callable[[list[Any]], list[Any]]) -> Loaded:
    """``then(values)`` of what a load answered, at once or once awaited."""
    if not inspect.isawaitable(found):
        return then(found)

    async def later() -> list[Any]:
        return then(await found)

    return later()


def _padded(ids: list[Any]) -> list[Any]:
    """``ids`` (sorted) padded, by repeating the last, to the next power of two: the statement
    text then depends on the size class of the list, not its exact length, so PostgreSQL's
    prepared statements (asyncpg's cache) are reused from page to page instead of each page
    preparing its own (a round trip more). Repeats inside ``IN (…)`` change nothing."""
    ids = sorted(ids, key=str)
    if not ids:
        return ids
    size = 1 << (len(ids) - 1).bit_length()
    return ids + [ids[-1]] * (size - len(ids))


def _by_id(
    model: type, fk: str, columns: tuple[str, ...], joined: str = ""
) -> Callable[..., Loaded]:
    """Each row's ``fk`` as a row of ``model`` (None when unset or not visible); read from
    the rows themselves when their statement joined it (columns ``<joined>__<column>``,
    :class:`~core.api.fastpath.statements.Join`)."""
    prefixed = [(c, f"{joined}__{c}") for c in columns]
    joined_id = f"{joined}__id"

    def load(run: Any, rows: list[Row]) -> Loaded:
        if joined and rows and joined_id in rows[0]:
            return [
                {c: r[p] for c, p in prefixed} if r[joined_id] is not None else None for r in rows
            ]
        return fetch(run, rows)

    async def fetch(run: Any, rows: list[Row]) -> list[Any]:
        ids = _padded(list({r[fk] for r in rows if r[fk] is not None}))
        found = {}
        if ids:
            found = {r["id"]: r for r in await run.values(model, columns, "pk__in", ids)}
        return [found.get(r[fk]) if r[fk] is not None else None for r in rows]

    return load


def _many(
    model: type, fk: str, columns: tuple[str, ...], _joins: tuple[Join, ...] = (), **filters: Any
) -> Callable[..., Awaitable[list[Any]]]:
    """The ``model`` rows whose ``fk`` is each row's id (plus ``filters``), in the model's
    order, with ``_joins`` read in the same statement (on PostgreSQL)."""

    async def load(run: Any, rows: list[Row]) -> list[Any]:
        ids = _padded(list({str(r["id"]) for r in rows}))
        grouped: dict[str, list[Row]] = defaultdict(list)
        if ids:
            found = await run.values(model, columns, f"{fk}__in", ids, _joins, **filters)
            for r in found:
                grouped[str(r[fk])].append(r)
        return [grouped.get(str(r["id"]), []) for r in rows]

    return load


def _first(load: Callable[..., Loaded]) -> Callable[..., Loaded]:
    def first(run: Any, rows: list[Row]) -> Loaded:
        return _then(load(run, rows), lambda values: [v[0] if v else None for v in values])

    return first


def _guardians(load: Callable[..., Loaded]) -> Callable[..., Loaded]:
    def ordered(run: Any, rows: list[Row]) -> Loaded:
        return _then(
            load(run, rows),
            lambda values: [
                guardians_in_visible_order(found, run.caller, lambda g, a: g[a]) for found in values
            ],
        )

    return ordered


def _age(row: Row, run: Any) -> int:
    return age_on(row["birth_date"], local_date(run.now))


def _is_overdue(row: Row, run: Any) -> bool:
    deadline = row["next_deadline_at"]
    return (
        CaseState(row["state"]) not in TERMINAL_STATES
        and deadline is not None
        and deadline < run.now
    )


CHILD_COLUMNS = (
    "id",
    "name",
    "gender",
    "birth_date",
    "ethnicity",
    "id_number",
    "student_number",
    "version",
    "household_id",
)
HOUSEHOLD_COLUMNS = (
    "id",
    "head_name",
    "registered_address",
    "current_address",
    "poverty_status",
    "is_low_income",
    "migration_status",
    "version",
)
GUARDIAN_COLUMNS = (
    "id",
    "household_id",
    "name",
    "relation",
    "phone",
    "id_number",
    "works_away",
    "is_primary",
    "version",
)
ENROLMENT_COLUMNS = (
    "id",
    "child_id",
    "school_id",
    "school_class_id",
    "grade",
    "status",
    "mode",
    "started_on",
    "ended_on",
    "is_current",
    "version",
)
CASE_COLUMNS = (
    "id",
    "child_id",
    "kind",
    "state",
    "escalation_level",
    "opened_at",
    "closed_at",
    "next_deadline_at",
    "version",
)


def _plain(*names: tuple[str, str]) -> dict[str, Spec]:
    return {graphql: Spec(attr=attr) for graphql, attr in names}


#: One-to-one relations read in their parent's statement (PostgreSQL): a child's household
#: in the root page's, an enrolment's school and class in the enrolments'.
CHILD_JOINS = (Join("household", pmodels.Household, "household_id", HOUSEHOLD_COLUMNS),)
ENROLMENT_JOINS = (
    Join("school", School, "school_id", ("id", "name")),
    Join("school_class", SchoolClass, "school_class_id", ("id", "name")),
)


#: The fields the fast path answers, by GraphQL type. ``id`` is the global id of the row.
TYPES: dict[str, dict[str, Spec]] = {
    "Child": {
        **_plain(
            ("id", "id"),
            ("name", "name"),
            ("gender", "gender"),
            ("birthDate", "birth_date"),
            ("ethnicity", "ethnicity"),
            ("version", "version"),
        ),
        "idNumber": Spec(attr="id_number", mask=mask_id_number),
        "studentNumber": Spec(attr="student_number", mask=mask_student_number),
        "age": Spec(compute=_age),
        "household": Spec(
            target="Household",
            load=_by_id(pmodels.Household, "household_id", HOUSEHOLD_COLUMNS, "household"),
        ),
        "currentEnrolment": Spec(
            target="Enrolment",
            load=_first(
                _many(
                    Enrolment,
                    "child_id",
                    ENROLMENT_COLUMNS,
                    _joins=ENROLMENT_JOINS,
                    is_current=True,
                )
            ),
        ),
        "openCases": Spec(target="Case", load=_many(Case, "child_id", CASE_COLUMNS, **OPEN_CASES)),
    },
    "Household": {
        **_plain(
            ("id", "id"),
            ("povertyStatus", "poverty_status"),
            ("isLowIncome", "is_low_income"),
            ("migrationStatus", "migration_status"),
            ("version", "version"),
        ),
        "headName": Spec(attr="head_name", mask=mask_name),
        "registeredAddress": Spec(attr="registered_address", mask=mask_address),
        "currentAddress": Spec(attr="current_address", mask=mask_address),
        "guardians": Spec(
            target="Guardian",
            load=_guardians(_many(pmodels.Guardian, "household_id", GUARDIAN_COLUMNS)),
        ),
    },
    "Guardian": {
        **_plain(
            ("id", "id"),
            ("relation", "relation"),
            ("worksAway", "works_away"),
            ("isPrimary", "is_primary"),
            ("version", "version"),
        ),
        "name": Spec(attr="name", mask=mask_name),
        "phone": Spec(attr="phone", mask=mask_phone),
        "idNumber": Spec(attr="id_number", mask=mask_id_number),
    },
    "Enrolment": {
        **_plain(
            ("id", "id"),
            ("grade", "grade"),
            ("status", "status"),
            ("mode", "mode"),
            ("startedOn", "started_on"),
            ("endedOn", "ended_on"),
            ("isCurrent", "is_current"),
            ("version", "version"),
        ),
        "school": Spec(target="School", load=_by_id(School, "school_id", ("id", "name"), "school")),
        "schoolClass": Spec(
            target="SchoolClass",
            load=_by_id(SchoolClass, "school_class_id", ("id", "name"), "school_class"),
        ),
    },
    "School": _plain(("id", "id"), ("name", "name")),
    "SchoolClass": _plain(("id", "id"), ("name", "name")),
    "Case": {
        **_plain(
            ("id", "id"),
            ("kind", "kind"),
            ("state", "state"),
            ("escalationLevel", "escalation_level"),
            ("openedAt", "opened_at"),
            ("closedAt", "closed_at"),
            ("nextDeadlineAt", "next_deadline_at"),
            ("version", "version"),
        ),
        "isOverdue": Spec(compute=_is_overdue),
    },
}

#: Root fields the fast path answers: the node type of the connection each returns, the
#: columns read of its rows and its queryset (:mod:`core.api.fastpath.roots`).
ROOTS = roots(CHILD_COLUMNS, CHILD_JOINS)
CONNECTION_FIELDS = frozenset({"totalCount", "pageInfo", "edges"})
PAGE_INFO_FIELDS = frozenset({"hasNextPage", "hasPreviousPage", "startCursor", "endCursor"})
