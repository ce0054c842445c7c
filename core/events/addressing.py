"""Who an event is addressed to: the office that must act next, and the person who answers.

An event goes to one office, named by the level of the county's escalation chain the object
sits at, and to the official the county's 双线四包 names for that office
(:func:`core.officials.responsibility.responsibility_chains`).

A level of the chain (``Case.escalation_level``, numbered from 0) is read as an office of one
of four kinds, the scopes accounts have:

=========================================  =================================================
level                                      addressed to
=========================================  =================================================
below the chain's ``township_level``,      the class (``CLASS``: the 班主任)
two or more below it
the level just below ``township_level``    the school (``SCHOOL``: the 校长)
a level on the ``TOWNSHIP_ACTION`` clock   the township (``TOWN``: its officials)
at or above ``township_level``, otherwise  the county bureau (``COUNTY``)
=========================================  =================================================

A chain without a ``township_level`` is read as school (level 0) then county. The place ids
(class, school, town) are the case's: its school, the child's current class, and the
school's town or, for a child not in school, the household's.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.access.enums import ScopeKind
from core.cases.policy import CaseRules
from core.cases.policy import rules_for as case_rules_for
from core.enrolment.models import Enrolment
from core.jurisdictions.models import Jurisdiction
from core.officials.responsibility import ChainTier, ChildRef, responsibility_chains
from core.people.models import Child
from core.plugins import rules_for as county_rules_for
from core.rules.enums import DeadlineKind
from core.schools.models import School

#: The tiers of the responsibility chain that answer for each kind of office, in preference.
TIERS: dict[ScopeKind, tuple[ChainTier, ...]] = {
    ScopeKind.CLASS: (ChainTier.CLASS,),
    ScopeKind.SCHOOL: (ChainTier.SCHOOL_HEAD,),
    ScopeKind.TOWN: (ChainTier.TOWN,),
    ScopeKind.COUNTY: (ChainTier.SCHOOL, ChainTier.OVERALL),
}


@dataclass(frozen=True)
class Recipient:
    """The office an event is addressed to, and who answers for it there."""

    kind: ScopeKind
    office: str = ""
    town_id: uuid.UUID | None = None
    school_id: uuid.UUID | None = None
    school_class_id: uuid.UUID | None = None
    official_id: uuid.UUID | None = None
    official_name: str = ""
    #: One account the event is for besides the office (a notice to an administrator).
    account_id: uuid.UUID | None = None


#: Addressed to the county bureau, nobody in particular.
COUNTY = Recipient(ScopeKind.COUNTY, "县教育局")


def office_kind(rules: CaseRules, township_level: int | None, level: int) -> ScopeKind:
    """The kind of office level ``level`` (from 0) of the chain is (see the module table)."""
    current = rules.level(level)
    if current.deadline is DeadlineKind.TOWNSHIP_ACTION:
        return ScopeKind.TOWN
    township = None if township_level is None else township_level - 1
    if township is None:
        return ScopeKind.SCHOOL if level <= 0 else ScopeKind.COUNTY
    if level >= township:
        return ScopeKind.COUNTY
    return ScopeKind.SCHOOL if level == township - 1 else ScopeKind.CLASS


async def for_case(case, level: int | None = None) -> Recipient:
    """The office that must act on ``case`` at ``level`` (default: the level it is at)."""
    return (await for_cases([case], level))[0]


async def for_cases(cases: Sequence[Any], level: int | None = None) -> list[Recipient]:
    """:func:`for_case` of every case in ``cases``, in order, in a fixed number of queries
    (a batch of cases opened together: :func:`core.cases.services.report_cases`)."""
    if not cases:
        return []
    codes = dict(
        await Jurisdiction.filter(id__in=list({c.jurisdiction_id for c in cases})).values_list(
            "id", "division_code"
        )
    )
    child_ids = list({c.child_id for c in cases})
    children = {
        row["id"]: row
        for row in await Child.filter(id__in=child_ids).values(
            "id", "jurisdiction_id", "household_id", "household__village__town_id"
        )
    }
    enrolments: dict[uuid.UUID, dict[str, Any]] = {}
    for row in await (
        Enrolment.filter(child_id__in=child_ids, is_current=True)
        .order_by("started_on")
        .values("child_id", "school_id", "school_class_id", "school__town_id")
    ):
        enrolments[row["child_id"]] = row  # the latest started wins, as in order_by("-started_on")
    school_ids = list(
        {c.school_id for c in cases if c.school_id is not None}
        | {e["school_id"] for e in enrolments.values() if e["school_id"] is not None}
    )
    school_towns = dict(await School.filter(id__in=school_ids).values_list("id", "town_id"))
    refs = [
        ChildRef(
            children[c.child_id]["id"],
            children[c.child_id]["jurisdiction_id"],
            children[c.child_id]["household_id"],
        )
        for c in cases
    ]
    chains = await responsibility_chains(refs)
    out = []
    for case, chain in zip(cases, chains, strict=True):
        at = case.escalation_level if level is None else level
        code = codes.get(case.jurisdiction_id, "")
        rules = case_rules_for(code)
        kind = office_kind(rules, county_rules_for(code).escalation.township_level, at)
        child = children[case.child_id]
        enrolment = enrolments.get(case.child_id)
        school_id = case.school_id or (enrolment or {}).get("school_id")
        class_id = (enrolment or {}).get("school_class_id")
        town_id = (enrolment or {}).get("school__town_id") if enrolment else None
        if town_id is None and school_id is not None:
            town_id = school_towns.get(school_id)
        if town_id is None:
            town_id = child["household__village__town_id"]
        official_id, name = None, ""
        for tier in TIERS[kind]:
            link = next((x for x in chain if x.tier is tier and x.name), None)
            if link is not None:
                official_id = link.official.id if link.official is not None else None
                name = link.name or ""
                break
        out.append(
            Recipient(
                kind=kind,
                office=rules.level(at).office[:64],
                town_id=town_id,
                school_id=school_id,
                school_class_id=class_id,
                official_id=official_id,
                official_name=name[:64],
            )
        )
    return out


def for_place(place_kind: str, *, town_id=None, school_id=None, office: str = "") -> Recipient:
    """The office of a report's unit: a school, a town, or the county."""
    if place_kind == "SCHOOL" and school_id is not None:
        return Recipient(ScopeKind.SCHOOL, office or "学校", town_id=town_id, school_id=school_id)
    if place_kind == "TOWN" and town_id is not None:
        return Recipient(ScopeKind.TOWN, office or "乡镇", town_id=town_id)
    return Recipient(ScopeKind.COUNTY, office or COUNTY.office)
