"""The deterministic demo county generator: :func:`generate_demo`.

Given a :class:`~core.jurisdictions.spec.JurisdictionSpec` (the fictional 示范县 or an
installed plugin's county), a number of pupils and a seed, it writes a complete, plausible
county into the current Tortoise context:

* the organisation (towns, villages, 学区, schools of every kind, classes of grades 1–9 with
  their 班主任, bureau, school and township officials, 双线四包 responsibility assignments and,
  for a plugin county, the people its leadership group and responsibility table name);
* the 学户册: households with guardians, registered and current addresses, poverty, 低保 and
  migration status, and their children aged 0–18 — ``students`` of them enrolled in
  compulsory education, plus children under six, 16–18-year-olds who finished, a few
  school-age children who never enrolled, and the suspended, dropped-out and transferred;
* 重点群体 memberships, enrolments with a 学籍异动 history that agrees with their status,
  控辍保学 cases over every state, kind and source with timelines the workflow allows,
  assistance, home visits and support plans.

The same seed gives the same rows (ids, names, ID numbers); everything is dated relative to
:data:`~core.demo.calendar.DEMO_TODAY`. Rows are built in memory and written with
``bulk_create`` in transactions, a few thousand children at a time.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.assistance.models import Assistance, AssistanceProgramme
from core.cases.models import Case, CaseEvent
from core.demo import names, texts
from core.demo.attendance import generate_attendance
from core.demo.calendar import (
    DEMO_TODAY,
    SCHOOL_YEAR,
    TERM_START,
    grade_birth_range,
    new_id,
    random_day,
    school_year_start,
    stream,
)
from core.demo.casework import CasePlan, CaseWriter, ChildContext, plan_cases
from core.demo.organisation_builder import (
    GRADES,
    ClassRec,
    Organisation,
    SchoolRec,
    TownRec,
    split,
)
from core.enrolment.models import (
    STATUS_AFTER_CHANGE,
    Enrolment,
    EnrolmentChange,
    EnrolmentChangeKind,
    EnrolmentMode,
    EnrolmentStatus,
)
from core.jurisdictions.models import Jurisdiction, VillageKind
from core.jurisdictions.spec import JurisdictionSpec
from core.officials.models import Duty, Official, ResponsibilityAssignment
from core.people.enums import (
    DisabilityCategory,
    Gender,
    GuardianRelation,
    KeyGroup,
    MigrationStatus,
    PovertyStatus,
)
from core.people.models import Child, ChildKeyGroup, Guardian, Household
from core.people.resident_id import make_resident_id
from core.plugins import rules_for
from core.schools.models import SchoolKind
from core.visits.models import HomeVisit, HomeVisitKind, SupportPlan, SupportPlanKind

K = EnrolmentChangeKind
Progress = Callable[[int, int], None]

#: Children written per transaction.
CHUNK_CHILDREN = 4000
#: Rows per INSERT statement.
BATCH_SIZE = 1000

_DISABILITY_WEIGHTS = (
    (DisabilityCategory.INTELLECTUAL, 30),
    (DisabilityCategory.PHYSICAL, 20),
    (DisabilityCategory.HEARING, 12),
    (DisabilityCategory.VISUAL, 8),
    (DisabilityCategory.SPEECH, 8),
    (DisabilityCategory.MENTAL, 10),
    (DisabilityCategory.MULTIPLE, 12),
)
_POOR = (
    PovertyStatus.LIFTED_OUT,
    PovertyStatus.MONITORED_UNSTABLE,
    PovertyStatus.MONITORED_EDGE,
    PovertyStatus.MONITORED_SUDDEN,
)
#: Household situations every county shows at least once (the first households get them).
_FORCED_FLAVOURS = (
    "LIFTED_OUT",
    "MONITORED_UNSTABLE",
    "MONITORED_EDGE",
    "MONITORED_SUDDEN",
    "LOW_INCOME",
    "LEFT_BEHIND",
    "MIGRANT_IN",
    "ORPHAN",
    "DE_FACTO",
    "IMPRISONED",
)


@dataclass
class DemoSummary:
    """What :func:`generate_demo` wrote."""

    division_code: str
    name: str
    students: int
    seed: int
    #: Rows written, by model name.
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


# -- slots: one child before it has a household ----------------------------------------------


@dataclass(eq=False, slots=True)
class _Slot:
    """A child planned before households are formed.

    ``category``: E enrolled (one of the ``students``), D dropped out, S suspended,
    T transferred out, NE school-age never enrolled, Y under six, G finished (16–18).
    """

    town: TownRec
    category: str
    gender: Gender
    birth: date
    grade: int | None = None
    school: SchoolRec | None = None
    klass: ClassRec | None = None
    case: CasePlan | None = None
    away: bool = False
    hints: frozenset[str] = frozenset()
    #: Background history: "suspended" (休学 now), "resumed" (休学 then 复学), "transfer-in".
    history: str = ""


@dataclass(eq=False, slots=True)
class _Family:
    """A household's situation, decided before its rows are built."""

    migration: MigrationStatus = MigrationStatus.NONE
    both_away: bool = False
    poverty: PovertyStatus = PovertyStatus.NONE
    low_income: bool = False
    situation: str = ""  # ORPHAN, DE_FACTO, IMPRISONED or ""
    ethnicity: str = "汉族"


