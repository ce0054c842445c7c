"""Summary rows (one per school, town or 学区/督导责任区) of the counts the return forms ask for:
上学期末在籍, 应到, 实到, 未按时到校 (其中转学, 其中疑似辍学), 劝返复学, 平台下发, 新增, 已核实 …,
and the attendance returns' counts from the class registers (:mod:`core.reports.attendance`).

These are the forms' own counts of enrolments and cases. Rates (入学率, 巩固率, 资助覆盖率),
the 辍学人数 and the 适龄儿童少年数 are figures of the metric definitions, added by
:mod:`core.reports.figures`, not counted here.

Definitions (a period runs from ``start`` to ``as_of``; a school's case is one whose 学籍校 is the
school). The 返校 counts - 上学期末在籍, 应到, 实到, 未按时到校 and its 其中 - run from ``since``
instead (:func:`core.reports.periods.counted_since`): the start of the term a 日报, 周报, 月报 or
双月报 begins in, so that such a return compares with the roll when term began; a 开学, 学期 or
学年 return begins there anyway:

* 上学期末在籍学生数 - enrolments at the school on the day before ``since``, 在读 after their last
  学籍异动 by that day;
* 未按时到校人数 - children with a 辍学 case at the school opened from ``since`` on;
* 其中转学人数 - of those, the cases ended 已转学 or 已排除 (studying elsewhere, a data error)
  by ``as_of``; 其中疑似辍学人数 - the others;
* 本学期应到人数 - 上学期末在籍 less those who had left with papers (转出, 毕业, 死亡) from
  ``since`` to ``as_of``; 实到人数 - 应到 less 疑似辍学 not back by ``as_of``;
* 劝返复学人数 - cases at the school back in school by ``as_of`` (已复学, 保学跟踪, 已销号)
  whose return falls in the period;
* 平台下发 / 新增疑似 / 已核实 - cases opened in the period from the national platform / all /
  those past verification by ``as_of``; 仍未复学 - cases confirmed and not back on ``as_of``;
  缓学/免学 - cases 缓学/免学 on ``as_of``.

A case's state on ``as_of`` is the ``to_state`` of its latest event before that day's end
(ties: the later ``recorded_at``, then id), or its current state when it has none; its return
is its latest 劝返复学 event before then. A child with more than one case at the school opened
from ``since`` counts once in 未按时到校, by the latest of them (opened last, then id). An
enrolment's status on a day is the ``status_after`` of its latest 学籍异动 by then (ties as
for case events), or its current status when it has none.

The database counts: one statement for the enrolments of every school of the place (在籍 and
those who left with papers), one for their cases (each case's state looked up once), and the
registers' (:mod:`core.reports.attendance`); a report counts only the groups its columns show.
Towns, 学区 and the 合计 row add up the school rows.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import date, timedelta
from typing import Any

from tortoise.expressions import RawSQL

from core.access.caller import Caller
from core.access.scope import scoped
from core.cases.enums import CaseEventKind, CaseSource, CaseState
from core.cases.models import Case
from core.china_time import end_of_day
from core.enrolment.models import EnrolmentChangeKind, EnrolmentStatus
from core.jurisdictions.models import SchoolGroup, Town
from core.metrics.sql import Params, fetch, is_postgres
from core.querysets import bound_sql
from core.reports.attendance import (
    ARRIVAL_COUNTS,
    ATTENDANCE_COUNTS,
    RATE,
    REGISTER_COUNTS,
    Absentee,
    add_rate,
    attendance_counts,
    never_arrived,
)
from core.reports.enums import PlaceKind
from core.reports.ledgers import (
    CONFIRMED_STATES,
    DROPOUT_KINDS,
    RETURNED_STATES,
    SUSPECTED_STATES,
    Place,
)
from core.rules.enums import RowKind
from core.schools.models import School

#: The 返校 counts: they run from ``since``, the term's start (see the module's docstring).
_RETURN = (
    "stats.enrolled_last_term",
    "stats.expected",
    "stats.arrived",
    "stats.absent",
    "stats.transferred",
    "stats.suspected_dropouts",
)
RETURN_COUNTS = frozenset(_RETURN)
#: Counts every summary row has (all start at 0).
COUNTS = (
    *_RETURN,
    "stats.platform_suspected",
    "stats.new_suspected",
    "stats.verified",
    "stats.returned",
    "stats.still_out",
    "stats.exempted",
)
#: The 去向 of the children not come since term began (:func:`_arrival_destinations`).
ARRIVAL_DESTINATIONS = ("stats.arrival_missing_transferred", "stats.arrival_missing_suspected")
#: The counts of the enrolments' statement, and of the cases' (实到 needs both).
ENROLMENT_COUNTS = frozenset({"stats.enrolled_last_term", "stats.expected", "stats.arrived"})
CASE_COUNTS = frozenset(COUNTS) - {"stats.enrolled_last_term", "stats.expected"}
_EXPLAINED = frozenset({CaseState.TRANSFERRED, CaseState.DISMISSED})
_LEFT_WITH_PAPERS = (
    EnrolmentChangeKind.TRANSFER_OUT,
    EnrolmentChangeKind.GRADUATE,
    EnrolmentChangeKind.DEATH,
)


def _in(values: Iterable[Any]) -> str:
    """A SQL list of enum literals (core's own vocabulary: never user input)."""
    return "(" + ", ".join(f"'{getattr(v, 'value', v)}'" for v in values) + ")"


async def _enrolment_counts(
    start: date, as_of: date, school_ids: list[uuid.UUID]
) -> dict[str, dict[str, int]]:
    """Per school (id as text): ``enrolled`` - 在读 enrolments on the day before ``start``;
    ``left`` - 学籍异动 转出, 毕业, 死亡 of its enrolments in the period. One statement.

    在读 on day d is counted as the enrolments running that day less those not 在读 then:
    with no 学籍异动 by d and a current status other than 在读, or whose latest 学籍异动 by d
    left another status. Most enrolments are 在读 and most changes leave 在读, so only the
    few others are looked up (a look-up of the latest change of every enrolment cost most of
    the statement)."""
    if not school_ids:
        return {}
    p = Params(is_postgres())
    day = start - timedelta(days=1)
    d, schools, enrolled = p(day), p.many(school_ids), f"'{EnrolmentStatus.ENROLLED.value}'"
    running = f"e.started_on <= {d} AND (e.ended_on IS NULL OR e.ended_on > {d})"
    later = (
        f"n.occurred_on <= {d} AND (n.occurred_on > c.occurred_on OR "
        "(n.occurred_on = c.occurred_on AND (n.recorded_at > c.recorded_at OR "
        "(n.recorded_at = c.recorded_at AND n.id > c.id))))"
    )
    sql = (
        "SELECT 'enrolled' AS part, e.school_id AS school_id, COUNT(*) - SUM(CASE WHEN "
        f"e.status <> {enrolled} AND NOT EXISTS (SELECT 1 FROM enrolment_change n "
        f"WHERE n.enrolment_id = e.id AND n.occurred_on <= {d}) THEN 1 ELSE 0 END) AS n "
        f"FROM enrolment e WHERE e.school_id IN {schools} AND {running} GROUP BY e.school_id "
        "UNION ALL "
        "SELECT 'stopped' AS part, e.school_id AS school_id, COUNT(*) AS n "
        "FROM enrolment_change c JOIN enrolment e ON e.id = c.enrolment_id "
        f"WHERE c.status_after <> {enrolled} AND c.occurred_on <= {d} "
        f"AND e.school_id IN {schools} AND {running} AND NOT EXISTS ("
        f"SELECT 1 FROM enrolment_change n WHERE n.enrolment_id = c.enrolment_id AND {later}) "
        "GROUP BY e.school_id "
        "UNION ALL "
        "SELECT 'left' AS part, e.school_id AS school_id, COUNT(*) AS n "
        "FROM enrolment_change c JOIN enrolment e ON e.id = c.enrolment_id "
        f"WHERE c.kind IN {_in(_LEFT_WITH_PAPERS)} "
        f"AND c.occurred_on >= {p(start)} AND c.occurred_on <= {p(as_of)} "
        f"AND e.school_id IN {schools} GROUP BY e.school_id"
    )
    out: dict[str, dict[str, int]] = defaultdict(lambda: {"enrolled": 0, "left": 0})
    for r in await fetch(sql, p):
        row = out[str(r["school_id"])]
        if r["part"] == "stopped":
            row["enrolled"] -= int(r["n"])
        else:
            row[r["part"]] += int(r["n"])
    return out


async def _schools(caller: Caller, place: Place) -> list[dict[str, Any]]:
    qs = scoped(School, caller).filter(jurisdiction_id=place.jurisdiction_id)
    if place.kind is PlaceKind.TOWN:
        qs = qs.filter(town_id=place.id)
    elif place.kind is PlaceKind.SCHOOL:
        qs = qs.filter(id=place.id)
    elif place.kind is PlaceKind.SCHOOL_GROUP:
        qs = qs.filter(groups__id=place.id)
    return list(
        await qs.order_by("name", "id").values(
            "id", "name", "code", "principal_name", "town_id", "town__name"
        )
    )


def _visible_cases(caller: Caller, place: Place, p: Params) -> str | None:
    """The ids of the cases the caller's scope reaches, as a sub-select bound through ``p``
    (:mod:`core.access.scope`'s rule); None for the system caller, who reaches every one."""
    scope = caller.scope
    if scope is not None and scope.jurisdiction_id is None:
        return None
    query = (
        scoped(Case, caller)
        .filter(jurisdiction_id=place.jurisdiction_id)
        .annotate(_unordered=RawSQL("1"))
        .values("id")
    )
    return bound_sql(query, p, postgres=p.postgres)


def _state_on(ends: str) -> str:
    """The SQL of case ``c``'s state at ``ends`` (a bound moment): the ``to_state`` of its
    last event before then, else its own."""
    return (
        "COALESCE((SELECT ev.to_state FROM case_event ev WHERE ev.case_id = c.id "
        f"AND ev.to_state IS NOT NULL AND ev.occurred_at < {ends} "
        "ORDER BY ev.occurred_at DESC, ev.recorded_at DESC, ev.id DESC LIMIT 1), c.state)"
    )


async def _arrival_destinations(
    caller: Caller, place: Place, absentees: list[Absentee], start: date, as_of: date
) -> dict[str, dict[str, int]]:
    """The 去向 of the children who have not come since term began (未按时到校学生的去向,
    绥宁 二、(二)2), per school (id as text): 转学 when the child's latest dropout case running
    in the period had been closed as transferred or dismissed (studying elsewhere) by
    ``as_of``, 疑似辍学 when it was in any other state; a child with no such case is neither
    (去向未明). Both are counted among :func:`never_arrived`'s children, so they never exceed
    未到校. One statement over those few children's cases."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ARRIVAL_DESTINATIONS, 0))
    if not absentees:
        return out
    p = Params(is_postgres())
    began, ends = p(end_of_day(start - timedelta(days=1))), p(end_of_day(as_of))
    visible = _visible_cases(caller, place, p)
    scope = f" AND c.id IN ({visible})" if visible is not None else ""
    children = p.many(sorted({uuid.UUID(a.child_id) for a in absentees}))
    sql = f"""
SELECT k.child_id AS child_id, k.state AS state FROM (
  SELECT c.child_id, {_state_on(ends)} AS state,
    ROW_NUMBER() OVER (PARTITION BY c.child_id ORDER BY c.opened_at DESC, c.id DESC) AS nth
  FROM case_file c
  WHERE c.child_id IN {children} AND c.kind IN {_in(DROPOUT_KINDS)}
    AND c.opened_at < {ends} AND (c.closed_at IS NULL OR c.closed_at >= {began}){scope}
) k WHERE k.nth = 1"""
    latest = {str(r["child_id"]): CaseState(r["state"]) for r in await fetch(sql, p)}
    for absentee in absentees:
        state = latest.get(str(absentee.child_id))
        if state is None:
            continue
        kind = "transferred" if state in _EXPLAINED else "suspected"
        out[absentee.school_id][f"stats.arrival_missing_{kind}"] += 1
    return out


async def _case_counts(
    caller: Caller,
    place: Place,
    school_ids: list[uuid.UUID],
    start: date,
    as_of: date,
    since: date,
) -> dict[str, dict[str, int]]:
    """The cases' counts per school (id as text), and ``_not_back``: the 疑似辍学 of
    未按时到校 not back by ``as_of``. 未按时到校 and its 其中 count the cases opened from
    ``since`` (:func:`core.reports.periods.counted_since`), the others those of the period from
    ``start``. One statement: each case's state on ``as_of`` and its last return looked up
    once, then counted by school."""
    if not school_ids:
        return {}
    p = Params(is_postgres())
    began, ends = p(end_of_day(start - timedelta(days=1))), p(end_of_day(as_of))
    term_began = p(end_of_day(since - timedelta(days=1)))
    state = _state_on(ends)
    returned_at = (
        "(SELECT MAX(ev.occurred_at) FROM case_event ev WHERE ev.case_id = c.id "
        f"AND ev.kind = '{CaseEventKind.RETURN.value}' AND ev.occurred_at < {ends})"
    )
    visible = _visible_cases(caller, place, p)
    scope = f" AND c.id IN ({visible})" if visible is not None else ""
    sql = f"""
WITH k AS (
  SELECT c.id, c.school_id, c.child_id, c.source, c.opened_at,
    CASE WHEN c.opened_at >= {began} THEN 1 ELSE 0 END AS in_period,
    CASE WHEN c.opened_at >= {term_began} THEN 1 ELSE 0 END AS in_term,
    CASE WHEN c.closed_at IS NULL OR c.closed_at >= {began} THEN 1 ELSE 0 END AS in_window,
    {state} AS state,
    CASE WHEN COALESCE({returned_at}, {began}) >= {began} THEN 1 ELSE 0 END AS back_in_period
  FROM case_file c
  WHERE c.school_id IN {p.many(school_ids)} AND c.kind IN {_in(DROPOUT_KINDS)}
    AND c.opened_at < {ends} AND (c.closed_at IS NULL OR c.closed_at >= {term_began}){scope}
),
n AS (
  SELECT k.*, ROW_NUMBER() OVER (PARTITION BY k.school_id, k.child_id, k.in_term
                                 ORDER BY k.opened_at DESC, k.id DESC) AS nth
  FROM k
)
SELECT n.school_id AS school_id,
  SUM(n.in_period) AS new_suspected,
  SUM(CASE WHEN n.in_period = 1 AND n.source = '{CaseSource.NATIONAL_PLATFORM.value}'
      THEN 1 ELSE 0 END) AS platform_suspected,
  SUM(CASE WHEN n.in_period = 1 AND n.state NOT IN {_in(SUSPECTED_STATES)}
      THEN 1 ELSE 0 END) AS verified,
  SUM(CASE WHEN n.in_term = 1 AND n.nth = 1 THEN 1 ELSE 0 END) AS absent,
  SUM(CASE WHEN n.in_term = 1 AND n.nth = 1 AND n.state IN {_in(_EXPLAINED)}
      THEN 1 ELSE 0 END) AS transferred,
  SUM(CASE WHEN n.in_term = 1 AND n.nth = 1 AND n.state NOT IN {_in(_EXPLAINED)}
      AND n.state NOT IN {_in(RETURNED_STATES)} THEN 1 ELSE 0 END) AS not_back,
  SUM(CASE WHEN n.in_window = 1 AND n.state IN {_in(RETURNED_STATES)}
      AND n.back_in_period = 1 THEN 1 ELSE 0 END) AS returned,
  SUM(CASE WHEN n.in_window = 1 AND n.state IN {_in(CONFIRMED_STATES)}
      THEN 1 ELSE 0 END) AS still_out,
  SUM(CASE WHEN n.in_window = 1 AND n.state = '{CaseState.EXEMPTED.value}'
      THEN 1 ELSE 0 END) AS exempted
FROM n GROUP BY n.school_id"""
    out: dict[str, dict[str, int]] = {}
    for r in await fetch(sql, p):
        absent, transferred = int(r["absent"] or 0), int(r["transferred"] or 0)
        out[str(r["school_id"])] = {
            "stats.absent": absent,
            "stats.transferred": transferred,
            "stats.suspected_dropouts": absent - transferred,
            "stats.platform_suspected": int(r["platform_suspected"] or 0),
            "stats.new_suspected": int(r["new_suspected"] or 0),
            "stats.verified": int(r["verified"] or 0),
            "stats.returned": int(r["returned"] or 0),
            "stats.still_out": int(r["still_out"] or 0),
            "stats.exempted": int(r["exempted"] or 0),
            "_not_back": int(r["not_back"] or 0),
        }
    return out


def counted_keys(fields: Collection[str] | None) -> tuple[str, ...]:
    """The counts a report of ``fields`` (None: every count) needs, in row order: each group
    (the enrolments', the cases', the registers', the arrivals') whole or not at all, and
    实到 only with both the enrolments and the cases it is counted from."""
    keys = (*COUNTS, *ATTENDANCE_COUNTS, *ARRIVAL_DESTINATIONS)
    if fields is None:
        return keys
    wanted = set(fields)
    if RATE in wanted:
        wanted |= {"stats.attendance_present", "stats.attendance_expected"}
    if wanted & set(ARRIVAL_DESTINATIONS):  # counted among the arrivals' 未到校
        wanted |= set(ARRIVAL_DESTINATIONS) | set(ARRIVAL_COUNTS)
    needed: set[str] = set()
    enrolments, cases = bool(wanted & ENROLMENT_COUNTS), bool(wanted & CASE_COUNTS)
    if enrolments:
        needed |= ENROLMENT_COUNTS
    if cases:
        needed |= CASE_COUNTS
    if not (enrolments and cases):
        needed.discard("stats.arrived")
    for group in (REGISTER_COUNTS, ARRIVAL_COUNTS, ARRIVAL_DESTINATIONS):
        if wanted & set(group):
            needed |= set(group)
    return tuple(k for k in keys if k in needed)


async def school_rows(
    caller: Caller,
    place: Place,
    *,
    start: date,
    as_of: date,
    fields: Collection[str] | None = None,
    since: date | None = None,
) -> list[dict[str, Any]]:
    """One row per school of the place (inside the caller's scope) with the forms' counts:
    of ``fields`` only those a report of them needs (each statement counts a group), every
    count when None. The 返校 counts (上学期末在籍, 应到, 实到, 未按时到校 and its 其中) run
    from ``since`` (:func:`core.reports.periods.counted_since`, never after ``start``; the
    period's ``start`` when None), the period's own counts from ``start``."""
    keys = counted_keys(fields)
    schools = await _schools(caller, place)
    ids = [s["id"] for s in schools]
    enrolments: dict[str, dict[str, int]] = {}
    cases: dict[str, dict[str, int]] = {}
    since = start if since is None else since
    if ENROLMENT_COUNTS & set(keys):
        enrolments = await _enrolment_counts(since, as_of, ids)
    if CASE_COUNTS & set(keys):
        cases = await _case_counts(caller, place, ids, start, as_of, since)
    arrivals = bool(set(ARRIVAL_COUNTS) & set(keys))
    absentees = await never_arrived(ids, start, as_of) if arrivals else None
    attendance = await attendance_counts(
        ids,
        start,
        as_of,
        registers=bool(set(REGISTER_COUNTS) & set(keys)),
        arrivals=arrivals,
        absentees=absentees,
    )
    destinations: dict[str, dict[str, int]] = {}
    if absentees and ARRIVAL_DESTINATIONS[0] in keys:
        destinations = await _arrival_destinations(caller, place, absentees, start, as_of)
    rows = []
    for s in schools:
        key = str(s["id"])
        row: dict[str, Any] = dict.fromkeys(keys, 0)
        counted = cases.get(key) or {}
        not_back = counted.get("_not_back", 0)
        row.update((k, v) for k, v in counted.items() if k in row)
        if "stats.enrolled_last_term" in row:
            before = enrolments.get(key, {"enrolled": 0, "left": 0})
            row["stats.enrolled_last_term"] = before["enrolled"]
            row["stats.expected"] = max(before["enrolled"] - before["left"], 0)
            row["stats.arrived"] = max(row["stats.expected"] - not_back, 0)
        row.update((k, v) for k, v in (attendance.get(key) or {}).items() if k in row)
        row.update((destinations.get(key) or {}).items())
        if "stats.attendance_expected" in row:
            add_rate(row)
        row.update(
            {
                "_school_id": s["id"],
                "_town_id": s["town_id"],
                "school.name": s["name"],
                "school.code": s["code"],
                "school.principal": s["principal_name"],
                "town.name": s["town__name"] or "",
            }
        )
        rows.append(row)
    return rows


def _sum(rows: Iterable[dict[str, Any]], keys: Iterable[str]) -> dict[str, Any]:
    """The counts ``keys`` of ``rows`` added up, and the attendance rate of the sums."""
    total: dict[str, Any] = dict.fromkeys(keys, 0)
    for row in rows:
        for key in total:
            total[key] += row[key]
    return add_rate(total) if "stats.attendance_expected" in total else total


async def summary_rows(
    caller: Caller,
    place: Place,
    row_kind: RowKind,
    *,
    start: date,
    as_of: date,
    fields: Collection[str] | None = None,
    since: date | None = None,
) -> list[dict[str, Any]]:
    """The rows of a summary report: per school, per town or per 学区/督导责任区, with the
    counts of ``fields`` (None: every count; see :func:`school_rows`, and ``since``)."""
    schools = await school_rows(caller, place, start=start, as_of=as_of, fields=fields, since=since)
    keys = counted_keys(fields)
    if row_kind is RowKind.SCHOOL:
        return schools
    if row_kind is RowKind.TOWN:
        towns = scoped(Town, caller).filter(jurisdiction_id=place.jurisdiction_id)
        if place.kind is PlaceKind.TOWN:
            towns = towns.filter(id=place.id)
        by_town: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        for school in schools:
            by_town[school["_town_id"]].append(school)
        rows = []
        for town in await towns.order_by("name").values("id", "name"):
            mine = by_town.get(town["id"], [])
            if place.kind in (PlaceKind.SCHOOL, PlaceKind.SCHOOL_GROUP) and not mine:
                continue
            rows.append({**_sum(mine, keys), "town.name": town["name"], "_town_id": town["id"]})
        return rows
    groups = SchoolGroup.filter(jurisdiction_id=place.jurisdiction_id)
    if place.kind is PlaceKind.SCHOOL_GROUP:
        groups = groups.filter(id=place.id)
    members: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for link in await School.filter(groups__jurisdiction_id=place.jurisdiction_id).values(
        "id", "groups__id"
    ):
        members[link["groups__id"]].add(link["id"])
    rows = []
    for group in await groups.order_by("kind", "name").values("id", "name"):
        mine = [s for s in schools if s["_school_id"] in members[group["id"]]]
        rows.append(
            {**_sum(mine, keys), "school_group.name": group["name"], "_group_id": group["id"]}
        )
    return rows


def attendance_totals(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The 合计 row's attendance rate: of the rows' sums, not the sum of their rates (None
    without rows or register counts)."""
    rows = list(rows)
    if not rows or "stats.attendance_expected" not in rows[0]:
        return {RATE: None}
    return {RATE: _sum(rows, ("stats.attendance_present", "stats.attendance_expected"))[RATE]}


__all__ = [
    "COUNTS",
    "RETURN_COUNTS",
    "attendance_totals",
    "counted_keys",
    "school_rows",
    "summary_rows",
]
