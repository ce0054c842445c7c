"""The summary returns' counts from grouped statements (core/reports/aggregates.py,
core/reports/attendance.py) equal those of the old path, kept here as the reference: per-case
events read and counted in Python, the latest 学籍异动 of every enrolment looked up, each class's
first register by a correlated look-up. For every demo county, every period kind of the summary
formats, the county, a town, a 学区/督导责任区 and a school, as the system and as a township
official: every count of every school, town and group row; and every summary format's table."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from tortoise import connections
from tortoise.expressions import Q

from core.access.caller import Caller, Scope
from core.access.enums import ActorKind, Permission, ScopeKind
from core.access.scope import scoped
from core.cases.enums import CaseEventKind, CaseSource, CaseState
from core.cases.models import Case, CaseEvent
from core.china_time import end_of_day, local_date
from core.demo.generator import generate_demo
from core.jurisdictions.models import Jurisdiction, SchoolGroup, Town
from core.metrics.sql import Params, fetch, is_postgres
from core.plugins import get_registry, rules_for
from core.reports import aggregates, services
from core.reports.aggregates import (
    ARRIVAL_DESTINATIONS,
    COUNTS,
    _schools,
    counted_keys,
    summary_rows,
)
from core.reports.attendance import (
    _BY_KIND,
    _DAYS,
    _MARKS,
    ATTENDANCE_COUNTS,
    RATE,
    MarkKind,
    add_rate,
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
from core.reports.periods import counted_since, parse_period
from core.reports.services import ReportRequest, build_report
from core.rules.enums import PeriodKind, RowKind
from core.rules.report_fields import PART_OF

pytestmark = pytest.mark.asyncio
#: The demo's "today", 10:00 China time.
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
PERIODS = {
    PeriodKind.DAILY: "2026-11-20",
    PeriodKind.WEEKLY: "2026-11-16",
    PeriodKind.MONTHLY: "2026-10",
    PeriodKind.BIMONTHLY: "2026-09",
    PeriodKind.TERM_START: "2026-autumn",
    PeriodKind.TERM: "2026-autumn",
    PeriodKind.SCHOOL_YEAR: "2026",
    PeriodKind.ON_DEMAND: "2026-11-20",
}
_EXPLAINED = frozenset({CaseState.TRANSFERRED, CaseState.DISMISSED})


# -- the old path (the reference) -------------------------------------------------------------


def _param(postgres: bool, index: int) -> str:
    return f"${index}" if postgres else "?"


def _sql_value(postgres: bool, value: Any) -> Any:
    if postgres:
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


async def _enrolled_on(day: date, school_ids: list[uuid.UUID]) -> dict[str, int]:
    """在读 enrolments per school on ``day`` (status after the last 学籍异动 by then), counted
    by the database."""
    if not school_ids:
        return {}
    conn = connections.get("default")
    postgres = conn.capabilities.dialect == "postgres"
    values: list[Any] = []

    def bind(value: Any) -> str:
        values.append(_sql_value(postgres, value))
        return _param(postgres, len(values))

    sql = (
        "SELECT e.school_id AS school_id, COUNT(*) AS n FROM enrolment e "
        f"WHERE e.started_on <= {bind(day)} AND (e.ended_on IS NULL OR e.ended_on > {bind(day)}) "
        f"AND e.school_id IN ({', '.join(bind(s) for s in school_ids)}) "
        "AND COALESCE((SELECT c.status_after FROM enrolment_change c "
        f"WHERE c.enrolment_id = e.id AND c.occurred_on <= {bind(day)} "
        "ORDER BY c.occurred_on DESC, c.recorded_at DESC LIMIT 1), e.status) = 'ENROLLED' "
        "GROUP BY e.school_id"
    )
    _, rows = await conn.execute_query(sql, values)
    return {str(r["school_id"]): int(r["n"]) for r in rows}


async def _left_with_papers(
    start: date, as_of: date, school_ids: list[uuid.UUID]
) -> dict[str, int]:
    """Enrolments per school that left with papers (转出, 毕业, 死亡) in the period."""
    from core.enrolment.models import EnrolmentChange, EnrolmentChangeKind

    out: dict[str, int] = defaultdict(int)
    kinds = [
        EnrolmentChangeKind.TRANSFER_OUT,
        EnrolmentChangeKind.GRADUATE,
        EnrolmentChangeKind.DEATH,
    ]
    rows = await EnrolmentChange.filter(
        enrolment__school_id__in=school_ids,
        kind__in=kinds,
        occurred_on__gte=start,
        occurred_on__lte=as_of,
    ).values("enrolment__school_id")
    for r in rows:
        out[str(r["enrolment__school_id"])] += 1
    return out


async def _case_counts(
    caller: Caller, school_ids: list[uuid.UUID], start: date, as_of: date, since: date
) -> dict[str, dict[str, int]]:
    began, ends = end_of_day(start - timedelta(days=1)), end_of_day(as_of)
    term_began = end_of_day(since - timedelta(days=1))
    cases = await (
        scoped(Case, caller)
        .filter(school_id__in=school_ids, kind__in=list(DROPOUT_KINDS), opened_at__lt=ends)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=term_began))
        .values("id", "school_id", "child_id", "state", "source", "opened_at", "closed_at")
    )
    ids = [c["id"] for c in cases]
    state_at: dict[uuid.UUID, CaseState] = {}
    returned_on: dict[uuid.UUID, date] = {}
    for part in range(0, len(ids), 500):
        for e in (
            await CaseEvent.filter(case_id__in=ids[part : part + 500], occurred_at__lt=ends)
            .order_by("occurred_at", "recorded_at")
            .values("case_id", "kind", "to_state", "occurred_at")
        ):
            if e["to_state"]:
                state_at[e["case_id"]] = CaseState(e["to_state"])
            if e["kind"] == CaseEventKind.RETURN.value:
                returned_on[e["case_id"]] = local_date(e["occurred_at"])
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    absent_children: dict[str, set[uuid.UUID]] = defaultdict(set)
    for c in cases:
        row = counts[str(c["school_id"])]
        state = state_at.get(c["id"], CaseState(c["state"]))
        opened = local_date(c["opened_at"])
        in_window = c["closed_at"] is None or c["closed_at"] >= began
        if opened >= start:
            row["stats.new_suspected"] += 1
            if c["source"] == CaseSource.NATIONAL_PLATFORM.value:
                row["stats.platform_suspected"] += 1
            if state not in SUSPECTED_STATES:
                row["stats.verified"] += 1
        if opened >= since:
            if c["child_id"] not in absent_children[str(c["school_id"])]:
                absent_children[str(c["school_id"])].add(c["child_id"])
                row["stats.absent"] += 1
                if state in _EXPLAINED:
                    row["stats.transferred"] += 1
                else:
                    row["stats.suspected_dropouts"] += 1
                    if state not in RETURNED_STATES:
                        row["_not_back"] = row.get("_not_back", 0) + 1
        if not in_window:
            continue
        if state in RETURNED_STATES and start <= returned_on.get(c["id"], start) <= as_of:
            row["stats.returned"] += 1
        if state in CONFIRMED_STATES:
            row["stats.still_out"] += 1
        if state is CaseState.EXEMPTED:
            row["stats.exempted"] += 1
    return counts


async def old_school_rows(
    caller: Caller, place: Place, *, start: date, as_of: date, since: date | None = None
) -> list[dict[str, Any]]:
    """The old path: one row per school with every count (the 返校 counts from ``since``)."""
    since = start if since is None else since
    schools = await _schools(caller, place)
    ids = [s["id"] for s in schools]
    before = await _enrolled_on(since - timedelta(days=1), ids)
    left = await _left_with_papers(since, as_of, ids)
    cases = await _case_counts(caller, ids, start, as_of, since)
    attendance = await _old_attendance_counts(ids, start, as_of)
    destinations = await _old_destinations(caller, ids, start, as_of)
    rows = []
    for s in schools:
        key = str(s["id"])
        row: dict[str, Any] = dict(cases.get(key) or dict.fromkeys(COUNTS, 0))
        not_back = row.pop("_not_back", 0)
        row["stats.enrolled_last_term"] = before.get(key, 0)
        row["stats.expected"] = max(before.get(key, 0) - left.get(key, 0), 0)
        row["stats.arrived"] = max(row["stats.expected"] - not_back, 0)
        row.update(attendance.get(key) or dict.fromkeys(ATTENDANCE_COUNTS, 0))
        row.update(destinations.get(key) or dict.fromkeys(ARRIVAL_DESTINATIONS, 0))
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


async def _old_attendance_counts(
    school_ids: list[uuid.UUID], start: date, as_of: date
) -> dict[str, dict[str, int]]:
    """The counts of :data:`ATTENDANCE_COUNTS` per school (by id as text) over the period."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ATTENDANCE_COUNTS, 0))
    if not school_ids:
        return out
    p = Params(is_postgres())
    schools = p.many(school_ids)
    period = f"BETWEEN {p(start)} AND {p(as_of)}"
    registers = await fetch(
        "SELECT d.school_id AS school_id, COUNT(*) AS registers, SUM(d.expected) AS expected, "
        "SUM(d.present) AS present, SUM(d.absent) AS absent, SUM(d.late) AS late "
        f"FROM {_DAYS} d WHERE d.school_id IN {schools} AND d.day {period} GROUP BY d.school_id",
        p,
    )
    for r in registers:
        row = out[str(r["school_id"])]
        row["stats.registers"] = int(r["registers"])
        row["stats.attendance_expected"] = int(r["expected"] or 0)
        row["stats.attendance_present"] = int(r["present"] or 0)
        row["stats.attendance_absent"] = int(r["absent"] or 0)
        row["stats.attendance_late"] = int(r["late"] or 0)
    p = Params(is_postgres())
    schools = p.many(school_ids)
    period = f"BETWEEN {p(start)} AND {p(as_of)}"
    kinds = p.many(_BY_KIND)
    marks = await fetch(
        "SELECT m.school_id AS school_id, m.kind AS kind, COUNT(*) AS n, "
        "COUNT(DISTINCT m.child_id) AS children "
        f"FROM {_MARKS} m JOIN {_DAYS} d ON d.id = m.class_day_id "
        f"WHERE m.school_id IN {schools} AND d.day {period} AND m.kind IN {kinds} "
        "GROUP BY m.school_id, m.kind",
        p,
    )
    for r in marks:
        row = out[str(r["school_id"])]
        row[f"stats.absent_{_BY_KIND[r['kind']]}"] = int(r["n"])
        if r["kind"] == MarkKind.UNEXPLAINED.value:
            row["stats.unexplained_children"] = int(r["children"])
    for school_id, arrival in (await _old_arrivals(school_ids, start, as_of)).items():
        out[school_id].update(arrival)
    return out


