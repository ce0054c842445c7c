"""Plain descriptions of a county's organisation, as plugins declare it and the demo builds it.

These are data, not database rows: a plugin returns a :class:`JurisdictionSpec` from its
``baoxue_jurisdiction`` hook, and ``core.demo`` turns one into towns, villages and schools.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.jurisdictions.models import KeyAreaKind, SchoolGroupKind, TownKind, VillageKind


@dataclass(frozen=True)
class VillageSpec:
    """村/社区."""

    name: str
    kind: VillageKind = VillageKind.VILLAGE
    #: The kinds of 重点地区 the village counts as.
    key_areas: tuple[KeyAreaKind, ...] = ()


@dataclass(frozen=True)
class SchoolSpec:
    """A school the document names (e.g. a 民族中学 in a table); ``kind`` is a SchoolKind value."""

    name: str
    kind: str = "PRIMARY"


@dataclass(frozen=True)
class TownSpec:
    """乡镇/街道, with the villages and named schools in it (either list may be empty)."""

    name: str
    kind: TownKind = TownKind.TOWN
    villages: tuple[VillageSpec, ...] = ()
    schools: tuple[SchoolSpec, ...] = ()
    #: The kinds of 重点地区 the town counts as (农村, 边远, 民族 …).
    key_areas: tuple[KeyAreaKind, ...] = ()
    #: Why: the clause that names the town so, or ``""`` when no document does and the
    #: plugin says so for the demo data (the row is then marked 演示数据).
    key_areas_source: str = ""


@dataclass(frozen=True)
class MinorityShare:
    """A minority (民族) and its share of the county's population, per mille (for demo data)."""

    ethnicity: str
    per_mille: int


@dataclass(frozen=True)
class SchoolGroupSpec:
    """学区 or 督导责任区, covering the schools of the named towns.

    ``demo_only``: the document has groups of this kind but does not say which schools they
    cover, so the membership is the plugin's invention for the demo data (shown as such).
    """

    name: str
    kind: SchoolGroupKind
    towns: tuple[str, ...] = ()
    demo_only: bool = False


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
    #: The education bureau's name (教育行政部门), when it is not ``<name>教育局``.
    bureau: str = ""
    #: Minorities common outside the 民族乡, with their shares: what the demo data draws on
    #: (empty: a small national mix). Not a rule of any document.
    demo_minorities: tuple[MinorityShare, ...] = ()
    #: This is the county ``baoxue demo`` builds when no ``--jurisdiction`` is given (the
    #: README's demo county). At most one installed plugin should say so; without one the demo
    #: is the fictional 示范县.
    demo_default: bool = False

    @property
    def bureau_name(self) -> str:
        """The education bureau: ``bureau``, else ``<name>教育局``."""
        return self.bureau or f"{self.name}教育局"
