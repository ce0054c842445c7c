"""Summary rows (one per school, town or 学区/督导责任区) of the counts the return forms ask for:
上学期末在籍, 应到, 实到, 未按时到校 (其中转学, 其中疑似辍学), 劝返复学, 平台下发, 新增, 已核实 …,
and the attendance returns' counts from the class registers (:mod:`core.reports.attendance`).

These are the forms' own counts of enrolments and cases. Rates (入学率, 巩固率, 资助覆盖率),
the 辍学人数 and the 适龄儿童少年数 are figures of the metric definitions, added by
:mod:`core.reports.figures`, not counted here.

Definitions (a period runs from ``start`` to ``as_of``; a school's case is one whose 学籍校 is the
school):

* 上学期末在籍学生数 - enrolments at the school on the day before ``start``, 在读 after their last
  学籍异动 by that day;
* 未按时到校人数 - children with a 辍学 case at the school opened in the period;
* 其中转学人数 - of those, the cases ended 已转学 or 已排除 (studying elsewhere, a data error)
  by ``as_of``; 其中疑似辍学人数 - the others;
* 本学期应到人数 - 上学期末在籍 less those who had left with papers (转出, 毕业, 死亡) by
  ``as_of``; 实到人数 - 应到 less 疑似辍学 not back by ``as_of``;
* 劝返复学人数 - cases at the school back in school by ``as_of`` (已复学, 保学跟踪, 已销号)
  whose return falls in the period;
* 平台下发 / 新增疑似 / 已核实 - cases opened in the period from the national platform / all /
  those past verification by ``as_of``; 仍未复学 - cases confirmed and not back on ``as_of``;
  缓学/免学 - cases 缓学/免学 on ``as_of``.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from tortoise import connections
from tortoise.expressions import Q

from core.access.caller import Caller
from core.access.scope import scoped
from core.cases.enums import CaseEventKind, CaseSource, CaseState
from core.cases.models import Case, CaseEvent
from core.china_time import end_of_day, local_date
from core.jurisdictions.models import SchoolGroup, Town
from core.reports.attendance import ATTENDANCE_COUNTS, add_rate, attendance_counts
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

#: Counts every summary row has (all start at 0).
COUNTS = (
    "stats.enrolled_last_term",
    "stats.expected",
    "stats.arrived",
    "stats.absent",
    "stats.transferred",
    "stats.suspected_dropouts",
    "stats.platform_suspected",
    "stats.new_suspected",
    "stats.verified",
    "stats.returned",
    "stats.still_out",
    "stats.exempted",
)
_EXPLAINED = frozenset({CaseState.TRANSFERRED, CaseState.DISMISSED})


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


async def _case_counts(
    caller: Caller, school_ids: list[uuid.UUID], start: date, as_of: date
) -> dict[str, dict[str, int]]:
    began, ends = end_of_day(start - timedelta(days=1)), end_of_day(as_of)
    cases = await (
        scoped(Case, caller)
        .filter(school_id__in=school_ids, kind__in=list(DROPOUT_KINDS), opened_at__lt=ends)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=began))
        .values("id", "school_id", "child_id", "state", "source", "opened_at")
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
        in_period = opened >= start
        if in_period:
            row["stats.new_suspected"] += 1
            if c["source"] == CaseSource.NATIONAL_PLATFORM.value:
                row["stats.platform_suspected"] += 1
            if state not in SUSPECTED_STATES:
                row["stats.verified"] += 1
            if c["child_id"] not in absent_children[str(c["school_id"])]:
                absent_children[str(c["school_id"])].add(c["child_id"])
                row["stats.absent"] += 1
                if state in _EXPLAINED:
                    row["stats.transferred"] += 1
                else:
                    row["stats.suspected_dropouts"] += 1
                    if state not in RETURNED_STATES:
                        row["_not_back"] = row.get("_not_back", 0) + 1
        if state in RETURNED_STATES and start <= returned_on.get(c["id"], start) <= as_of:
            row["stats.returned"] += 1
        if state in CONFIRMED_STATES:
            row["stats.still_out"] += 1
        if state is CaseState.EXEMPTED:
            row["stats.exempted"] += 1
    return counts


async def school_rows(
    caller: Caller, place: Place, *, start: date, as_of: date
) -> list[dict[str, Any]]:
    """One row per school of the place (inside the caller's scope) with the forms' counts."""
    schools = await _schools(caller, place)
    ids = [s["id"] for s in schools]
    before = await _enrolled_on(start - timedelta(days=1), ids)
    left = await _left_with_papers(start, as_of, ids)
    cases = await _case_counts(caller, ids, start, as_of)
    attendance = await attendance_counts(ids, start, as_of)
    rows = []
    for s in schools:
        key = str(s["id"])
        row: dict[str, Any] = dict(cases.get(key) or dict.fromkeys(COUNTS, 0))
        not_back = row.pop("_not_back", 0)
        row["stats.enrolled_last_term"] = before.get(key, 0)
        row["stats.expected"] = max(before.get(key, 0) - left.get(key, 0), 0)
        row["stats.arrived"] = max(row["stats.expected"] - not_back, 0)
        row.update(attendance.get(key) or dict.fromkeys(ATTENDANCE_COUNTS, 0))
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


def _sum(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The counts of ``rows`` added up, and the attendance rate of the sums."""
    keys = (*COUNTS, *ATTENDANCE_COUNTS)
    total: dict[str, Any] = dict.fromkeys(keys, 0)
    for row in rows:
        for key in keys:
            total[key] += row.get(key, 0)
    return add_rate(total)


async def summary_rows(
    caller: Caller, place: Place, row_kind: RowKind, *, start: date, as_of: date
) -> list[dict[str, Any]]:
    """The rows of a summary report: per school, per town or per 学区/督导责任区."""
    schools = await school_rows(caller, place, start=start, as_of=as_of)
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
            rows.append({**_sum(mine), "town.name": town["name"], "_town_id": town["id"]})
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
        rows.append({**_sum(mine), "school_group.name": group["name"], "_group_id": group["id"]})
    return rows


def attendance_totals(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The 合计 row's attendance rate: of the rows' sums, not the sum of their rates."""
    return {"stats.attendance_rate": _sum(rows)["stats.attendance_rate"]}


__all__ = ["COUNTS", "attendance_totals", "school_rows", "summary_rows"]