class _Sink:
    """Writes lists of model instances with ``bulk_create`` and counts them."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    async def write(self, model: type[Model], rows: list[Any]) -> None:
        for start in range(0, len(rows), BATCH_SIZE):
            await model.bulk_create(rows[start : start + BATCH_SIZE], batch_size=BATCH_SIZE)
        self.counts[model.__name__] += len(rows)


class _IdNumbers:
    """Unique, valid 身份证号 of one county: a sequence per birth date and sex."""

    def __init__(self, code: str, rng: random.Random) -> None:
        self.code = code
        self.rng = rng
        self.used: dict[tuple[date, bool], tuple[int, int]] = {}

    def issue(self, born: date, gender: Gender, code: str | None = None) -> str:
        male = gender is Gender.MALE
        key = (born, male)
        start, count = self.used.get(key) or (self.rng.randrange(0, 150), 0)
        if count >= 499:
            raise RuntimeError(f"more than 499 people of one sex born on {born}")
        self.used[key] = (start, count + 1)
        k = (start + count) % 499
        sequence = 2 * k + 1 if male else 2 * k + 2
        return make_resident_id(code or self.code, born, sequence)


class _Builder:
    def __init__(
        self, spec: JurisdictionSpec, *, students: int, seed: int, progress: Progress | None
    ) -> None:
        self.spec = spec
        self.code = spec.division_code
        self.students = students
        self.seed = seed
        self.progress = progress
        self.rules = rules_for(self.code)
        #: The grades the county's rules cover (a plan for 中学: 7–9 only).
        self.grades = self.rules.scope.grades
        self.org = Organisation(spec, self.rules, students=students, seed=seed)
        self.rng = stream(seed, self.code, "people")
        self.ids = stream(seed, self.code, "people-ids")
        self.id_numbers = _IdNumbers(self.code, stream(seed, self.code, "id-numbers"))
        self.sink = _Sink()
        self.forced = list(_FORCED_FLAVOURS)
        # The county's own mix (its plugin's spec says it), else a small national one.
        own = tuple((m.ethnicity, float(m.per_mille)) for m in spec.demo_minorities)
        self.minorities = own or names.MINORITIES
        self.minority_rate = sum(w for _, w in own) / 1000 if own else 0.035
        self.programmes = self.rules.assistance_programmes()
        self.extra_programmes = [
            c for c in self.programmes if c not in AssistanceProgramme.choices()
        ]
        self.case_plans = plan_cases(
            stream(seed, self.code, "case-plan"), students=students, rules=self.rules
        )
        self.cases = CaseWriter(
            self.org,
            self.rules,
            stream(seed, self.code, "cases"),
            ids=self.ids,
            change=self._change,
        )
        self._learning_seen = False
        self.done = 0
        self.total = 0

    # -- the whole run -------------------------------------------------------------------------

    async def run(self) -> DemoSummary:
        started = time.perf_counter()
        self.org.build()
        towns = self._slots()
        self.total = sum(len(s) for s in towns)
        self._tick(0)
        async with in_transaction():
            for model, rows in self.org.rows():
                await self.sink.write(model, rows)
            for group, members in self.org.groups:
                # bulk_create does not mark instances as saved; the M2M manager needs it.
                for row in (group, *members):
                    row._saved_in_db = True
                if members:
                    await group.schools.add(*members)
        for chunk in self._chunks(towns):
            await self._write_chunk(chunk)
        return DemoSummary(
            division_code=self.code,
            name=self.spec.name,
            students=self.students,
            seed=self.seed,
            counts=dict(self.sink.counts),
            seconds=time.perf_counter() - started,
        )

    def _tick(self, children: int) -> None:
        self.done += children
        if self.progress is not None:
            self.progress(self.done, self.total)

    # -- planning the children -----------------------------------------------------------------

    def _birth_for_grade(self, grade: int, older: bool = False) -> date:
        first, last = grade_birth_range(grade + 1 if older else grade)
        return random_day(self.rng, first, last)

    def _gender(self) -> Gender:
        return Gender.MALE if self.rng.random() < 0.52 else Gender.FEMALE

    def _slots(self) -> list[list[_Slot]]:
        """Every child of the county, town by town, with cases attached."""
        rng, org, n = self.rng, self.org, self.students
        towns = org.towns
        weights = [t.weight for t in towns]
        rural_weights = [t.weight * (0.6 if t.urban else 1.4) for t in towns]
        extras = {
            # Under-sixes are future 小学 pupils: none for a county whose plan has no 小学.
            "Y": split(round(n * 0.3) if 1 in self.grades else 0, weights),
            "G": split(round(n * 0.15), weights),
            "NE": split(max(1, round(n * 0.0008)), rural_weights),
            "S": split(max(1, round(n * 0.002)), weights),
            "T": split(max(1, round(n * 0.006)), rural_weights),
        }
        special = org.special_seats()
        rng.shuffle(special)
        special_by_town: dict[int, list[ClassRec]] = {t.index: [] for t in towns}
        for seat in special:
            # The pupils the special school took from each town (see Organisation._size_schools).
            town = rng.choices(towns, weights=weights)[0]
            special_by_town[town.index].append(seat)
        result: list[list[_Slot]] = []
        for town in towns:
            slots: list[_Slot] = []
            for grade in GRADES:
                seats = org.seats(town, grade)
                for seat in seats:
                    older = rng.random() < 0.04
                    slots.append(
                        _Slot(
                            town,
                            "E",
                            self._gender(),
                            self._birth_for_grade(grade, older),
                            grade,
                            seat.school,
                            seat,
                        )
                    )
            for seat in special_by_town[town.index]:
                slots.append(
                    _Slot(
                        town,
                        "E",
                        self._gender(),
                        self._birth_for_grade(seat.grade, rng.random() < 0.3),
                        seat.grade,
                        seat.school,
                        seat,
                        hints=frozenset({"SPECIAL"}),
                    )
                )
            i = town.index
            for _ in range(extras["Y"][i]):
                born = random_day(rng, date(2020, 9, 1), DEMO_TODAY - timedelta(days=20))
                slots.append(_Slot(town, "Y", self._gender(), born))
            for _ in range(extras["G"][i]):
                born = random_day(
                    rng, DEMO_TODAY.replace(year=2007) + timedelta(days=1), date(2011, 8, 31)
                )
                slots.append(self._finished(town, born))
            for _ in range(extras["NE"][i]):
                grade = self._grade(lowest=2)
                slots.append(_Slot(town, "NE", self._gender(), self._birth_for_grade(grade), grade))
            for _ in range(extras["S"][i]):
                slots.append(self._enrolled_extra(town, "S", self._grade(lowest=2)))
            for _ in range(extras["T"][i]):
                slot = self._enrolled_extra(town, "T", self._grade())
                slot.away = True
                slots.append(slot)
            result.append(slots)
        self._attach_cases(result)
        for slots in result:
            self._background_history(slots)
        return result

    def _grade(self, lowest: int = 1, choices: tuple[int, ...] = ()) -> int:
        """A grade the county's rules cover (their scope), from ``choices`` when any fits."""
        fitting = [g for g in choices if g in self.grades] or [
            g for g in self.grades if g >= lowest
        ]
        return self.rng.choice(fitting or list(self.grades))

    def _finished(self, town: TownRec, born: date) -> _Slot:
        schools = [s for s in town.schools if 9 in s.grades and s.kind is not SchoolKind.SPECIAL]
        school = self.rng.choice(schools) if schools else None
        return _Slot(town, "G", self._gender(), born, 9, school)

    def _enrolled_extra(self, town: TownRec, category: str, grade: int) -> _Slot:
        classes = [c for c in town.classes_of(grade) if c.school.kind is not SchoolKind.SPECIAL]
        if not classes:
            classes = [c for t in self.org.towns for c in t.classes_of(grade)]
        klass = self.rng.choice(classes)
        return _Slot(
            town,
            category,
            self._gender(),
            self._birth_for_grade(grade),
            grade,
            klass.school,
            klass,
        )

    def _attach_cases(self, towns: list[list[_Slot]]) -> None:
        """A child for every case: an enrolled pupil (junior grades first) for cases that
        leave the child on the roll, a new child (dropped out, suspended, transferred, never
        enrolled) in a mostly rural town for the others."""
        rng = self.rng
        org = self.org
        rural_weights = [t.weight * (0.6 if t.urban else 1.4) for t in org.towns]
        pool = [
            s
            for slots in towns
            for s in slots
            if s.category == "E"
            and s.grade in (2, 3, 4, 5, 6, 8, 9)
            and s.grade in self.grades
            and "SPECIAL" not in s.hints
        ]
        rng.shuffle(pool)
        pool.sort(key=lambda s: -(s.grade or 0) + rng.random() * 8)
        spare = [
            s for slots in towns for s in slots if s.category == "E" and "SPECIAL" not in s.hints
        ]
        rng.shuffle(spare)
        for plan in self.case_plans:
            if plan.category == "E":
                slot = None
                while pool and slot is None:
                    candidate = pool.pop(0 if rng.random() < 0.7 else rng.randrange(len(pool)))
                    slot = candidate if candidate.case is None else None
                while slot is None and spare:
                    candidate = spare.pop()
                    slot = candidate if candidate.case is None else None
                if slot is None:
                    continue  # a county too small for all its cases
            else:
                town = rng.choices(org.towns, weights=rural_weights)[0]
                grade = self._grade(choices=plan.grades)
                if plan.category == "NE":
                    slot = _Slot(town, "NE", self._gender(), self._birth_for_grade(grade), grade)
                else:
                    slot = self._enrolled_extra(town, plan.category, grade)
                slot.away = "AWAY" in plan.hints
                towns[town.index].append(slot)
            if plan.needs_girl:
                slot.gender = Gender.FEMALE
            slot.case = plan
            slot.hints = slot.hints | plan.hints

    def _background_history(self, slots: list[_Slot]) -> None:
        """Suspended pupils, pupils who were suspended and resumed, migrants who moved in."""
        for slot in slots:
            if slot.case is not None:
                continue
            if slot.category == "S":
                slot.history = "suspended"
            elif slot.category == "E" and slot.grade and slot.grade > 1:
                r = self.rng.random()
                if r < 0.004:
                    slot.history = "resumed"

    # -- households ----------------------------------------------------------------------------

    def _households(self, slots: list[_Slot]) -> list[list[_Slot]]:
        rng = self.rng
        away = [s for s in slots if s.away]
        home = [s for s in slots if not s.away]
        groups: list[list[_Slot]] = []
        for part in (home, away):
            rng.shuffle(part)
            i = 0
            while i < len(part):
                r = rng.random()
                size = 1 if r < 0.42 else 2 if r < 0.86 else 3
                groups.append(part[i : i + size])
                i += size
        rng.shuffle(groups)
        return groups

    def _chunks(self, towns: list[list[_Slot]]) -> list[list[list[_Slot]]]:
        chunks: list[list[list[_Slot]]] = []
        for slots in towns:
            current: list[list[_Slot]] = []
            size = 0
            for household in self._households(slots):
                current.append(household)
                size += len(household)
                if size >= CHUNK_CHILDREN:
                    chunks.append(current)
                    current, size = [], 0
            if current:
                chunks.append(current)
        return chunks

    def _family(self, slots: list[_Slot], town: TownRec) -> _Family:
        rng = self.rng
        family = _Family()
        hints = frozenset().union(*(s.hints for s in slots))
        school_age = any(s.category in ("E", "D", "S", "T", "NE") for s in slots)
        forced = ""
        if self.forced and school_age and not any(s.away for s in slots):
            forced = self.forced.pop(0)
        if any(s.away for s in slots):
            family.migration = MigrationStatus.WHOLE_FAMILY_AWAY
        elif forced == "MIGRANT_IN" or (
            town.urban and rng.random() < 0.08 and not hints & {"LEFT_BEHIND", "POOR"}
        ):
            family.migration = MigrationStatus.MIGRANT_IN
        elif (
            forced == "LEFT_BEHIND"
            or "LEFT_BEHIND" in hints
            or rng.random() < (0.12 if town.urban else 0.26)
        ):
            family.migration = MigrationStatus.WORKING_AWAY
            family.both_away = (
                forced == "LEFT_BEHIND" or "LEFT_BEHIND" in hints or rng.random() < 0.5
            )
        if forced in {p.value for p in _POOR}:
            family.poverty = PovertyStatus(forced)
        elif "POOR" in hints:
            family.poverty = rng.choice(_POOR[:2])
        else:
            r = rng.random() * (0.8 if town.urban else 1.15)
            if r < 0.08:
                family.poverty = PovertyStatus.LIFTED_OUT
            elif r < 0.11:
                family.poverty = rng.choice(_POOR[1:])
        if (
            family.migration is MigrationStatus.MIGRANT_IN
            and family.poverty is not PovertyStatus.NONE
        ):
            family.poverty = PovertyStatus.NONE
        poor = family.poverty is not PovertyStatus.NONE
        family.low_income = forced == "LOW_INCOME" or rng.random() < (0.2 if poor else 0.028)
        if forced in ("ORPHAN", "DE_FACTO", "IMPRISONED"):
            family.situation = forced
        elif "FAMILY" in hints:
            family.situation = rng.choice(("DE_FACTO", "IMPRISONED", "DE_FACTO"))
        else:
            r = rng.random()
            if r < 0.0015:
                family.situation = "ORPHAN"
            elif r < 0.0045:
                family.situation = "DE_FACTO"
            elif r < 0.0065:
                family.situation = "IMPRISONED"
        if family.situation and family.migration is MigrationStatus.MIGRANT_IN:
            family.migration = MigrationStatus.NONE
        family.ethnicity = self._ethnicity(town)
        return family

    def _ethnicity(self, town: TownRec) -> str:
        rng = self.rng
        if town.minority:
            r = rng.random()
            if r < 0.6:
                return town.minority
            if r < 0.68:
                return rng.choices(
                    [n for n, _ in self.minorities], weights=[w for _, w in self.minorities]
                )[0]
            return "汉族"
        if rng.random() < self.minority_rate:
            return rng.choices(
                [n for n, _ in self.minorities], weights=[w for _, w in self.minorities]
            )[0]
        return "汉族"

    # -- one chunk -----------------------------------------------------------------------------

    async def _write_chunk(self, households: list[list[_Slot]]) -> None:
        out = _Rows()
        for slots in households:
            self._household(slots, out)
        async with in_transaction():
            for model, rows in out.ordered():
                await self.sink.write(model, rows)
        self._tick(sum(len(h) for h in households))

    def _address(self, town: TownRec, village: Any) -> str:
        place = f"{self.spec.province}{self.spec.city}{self.spec.name}{town.name}{village.name}"
        if village.kind is VillageKind.COMMUNITY:
            return place + names.street_address(self.rng)
        return place + names.rural_address(self.rng)

    def _household(self, slots: list[_Slot], out: _Rows) -> None:
        rng, ids = self.rng, self.ids
        town = slots[0].town
        family = self._family(slots, town)
        village = rng.choice(town.villages)
        registered = self._address(town, village)
        current = registered
        if family.migration is MigrationStatus.WHOLE_FAMILY_AWAY:
            current = names.away_address(rng)
        elif family.migration is MigrationStatus.MIGRANT_IN:
            origin = rng.choice(_ORIGINS)
            registered = f"{origin}{rng.choice('东南西北上下')}{rng.choice('坪冲湾塘岭')}村" + (
                names.rural_address(rng)
            )
            communities = [v for v in town.villages if v.kind is VillageKind.COMMUNITY]
            village = rng.choice(communities or town.villages)
            current = f"{self.spec.name}{town.name}{village.name}{names.street_address(rng)}"
        eldest = min(s.birth for s in slots)
        surname = names.surname(rng, ethnicity=family.ethnicity)
        guardians = self._guardians(family, surname, eldest, town)
        head = next((g for g in guardians if g.relation is GuardianRelation.FATHER), guardians[0])
        household = Household(
            id=new_id(ids),
            jurisdiction_id=self.org.jurisdiction.id,
            village_id=village.id,
            head_name=head.name,
            registered_address=registered[:255],
            current_address=current[:255],
            poverty_status=family.poverty,
            is_low_income=family.low_income,
            migration_status=family.migration,
        )
        out.households.append(household)
        for g in guardians:
            g.household_id = household.id
        out.guardians += guardians
        primary = next(g for g in guardians if g.is_primary)
        for slot in sorted(slots, key=lambda s: s.birth):
            self._child(slot, household, family, surname, primary, village, out)

    def _guardians(
        self, family: _Family, surname: str, eldest: date, town: TownRec
    ) -> list[Guardian]:
        rng = self.rng
        result: list[Guardian] = []

        def add(relation: GuardianRelation, gender: Gender, generation: str, **kw: Any) -> Guardian:
            if generation == "elder":
                born = random_day(rng, date(1948, 1, 1), date(1970, 12, 31))
            else:
                year = eldest.year - rng.randint(22, 34)
                born = random_day(rng, date(year, 1, 1), date(year, 12, 28))
            family_name = surname if relation in _PATERNAL else names.surname(rng)
            guardian = Guardian(
                id=new_id(self.ids),
                name=names.full_name(rng, gender, generation, family=family_name),
                relation=relation,
                phone=names.mobile(rng),
                id_number=self.id_numbers.issue(born, gender),
                **kw,
            )
            result.append(guardian)
            return guardian

        situation = family.situation
        away = family.migration in (MigrationStatus.WORKING_AWAY, MigrationStatus.WHOLE_FAMILY_AWAY)
        if situation == "ORPHAN":
            if rng.random() < 0.6:
                add(GuardianRelation.GRANDMOTHER, Gender.FEMALE, "elder", is_primary=True)
                add(GuardianRelation.GRANDFATHER, Gender.MALE, "elder")
            else:
                add(GuardianRelation.OTHER_RELATIVE, Gender.MALE, "adult", is_primary=True)
            return result
        if situation == "DE_FACTO":
            add(GuardianRelation.GRANDMOTHER, Gender.FEMALE, "elder", is_primary=True)
            father = add(GuardianRelation.FATHER, Gender.MALE, "adult")
            father.phone = ""  # 失联 / 重残 / 服刑: not reachable by phone
            return result
        if situation == "IMPRISONED":
            add(GuardianRelation.MOTHER, Gender.FEMALE, "adult", is_primary=True)
            return result
        father = add(GuardianRelation.FATHER, Gender.MALE, "adult")
        mother = add(GuardianRelation.MOTHER, Gender.FEMALE, "adult")
        if family.migration is MigrationStatus.WORKING_AWAY:
            father.works_away = True
            if family.both_away:
                mother.works_away = True
                relation = (
                    GuardianRelation.GRANDMOTHER
                    if rng.random() < 0.65
                    else GuardianRelation.GRANDFATHER
                )
                gender = Gender.FEMALE if relation is GuardianRelation.GRANDMOTHER else Gender.MALE
                add(relation, gender, "elder", is_primary=True)
                return result
        elif away:
            father.works_away = mother.works_away = True
        (mother if rng.random() < 0.62 else father).is_primary = True
        return result

    # -- one child -----------------------------------------------------------------------------

    def _child(
        self,
        slot: _Slot,
        household: Household,
        family: _Family,
        surname: str,
        primary: Guardian,
        village: Any,
        out: _Rows,
    ) -> None:
        rng, ids = self.rng, self.ids
        family_name = surname if rng.random() < 0.9 else names.surname(rng)
        name = names.full_name(rng, slot.gender, "child", family=family_name)
        id_number = self.id_numbers.issue(slot.birth, slot.gender)
        has_roll = slot.category in ("E", "D", "S", "T", "G")
        disability = self._disability(slot)
        child = Child(
            id=new_id(ids),
            jurisdiction_id=self.org.jurisdiction.id,
            household_id=household.id,
            name=name,
            gender=slot.gender,
            birth_date=slot.birth,
            id_number=id_number,
            student_number=f"G{id_number}" if has_roll else None,
            ethnicity=family.ethnicity,
            disability_category=disability[0] if disability else None,
            disability_grade=disability[1] if disability else None,
        )
        out.children.append(child)
        groups = self._key_groups(slot, family, disability)
        for group in sorted(groups, key=lambda g: g.value):
            out.key_groups.append(ChildKeyGroup(id=new_id(ids), child_id=child.id, group=group))
        enrolment = self._enrolment(slot, child, family, disability, out) if has_roll else None
        ctx = ChildContext(
            child=child,
            town=slot.town,
            village=village,
            school=slot.school,
            klass=slot.klass,
            enrolment=enrolment,
            guardian=primary,
            groups=groups,
        )
        if slot.case is not None:
            self.cases.write(slot.case, ctx, out)
        self._care(slot, ctx, family, disability, out)

    def _disability(self, slot: _Slot) -> tuple[DisabilityCategory, int] | None:
        rng = self.rng
        if "SPECIAL" in slot.hints or "DISABLED" in slot.hints:
            grade = rng.choice((1, 1, 2, 2, 3)) if "SPECIAL" in slot.hints else rng.randint(1, 3)
        elif rng.random() < 0.0075:
            grade = rng.choice((1, 2, 3, 3, 4, 4, 4))
        else:
            return None
        category = rng.choices(
            [c for c, _ in _DISABILITY_WEIGHTS], weights=[w for _, w in _DISABILITY_WEIGHTS]
        )[0]
        return category, grade

    def _key_groups(
        self, slot: _Slot, family: _Family, disability: tuple[DisabilityCategory, int] | None
    ) -> set[KeyGroup]:
        rng = self.rng
        groups: set[KeyGroup] = set()
        if family.poverty is PovertyStatus.LIFTED_OUT:
            groups.add(KeyGroup.POVERTY_LIFTED)
        elif family.poverty.is_monitored:
            groups.add(KeyGroup.MONITORED)
        if family.low_income:
            groups.add(KeyGroup.LOW_INCOME)
        if groups or rng.random() < 0.01:  # 家庭经济困难学生: the poor, and a few others
            groups.add(KeyGroup.FINANCIAL_HARDSHIP)
        if family.poverty is PovertyStatus.MONITORED_SUDDEN or rng.random() < 0.002:
            groups.add(KeyGroup.FAMILY_CRISIS)  # 突发严重困难 and other sudden changes
        minor = slot.category != "G"
        if family.migration is MigrationStatus.WORKING_AWAY and family.both_away and minor:
            groups.add(KeyGroup.LEFT_BEHIND)
        if family.migration in (MigrationStatus.MIGRANT_IN,):
            groups.add(KeyGroup.MIGRANT)
        if family.migration is MigrationStatus.WHOLE_FAMILY_AWAY and minor:
            groups.add(KeyGroup.MOVED_AWAY)  # 举家外出, registered here: 流出
        if family.situation == "ORPHAN":
            groups |= {KeyGroup.ORPHAN, KeyGroup.IN_DIFFICULTY}
        elif family.situation == "DE_FACTO":
            groups |= {KeyGroup.DE_FACTO_UNSUPPORTED, KeyGroup.IN_DIFFICULTY}
        elif family.situation == "IMPRISONED":
            groups.add(KeyGroup.PARENT_IMPRISONED)
            if rng.random() < 0.5:
                groups.add(KeyGroup.IN_DIFFICULTY)
        if disability is not None:
            groups.add(KeyGroup.DISABLED)
            if family.poverty is not PovertyStatus.NONE or family.low_income:
                groups.add(KeyGroup.IN_DIFFICULTY)
        elif rng.random() < 0.003:
            groups.add(KeyGroup.IN_DIFFICULTY)  # 重病 and other hardship
        if "LEARNING" in slot.hints or (
            slot.category == "E" and (slot.grade or 0) >= 3 and rng.random() < 0.03
        ):
            groups.add(KeyGroup.LEARNING_DIFFICULTY)
        if not self._learning_seen and slot.category == "E" and (slot.grade or 0) >= 3:
            groups.add(KeyGroup.LEARNING_DIFFICULTY)
        if KeyGroup.LEARNING_DIFFICULTY in groups:
            self._learning_seen = True
        return groups

    # -- enrolment and its history -------------------------------------------------------------

    def _enrolment(
        self,
        slot: _Slot,
        child: Child,
        family: _Family,
        disability: tuple[DisabilityCategory, int] | None,
        out: _Rows,
    ) -> Enrolment | None:
        rng, ids = self.rng, self.ids
        school, klass, grade = slot.school, slot.klass, slot.grade or 1
        if school is None:
            return None
        mode = EnrolmentMode.REGULAR
        if disability is not None and school.kind is not SchoolKind.SPECIAL:
            mode = EnrolmentMode.HOME_DELIVERED if disability[1] <= 2 else EnrolmentMode.INCLUSIVE
        elif (
            grade >= 7
            and school.rural
            and rng.random() < (0.45 if family.migration is MigrationStatus.WORKING_AWAY else 0.25)
        ):
            mode = EnrolmentMode.BOARDING
        if slot.category == "G":
            first_year = slot.birth.year + (7 if slot.birth.month >= 9 else 6)
            finished = date(first_year + 9, 7, 1)
            started = school_year_start(
                first_year + (0 if school.kind is SchoolKind.NINE_YEAR else 6)
            )
            enrolment = Enrolment(
                id=new_id(ids),
                child_id=child.id,
                school_id=school.model.id,
                school_class_id=None,
                grade=9,
                status=EnrolmentStatus.GRADUATED,
                mode=EnrolmentMode.REGULAR,
                started_on=started,
                ended_on=finished,
                is_current=True,
            )
            out.enrolments.append(enrolment)
            self._change(out, enrolment, K.ENROL, started, reason="入学")
            self._change(out, enrolment, K.GRADUATE, finished, reason="九年义务教育毕业")
            return enrolment
        first_grade = 7 if school.kind is SchoolKind.JUNIOR_MIDDLE else 1
        entered = SCHOOL_YEAR - (grade - first_grade)
        started = school_year_start(entered)
        transfer_in = KeyGroup.MIGRANT in self._groups_hint(family) and rng.random() < 0.85
        if transfer_in:
            year = rng.randint(entered, SCHOOL_YEAR)
            started = (
                date(year, 9, 1) if rng.random() < 0.7 else date(min(year + 1, SCHOOL_YEAR), 3, 1)
            )
            if started > DEMO_TODAY - timedelta(days=10):
                started = TERM_START
        enrolment = Enrolment(
            id=new_id(ids),
            child_id=child.id,
            school_id=school.model.id,
            school_class_id=klass.model.id if klass else None,
            grade=grade,
            status=EnrolmentStatus.ENROLLED,
            mode=mode,
            started_on=started,
            ended_on=None,
            is_current=True,
        )
        out.enrolments.append(enrolment)
        the_class = klass if started >= TERM_START else None
        if slot.case is not None and slot.case.new_enrolment:
            return enrolment  # its 入学 is the case's return to school
        if transfer_in:
            self._change(
                out,
                enrolment,
                K.TRANSFER_IN,
                started,
                klass=the_class,
                counterpart=names.school_elsewhere(rng, grade <= 6),
                reason=rng.choice(texts.TRANSFER_IN_REASONS),
            )
        else:
            self._change(out, enrolment, K.ENROL, started, klass=the_class, reason="入学")
        if slot.history == "suspended":
            day = random_day(rng, TERM_START + timedelta(days=5), DEMO_TODAY - timedelta(days=3))
            self._change(
                out, enrolment, K.SUSPEND, day, reason=rng.choice(texts.SUSPENSION_REASONS)
            )
        elif slot.history == "resumed":
            day = random_day(rng, max(started, date(2025, 3, 1)), date(2025, 12, 1))
            self._change(
                out, enrolment, K.SUSPEND, day, reason=rng.choice(texts.SUSPENSION_REASONS)
            )
            back = day + timedelta(days=rng.randint(60, 200))
            self._change(
                out,
                enrolment,
                K.RESUME,
                min(back, DEMO_TODAY - timedelta(days=2)),
                klass=klass,
                reason=rng.choice(texts.RESUMPTION_REASONS),
            )
        elif slot.category == "T" and slot.case is None:
            day = random_day(
                rng,
                max(started + timedelta(days=30), date(2025, 2, 20)),
                DEMO_TODAY - timedelta(days=5),
            )
            self._change(
                out,
                enrolment,
                K.TRANSFER_OUT,
                day,
                counterpart=names.school_elsewhere(rng, grade <= 6),
                reason=rng.choice(texts.TRANSFER_OUT_REASONS),
            )
        return enrolment

    @staticmethod
    def _groups_hint(family: _Family) -> set[KeyGroup]:
        return {KeyGroup.MIGRANT} if family.migration is MigrationStatus.MIGRANT_IN else set()

    def _change(
        self,
        out: _Rows,
        enrolment: Enrolment,
        kind: EnrolmentChangeKind,
        day: date,
        *,
        klass: ClassRec | None = None,
        counterpart: str = "",
        reason: str = "",
        case_id: Any = None,
    ) -> EnrolmentChange:
        """Append a 学籍异动 and bring the enrolment's status along."""
        change = EnrolmentChange(
            id=new_id(self.ids),
            enrolment_id=enrolment.id,
            child_id=enrolment.child_id,
            kind=kind,
            occurred_on=day,
            status_after=STATUS_AFTER_CHANGE[kind],
            school_class_id=klass.model.id if klass else None,
            counterpart_school=counterpart[:128],
            reason=reason[:255],
            case_id=case_id,
        )
        out.changes.append(change)
        enrolment.status = STATUS_AFTER_CHANGE[kind]
        if kind is K.TRANSFER_OUT:
            enrolment.ended_on = day
        return change

    # -- assistance, visits, support plans, 包人 -------------------------------------------------

    def _care(
        self,
        slot: _Slot,
        ctx: ChildContext,
        family: _Family,
        disability: tuple[DisabilityCategory, int] | None,
        out: _Rows,
    ) -> None:
        rng, ids = self.rng, self.ids
        child, groups = ctx.child, ctx.groups
        enrolment = ctx.enrolment
        in_school = enrolment is not None and enrolment.status in (
            EnrolmentStatus.ENROLLED,
            EnrolmentStatus.SUSPENDED,
        )
        school = slot.school
        poor = bool(groups & {KeyGroup.POVERTY_LIFTED, KeyGroup.MONITORED, KeyGroup.LOW_INCOME})
        vulnerable = groups - {KeyGroup.MIGRANT, KeyGroup.MOVED_AWAY}
        head = slot.klass.head if slot.klass else None
        teachers = school.teachers if school else []
        mentor = rng.choice(teachers) if teachers else head
        if in_school and school is not None and (poor or KeyGroup.ORPHAN in groups):
            self._assistance(slot, child, enrolment, school, groups, out)
        if disability is not None and slot.category in ("E", "S", "NE", "D"):
            placement = (
                "SPECIAL"
                if school is not None and school.kind is SchoolKind.SPECIAL
                else enrolment.mode.value
                if enrolment is not None
                and enrolment.mode in (EnrolmentMode.INCLUSIVE, EnrolmentMode.HOME_DELIVERED)
                else "NONE"
            )
            start = random_day(rng, date(2025, 8, 15), date(2026, 9, 10))
            planner = (
                self.org.special.teachers[0]
                if self.org.special and self.org.special.teachers
                else mentor
            )
            out.plans.append(
                SupportPlan(
                    id=new_id(ids),
                    child_id=child.id,
                    kind=SupportPlanKind.PLACEMENT,
                    mentor_id=planner.id if planner else None,
                    plan=texts.PLACEMENT_PLANS[placement],
                    started_on=start,
                )
            )
            if placement == "HOME_DELIVERED":
                out.plans.append(
                    SupportPlan(
                        id=new_id(ids),
                        child_id=child.id,
                        kind=SupportPlanKind.HOME_DELIVERED_TEACHING,
                        mentor_id=(head or planner).id if (head or planner) else None,
                        plan=texts.HOME_TEACHING_PLAN,
                        started_on=max(start, TERM_START),
                    )
                )
        if not in_school or not vulnerable or head is None:
            return
        if rng.random() < 0.4:
            out.plans.append(
                SupportPlan(
                    id=new_id(ids),
                    child_id=child.id,
                    kind=SupportPlanKind.ONE_STUDENT_ONE_POLICY,
                    mentor_id=head.id,
                    plan=rng.choice(texts.ONE_POLICY_PLANS),
                    started_on=random_day(rng, TERM_START, TERM_START + timedelta(days=30)),
                )
            )
        if groups & {KeyGroup.LEFT_BEHIND, KeyGroup.LEARNING_DIFFICULTY} and rng.random() < 0.3:
            ended = rng.random() < 0.2
            out.plans.append(
                SupportPlan(
                    id=new_id(ids),
                    child_id=child.id,
                    kind=SupportPlanKind.PAIRING,
                    mentor_id=(mentor or head).id,
                    plan=rng.choice(texts.PAIRING_PLANS),
                    started_on=date(2025, 9, 1)
                    if ended
                    else random_day(rng, TERM_START, date(2026, 10, 15)),
                    ended_on=date(2026, 7, 10) if ended else None,
                )
            )
        if rng.random() < 0.35:
            out.visits.append(
                HomeVisit(
                    id=new_id(ids),
                    child_id=child.id,
                    visitor_id=head.id,
                    visitor_name=head.name,
                    kind=HomeVisitKind.TEACHERS_VISIT_HOMES,
                    visited_on=random_day(rng, date(2026, 9, 20), DEMO_TODAY - timedelta(days=1)),
                    findings=rng.choice(texts.VISIT_FINDINGS),
                    follow_up_needed=rng.random() < 0.15,
                )
            )
        if rng.random() < 0.12:
            out.visits.append(
                HomeVisit(
                    id=new_id(ids),
                    child_id=child.id,
                    visitor_id=head.id,
                    visitor_name=head.name,
                    kind=HomeVisitKind.GRAND_VISIT,
                    visited_on=random_day(rng, date(2026, 7, 15), date(2026, 8, 25)),
                    findings=rng.choice(texts.VISIT_FINDINGS),
                )
            )
        if mentor is not None and slot.klass is not None and rng.random() < 0.5:
            parent = self.org.class_assignment.get(slot.klass.model.id)
            lipu = KeyGroup.POVERTY_LIFTED in groups and any(
                s.key == "脱贫户子女包保" for s in self.rules.responsibilities
            )
            out.assignments.append(
                self.org.assign(
                    mentor,
                    Duty.CHILD,
                    school=slot.school,
                    grade=slot.grade,
                    school_class=slot.klass,
                    child_id=child.id,
                    reports_to=parent,
                    source="对建档立卡脱贫户子女实行包保责任制"
                    if lipu
                    else "科任教师包人 (演示数据)",
                    ids=ids,
                )
            )

    def _assistance(
        self,
        slot: _Slot,
        child: Child,
        enrolment: Enrolment,
        school: SchoolRec,
        groups: set[KeyGroup],
        out: _Rows,
    ) -> None:
        rng, ids = self.rng, self.ids
        if rng.random() < 0.08:
            return  # not yet covered: the 资助全覆盖 check has something to find
        junior = (slot.grade or 1) >= 7
        boarding = enrolment.mode is EnrolmentMode.BOARDING

        def grant(
            programme: str,
            amount: str,
            day: date,
            funder: str,
            note: str = "",
            year: int = SCHOOL_YEAR,
        ) -> None:
            out.assistance.append(
                Assistance(
                    id=new_id(ids),
                    child_id=child.id,
                    programme=programme,
                    amount=Decimal(amount),
                    school_year=year,
                    granted_on=day,
                    funder=funder,
                    note=note,
                )
            )

        subsidy = (
            ("1250.00" if junior else "1000.00") if boarding else ("625.00" if junior else "500.00")
        )
        autumn = random_day(rng, date(2026, 9, 15), date(2026, 10, 31))
        grant(
            AssistanceProgramme.TWO_EXEMPTIONS_ONE_SUBSIDY.value,
            subsidy,
            autumn,
            "中央和地方财政",
            "免学杂费、免费提供教科书、家庭经济困难寄宿生生活补助",
        )
        if (slot.grade or 1) > 1 and rng.random() < 0.6:
            grant(
                AssistanceProgramme.TWO_EXEMPTIONS_ONE_SUBSIDY.value,
                subsidy,
                random_day(rng, date(2025, 9, 15), date(2025, 10, 31)),
                "中央和地方财政",
                year=SCHOOL_YEAR - 1,
            )
        if school.rural:
            grant(
                AssistanceProgramme.NUTRITION.value,
                "1000.00",
                autumn,
                "中央财政",
                "每生每天 5 元, 按 200 天计",
            )
        if rng.random() < 0.3:
            grant(
                AssistanceProgramme.LIVING_SUBSIDY.value,
                rng.choice(("300.00", "500.00", "600.00")),
                autumn,
                self.org.bureau_name,
            )
        if boarding and groups & {KeyGroup.LEFT_BEHIND, KeyGroup.ORPHAN}:
            grant(
                AssistanceProgramme.BOARDING_PRIORITY.value,
                "0.00",
                TERM_START,
                school.name,
                "优先安排寄宿",
            )
        if rng.random() < 0.06 or KeyGroup.ORPHAN in groups:
            grant(
                AssistanceProgramme.DONATION.value,
                rng.choice(("500.00", "800.00", "1000.00", "2000.00")),
                random_day(rng, date(2026, 6, 1), DEMO_TODAY - timedelta(days=1)),
                rng.choice(texts.FUNDERS),
            )
        if rng.random() < 0.03:
            grant(
                AssistanceProgramme.FEE_WAIVER.value,
                rng.choice(("200.00", "360.00", "800.00")),
                autumn,
                school.name,
                "校服、作业本等费用减免",
            )
        if self.extra_programmes and rng.random() < 0.12:
            grant(
                rng.choice(self.extra_programmes),
                rng.choice(("500.00", "800.00", "1000.00")),
                autumn,
                self.org.bureau_name,
            )


