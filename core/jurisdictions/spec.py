"""Plain descriptions of a county's organisation, as plugins declare it and the demo builds it.

These are data, not database rows: a plugin returns a :class:`JurisdictionSpec` from its
``baoxue_jurisdiction`` hook, and ``core.demo`` turns one into towns, villages and schools.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.jurisdictions.models import SchoolGroupKind, TownKind, VillageKind


@dataclass(frozen=True)
class VillageSpec:
    """村/社区."""

    name: str
    kind: VillageKind = VillageKind.VILLAGE


@dataclass(frozen=True)
class SchoolSpec:
    """A school the document names (e.g. 荔浦's 滨江小学); ``kind`` is a SchoolKind value."""

    name: str
    kind: str = "PRIMARY"


@dataclass(frozen=True)
class TownSpec:
    """乡镇/街道, with the villages and named schools in it (either list may be empty)."""

    name: str
    kind: TownKind = TownKind.TOWN
    villages: tuple[VillageSpec, ...] = ()
    schools: tuple[SchoolSpec, ...] = ()


@dataclass(frozen=True)
class SchoolGroupSpec:
    """学区 or 督导责任区, covering the schools of the named towns."""

    name: str
    kind: SchoolGroupKind
    towns: tuple[str, ...] = ()


@dataclass(frozen=True)
class JurisdictionSpec:
    """A county-level jurisdiction and its organisation."""

    division_code: str
    name: str
    city: str = ""
    province: str = ""
    towns: tuple[TownSpec, ...] = ()
    school_groups: tuple[SchoolGroupSpec, ...] = ()
    #: Source documents the description follows (file names or titles).
    sources: tuple[str, ...] = field(default=())
