"""The figures of summary reports that are metrics: 入学率, 巩固率, 资助覆盖率, 辍学人数 (of all
children and of 脱贫户's), 适龄儿童少年数 — each taken from its one definition in
:mod:`core.metrics.indicators`, so a report, the ``metrics`` field and the targets say the same.

A report asks the metrics once: one statement for the report's whole place broken down by
town (town rows) or by school (school and 学区/督导责任区 rows). A group's figure and the 合计
row's (the figure of the whole place: a rate is not the sum of its rows' rates) add up the
numerators and denominators of their buckets, as each child falls in exactly one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from core.jurisdictions.models import Jurisdiction, SchoolGroup, SchoolGroupKind
from core.metrics.indicators import (
    Breakdown,
    IndicatorCode,
    Request,
    Value,
    evaluate_requests,
    indicator,
)
from core.metrics.place import Place as MetricPlace
from core.metrics.place import PlaceKind as MetricPlaceKind
from core.metrics.place import SchoolAge
from core.metrics.sql import Frame
from core.plugins import rules_for
from core.reports.enums import PlaceKind
from core.reports.ledgers import Place
from core.rules.enums import Population, RowKind
from core.schools.models import School

#: Report field → (indicator, population, which part of the figure).
METRIC_FIELDS: dict[str, tuple[IndicatorCode, Population, str]] = {
    "stats.enrolment_rate": (IndicatorCode.ENROLMENT_RATE, Population.ALL, "value"),
    "stats.consolidation_rate": (IndicatorCode.CONSOLIDATION_RATE, Population.ALL, "value"),
    "stats.assistance_coverage": (IndicatorCode.ASSISTANCE_COVERAGE, Population.ALL, "value"),
    "stats.dropouts": (IndicatorCode.DROPOUT_COUNT, Population.ALL, "value"),
    "stats.poverty_lifted_dropouts": (
        IndicatorCode.DROPOUT_COUNT,
        Population.POVERTY_LIFTED,
        "value",
    ),
    #: The children the county answers for: 入学率's denominator.
    "stats.school_age_children": (IndicatorCode.ENROLMENT_RATE, Population.ALL, "denominator"),
}


def _requests(fields: Iterable[str]) -> list[Request]:
    """The figures ``fields`` need, each once (a format asks only for its own columns)."""
    return list(
        dict.fromkeys(
            Request(indicator(code), population)
            for key, (code, population, _) in METRIC_FIELDS.items()
            if key in fields
        )
    )


_GROUP_KINDS = {
    SchoolGroupKind.SCHOOL_DISTRICT.value: MetricPlaceKind.SCHOOL_DISTRICT,
    SchoolGroupKind.SUPERVISION_ZONE.value: MetricPlaceKind.SUPERVISION_ZONE,
}


def _figures(
    values: Sequence[Value], fields: Iterable[str], bucket: str | None = None
) -> dict[str, Any]:
    by_request = {(v.indicator.code, v.population): v for v in values if v.bucket == bucket}
    out: dict[str, Any] = {}
    for key, (code, population, part) in METRIC_FIELDS.items():
        if key not in fields:
            continue
        value = by_request.get((code, population))
        if value is None:
            out[key] = 0 if part == "denominator" or not indicator(code).is_rate else None
            continue
        out[key] = value.denominator if part == "denominator" else value.value
    return out


async def _frame(place: MetricPlace, as_of: date) -> Frame:
    rules = rules_for(place.jurisdiction_code)
    return Frame(place, as_of, SchoolAge.for_county(rules, as_of))


async def _metric_place(place: Place, county: Jurisdiction) -> MetricPlace:
    if place.kind is PlaceKind.COUNTY:
        return MetricPlace.county(county.id, county.division_code, county.name)
    if place.kind is PlaceKind.SCHOOL_GROUP:
        group = await SchoolGroup.get(id=place.id)
        kind = _GROUP_KINDS[str(getattr(group.kind, "value", group.kind))]
        return MetricPlace(kind, group.id, county.id, county.division_code, group.name)
    kind = MetricPlaceKind.TOWN if place.kind is PlaceKind.TOWN else MetricPlaceKind.SCHOOL
    assert place.id is not None
    return MetricPlace(kind, place.id, county.id, county.division_code, place.name)


def _summed(values: Iterable[Value], buckets: Iterable[str | None] | None = None) -> list[Value]:
    """Each request's figure over ``buckets`` (None: every bucket) of a breakdown by a column,
    where each child falls in exactly one bucket: numerators and denominators add up."""
    wanted = None if buckets is None else set(buckets)
    sums: dict[tuple[Any, Population], list[int]] = {}
    first: dict[tuple[Any, Population], Value] = {}
    for v in values:
        if wanted is not None and v.bucket not in wanted:
            continue
        key = (v.indicator.code, v.population)
        held = sums.setdefault(key, [0, 0, 0])
        first.setdefault(key, v)
        held[0] += v.numerator
        held[1] += v.denominator or 0
        held[2] += v.excepted
    return [
        Value(
            indicator=v.indicator,
            numerator=sums[key][0],
            denominator=sums[key][1] if v.indicator.is_rate else None,
            excepted=sums[key][2],
            population=v.population,
        )
        for key, v in first.items()
    ]


async def add_metric_figures(
    rows: list[dict[str, Any]],
    row_kind: RowKind,
    place: Place,
    as_of: date,
    fields: Iterable[str] = tuple(METRIC_FIELDS),
) -> dict[str, Any]:
    """Fill the metric ``fields`` of every summary row (in place); the figures of the whole
    place, for the 合计 row.

    One statement: the place's figures broken down by town (town rows) or by school (school
    and 学区/督导责任区 rows). Each child of the place falls in exactly one bucket (no town or
    no school is a bucket too), so a group's figure adds up its schools' numerators and
    denominators and the whole place's adds up every bucket's.
    """
    fields = frozenset(fields) & METRIC_FIELDS.keys()
    requests = _requests(fields)
    county = await Jurisdiction.get(id=place.jurisdiction_id)
    whole = await _frame(await _metric_place(place, county), as_of)
    town = row_kind is RowKind.TOWN
    breakdown = Breakdown.TOWN if town else Breakdown.SCHOOL
    values, _ = await evaluate_requests(whole, requests, breakdown=breakdown)
    if row_kind in (RowKind.TOWN, RowKind.SCHOOL):
        for row in rows:
            key = str(row["_town_id" if town else "_school_id"])
            row.update(_figures(values, fields, key))
    else:
        members = await _group_members([row["_group_id"] for row in rows])
        for row in rows:
            schools = members.get(row["_group_id"], ())
            row.update(_figures(_summed(values, schools), fields))
    return _figures(_summed(values), fields)


async def _group_members(group_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """The schools of each 学区/督导责任区 (as the metrics' bucket keys)."""
    out: dict[uuid.UUID, list[str]] = {g: [] for g in group_ids}
    if not group_ids:
        return out
    for link in await School.filter(groups__id__in=list(group_ids)).values("id", "groups__id"):
        out[link["groups__id"]].append(str(link["id"]))
    return out
