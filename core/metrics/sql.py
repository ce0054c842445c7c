"""The SQL every metric is computed from: one row per child of the 学户册 as of a date.

:func:`facts_sql` writes a ``WITH … facts AS (…)`` prefix whose ``facts`` relation holds, for
each child the place's registry counts on ``as_of`` (compulsory school age by the county's
rule, or still on a compulsory-education roll), the child's enrolment status, school, stage,
town and case as they stood that day — derived from the append-only histories (学籍异动 and
the case timeline), never from the current fields — and the one accounting state
(:mod:`core.metrics.accounting`) the child is in. Metrics, targets and the accounting ledger
are aggregates over it (``SUM(CASE WHEN …)``), so the database does the counting.

Values are bound, never formatted in: :class:`Params` writes ``?`` for SQLite and ``$n`` for
PostgreSQL and converts dates, moments and ids to what each driver stores.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from tortoise import connections
from tortoise.transactions import in_transaction

from core.cases.enums import CaseKind, CaseState
from core.china_time import CHINA_TZ, end_of_day, local_date
from core.enrolment.models import EnrolmentMode, EnrolmentStatus
from core.metrics.place import Place, PlaceKind, SchoolAge
from core.people.enums import KeyGroup


class Params:
    """Bound parameters of one statement, in the placeholder style of its database.

    ``p(value)`` returns a token; :meth:`render` replaces the tokens, in the order they appear
    in the text, by ``?`` (SQLite) or ``$n`` (PostgreSQL), so a fragment may be built in any
    order and used more than once.
    """

    def __init__(self, postgres: bool) -> None:
        self.postgres = postgres
        self._values: list[Any] = []

    def __call__(self, value: Any) -> str:
        """The placeholder token for ``value`` (converted for the driver)."""
        if not self.postgres:
            if isinstance(value, datetime):
                # Tortoise stores SQLite moments as UTC text: "YYYY-MM-DD HH:MM:SS+00:00".
                value = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S+00:00")
            elif isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, uuid.UUID):
                value = str(value)
        self._values.append(value)
        return f"\x00{len(self._values) - 1}\x00"

    def many(self, values: Iterable[Any]) -> str:
        """``(p1, p2, …)`` for an ``IN`` list (``(NULL)`` when empty: matches nothing)."""
        items = [self(v) for v in values]
        return "(" + ", ".join(items) + ")" if items else "(NULL)"

    def render(self, sql: str) -> tuple[str, list[Any]]:
        """``sql`` with driver placeholders, and the values in their order."""
        values: list[Any] = []
        numbers: dict[int, int] = {}

        def place(match: re.Match[str]) -> str:
            index = int(match.group(1))
            if self.postgres:
                if index not in numbers:
                    values.append(self._values[index])
                    numbers[index] = len(values)
                return f"${numbers[index]}"
            values.append(self._values[index])
            return "?"

        return _TOKEN.sub(place, sql), values


_TOKEN = re.compile("\x00(\\d+)\x00")


def is_postgres() -> bool:
    return connections.get("default").capabilities.dialect == "postgres"


#: PostgreSQL's ``work_mem`` for a metrics statement (``SET LOCAL``: this statement's
#: transaction only). It hashes and sorts each history of a county's children (at 1,000,000
#: pupils 1.4 million 学籍异动); with the server's default 4 MB every hash join ran in batches
#: and the latest-change sort spilled to disk (bench/README.md).
WORK_MEM = "256MB"


async def fetch(sql: str, params: Params) -> list[dict[str, Any]]:
    """Rows of ``sql`` as dicts."""
    text, values = params.render(sql)
    if not params.postgres:
        _, rows = await connections.get("default").execute_query(text, values)
        return [dict(r) for r in rows]
    async with in_transaction() as conn:
        await conn.execute_query(f"SET LOCAL work_mem = '{WORK_MEM}'")
        _, rows = await conn.execute_query(text, values)
    return [dict(r) for r in rows]


def _quote(values: Iterable[str]) -> str:
    """A SQL list of enum literals (core's own vocabulary: never user input)."""
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


S = CaseState
#: Case states (as of the day) and what they say about the child, strongest first.
CASE_RANKS: dict[str, int] = {
    S.CONFIRMED.value: 4,
    S.PERSUADING.value: 4,
    S.UNREACHABLE.value: 4,
    S.REPORTED.value: 3,
    S.VERIFYING.value: 3,
    S.EXEMPTED.value: 2,
    S.TRANSFERRED.value: 1,
}
#: The kinds of case that say a child is out of school (an AT_RISK warning does not).
OUT_OF_SCHOOL_KINDS = (CaseKind.DROPOUT.value, CaseKind.NEVER_ENROLLED.value)
IN_SCHOOL_STATUSES = (
    EnrolmentStatus.ENROLLED.value,
    EnrolmentStatus.SUSPENDED.value,
    EnrolmentStatus.DROPPED_OUT.value,
)


#: 家庭经济困难: the groups whose children 资助 coverage counts.
HARDSHIP_GROUPS = (
    KeyGroup.FINANCIAL_HARDSHIP,
    KeyGroup.POVERTY_LIFTED,
    KeyGroup.MONITORED,
    KeyGroup.LOW_INCOME,
)


#: One bit per key group in ``facts.key_groups`` (see :func:`key_groups_sql`).
_KEY_GROUP_BITS = {group: 1 << i for i, group in enumerate(KeyGroup)}


@dataclass(frozen=True)
class Frame:
    """What a facts query is about: the place, the day and the county's school age."""

    place: Place
    as_of: date
    age: SchoolAge

    @property
    def school_year(self) -> int:
        return self.age.school_year


def _rank_sql(state: str) -> str:
    whens = " ".join(f"WHEN '{s}' THEN {rank}" for s, rank in CASE_RANKS.items())
    return f"CASE {state} {whens} ELSE 0 END"


def _window_sql(p: Params, ranges: Iterable[tuple[date, date]], column: str) -> str:
    parts = [f"({column} BETWEEN {p(first)} AND {p(last)})" for first, last in ranges]
    return "(" + " OR ".join(parts) + ")" if parts else "(1 = 0)"


#: Whether ``facts`` reads the stored rows of ``child_fact`` (migration ``0016_child_fact``)
#: where they hold for the day. Tests switch it off to compare with the history path alone.
use_stored_facts: ContextVar[bool] = ContextVar("use_stored_facts", default=True)

#: The day a stored row is derived as of: after every record, so that no history is cut.
OPEN_DAY = date(9999, 12, 30)
OPEN_SCHOOL_YEAR = 9999
#: The ``valid_from`` of a child with no dated record: the stored row holds for every day.
NO_RECORD_DAY = date(1, 1, 1)

#: The columns of a child's row, stored (``child_fact``) or derived as of a day: what
#: :func:`facts_sql`'s later stages read, none of them depending on the day except through the
#: histories (``key_groups``: the groups held that day; ``assisted_year``: the latest school
#: year, not after the day's, assisted by the day; ``last_visit``: the latest home visit by the
#: day).
ROW_COLUMNS = (
    "child_id",
    "jurisdiction_id",
    "name",
    "birth_date",
    "enrolment_status",
    "counterpart_school",
    "school_kind",
    "mode",
    "grade",
    "school_class_id",
    "school_id",
    "town_id",
    "migration_status",
    "has_address",
    "village_id",
    "case_id",
    "case_state",
    "case_reason",
    "case_level",
    "key_groups",
    "assisted_year",
    "last_visit",
)
#: A stored row's columns: the row's, and the first day it holds for.
STORED_COLUMNS = (*ROW_COLUMNS, "valid_from")


def facts_sql(
    frame: Frame, p: Params, *, aggregate: bool = False, stored_only: bool = False
) -> str:
    """``WITH …`` defining ``facts`` (one row per registry child of the place on the day).

    Columns: ``child_id``, ``name``, ``state`` (accounting state), ``stage`` (PRIMARY or
    JUNIOR_MIDDLE), ``town_id``, ``school_id``, ``enrolment_status``, ``ever_enrolled`` (0/1),
    ``cohort`` (0/1: the 9-year cohort finishing this school year), ``case_id``,
    ``case_state``, ``case_reason``, ``case_level``, ``as_of`` (the day), ``school_year``,
    and as they stood on the day: ``key_groups`` (the child's key groups as bits: test them with
    :func:`key_groups_sql`), ``assisted`` (0/1: assistance of the school year granted by the
    day) and ``visited`` (0/1: a home visit in the year's visit window up to the day).
    ``aggregate``: the statement only sums ``facts`` (PostgreSQL then inlines it).
    ``stored_only``: every child's stored row holds for the day (none marked, none dated after
    it; the caller has checked, in the same read transaction): the rows are the stored ones
    alone, with no branch for derived ones.

    Each child's row comes from ``child_fact`` when it holds for the day (``valid_from`` not
    after it, the child not marked in ``child_fact_dirty``): nothing of the child happened
    after the day, so the latest of each history is the one of the day. The other children's
    rows are derived from the histories as of the day (:func:`derived_sql`, the statement the
    stored rows are written by). The day's own parts (age, cohort, stage, assisted, visited,
    the state) are computed from the row in both cases.
    """
    age = frame.age
    j = p(frame.place.jurisdiction_id)
    d = p(frame.as_of)
    in_window = _window_sql(p, age.birth_ranges(), "x.birth_date")
    primary_first = p(age.stage_birth_first("PRIMARY"))
    cohort_first, cohort_last = age.cohort_birth_range()
    cohort = f"x.birth_date BETWEEN {p(cohort_first)} AND {p(cohort_last)}"
    grades = ", ".join(str(g) for g in age.grades)
    modes = EnrolmentMode
    day = as_of_sql(p, frame.as_of)
    visit_from = as_of_sql(p, age.visit_window_start(frame.as_of))
    year = _int_sql(p, frame.school_year)
    county = f"ch.jurisdiction_id = {j} AND ch.merged_into_id IS NULL"
    columns = ", ".join(f"x.{c}" for c in ROW_COLUMNS)
    if use_stored_facts.get() and stored_only:
        # SQLite runs a UNION ALL of stored and derived rows as a co-routine that copies every
        # stored row (a third of a county's statement when nothing is to be derived); a
        # single SELECT is flattened into the statement, each column read where it is used.
        derived = ""
        source = f"""rows AS (
  SELECT {columns} FROM child_fact x
  WHERE x.jurisdiction_id = {j} AND x.valid_from <= {d}
)"""
    elif use_stored_facts.get():
        # On SQLite ``+`` keeps the planner on the id list (a seek per child of it) rather than
        # the county's children with a probe of the list each.
        county = ("" if p.postgres else "+") + county
        others = (
            f"ch.id IN (SELECT m.child_id FROM child_fact_dirty m UNION SELECT s.child_id"
            f" FROM child_fact s WHERE s.jurisdiction_id = {j} AND s.valid_from > {d})"
            f" AND {county}"
        )
        derived = derived_sql(p, frame.as_of, frame.school_year, others)
        source = f"""rows AS (
  SELECT {columns} FROM child_fact x
  WHERE x.jurisdiction_id = {j} AND x.valid_from <= {d}
    AND x.child_id NOT IN (SELECT m.child_id FROM child_fact_dirty m)
  UNION ALL
  SELECT {columns} FROM derived x
)"""
    else:
        derived = derived_sql(p, frame.as_of, frame.school_year, county)
        source = f"rows AS (SELECT {columns} FROM derived x)"
    # ``facts`` is read once by every statement: SQLite runs it as a co-routine. PostgreSQL
    # plans it into a statement that only aggregates it (``aggregate``; materialised, it was
    # a CTE scan whose row estimate, 75 million for 102,790, made the planner sort the rows to
    # group them), and into a page of children as of today or later, where nearly every row
    # is a stored one (at 1,000,000 pupils a target's gap page took 1.3-1.5 s inlined against
    # 2.6-11.7 s materialised). A page as of an earlier day keeps it materialised: there many
    # children come from the histories, and inlined the planner chose nested loops over them
    # (67 s where it takes 4.5 s, at 100,000 pupils).
    past = frame.as_of < local_date(datetime.now(UTC))
    materialized = "MATERIALIZED " if p.postgres and not aggregate and past else ""
    sql = f"""
{derived + "," if derived else ""}
{source},
base AS (
  SELECT {columns},
         {_rank_sql("x.case_state")} AS case_rank,
         CASE WHEN x.enrolment_status IS NULL THEN 0 ELSE 1 END AS ever_enrolled,
         CASE WHEN {cohort} THEN 1 ELSE 0 END AS cohort,
         CASE WHEN {in_window} THEN
              CASE WHEN x.birth_date >= {primary_first} THEN 'PRIMARY' ELSE 'JUNIOR_MIDDLE' END
              WHEN x.grade <= 6 THEN 'PRIMARY' ELSE 'JUNIOR_MIDDLE' END AS stage
  FROM rows x
  WHERE {in_window}
     OR (x.enrolment_status IN {_quote(IN_SCHOOL_STATUSES)} AND x.grade IN ({grades}))
),
facts AS {materialized}(
  SELECT b.*, {day} AS as_of, {year} AS school_year,
    CASE WHEN b.assisted_year = {year} THEN 1 ELSE 0 END AS assisted,
    CASE WHEN b.last_visit > {visit_from} THEN 1 ELSE 0 END AS visited,
    CASE
      WHEN b.enrolment_status = 'DECEASED' THEN 'DECEASED'
      WHEN b.case_rank = 4 THEN 'CONFIRMED_OUT'
      WHEN b.case_rank = 3 THEN 'UNDER_VERIFICATION'
      WHEN b.case_rank = 2 THEN 'EXEMPTED_OR_DEFERRED'
      WHEN b.enrolment_status = 'ENROLLED' THEN
        CASE WHEN b.school_kind = 'SPECIAL' THEN 'IN_SCHOOL_SPECIAL'
             WHEN b.mode = '{modes.INCLUSIVE.value}' THEN 'IN_SCHOOL_INCLUSIVE'
             WHEN b.mode = '{modes.HOME_DELIVERED.value}' THEN 'IN_SCHOOL_HOME_DELIVERED'
             ELSE 'IN_SCHOOL_REGULAR' END
      WHEN b.enrolment_status = 'SUSPENDED' THEN 'EXEMPTED_OR_DEFERRED'
      WHEN b.enrolment_status = 'DROPPED_OUT' THEN 'CONFIRMED_OUT'
      WHEN b.enrolment_status = 'TRANSFERRED_OUT' AND b.counterpart_school <> ''
        THEN 'STUDYING_ELSEWHERE'
      WHEN b.enrolment_status = 'GRADUATED' THEN 'COMPLETED'
      WHEN b.case_rank = 1 THEN 'STUDYING_ELSEWHERE'
      WHEN b.enrolment_status IS NULL AND b.migration_status = 'WHOLE_FAMILY_AWAY'
           AND b.has_address = 1 THEN 'MOVED_AWAY'
      ELSE 'UNACCOUNTED'
    END AS state
  FROM base b
  WHERE {_place_sql(frame.place, p)}
)
"""
    return "WITH " + sql.lstrip()


def _int_sql(p: Params, value: int) -> str:
    """An integer parameter (PostgreSQL needs the type of a bare parameter)."""
    return f"CAST({p(value)} AS INTEGER)" if p.postgres else p(value)


def derived_sql(
    p: Params, day: date, school_year: int, children: str, *, stored: bool = False
) -> str:
    """``WITH``-less CTEs ending in ``derived``: the row (:data:`ROW_COLUMNS`) of each child
    that ``children`` (a condition on ``child ch``) selects, from the histories as of ``day``
    (of ``school_year``). The one author of a child's row: :func:`facts_sql` derives the rows
    it does not find stored with it, and the stored rows are written by it as of
    :data:`OPEN_DAY` (``stored``: with ``valid_from``, the latest day any record of the child
    takes effect on)."""
    d = p(day)
    end = p(end_of_day(day))
    year = _int_sql(p, school_year)
    looked_up, ids = _latest_sql(p, d, end, children)
    # The change's columns: PostgreSQL's ``latest`` carries them; SQLite's holds the change's
    # rowid (an integer seek, where its text id was a seek in the id index, then the row).
    change, change_join = (
        ("l", "")
        if p.postgres
        else ("c", "\n  LEFT JOIN enrolment_change c ON c.rowid = l.change_row")
    )
    flag_ctes, flag_columns, flag_joins = _flags_sql(p, d, year, ids)
    valid_cte, valid_column, valid_join = _valid_from_sql(p, ids) if stored else ("", "", "")
    return f"""{looked_up},{flag_ctes}{valid_cte}
derived AS (
  SELECT l.child_id, l.jurisdiction_id, l.name, l.birth_date,
         {change}.status_after AS enrolment_status, {change}.counterpart_school,
         s.kind AS school_kind, e.mode, e.grade, e.school_class_id,
         COALESCE(e.school_id, k.school_id) AS school_id,
         COALESCE(v.town_id, s.town_id, cs_school.town_id) AS town_id,
         h.migration_status,
         CASE WHEN h.current_address <> '' THEN 1 ELSE 0 END AS has_address, h.village_id,
         k.id AS case_id, l.case_state, k.reason AS case_reason,
         k.escalation_level AS case_level, {flag_columns}{valid_column}
  FROM latest l{change_join}
  LEFT JOIN enrolment e ON e.id = {change}.enrolment_id
  LEFT JOIN school s ON s.id = e.school_id
  LEFT JOIN case_file k ON k.id = l.case_id
  LEFT JOIN school cs_school ON cs_school.id = k.school_id
  LEFT JOIN household h ON h.id = l.household_id
  LEFT JOIN village v ON v.id = h.village_id{flag_joins}{valid_join}
)"""


def key_groups_sql(groups: Iterable[KeyGroup]) -> str:
    """The condition on ``facts f``: the child was in one of ``groups`` on the day."""
    mask = sum(_KEY_GROUP_BITS[g] for g in groups)
    return f"(f.key_groups & {mask}) <> 0"


def _key_group_bits_sql(column: str) -> str:
    whens = " ".join(f"WHEN '{g.value}' THEN {bit}" for g, bit in _KEY_GROUP_BITS.items())
    return f"CASE {column} {whens} ELSE 0 END"


def _latest_sql(p: Params, d: str, end: str, children: str) -> tuple[str, str]:
    """CTEs ending in ``latest``, and a sub-select of the children's ids: for each child that
    ``children`` selects, its ``jurisdiction_id``, ``name``, ``birth_date``,
    ``household_id``; its latest 学籍异动 up to the day (ties: latest ``recorded_at``, then
    id) — on SQLite ``change_row``, that change's rowid, on PostgreSQL its ``status_after``,
    ``counterpart_school`` and ``enrolment_id``; ``case_id`` and ``case_state``, its strongest
    out-of-school case opened by the day's end and that case's state then (the ``to_state`` of
    its latest event before the day's end).

    The same rows two ways, each the faster for its database: SQLite (nested loops only) seeks
    each child's latest change in the indexes of migration ``0009_metrics`` and numbers the few
    cases (each case's state looked up once) per child; PostgreSQL reads each history once
    (``DISTINCT ON`` for the changes, whose row estimate is right where a ``ROW_NUMBER() = 1``
    filter's was a hundredth of it, windows for the cases) and hash-joins the results.
    PostgreSQL's ``kids`` is inlined (``NOT MATERIALIZED``) where it is joined: a CTE scan's
    row estimate is a guess, and with it the planner took 102,790 children for 75 million
    and sorted them to group them; the child table's own statistics give the right count."""
    kinds = _quote(OUT_OF_SCHOOL_KINDS)
    child = "ch.id AS child_id, ch.jurisdiction_id, ch.name, ch.birth_date, ch.household_id"
    if not p.postgres:
        state_at = (
            "(SELECT ev.to_state FROM case_event ev WHERE ev.case_id = {k} "
            f"AND ev.to_state IS NOT NULL AND ev.occurred_at < {end} "
            "ORDER BY ev.occurred_at DESC, ev.recorded_at DESC, ev.id DESC LIMIT 1)"
        )
        # The cases are few: each one's state is looked up once and the strongest per child
        # numbered, then joined to the children (an automatic index on ``cases``), rather than
        # a look-up per child, most of whom have none. (Not restricted to the children picked:
        # with that the planner took ``cases`` for small and scanned it per child.)
        return (
            f"""
picked AS MATERIALIZED (
  SELECT {child},
    (SELECT c.rowid FROM enrolment_change c WHERE c.child_id = ch.id AND c.occurred_on <= {d}
     ORDER BY c.occurred_on DESC, c.recorded_at DESC, c.id DESC LIMIT 1) AS change_row
  FROM child ch WHERE {children}
),
case_states AS MATERIALIZED (
  SELECT k.id, k.child_id, {state_at.format(k="k.id")} AS to_state
  FROM case_file k WHERE k.kind IN {kinds} AND k.opened_at < {end}
),
cases AS MATERIALIZED (
  SELECT cs.child_id, cs.id, cs.to_state,
    ROW_NUMBER() OVER (PARTITION BY cs.child_id
                       ORDER BY {_rank_sql("cs.to_state")} DESC, cs.id) AS n
  FROM case_states cs
),
latest AS MATERIALIZED (
  SELECT x.*, k.id AS case_id, k.to_state AS case_state
  FROM picked x LEFT JOIN cases k ON k.child_id = x.child_id AND k.n = 1
)""",
            "SELECT child_id FROM picked",
        )
    return (
        f"""
kids AS NOT MATERIALIZED (
  SELECT {child} FROM child ch WHERE {children}
),
changes AS (
  SELECT DISTINCT ON (c.child_id) c.child_id, c.status_after, c.counterpart_school,
         c.enrolment_id
  FROM enrolment_change c JOIN kids ON kids.child_id = c.child_id
  WHERE c.occurred_on <= {d}
  ORDER BY c.child_id, c.occurred_on DESC, c.recorded_at DESC, c.id DESC
),
cases AS (
  SELECT k.id, k.child_id
  FROM case_file k JOIN kids ON kids.child_id = k.child_id
  WHERE k.kind IN {kinds} AND k.opened_at < {end}
),
case_states AS (
  SELECT ev.case_id, ev.to_state,
    ROW_NUMBER() OVER (PARTITION BY ev.case_id
                       ORDER BY ev.occurred_at DESC, ev.recorded_at DESC, ev.id DESC) AS n
  FROM case_event ev JOIN cases k ON k.id = ev.case_id
  WHERE ev.to_state IS NOT NULL AND ev.occurred_at < {end}
),
ranked_cases AS (
  SELECT k.id, k.child_id, cs.to_state,
    ROW_NUMBER() OVER (PARTITION BY k.child_id
                       ORDER BY {_rank_sql("cs.to_state")} DESC, k.id) AS n
  FROM cases k LEFT JOIN case_states cs ON cs.case_id = k.id AND cs.n = 1
),
latest AS (
  SELECT l.*, c.status_after, c.counterpart_school, c.enrolment_id,
         k.id AS case_id, k.to_state AS case_state
  FROM kids l
  LEFT JOIN changes c ON c.child_id = l.child_id
  LEFT JOIN ranked_cases k ON k.child_id = l.child_id AND k.n = 1
)""",
        "SELECT kids.child_id FROM kids",
    )


def _flags_sql(p: Params, d: str, year: str, ids: str) -> tuple[str, str, str]:
    """``(CTEs, columns, joins)`` of the row's ``key_groups``, ``assisted_year`` and
    ``last_visit`` (see :data:`ROW_COLUMNS`) of each child ``l``: on SQLite a look-up per child
    in the indexes, on PostgreSQL one grouped read of each table (of the children ``ids``
    selects) hash-joined. A child is at most once in a group (``child_key_group`` is unique on
    both), so the sum of the groups' bits is their union."""
    active = f"(g.since IS NULL OR g.since <= {d}) AND (g.ended_on IS NULL OR g.ended_on > {d})"
    bits = _key_group_bits_sql('g."group"')
    aid = f"a.school_year <= {year} AND a.granted_on <= {d}"
    visit = f"hv.visited_on <= {d}"
    if not p.postgres:
        columns = (
            f"COALESCE((SELECT SUM({bits}) FROM child_key_group g "
            f"WHERE g.child_id = l.child_id AND {active}), 0) AS key_groups,\n         "
            "(SELECT MAX(a.school_year) FROM assistance a WHERE a.child_id = l.child_id "
            f"AND {aid}) AS assisted_year,\n         "
            "(SELECT MAX(hv.visited_on) FROM home_visit hv WHERE hv.child_id = l.child_id "
            f"AND {visit}) AS last_visit"
        )
        return "", columns, ""
    ctes = f"""
groups AS (
  SELECT g.child_id, SUM({bits}) AS key_groups
  FROM child_key_group g WHERE g.child_id IN ({ids}) AND {active}
  GROUP BY g.child_id
),
assisted AS (
  SELECT a.child_id, MAX(a.school_year) AS school_year
  FROM assistance a WHERE a.child_id IN ({ids}) AND {aid}
  GROUP BY a.child_id
),
visited AS (
  SELECT hv.child_id, MAX(hv.visited_on) AS visited_on
  FROM home_visit hv WHERE hv.child_id IN ({ids}) AND {visit}
  GROUP BY hv.child_id
),"""
    columns = (
        "COALESCE(gs.key_groups, 0) AS key_groups, "
        "ai.school_year AS assisted_year, vi.visited_on AS last_visit"
    )
    joins = (
        "\n  LEFT JOIN groups gs ON gs.child_id = l.child_id"
        "\n  LEFT JOIN assisted ai ON ai.child_id = l.child_id"
        "\n  LEFT JOIN visited vi ON vi.child_id = l.child_id"
    )
    return ctes, columns, joins


def _local_date_sql(p: Params, column: str) -> str:
    """The China date (:mod:`core.china_time`) of a stored moment."""
    hours = int(CHINA_TZ.utcoffset(None).total_seconds() // 3600)
    if p.postgres:
        return f"CAST(({column} AT TIME ZONE 'UTC') + INTERVAL '{hours} hours' AS DATE)"
    # SQLite holds moments as UTC text "YYYY-MM-DD HH:MM:SS[.ffffff]+00:00".
    return f"date(substr({column}, 1, 19), '+{hours} hours')"


def _valid_from_sql(p: Params, ids: str) -> tuple[str, str, str]:
    """``(CTEs, column, joins)`` of ``valid_from`` of each child ``l`` (of ``ids``): the latest
    day any of its dated records takes effect on — a 学籍异动, the opening of an out-of-school
    case and each of its events, a key group's start and end, an assistance's grant and the
    first day of its school year, a home visit. From that day on, the row derived as of
    :data:`OPEN_DAY` is the row of the day. SQLite looks each one up per child in the indexes
    (a join to a grouped relation was a scan of it per child: no automatic index for it);
    PostgreSQL reads each table once, grouped, and hash-joins."""
    kinds = _quote(OUT_OF_SCHOOL_KINDS)
    first_day = (
        "make_date(a.school_year, 9, 1)" if p.postgres else "printf('%04d-09-01', a.school_year)"
    )
    days = [
        ("enrolment_change c", "c.child_id", "c.occurred_on", ""),
        ("case_file k", "k.child_id", _local_date_sql(p, "k.opened_at"), f"k.kind IN {kinds}"),
        (
            "case_event ev JOIN case_file k ON k.id = ev.case_id",
            "k.child_id",
            _local_date_sql(p, "ev.occurred_at"),
            f"k.kind IN {kinds}",
        ),
        ("child_key_group g", "g.child_id", "g.since", ""),
        ("child_key_group g", "g.child_id", "g.ended_on", ""),
        ("assistance a", "a.child_id", "a.granted_on", ""),
        ("assistance a", "a.child_id", first_day, ""),
        ("home_visit hv", "hv.child_id", "hv.visited_on", ""),
    ]
    none = as_of_sql(p, NO_RECORD_DAY)
    if not p.postgres:
        branches = "\n      UNION ALL ".join(
            f"SELECT MAX({day}) AS day FROM {table}"
            f" WHERE {child} = l.child_id{' AND ' + extra if extra else ''}"
            for table, child, day, extra in days
        )
        latest = f"(SELECT MAX(u.day) FROM (\n      {branches}) u)"
        return "", f",\n         COALESCE({latest}, {none}) AS valid_from", ""
    branches = "\n    UNION ALL ".join(
        f"SELECT {child} AS child_id, MAX({day}) AS day FROM {table}"
        f" WHERE {child} IN ({ids}){' AND ' + extra if extra else ''} GROUP BY {child}"
        for table, child, day, extra in days
    )
    cte = f"""
valid AS (
  SELECT u.child_id, MAX(u.day) AS day FROM (
    {branches}
  ) u GROUP BY u.child_id
),"""
    column = f",\n         COALESCE(vf.day, {none}) AS valid_from"
    return cte, column, "\n  LEFT JOIN valid vf ON vf.child_id = l.child_id"


def as_of_sql(p: Params, day: date) -> str:
    """The day as a SQL date value (PostgreSQL needs the type of a bare parameter)."""
    return f"CAST({p(day)} AS DATE)" if p.postgres else p(day)


def _place_sql(place: Place, p: Params) -> str:
    if place.kind is PlaceKind.COUNTY:
        return "1 = 1"
    if place.kind is PlaceKind.TOWN:
        return f"b.town_id = {p(place.id)}"
    if place.kind is PlaceKind.SCHOOL:
        return f"b.school_id = {p(place.id)}"
    return (
        "b.school_id IN (SELECT m.school_id FROM school_group_member m "
        f"WHERE m.school_group_id = {p(place.id)})"
    )
