"""Who answers for a child: the responsibility chain from the nearest teacher up to the county's
head of the work.

The chain is read tier by tier, nearest first (双线四包's education line and the county's
table above it)::

    包人 (科任教师) → 包班 (班主任) → 包年级 (校领导) → 校长 → 包学校 (教育局领导)
      → (包村) → 包乡镇 → 包片 (or the school's 学区/督导责任区) → 总负责人
      (→ 领导小组组长, when another person)

Each tier is taken from :class:`~core.officials.models.ResponsibilityAssignment` rows matched on
the child's current enrolment (child → class → school and grade → the school's 学区 and
督导责任区 → town) or, for a child not in school, on the household (village → town). A tier
with no rows
falls back, in order, to what the school records say (the class's 班主任, the school's 校长) and
then to the county's rules (:func:`core.plugins.rules_for`): the plugin's responsibility table
(a table's named 包片领导 and 包乡镇人员), its 领导小组组长, or the bare role (班主任, 校长,
区教育局) when the document names nobody. So a county with plugin data only still answers up to
the head of the work. A child with no current enrolment is placed by the household's village
and town, and then the government line (政府线) answers too: the village (包村), the township,
the county government where the rules have that level (区 → 镇街 → 村社).

:func:`responsibility_chains` answers for many children at once in a fixed number of
statements (enrolments with class, school and town; households when needed; jurisdictions;
assignments; officials), so a page of 50 children costs what a page of 5 does.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tortoise.expressions import Q

from core.enrolment.models import Enrolment
from core.jurisdictions.models import Jurisdiction
from core.labelled_enum import LabelledEnum
from core.officials.models import Duty, Official, ResponsibilityAssignment, ResponsibilityLine
from core.people.models import Household
from core.plugins import rules_for
from core.rules.county import CountyRules
from core.rules.enums import LeadershipRole
from core.rules.specs import Clause, LeadershipMember, ResponsibilitySpec
from core.schools.models import School


class ChainTier(LabelledEnum):
    """One rung of the responsibility chain, nearest to the child first."""

    CHILD = "CHILD", "包人 (科任教师)"
    CLASS = "CLASS", "包班 (班主任)"
    GRADE = "GRADE", "包年级 (校领导)"
    SCHOOL_HEAD = "SCHOOL_HEAD", "校长 (学校第一责任人)"
    SCHOOL = "SCHOOL", "包学校 (教育局领导)"
    VILLAGE = "VILLAGE", "包村 (村/社区)"
    TOWN = "TOWN", "包乡镇"
    AREA = "AREA", "包片"
    OVERALL = "OVERALL", "总负责"
    LEADER = "LEADER", "领导小组组长"


class ChainSource(LabelledEnum):
    """Where one link of the chain was read from."""

    ASSIGNMENT = "ASSIGNMENT", "责任分工记录"
    CLASS_RECORD = "CLASS_RECORD", "班级信息 (班主任)"
    SCHOOL_RECORD = "SCHOOL_RECORD", "学校信息 (校长)"
    RULES = "RULES", "县级规则 (插件所载文件)"


#: The duty each tier stands for, and the role shown when nothing more specific is known.
TIER_DUTY: dict[ChainTier, Duty] = {
    ChainTier.CHILD: Duty.CHILD,
    ChainTier.CLASS: Duty.CLASS,
    ChainTier.GRADE: Duty.GRADE,
    ChainTier.SCHOOL_HEAD: Duty.SCHOOL,
    ChainTier.SCHOOL: Duty.SCHOOL,
    ChainTier.VILLAGE: Duty.VILLAGE,
    ChainTier.TOWN: Duty.TOWN,
    ChainTier.AREA: Duty.AREA,
    ChainTier.OVERALL: Duty.OVERALL,
    ChainTier.LEADER: Duty.OVERALL,
}
DEFAULT_ROLES: dict[ChainTier, str] = {
    ChainTier.CHILD: "科任教师",
    ChainTier.CLASS: "班主任",
    ChainTier.GRADE: "校领导",
    ChainTier.SCHOOL_HEAD: "校长",
    ChainTier.SCHOOL: "教育局领导",
    ChainTier.VILLAGE: "村 (社区)",
    ChainTier.TOWN: "包乡镇人员",
    ChainTier.AREA: "包片领导",
    ChainTier.OVERALL: "总负责人",
    ChainTier.LEADER: "组长",
}
#: Roles on the government line (政府线), for a child who is not in school.
GOVERNMENT_ROLES: dict[ChainTier, str] = {
    ChainTier.VILLAGE: "村 (社区)",
    ChainTier.TOWN: "乡镇人民政府",
    ChainTier.OVERALL: "县级人民政府",
}

_EDU = ResponsibilityLine.EDUCATION
_GOV = ResponsibilityLine.GOVERNMENT


@dataclass(frozen=True)
class ChildRef:
    """What the chain needs of a child; ``str()`` is the child's id (the DataLoader key)."""

    id: uuid.UUID
    jurisdiction_id: uuid.UUID
    household_id: uuid.UUID | None = None

    @classmethod
    def of(cls, child: Any) -> ChildRef:
        return cls(
            id=child.id,
            jurisdiction_id=child.jurisdiction_id,
            household_id=getattr(child, "household_id", None),
        )

    def __str__(self) -> str:
        return str(self.id)


