"""Conditions on places: which rows lie in a 重点地区 (key area) of a given kind."""

from __future__ import annotations

from tortoise.expressions import Q

from core.jurisdictions.models import KeyArea, KeyAreaKind
from core.querysets import ids_of


def in_key_areas(kinds: tuple[KeyAreaKind, ...], village_field: str, town_field: str) -> Q:
    """Rows whose village (``village_field``) is marked as any of ``kinds``, or whose village's
    town (``town_field``) is: two unsorted sub-selects, no join."""
    values = [k.value for k in kinds]
    villages = KeyArea.filter(kind__in=values, village_id__isnull=False)
    towns = KeyArea.filter(kind__in=values, town_id__isnull=False)
    return Q(**{f"{village_field}__in": ids_of(villages, "village_id")}) | Q(
        **{f"{town_field}__in": ids_of(towns, "town_id")}
    )