async def _old_arrivals(
    school_ids: list[uuid.UUID], start: date, as_of: date
) -> dict[str, dict[str, int]]:
    """开学报到 per school: the 应到 of each class's first register in the period, and the
    children absent on every register of their class (with the latest mark's reason)."""
    p = Params(is_postgres())
    schools = p.many(school_ids)
    period = f"BETWEEN {p(start)} AND {p(as_of)}"
    first = await fetch(
        "SELECT d.school_id AS school_id, SUM(d.expected) AS expected "
        f"FROM {_DAYS} d WHERE d.school_id IN {schools} AND d.day = ("
        f"SELECT MIN(f.day) FROM {_DAYS} f WHERE f.school_class_id = d.school_class_id "
        f"AND f.day {period}) GROUP BY d.school_id",
        p,
    )
    out: dict[str, dict[str, int]] = {}
    for r in first:
        out[str(r["school_id"])] = {
            "stats.arrival_expected": int(r["expected"] or 0),
            "stats.arrival_missing": 0,
            "stats.arrival_missing_sick": 0,
            "stats.arrival_missing_personal_leave": 0,
            "stats.arrival_missing_unexplained": 0,
        }
    for absentee in await never_arrived(school_ids, start, as_of):
        row = out[absentee.school_id]
        row["stats.arrival_missing"] += 1
        row[f"stats.arrival_missing_{_BY_KIND[absentee.reason]}"] += 1
    for row in out.values():
        row["stats.arrival_arrived"] = row["stats.arrival_expected"] - row["stats.arrival_missing"]
    return out