@dataclass(frozen=True)
class ChainLink:
    """One person (or, where nobody is named, one role) who answers for the child."""

    tier: ChainTier
    duty: Duty
    line: ResponsibilityLine
    #: The role in words: 科任教师, 班主任, 校长, 包乡镇人员, 总负责人 …
    role: str
    #: None when the rules name a role but nobody holds it in the records.
    name: str | None
    title: str
    organisation: str
    source: ChainSource
    #: What the link rests on: the assignment's 依据, or the clause of the county's rules.
    basis: str
    official: Official | None = None
    assignment: ResponsibilityAssignment | None = None
    clause: Clause | None = None


@dataclass
class _Placement:
    """Where a child sits: school, class, grade and town (any may be missing)."""

    school_id: uuid.UUID | None = None
    school_name: str = ""
    principal_name: str = ""
    class_id: uuid.UUID | None = None
    head_teacher_id: uuid.UUID | None = None
    grade: int | None = None
    town_id: uuid.UUID | None = None
    town_name: str = ""
    #: The household's village (for a child not in school).
    village_id: uuid.UUID | None = None
    #: The 学区 and 督导责任区 the school belongs to.
    group_ids: tuple[str, ...] = ()

    @property
    def enrolled(self) -> bool:
        return self.school_id is not None