#: Where families who moved into the county come from (registered address).
_ORIGINS = (
    "贵州省毕节市七星关区",
    "湖南省永州市江华瑶族自治县",
    "四川省凉山彝族自治州昭觉县",
    "江西省赣州市于都县",
    "河南省周口市郸城县",
    "云南省昭通市镇雄县",
)
_PATERNAL = (GuardianRelation.FATHER, GuardianRelation.GRANDFATHER, GuardianRelation.GRANDMOTHER)


@dataclass
class _Rows:
    """The rows of one chunk, by model."""

    households: list[Household] = field(default_factory=list)
    guardians: list[Guardian] = field(default_factory=list)
    children: list[Child] = field(default_factory=list)
    key_groups: list[ChildKeyGroup] = field(default_factory=list)
    enrolments: list[Enrolment] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    events: list[CaseEvent] = field(default_factory=list)
    changes: list[EnrolmentChange] = field(default_factory=list)
    assistance: list[Assistance] = field(default_factory=list)
    visits: list[HomeVisit] = field(default_factory=list)
    plans: list[SupportPlan] = field(default_factory=list)
    assignments: list[ResponsibilityAssignment] = field(default_factory=list)
    officials: list[Official] = field(default_factory=list)

    def ordered(self) -> list[tuple[type[Model], list[Any]]]:
        return [
            (Household, self.households),
            (Guardian, self.guardians),
            (Child, self.children),
            (ChildKeyGroup, self.key_groups),
            (Enrolment, self.enrolments),
            (Case, self.cases),
            (CaseEvent, self.events),
            (EnrolmentChange, self.changes),
            (Assistance, self.assistance),
            (HomeVisit, self.visits),
            (SupportPlan, self.plans),
            (ResponsibilityAssignment, self.assignments),
        ]


async def generate_demo(
    spec: JurisdictionSpec,
    *,
    students: int,
    seed: int,
    progress: Progress | None = None,
) -> DemoSummary:
    """Write a demo county for ``spec`` into the current Tortoise context.

    ``students`` children are enrolled in compulsory education (grades 1–9); the registry
    holds more children around them. ``progress(done, total)`` is called as children are
    written. The jurisdiction must not exist yet.
    """
    if students < 1:
        raise ValueError("students must be at least 1")
    builder = _Builder(spec, students=students, seed=seed, progress=progress)
    summary = await builder.run()
    started = time.perf_counter()
    county = await Jurisdiction.get(division_code=spec.division_code)
    summary.counts.update(await generate_attendance(county.id, spec.division_code, seed))
    summary.seconds += time.perf_counter() - started
    return summary