async def _old_destinations(
    caller: Caller, school_ids: list[uuid.UUID], start: date, as_of: date
) -> dict[str, dict[str, int]]:
    """Each 未按时到校 child's latest dropout case running in the period, one by one, its
    state on the day replayed from its events: 转学 when transferred or dismissed, else
    疑似辍学."""
    began, ends = end_of_day(start - timedelta(days=1)), end_of_day(as_of)
    out: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ARRIVAL_DESTINATIONS, 0))
    for absentee in await never_arrived(school_ids, start, as_of):
        case = await (
            scoped(Case, caller)
            .filter(child_id=absentee.child_id, kind__in=list(DROPOUT_KINDS), opened_at__lt=ends)
            .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=began))
            .order_by("-opened_at", "-id")
            .first()
        )
        if case is None:
            continue
        state = case.state
        for e in await CaseEvent.filter(case_id=case.id, occurred_at__lt=ends).order_by(
            "occurred_at", "recorded_at"
        ):
            if e.to_state:
                state = CaseState(e.to_state)
        kind = "transferred" if state in _EXPLAINED else "suspected"
        out[absentee.school_id][f"stats.arrival_missing_{kind}"] += 1
    return out


def _old_sum(rows: list[dict[str, Any]]) -> dict[str, Any]:
    keys = (*COUNTS, *ATTENDANCE_COUNTS, *ARRIVAL_DESTINATIONS)
    total: dict[str, Any] = dict.fromkeys(keys, 0)
    for row in rows:
        for key in keys:
            total[key] += row.get(key, 0)
    return add_rate(total)


