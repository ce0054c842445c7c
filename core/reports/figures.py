"""The figures of summary reports that are metrics: 入学率, 巩固率, 资助覆盖率, 辍学人数 (of all
children and of 脱贫户's), 适龄儿童少年数 — each taken from its one definition in
:mod:`core.metrics.indicators`, so a report, the ``metrics`` field and the targets say the same.

Town and school rows come from one statement broken down by town or school; 学区/督导责任区
rows from one statement each; the 合计 row is the figure of the report's whole place (a rate
is not the sum of its rows' rates).
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


async def add_metric_figures(
    rows: list[dict[str, Any]],
    row_kind: RowKind,
    place: Place,
    as_of: date,
    fields: Iterable[str] = tuple(METRIC_FIELDS),
) -> dict[str, Any]:
    """Fill the metric ``fields`` of every summary row (in place); the figures of the whole
    place, for the 合计 row."""
    fields = frozenset(fields) & METRIC_FIELDS.keys()
    requests = _requests(fields)
    county = await Jurisdiction.get(id=place.jurisdiction_id)
    whole = await _frame(await _metric_place(place, county), as_of)
    if row_kind in (RowKind.TOWN, RowKind.SCHOOL):
        town = row_kind is RowKind.TOWN
        breakdown = Breakdown.TOWN if town else Breakdown.SCHOOL
        values, _ = await evaluate_requests(whole, requests, breakdown=breakdown)
        for row in rows:
            key = str(row["_town_id" if town else "_school_id"])
            row.update(_figures(values, fields, key))
    else:
        for row in rows:
            group_id: uuid.UUID = row["_group_id"]
            target = await _metric_place(
                Place(PlaceKind.SCHOOL_GROUP, county.id, "", group_id), county
            )
            values, _ = await evaluate_requests(await _frame(target, as_of), requests)
            row.update(_figures(values, fields))
    totals, _ = await evaluate_requests(whole, requests)
    return _figures(totals, fields)