@dataclass
class _Rows:
    """Assignment rows of one batch, indexed the ways the tiers look them up."""

    by_child: dict[Any, list[ResponsibilityAssignment]] = field(
        default_factory=lambda: defaultdict(list)
    )
    by_class: dict[Any, list[ResponsibilityAssignment]] = field(
        default_factory=lambda: defaultdict(list)
    )
    by_school: dict[Any, list[ResponsibilityAssignment]] = field(
        default_factory=lambda: defaultdict(list)
    )
    by_town: dict[Any, list[ResponsibilityAssignment]] = field(
        default_factory=lambda: defaultdict(list)
    )
    by_village: dict[Any, list[ResponsibilityAssignment]] = field(
        default_factory=lambda: defaultdict(list)
    )
    by_group: dict[Any, list[ResponsibilityAssignment]] = field(
        default_factory=lambda: defaultdict(list)
    )
    county: dict[Any, list[ResponsibilityAssignment]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def add(self, row: ResponsibilityAssignment) -> None:
        if row.duty is Duty.CHILD:
            self.by_child[str(row.child_id)].append(row)
        elif row.duty is Duty.CLASS:
            self.by_class[str(row.school_class_id)].append(row)
        elif row.duty in (Duty.GRADE, Duty.SCHOOL):
            self.by_school[str(row.school_id)].append(row)
        elif row.village_id is not None:
            self.by_village[str(row.village_id)].append(row)
        elif row.school_group_id is not None:
            self.by_group[str(row.school_group_id)].append(row)
        elif row.town_id is not None:
            self.by_town[str(row.town_id)].append(row)
        else:
            self.county[str(row.jurisdiction_id)].append(row)


async def responsibility_chains(children: Sequence[ChildRef]) -> list[list[ChainLink]]:
    """The chain of every child in ``children``, in order, nearest first."""
    if not children:
        return []
    placements = await _placements(children)
    jurisdiction_ids = list({c.jurisdiction_id for c in children})
    codes = dict(
        await Jurisdiction.filter(id__in=jurisdiction_ids).values_list("id", "division_code")
    )
    rules = {str(j): rules_for(code) for j, code in codes.items()}
    rows = await _assignments(jurisdiction_ids, children, placements.values())
    officials = await _officials(rows, placements.values(), rules, jurisdiction_ids)
    result = []
    for child in children:
        county_rules = rules.get(str(child.jurisdiction_id))
        if county_rules is None:  # pragma: no cover - a child always has its jurisdiction
            result.append([])
            continue
        builder = _Chain(child, placements[str(child.id)], county_rules, rows, officials)
        result.append(builder.build())
    return result


# -- the batch's statements --------------------------------------------------------------------


async def _placements(children: Sequence[ChildRef]) -> dict[str, _Placement]:
    """Each child's current school, class, grade and town (one statement, one more for children
    without an enrolment, placed by their household's town)."""
    found: dict[str, _Placement] = {}
    rows = await Enrolment.filter(child_id__in=[c.id for c in children], is_current=True).values(
        "child_id",
        "started_on",
        "grade",
        "school_id",
        "school__name",
        "school__principal_name",
        "school__town_id",
        "school__town__name",
        "school_class_id",
        "school_class__head_teacher_id",
    )
    rows.sort(key=lambda r: r["started_on"], reverse=True)
    for row in rows:
        found.setdefault(
            str(row["child_id"]),
            _Placement(
                school_id=row["school_id"],
                school_name=row["school__name"] or "",
                principal_name=row["school__principal_name"] or "",
                class_id=row["school_class_id"],
                head_teacher_id=row["school_class__head_teacher_id"],
                grade=row["grade"],
                town_id=row["school__town_id"],
                town_name=row["school__town__name"] or "",
            ),
        )
    school_ids = list({p.school_id for p in found.values() if p.school_id})
    if school_ids:  # the 学区 and 督导责任区 of the schools (one statement)
        groups: dict[str, list[str]] = defaultdict(list)
        for row in await School.filter(id__in=school_ids).values("id", "groups__id"):
            if row["groups__id"] is not None:
                groups[str(row["id"])].append(str(row["groups__id"]))
        for placement in found.values():
            placement.group_ids = tuple(sorted(groups.get(str(placement.school_id), ())))
    homeless = {c.household_id for c in children if str(c.id) not in found and c.household_id}
    homes: dict[str, tuple[Any, Any, str]] = {}
    if homeless:
        for row in await Household.filter(id__in=list(homeless)).values(
            "id", "village_id", "village__town_id", "village__town__name"
        ):
            homes[str(row["id"])] = (
                row["village_id"],
                row["village__town_id"],
                row["village__town__name"] or "",
            )
    for child in children:
        if str(child.id) not in found:
            village_id, town_id, town_name = homes.get(str(child.household_id), (None, None, ""))
            found[str(child.id)] = _Placement(
                town_id=town_id, town_name=town_name, village_id=village_id
            )
    return found


async def _assignments(
    jurisdiction_ids: list[uuid.UUID],
    children: Sequence[ChildRef],
    placements: Iterable[_Placement],
) -> _Rows:
    """Every assignment row any tier of any child may use (one statement)."""
    placed = list(placements)
    class_ids = [p.class_id for p in placed if p.class_id]
    school_ids = [p.school_id for p in placed if p.school_id]
    town_ids = list({p.town_id for p in placed if p.town_id})
    village_ids = list({p.village_id for p in placed if p.village_id})
    group_ids = list({g for p in placed for g in p.group_ids})
    wanted = Q(child_id__in=[c.id for c in children], duty=Duty.CHILD.value)
    if village_ids:
        wanted |= Q(village_id__in=village_ids, duty=Duty.VILLAGE.value)
    if group_ids:
        wanted |= Q(school_group_id__in=group_ids, duty=Duty.AREA.value)
    if class_ids:
        wanted |= Q(school_class_id__in=class_ids, duty=Duty.CLASS.value)
    if school_ids:
        wanted |= Q(
            school_id__in=school_ids,
            duty__in=[Duty.GRADE.value, Duty.SCHOOL.value],
            child_id__isnull=True,
        )
    if town_ids:
        wanted |= Q(
            town_id__in=town_ids,
            school_id__isnull=True,
            village_id__isnull=True,
            duty__in=[Duty.TOWN.value, Duty.AREA.value],
        )
    wanted |= Q(
        town_id__isnull=True,
        school_id__isnull=True,
        school_group_id__isnull=True,
        duty=Duty.OVERALL.value,
    )
    rows = _Rows()
    query = ResponsibilityAssignment.filter(wanted, jurisdiction_id__in=jurisdiction_ids)
    for row in await query.order_by("id"):
        rows.add(row)
    return rows


async def _officials(
    rows: _Rows,
    placements: Iterable[_Placement],
    rules: dict[str, CountyRules],
    jurisdiction_ids: list[uuid.UUID],
) -> _Officials:
    """The officials the rows and classes name, and those the county's rules name by name
    (one statement), so a person named only in the rules still shows their phone."""
    ids = {p.head_teacher_id for p in placements if p.head_teacher_id}
    indexes = (
        rows.by_child,
        rows.by_class,
        rows.by_school,
        rows.by_village,
        rows.by_group,
        rows.by_town,
        rows.county,
    )
    for index in indexes:
        ids |= {r.official_id for group in index.values() for r in group}
    names = {n for county in rules.values() for n in _named_people(county)}
    wanted = Q(id__in=list(ids)) if ids else Q(id__isnull=True)
    if names:
        wanted |= Q(jurisdiction_id__in=jurisdiction_ids, name__in=sorted(names))
    return _Officials(await Official.filter(wanted))


def _named_people(rules: CountyRules) -> set[str]:
    names = {s.person for s in rules.responsibilities if s.person}
    if rules.leadership is not None:
        names |= {m.name for m in rules.leadership.with_role(LeadershipRole.LEADER)}
    return names


class _Officials:
    def __init__(self, rows: Iterable[Official]) -> None:
        self.by_id = {str(o.id): o for o in rows}
        self._by_name: dict[tuple[str, str], list[Official]] = defaultdict(list)
        for official in self.by_id.values():
            self._by_name[(str(official.jurisdiction_id), official.name)].append(official)

    def get(self, official_id: Any) -> Official | None:
        return self.by_id.get(str(official_id)) if official_id else None

    def named(self, jurisdiction_id: Any, name: str) -> Official | None:
        """The one official of that name in the county; None if none or several."""
        found = self._by_name.get((str(jurisdiction_id), name), [])
        return found[0] if len(found) == 1 else None


# -- one child's chain -------------------------------------------------------------------------


class _Chain:
    def __init__(
        self,
        child: ChildRef,
        placement: _Placement,
        rules: CountyRules,
        rows: _Rows,
        officials: _Officials,
    ) -> None:
        self.child = child
        self.at = placement
        self.rules = rules
        self.rows = rows
        self.officials = officials
        self.links: list[ChainLink] = []

    def build(self) -> list[ChainLink]:
        at = self.at
        if at.enrolled:
            self._tier(ChainTier.CHILD, self.rows.by_child.get(str(self.child.id), []))
            self._class()
            self._grade()
            self._school_head()
            self._tier(
                ChainTier.SCHOOL,
                [
                    r
                    for r in self.rows.by_school.get(str(at.school_id), [])
                    if r.duty is Duty.SCHOOL and not self._is_staff(r)
                ],
            )
        lines = (_EDU,) if at.enrolled else (_EDU, _GOV)
        if not at.enrolled and at.village_id is not None:
            villages = self.rows.by_village.get(str(at.village_id), [])
            if not self._tier(ChainTier.VILLAGE, [r for r in villages if r.line is _GOV]):
                self._from_rules(ChainTier.VILLAGE, self._specs(Duty.VILLAGE, (_GOV,))[:1])
        groups = [r for g in at.group_ids for r in self.rows.by_group.get(g, [])]
        if at.town_id is not None:
            town_rows = self.rows.by_town.get(str(at.town_id), [])
            for tier, duty in ((ChainTier.TOWN, Duty.TOWN), (ChainTier.AREA, Duty.AREA)):
                found = [r for r in town_rows if r.duty is duty and r.line in lines]
                if duty is Duty.AREA:
                    found += groups  # the school's 学区 and 督导责任区
                if not self._tier(tier, found):
                    self._from_rules(tier, self._specs(duty, lines, town=at.town_name))
        elif groups:
            self._tier(ChainTier.AREA, groups)
        self._overall(lines)
        return self.links

    # -- tiers ---------------------------------------------------------------------------------

    def _class(self) -> None:
        if self._tier(ChainTier.CLASS, self.rows.by_class.get(str(self.at.class_id), [])):
            return
        head = self.officials.get(self.at.head_teacher_id)
        spec = self._spec(Duty.CLASS)
        if head is not None:
            self._add(
                ChainTier.CLASS,
                name=head.name,
                official=head,
                source=ChainSource.CLASS_RECORD,
                basis="班级信息: 班主任",
                clause=spec.clause if spec else None,
                role=spec.role if spec else "",
            )
        elif self.at.class_id is not None:
            self._from_rules(ChainTier.CLASS, self._specs(Duty.CLASS, (_EDU,)))

    def _grade(self) -> None:
        rows = [
            r
            for r in self.rows.by_school.get(str(self.at.school_id), [])
            if r.duty is Duty.GRADE and r.grade == self.at.grade
        ]
        if not self._tier(ChainTier.GRADE, rows):
            self._from_rules(ChainTier.GRADE, self._specs(Duty.GRADE, (_EDU,)))

    def _school_head(self) -> None:
        rows = [
            r
            for r in self.rows.by_school.get(str(self.at.school_id), [])
            if r.duty is Duty.SCHOOL and self._is_staff(r)
        ]
        if self._tier(ChainTier.SCHOOL_HEAD, rows):
            return
        spec = self._spec(Duty.SCHOOL)
        if self.at.principal_name:
            self._add(
                ChainTier.SCHOOL_HEAD,
                name=self.at.principal_name,
                organisation=self.at.school_name,
                title="校长",
                source=ChainSource.SCHOOL_RECORD,
                basis="学校信息: 校长",
                clause=spec.clause if spec else None,
            )
        else:
            self._from_rules(ChainTier.SCHOOL_HEAD, self._specs(Duty.SCHOOL, (_EDU,)))

    def _overall(self, lines: tuple[ResponsibilityLine, ...]) -> None:
        county = self.rows.county.get(str(self.child.jurisdiction_id), [])
        if _GOV in lines:  # a child out of school: the county government too, where it has one
            self._tier(ChainTier.OVERALL, [r for r in county if r.line is _GOV])
        rows = [r for r in county if r.line is _EDU]
        if not self._tier(ChainTier.OVERALL, rows):
            specs = self._specs(Duty.OVERALL, (_EDU,))
            if any(s.person for s in specs):
                self._from_rules(ChainTier.OVERALL, specs)
            elif not self._leaders():
                self._from_rules(ChainTier.OVERALL, specs)  # a role only: 区教育局, 区教委 …
        self._leader()

    def _leaders(self) -> tuple[LeadershipMember, ...]:
        group = self.rules.leadership
        return group.with_role(LeadershipRole.LEADER) if group is not None else ()

    def _leader(self) -> None:
        """The 领导小组组长, unless an OVERALL link already names them."""
        group = self.rules.leadership
        if group is None:
            return
        above = {link.name for link in self.links if link.tier is ChainTier.OVERALL}
        for member in self._leaders():
            if member.name in above:
                continue
            self._add(
                ChainTier.LEADER,
                name=member.name,
                official=self.officials.named(self.child.jurisdiction_id, member.name),
                title=member.title,
                organisation=group.name,
                source=ChainSource.RULES,
                basis=str(group.clause),
                clause=group.clause,
            )

    # -- helpers -------------------------------------------------------------------------------

    def _is_staff(self, row: ResponsibilityAssignment) -> bool:
        official = self.officials.get(row.official_id)
        return official is not None and str(official.school_id) == str(row.school_id)

    def _spec(
        self, duty: Duty, person: str = "", line: ResponsibilityLine = _EDU
    ) -> ResponsibilitySpec | None:
        """The county's line for ``duty`` naming ``person``, else its first line for ``duty``
        on ``line`` that names nobody."""
        for spec in self.rules.responsibilities:
            if spec.duty is duty and person and spec.person == person:
                return spec
        for spec in self.rules.responsibilities:
            if spec.duty is duty and not spec.person and spec.line is line:
                return spec
        return None

    def _specs(
        self, duty: Duty, lines: tuple[ResponsibilityLine, ...], town: str = ""
    ) -> list[ResponsibilitySpec]:
        """The county's lines for ``duty`` covering ``town`` (lines that list no town cover
        every one). Lines naming people come first; without them, the first unnamed line."""
        found = [
            s
            for s in self.rules.responsibilities
            if s.duty is duty and s.line in lines and (not s.towns or town in s.towns)
        ]
        named = [s for s in found if s.person]
        return named or found[:1]

    def _tier(self, tier: ChainTier, rows: list[ResponsibilityAssignment]) -> bool:
        """Add a link per row (one per official, by name); True if any was added."""
        seen: set[str] = set()
        entries = []
        for row in rows:
            official = self.officials.get(row.official_id)
            if official is None or str(official.id) in seen:
                continue
            seen.add(str(official.id))
            entries.append((official, row))
        entries.sort(key=lambda e: (e[0].name, str(e[0].id)))
        for official, row in entries:
            spec = self._spec(row.duty, official.name, row.line)
            if tier is ChainTier.SCHOOL and spec is not None and not spec.person:
                spec = None  # the unnamed SCHOOL line is the 校长's, not the bureau's
            if spec is not None and (spec.person or row.line is _GOV or row.school_group_id):
                # 包片领导 as the table says; 镇街政府 on the government line; 学区、督导责任区
                role = spec.role
            else:
                role = GOVERNMENT_ROLES.get(tier, "") if row.line is _GOV else ""
            self._add(
                tier,
                name=official.name,
                official=official,
                assignment=row,
                line=row.line,
                role=role,
                source=ChainSource.ASSIGNMENT,
                basis=row.source or (str(spec.clause) if spec else ChainSource.ASSIGNMENT.label),
                clause=spec.clause if spec else None,
            )
        return bool(entries)

    def _from_rules(self, tier: ChainTier, specs: list[ResponsibilitySpec]) -> None:
        for spec in specs:
            official = (
                self.officials.named(self.child.jurisdiction_id, spec.person)
                if spec.person
                else None
            )
            self._add(
                tier,
                name=spec.person or None,
                official=official,
                line=spec.line,
                role=spec.role,
                title=spec.title,
                source=ChainSource.RULES,
                basis=str(spec.clause),
                clause=spec.clause,
            )

    def _add(
        self,
        tier: ChainTier,
        *,
        name: str | None,
        source: ChainSource,
        basis: str,
        official: Official | None = None,
        assignment: ResponsibilityAssignment | None = None,
        line: ResponsibilityLine = _EDU,
        role: str = "",
        title: str = "",
        organisation: str = "",
        clause: Clause | None = None,
    ) -> None:
        self.links.append(
            ChainLink(
                tier=tier,
                duty=TIER_DUTY[tier],
                line=line,
                role=role or DEFAULT_ROLES[tier],
                name=name,
                title=(official.title if official and official.title else title),
                organisation=(
                    official.organisation if official and official.organisation else organisation
                ),
                source=source,
                basis=basis,
                official=official,
                assignment=assignment,
                clause=clause,
            )
        )