async def old_summary_rows(
    caller: Caller,
    place: Place,
    row_kind: RowKind,
    *,
    start: date,
    as_of: date,
    fields=None,
    since: date | None = None,
) -> list[dict[str, Any]]:
    """The old path's rows (``fields`` ignored: it counted everything)."""
    schools = await old_school_rows(caller, place, start=start, as_of=as_of, since=since)
    if row_kind is RowKind.SCHOOL:
        return schools
    if row_kind is RowKind.TOWN:
        towns = scoped(Town, caller).filter(jurisdiction_id=place.jurisdiction_id)
        if place.kind is PlaceKind.TOWN:
            towns = towns.filter(id=place.id)
        rows = []
        for town in await towns.order_by("name").values("id", "name"):
            mine = [s for s in schools if s["_town_id"] == town["id"]]
            if place.kind in (PlaceKind.SCHOOL, PlaceKind.SCHOOL_GROUP) and not mine:
                continue
            rows.append({**_old_sum(mine), "town.name": town["name"], "_town_id": town["id"]})
        return rows
    groups = SchoolGroup.filter(jurisdiction_id=place.jurisdiction_id)
    if place.kind is PlaceKind.SCHOOL_GROUP:
        groups = groups.filter(id=place.id)
    members: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    from core.schools.models import School

    for link in await School.filter(groups__jurisdiction_id=place.jurisdiction_id).values(
        "id", "groups__id"
    ):
        members[link["groups__id"]].add(link["id"])
    rows = []
    for group in await groups.order_by("kind", "name").values("id", "name"):
        mine = [s for s in schools if s["_school_id"] in members[group["id"]]]
        rows.append(
            {**_old_sum(mine), "school_group.name": group["name"], "_group_id": group["id"]}
        )
    return rows


def _old_attendance_totals(rows) -> dict[str, Any]:
    return {"stats.attendance_rate": _old_sum(list(rows))["stats.attendance_rate"]}


# -- the comparison ---------------------------------------------------------------------------


def _township(county: Jurisdiction, town_id: uuid.UUID) -> Caller:
    return Caller(
        kind=ActorKind.STAFF,
        label="乡镇专干",
        scope=Scope(kind=ScopeKind.TOWN, jurisdiction_id=county.id, town_ids=frozenset({town_id})),
        permissions=frozenset(Permission),
    )


def _period_kinds(code: str) -> list[PeriodKind]:
    kinds = {
        k for f in rules_for(code).report_formats if f.row_kind.is_aggregate for k in f.period_kinds
    }
    return sorted(kinds | {PeriodKind.ON_DEMAND}, key=lambda k: k.value)


def _parts_within_wholes(table) -> None:
    """Every 其中 count (``PART_OF``) of the table is at most its whole, row by row."""
    sources = [c.source for c in table.columns]
    pairs = [
        (sources.index(part), sources.index(whole))
        for part, whole in PART_OF.items()
        if part in sources and whole in sources
    ]
    for row in (*table.rows, *([table.totals] if table.totals else [])):
        for part, whole in pairs:
            assert int(row[part]) <= int(row[whole]), (table.code, sources[part], row)


def _same(new: list[dict[str, Any]], old: list[dict[str, Any]], keys, what) -> None:
    assert len(new) == len(old), what
    for a, b in zip(new, old, strict=True):
        expected = {k: v for k, v in b.items() if k in keys or not k.startswith("stats.")}
        assert a == expected, (
            what,
            {k: (a.get(k), v) for k, v in expected.items() if a.get(k) != v},
        )


@pytest.mark.parametrize("code", sorted(s.division_code for s in get_registry().jurisdictions()))
async def test_grouped_counts_equal_the_old_ones(db, monkeypatch, code) -> None:
    spec = {s.division_code: s for s in get_registry().jurisdictions()}[code]
    await generate_demo(spec, students=150, seed=11)
    county = await Jurisdiction.get(division_code=code)
    town = await Town.filter(jurisdiction=county).order_by("name").first()
    group = await SchoolGroup.filter(jurisdiction=county).order_by("name").first()
    school = (
        await scoped(aggregates.School, Caller.system())
        .filter(jurisdiction=county, town_id=town.id)
        .order_by("name")
        .first()
    )
    places = [
        Place(PlaceKind.COUNTY, county.id, county.name),
        Place(PlaceKind.TOWN, county.id, town.name, town.id),
        Place(PlaceKind.SCHOOL, county.id, school.name, school.id),
    ]
    if group is not None:
        places.append(Place(PlaceKind.SCHOOL_GROUP, county.id, group.name, group.id))
    callers = [Caller.system(), _township(county, town.id)]
    every = (*counted_keys(None), RATE)
    counted = defaultdict(int)
    for kind in _period_kinds(code):
        period = parse_period(kind, PERIODS[kind])
        as_of = period.as_of(NOW.date())
        for caller in callers:
            for place in places:
                if caller.scope.jurisdiction_id is not None and place.kind in (
                    PlaceKind.COUNTY,
                    PlaceKind.SCHOOL_GROUP,
                ):
                    place = places[1]
                for row_kind in (RowKind.SCHOOL, RowKind.TOWN, RowKind.SCHOOL_GROUP):
                    what = (kind.value, caller.label, place.kind.value, row_kind.value)
                    args = dict(start=period.start, as_of=as_of, since=counted_since(period))
                    new = await summary_rows(caller, place, row_kind, **args)
                    old = await old_summary_rows(caller, place, row_kind, **args)
                    _same(new, old, every, what)
                    for row in old:
                        for key in every:
                            counted[key] += bool(row.get(key))
    # the demo has something to count in most columns, so the comparison says something
    assert sum(1 for v in counted.values() if v) >= 12, counted
    # every summary format's table, with the counts its columns need only
    for fmt in rules_for(code).report_formats:
        if not fmt.row_kind.is_aggregate:
            continue
        kind = fmt.period_kinds[0]
        for place_kind, place_id in ((None, None), (PlaceKind.TOWN, town.id)):
            request = ReportRequest(
                format_code=fmt.code,
                period_value=PERIODS[kind],
                period_kind=kind,
                place_kind=place_kind,
                place_id=place_id,
                jurisdiction_code=code,
            )
            new = (await build_report(Caller.system(), request, NOW)).table
            with monkeypatch.context() as patch:
                patch.setattr(services, "summary_rows", old_summary_rows)
                patch.setattr(services, "attendance_totals", _old_attendance_totals)
                old = (await build_report(Caller.system(), request, NOW)).table
            assert new == old, fmt.code
            _parts_within_wholes(new)
