"""The county's organisation as rows: jurisdiction, towns, villages, school groups, schools,
classes, officials and the responsibility assignments that do not name a child.

:class:`Organisation` turns a :class:`~core.jurisdictions.spec.JurisdictionSpec` and the
number of pupils per town and grade into model instances (not yet saved). Schools are sized
so that classes hold about 40–50 pupils; every kind of school appears (小学, 初级中学,
九年一贯制, one 特殊教育学校, 教学点); the schools a town spec names are built as named.
For a plugin county, the people its leadership group and responsibility table name become
officials with their assignments.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from core.demo import names
from core.demo.calendar import SCHOOL_YEAR, new_id, stream
from core.jurisdictions.models import (
    Jurisdiction,
    KeyArea,
    KeyAreaKind,
    SchoolGroup,
    SchoolGroupKind,
    Town,
    TownKind,
    Village,
    VillageKind,
)
from core.jurisdictions.spec import JurisdictionSpec, SchoolSpec
from core.officials.models import (
    Duty,
    LeadershipRole,
    Official,
    ResponsibilityAssignment,
    ResponsibilityLine,
    SchoolLeadershipGroup,
    SchoolLeadershipSeat,
)
from core.people.enums import Gender
from core.rules.county import CountyRules
from core.rules.specs import ResponsibilitySpec
from core.schools.models import School, SchoolClass, SchoolKind

GRADES = range(1, 10)
PRIMARY_GRADES = range(1, 7)
JUNIOR_GRADES = range(7, 10)
#: Grades a 教学点 teaches in the demo (the lower primary grades, one class each).
TEACHING_POINT_GRADES = range(1, 4)

_SUBJECTS = ("语文", "数学", "英语", "道德与法治", "科学", "体育", "音乐", "美术", "信息技术")
_JUNIOR_SUBJECTS = ("语文", "数学", "英语", "物理", "化学", "生物", "历史", "地理", "道德与法治")
_PLACE_FIRST = "上下大小新老石马龙凤黄白青红东西南北高长平安太永兴和福金竹松柏桃杨柳田塘岭坪"
_PLACE_SECOND = "坪冲湾塘岭坡寨坝田口头岩山桥江溪园林洞家庄"


def split(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainder: the parts add up)."""
    if total <= 0 or not weights:
        return [0] * len(weights)
    whole = sum(weights)
    if whole <= 0:
        weights, whole = [1.0] * len(weights), float(len(weights))
    raw = [total * w / whole for w in weights]
    parts = [int(r) for r in raw]
    rest = total - sum(parts)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - parts[i]), i))
    for i in order[:rest]:
        parts[i] += 1
    return parts


def short_name(town: str) -> str:
    """城关街道 → 城关, 瑶山民族乡 → 瑶山, 关峡苗族乡 → 关峡, 荔城镇 → 荔城."""
    for suffix in ("街道", "民族乡"):
        if town.endswith(suffix) and len(town) > len(suffix) + 1:
            return town[: -len(suffix)]
    match = re.fullmatch(r"(.+?)(\w族)乡", town)
    if match and len(match.group(1)) >= 2:
        return match.group(1)
    if town[-1] in "镇乡" and len(town) > 2:
        return town[:-1]
    return town


def town_minority(town: str) -> str | None:
    """The minority a 民族乡 is named after (瑶山民族乡 counts as 瑶族), or None."""
    match = re.search(r"(\w族)乡$", town)
    if match and match.group(1) != "民族":
        return match.group(1)
    if town.endswith("民族乡"):
        return "瑶族"
    return None


@dataclass(eq=False)
class ClassRec:
    model: SchoolClass
    grade: int
    school: SchoolRec
    head: Official


@dataclass(eq=False)
class SchoolRec:
    model: School
    kind: SchoolKind
    town: TownRec
    #: The grades it teaches (its kind's, within the county's scope).
    grades: tuple[int, ...]
    #: Pupils per grade the school was sized for.
    planned: dict[int, int] = field(default_factory=dict)
    classes: dict[int, list[ClassRec]] = field(default_factory=dict)
    principal: Official | None = None
    vice: Official | None = None
    teachers: list[Official] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.model.name

    @property
    def rural(self) -> bool:
        return not self.town.urban


@dataclass(eq=False)
class TownRec:
    index: int
    model: Town
    kind: TownKind
    short: str
    urban: bool
    minority: str | None
    weight: float
    villages: list[Village] = field(default_factory=list)
    schools: list[SchoolRec] = field(default_factory=list)
    officials: list[Official] = field(default_factory=list)
    cadres: dict[object, Official] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.model.name

    def classes_of(self, grade: int) -> list[ClassRec]:
        return [c for s in self.schools for c in s.classes.get(grade, ())]


class Organisation:
    """Builds the organisation rows of one county; ``rows`` lists them in insertion order."""

    def __init__(
        self, spec: JurisdictionSpec, rules: CountyRules, *, students: int, seed: int
    ) -> None:
        self.spec = spec
        self.rules = rules
        #: The grades the county's rules cover (their scope): only their schools are built.
        self.grades = rules.scope.grades
        self.students = students
        self.code = spec.division_code
        self.rng = stream(seed, self.code, "organisation")
        self.ids = stream(seed, self.code, "organisation-ids")
        self.bureau_name = spec.bureau_name
        self.jurisdiction = Jurisdiction(
            id=new_id(self.ids),
            division_code=self.code,
            name=spec.name,
            city=spec.city,
            province=spec.province,
        )
        self.towns: list[TownRec] = []
        self.groups: list[tuple[SchoolGroup, list[School]]] = []
        self.schools: list[SchoolRec] = []
        self.special: SchoolRec | None = None
        self.officials: list[Official] = []
        self.by_name: dict[str, Official] = {}
        self.bureau: dict[str, Official] = {}
        self.leaders: list[Official] = []
        self.registrars: list[Official] = []
        self.assignments: list[ResponsibilityAssignment] = []
        self.key_areas: list[KeyArea] = []
        self.school_leadership: list[SchoolLeadershipGroup] = []
        self.school_seats: list[SchoolLeadershipSeat] = []
        self.class_assignment: dict[object, ResponsibilityAssignment] = {}
        #: The town each town-bound assignment of the plugin's table covers (by row id).
        self._row_town: dict[object, str] = {}
        #: pupils per (town index, grade), decided by :meth:`allocate`.
        self.pupils: dict[tuple[int, int], int] = {}
        self._school_serial = 0
        self._build_towns()

    # -- towns and villages --------------------------------------------------------------------

    def _seat_index(self) -> int:
        towns = self.spec.towns
        for i, t in enumerate(towns):
            if t.kind is TownKind.SUBDISTRICT:
                return i
        named = [(len(t.schools), -i) for i, t in enumerate(towns)]
        best = max(named) if named else (0, 0)
        return -best[1] if best[0] > 0 else 0

    def _build_towns(self) -> None:
        seat = self._seat_index()
        for i, ts in enumerate(self.spec.towns):
            urban = i == seat or ts.kind is TownKind.SUBDISTRICT
            weight = (
                3.0
                if i == seat
                else {TownKind.SUBDISTRICT: 2.0, TownKind.TOWN: 1.0, TownKind.TOWNSHIP: 0.6}[
                    ts.kind
                ]
            )
            weight *= self.rng.uniform(0.8, 1.2)
            town = Town(
                id=new_id(self.ids),
                jurisdiction_id=self.jurisdiction.id,
                name=ts.name,
                kind=ts.kind,
                code=f"{self.code}{i + 1:03d}000",
            )
            rec = TownRec(
                index=i,
                model=town,
                kind=ts.kind,
                short=short_name(ts.name),
                urban=urban,
                minority=town_minority(ts.name),
                weight=weight,
            )
            village_specs = [(v.name, v.kind) for v in ts.villages] or self._invent_villages(rec)
            for name, kind in village_specs:
                rec.villages.append(
                    Village(id=new_id(self.ids), town_id=town.id, name=name, kind=kind)
                )
            self.towns.append(rec)
        self.seat = self.towns[seat] if self.towns else None

    def _invent_villages(self, town: TownRec) -> list[tuple[str, VillageKind]]:
        """4–8 villages (or communities, in a 街道) for a town whose spec lists none."""
        count = self.rng.randint(4, 8)
        result: list[tuple[str, VillageKind]] = []
        if town.kind is TownKind.SUBDISTRICT:
            kind, suffix = VillageKind.COMMUNITY, "社区"
        else:
            result.append((f"{town.short}社区", VillageKind.COMMUNITY))
            kind, suffix = VillageKind.VILLAGE, "村"
        seen = {n for n, _ in result}
        while len(result) < count:
            name = self.rng.choice(_PLACE_FIRST) + self.rng.choice(_PLACE_SECOND) + suffix
            if name not in seen:
                seen.add(name)
                result.append((name, kind))
        return result

    # -- pupils per town and grade -------------------------------------------------------------

    def allocate(self) -> None:
        """Split the enrolled pupils over grades and towns (every cell exact)."""
        shares = [self.rng.uniform(0.96, 1.04) if g in self.grades else 0.0 for g in GRADES]
        per_grade = split(self.students, shares)
        weights = [t.weight for t in self.towns]
        for grade, total in zip(GRADES, per_grade, strict=True):
            for town, count in zip(self.towns, split(total, weights), strict=True):
                self.pupils[(town.index, grade)] = count

    # -- schools -------------------------------------------------------------------------------

    def _school(
        self,
        town: TownRec,
        name: str,
        kind: SchoolKind,
        *,
        village: Village | None = None,
        grades: range | None = None,
    ) -> SchoolRec:
        self._school_serial += 1
        village = village or (town.villages[0] if town.villages else None)
        place = village.name if village else ""
        taught = tuple(g for g in (grades or kind.grades) if g in self.grades)
        model = School(
            id=new_id(self.ids),
            jurisdiction_id=self.jurisdiction.id,
            town_id=town.model.id,
            village_id=village.id if village else None,
            code=f"{self.code}{self._school_serial:04d}",
            name=name,
            kind=kind,
            address=f"{self.spec.name}{town.name}{place}",
        )
        rec = SchoolRec(model=model, kind=kind, town=town, grades=taught)
        town.schools.append(rec)
        self.schools.append(rec)
        return rec

    def build_schools(self) -> None:
        """The school network, sized by :meth:`allocate`'s numbers."""
        county_short = self.spec.name
        special_spec: SchoolSpec | None = None
        special_town: TownRec | None = None
        # A county whose rules cover some stages only (a plan for its 中学) gets their schools.
        teaches_primary = any(g in self.grades for g in PRIMARY_GRADES)
        teaches_junior = any(g in self.grades for g in JUNIOR_GRADES)
        urban_primary = urban_junior = 0
        # The smallest 乡 (or the last town) gets a 九年一贯制 school instead of two schools.
        townships = [t for t in self.towns if t.kind is TownKind.TOWNSHIP and not t.urban]
        nine_year_town = (
            min(townships, key=lambda t: t.weight)
            if townships
            else (self.towns[-1] if len(self.towns) > 1 else None)
        )
        rural = [t for t in self.towns if not t.urban]
        teaching_point_town = max(rural, key=lambda t: len(t.villages)) if rural else None
        for town, ts in zip(self.towns, self.spec.towns, strict=True):
            primary = sum(self.pupils[(town.index, g)] for g in PRIMARY_GRADES) / 6
            junior = sum(self.pupils[(town.index, g)] for g in JUNIOR_GRADES) / 3
            named_primary = named_junior = 0
            for school in ts.schools:
                kind = SchoolKind(school.kind)
                if kind is SchoolKind.SPECIAL:
                    # Built in the town the plugin names it in, under that town's people.
                    special_spec, special_town = special_spec or school, special_town or town
                    continue
                if not any(g in self.grades for g in kind.grades):
                    continue
                self._school(town, school.name, kind)
                named_primary += kind in (SchoolKind.PRIMARY, SchoolKind.NINE_YEAR)
                named_junior += kind in (SchoolKind.JUNIOR_MIDDLE, SchoolKind.NINE_YEAR)
            if (
                town is nine_year_town
                and teaches_primary
                and teaches_junior
                and not named_primary * named_junior
            ):
                # 九年一贯制: the town's main school teaches grades 1–9.
                self._school(town, f"{town.short}学校", SchoolKind.NINE_YEAR)
                named_primary += 1
                named_junior += 1
            wanted_primary = (max(1, round(primary / 135)) - named_primary) * teaches_primary
            for k in range(wanted_primary):
                if town.urban:
                    urban_primary += 1
                    name = (
                        f"{county_short}实验小学"
                        if urban_primary == 1
                        else f"{county_short}第{names.chinese_number(urban_primary)}小学"
                    )
                    self._school(town, name, SchoolKind.PRIMARY)
                else:
                    village = town.villages[k % len(town.villages)] if k else None
                    name = f"{town.short}中心小学" if k == 0 else f"{village.name}小学"
                    self._school(town, name, SchoolKind.PRIMARY, village=village)
            wanted_junior = (max(1, round(junior / 400)) - named_junior) * teaches_junior
            for k in range(wanted_junior):
                if town.urban:
                    urban_junior += 1
                    name = f"{county_short}第{names.chinese_number(urban_junior)}中学"
                else:
                    name = f"{town.short}中学" if k == 0 else f"{town.short}第二中学"
                self._school(town, name, SchoolKind.JUNIOR_MIDDLE)
            if not town.urban and teaches_primary:
                points = min(max(len(town.villages) - 2, 0), round(primary / 150))
                if town is teaching_point_town:
                    points = max(points, 1)
                candidates = town.villages[::-1]
                for village in candidates[:points]:
                    self._school(
                        town,
                        f"{village.name}教学点",
                        SchoolKind.TEACHING_POINT,
                        village=village,
                        grades=TEACHING_POINT_GRADES,
                    )
        home = special_town or self.seat or self.towns[0]
        special_name = special_spec.name if special_spec else f"{county_short}特殊教育学校"
        self.special = self._school(home, special_name, SchoolKind.SPECIAL)
        self._size_schools()

    def _size_schools(self) -> None:
        """Pupils per school and grade, then classes of about 40–50 (smaller in 教学点 and the
        special school). The special school takes its pupils from every town."""
        assert self.special is not None
        special_total = max(3, round(self.students * 0.0025))
        in_scope = [1.0 if g in self.grades else 0.0 for g in GRADES]
        for grade, count in zip(GRADES, split(special_total, in_scope), strict=True):
            for _ in range(count):
                town = self.rng.choices(self.towns, weights=[t.weight for t in self.towns])[0]
                if self.pupils[(town.index, grade)] > 0:
                    self.pupils[(town.index, grade)] -= 1
                    self.special.planned[grade] = self.special.planned.get(grade, 0) + 1
        for town in self.towns:
            for grade in GRADES:
                total = self.pupils[(town.index, grade)]
                schools = [
                    s
                    for s in town.schools
                    if s.kind is not SchoolKind.SPECIAL and grade in s.grades
                ]
                points = [s for s in schools if s.kind is SchoolKind.TEACHING_POINT]
                others = [s for s in schools if s.kind is not SchoolKind.TEACHING_POINT]
                for point in points:
                    share = min(12, max(1 if total >= 3 else 0, round(total * 0.08)))
                    share = min(share, total)
                    point.planned[grade] = share
                    total -= share
                weights = [
                    1.6 if s.name.endswith("中心小学") or s.name.endswith("实验小学") else 1.0
                    for s in others
                ]
                for school, count in zip(others, split(total, weights), strict=True):
                    school.planned[grade] = count
        for school in self.schools:
            for grade in school.grades:
                count = school.planned.get(grade, 0)
                if school.kind is SchoolKind.SPECIAL:
                    n = max(1, math.ceil(count / 12))
                elif school.kind is SchoolKind.TEACHING_POINT:
                    n = 1
                else:
                    n = max(1, round(count / 45))
                    while count / n > 50:
                        n += 1
                school.classes[grade] = [
                    ClassRec(model=None, grade=grade, school=school, head=None)  # type: ignore[arg-type]
                    for _ in range(n)
                ]

    def seats(self, town: TownRec, grade: int) -> list[ClassRec]:
        """One entry per pupil the town sends to ``grade``: the class the pupil sits in.

        The special school's pupils are drawn from every town; its seats are handed out by
        :meth:`special_seats`.
        """
        result: list[ClassRec] = []
        for school in town.schools:
            if school.kind is SchoolKind.SPECIAL or grade not in school.grades:
                continue
            classes = school.classes[grade]
            for i, count in enumerate(split(school.planned.get(grade, 0), [1.0] * len(classes))):
                result += [classes[i]] * count
        return result

    def special_seats(self) -> list[ClassRec]:
        assert self.special is not None
        result: list[ClassRec] = []
        for grade, classes in self.special.classes.items():
            count = self.special.planned.get(grade, 0)
            for i, n in enumerate(split(count, [1.0] * len(classes))):
                result += [classes[i]] * n
        return result

    # -- officials -----------------------------------------------------------------------------

    def _official(
        self,
        name: str,
        title: str,
        *,
        organisation: str = "",
        office: str = "",
        school: SchoolRec | None = None,
        town: TownRec | None = None,
    ) -> Official:
        official = Official(
            id=new_id(self.ids),
            jurisdiction_id=self.jurisdiction.id,
            name=name,
            title=title[:128],
            organisation=(organisation or self.bureau_name)[:128],
            office=office[:64],
            phone=names.mobile(self.rng),
            school_id=school.model.id if school else None,
            town_id=town.model.id if town else None,
        )
        self.officials.append(official)
        return official

    def _person(self, gender: Gender | None = None) -> str:
        gender = gender or self.rng.choice((Gender.MALE, Gender.FEMALE))
        return names.full_name(self.rng, gender, "adult")

    def build_officials(self) -> None:
        self._bureau()
        self._township()
        self._school_staff()

    def _bureau(self) -> None:
        """The bureau: the plugin's named leaders where it has them, invented ones otherwise."""
        leadership = self.rules.leadership
        if leadership is not None:
            for member in leadership.members:
                office = "局领导" if member.role is not LeadershipRole.MEMBER else ""
                match = re.search(r"局(.+?(?:股|室|办|中心|站))", member.title)
                if match:
                    office = match.group(1)
                official = self._official(member.name, member.title, office=office)
                self.by_name.setdefault(member.name, official)
                if member.role is LeadershipRole.LEADER:
                    self.bureau.setdefault("chief", official)
                if member.role in (LeadershipRole.LEADER, LeadershipRole.DEPUTY_LEADER):
                    self.leaders.append(official)
                if "基教股股长" in member.title:
                    self.bureau.setdefault("basic", official)
            if leadership.office is not None:
                for name in leadership.office.members:
                    if name not in self.by_name:
                        self.by_name[name] = self._official(
                            name,
                            f"{leadership.office.name}成员",
                            office=leadership.office.location.replace("市教育局", "").replace(
                                "县教育局", ""
                            ),
                        )
        for spec in self.rules.responsibilities:
            if spec.person and spec.person not in self.by_name:
                self.by_name[spec.person] = self._official(
                    spec.person, spec.title or spec.role, office=""
                )
        if "chief" not in self.bureau:
            self.bureau["chief"] = self._official(self._person(), "局长", office="局领导")
            self.leaders.append(self.bureau["chief"])
        while len(self.leaders) < 3:
            self.leaders.append(self._official(self._person(), "副局长", office="局领导"))
        if "basic" not in self.bureau:
            self.bureau["basic"] = self._official(self._person(), "基教股股长", office="基教股")
        for _ in range(2):
            self.registrars.append(self._official(self._person(), "学籍管理员", office="基教股"))
        self.bureau["registrar"] = self.registrars[0]
        self.bureau["aid"] = self._official(
            self._person(), "学生资助管理中心主任", office="学生资助管理中心"
        )
        self.bureau["inspector"] = self._official(self._person(), "督导室主任", office="督导室")

    def _township(self) -> None:
        for town in self.towns:
            if town.kind is TownKind.SUBDISTRICT:
                organisation, deputy = f"{town.name}办事处", "办事处副主任 (分管教育)"
            else:
                organisation = f"{town.name}人民政府"
                deputy = "副镇长 (分管教育)" if town.kind is TownKind.TOWN else "副乡长 (分管教育)"
            town.officials.append(
                self._official(self._person(), deputy, organisation=organisation, town=town)
            )
            town.officials.append(
                self._official(
                    self._person(),
                    "教育专干",
                    organisation=organisation,
                    office="社会事务办",
                    town=town,
                )
            )
            for village in town.villages:
                community = village.kind is VillageKind.COMMUNITY
                town.cadres[village.id] = self._official(
                    self._person(),
                    "社区居委会主任" if community else "村委会主任",
                    organisation=f"{village.name}{'居民' if community else '村民'}委员会",
                    town=town,
                )

    def _school_staff(self) -> None:
        for school in self.schools:
            head = "教学点负责人" if school.kind is SchoolKind.TEACHING_POINT else "校长"
            school.principal = self._official(
                self._person(), head, organisation=school.name, school=school, town=school.town
            )
            school.model.principal_name = school.principal.name
            n_classes = sum(len(c) for c in school.classes.values())
            if n_classes >= 9:
                school.vice = self._official(
                    self._person(),
                    "副校长 (分管控辍保学)",
                    organisation=school.name,
                    school=school,
                    town=school.town,
                )
            subjects = _JUNIOR_SUBJECTS if school.kind is SchoolKind.JUNIOR_MIDDLE else _SUBJECTS
            for grade in school.grades:
                for k, rec in enumerate(school.classes[grade]):
                    rec.head = self._official(
                        self._person(),
                        f"班主任 ({subjects[(grade + k) % 2]}教师)",
                        organisation=school.name,
                        office=f"{grade}年级",
                        school=school,
                        town=school.town,
                    )
                    rec.model = SchoolClass(
                        id=new_id(self.ids),
                        school_id=school.model.id,
                        school_year=SCHOOL_YEAR,
                        grade=grade,
                        name=f"({k + 1})班",
                        head_teacher_id=rec.head.id,
                    )
            for k in range(max(1, n_classes // 2)):
                subject = subjects[2 + k % (len(subjects) - 2)]
                school.teachers.append(
                    self._official(
                        self._person(),
                        f"科任教师 ({subject})",
                        organisation=school.name,
                        office=subject,
                        school=school,
                        town=school.town,
                    )
                )

    # -- 重点地区 --------------------------------------------------------------------------------

    def build_key_areas(self) -> None:
        """The 重点地区 the plugin marks towns and villages as; villages the demo invents that
        host a 教学点 are counted 边远 (demo data)."""
        demo = "演示数据 (文件未列出哪些乡镇/村属重点地区)"
        for town, ts in zip(self.towns, self.spec.towns, strict=True):
            for kind in ts.key_areas:
                self._key_area(kind, ts.key_areas_source or demo, town=town)
            named = {v.name: v for v in ts.villages}
            for village in town.villages:
                spec = named.get(village.name)
                for kind in spec.key_areas if spec else ():
                    self._key_area(kind, demo, town=town, village=village)
            if ts.villages:
                continue  # the plugin's own villages: only what it says
            hosts = {
                s.model.village_id for s in town.schools if s.kind is SchoolKind.TEACHING_POINT
            }
            for village in town.villages:
                if village.id in hosts:
                    self._key_area(KeyAreaKind.REMOTE, "演示数据 (教学点所在村)", town, village)

    def _key_area(
        self, kind: KeyAreaKind, source: str, town: TownRec, village: Village | None = None
    ) -> None:
        self.key_areas.append(
            KeyArea(
                id=new_id(self.ids),
                jurisdiction_id=self.jurisdiction.id,
                town_id=None if village is not None else town.model.id,
                village_id=village.id if village is not None else None,
                kind=kind,
                source=source[:128],
            )
        )

    # -- each school's 控辍保学工作领导小组 ----------------------------------------------

    def build_school_leadership(self) -> None:
        """Where the county's document asks every school for its own group led by the head
        (``LeadershipGroup.school_groups_led_by``): 校长 负总责, the vice-principal 具体负责,
        the head teachers as members (层层分解责任)."""
        leadership = self.rules.leadership
        if leadership is None or not leadership.school_groups_led_by:
            return
        source = str(leadership.clause)[:128]
        for school in self.schools:
            assert school.principal is not None
            group = SchoolLeadershipGroup(
                id=new_id(self.ids),
                jurisdiction_id=self.jurisdiction.id,
                school_id=school.model.id,
                name=f"{school.name}控辍保学工作领导小组",
                source=source,
            )
            self.school_leadership.append(group)
            seats = [(school.principal, LeadershipRole.LEADER, "负总责")]
            if school.vice is not None:
                seats.append((school.vice, LeadershipRole.DEPUTY_LEADER, "具体负责"))
            heads = [c.head for grade in school.grades for c in school.classes.get(grade, ())]
            seats += [(head, LeadershipRole.MEMBER, "班主任包班") for head in heads]
            seen: set[object] = set()
            for position, (official, role, duty) in enumerate(seats):
                if official.id in seen:
                    continue
                seen.add(official.id)
                self.school_seats.append(
                    SchoolLeadershipSeat(
                        id=new_id(self.ids),
                        group_id=group.id,
                        official_id=official.id,
                        role=role,
                        duty=duty,
                        position=position,
                    )
                )

    # -- school groups -------------------------------------------------------------------------

    def build_groups(self) -> None:
        by_town = {t.name: t for t in self.towns}
        for spec in self.spec.school_groups:
            group = SchoolGroup(
                id=new_id(self.ids),
                jurisdiction_id=self.jurisdiction.id,
                kind=SchoolGroupKind(spec.kind),
                name=spec.name,
                demo_only=spec.demo_only,
            )
            members = [
                s.model
                for name in spec.towns
                if name in by_town
                for s in by_town[name].schools
                if s.kind is not SchoolKind.SPECIAL
            ]
            self.groups.append((group, members))

    # -- responsibility assignments ------------------------------------------------------------

    def _clause(
        self,
        duty: Duty,
        *,
        person: bool = False,
        line: ResponsibilityLine = ResponsibilityLine.EDUCATION,
    ) -> ResponsibilitySpec | None:
        """The rules' line for ``duty`` (on ``line`` if there is one there), naming a person or
        not."""
        found = [
            s for s in self.rules.responsibilities if s.duty is duty and bool(s.person) == person
        ]
        return next((s for s in found if s.line is line), found[0] if found else None)

    def _source(self, spec: ResponsibilitySpec | None, fallback: str) -> str:
        if spec is None:
            return fallback
        return str(spec.clause)[:64]

    def assign(
        self,
        official: Official,
        duty: Duty,
        *,
        line: ResponsibilityLine = ResponsibilityLine.EDUCATION,
        town: TownRec | None = None,
        school: SchoolRec | None = None,
        grade: int | None = None,
        school_class: ClassRec | None = None,
        child_id: object = None,
        reports_to: ResponsibilityAssignment | None = None,
        source: str = "",
        ids: random.Random | None = None,
        village: Village | None = None,
        school_group: SchoolGroup | None = None,
    ) -> ResponsibilityAssignment:
        row = ResponsibilityAssignment(
            id=new_id(ids or self.ids),
            jurisdiction_id=self.jurisdiction.id,
            official_id=official.id,
            line=line,
            duty=duty,
            village_id=village.id if village else None,
            school_group_id=school_group.id if school_group else None,
            town_id=town.model.id if town else (school.town.model.id if school else None),
            school_id=school.model.id if school else None,
            grade=grade,
            school_class_id=school_class.model.id if school_class else None,
            child_id=child_id,
            reports_to_id=reports_to.id if reports_to else None,
            source=source[:64],
        )
        return row

    def build_assignments(self) -> None:
        """The plugin's named people first (a 包片/包乡镇 table), then 双线四包's education
        line everywhere and the government line per town and village."""
        rows = self.assignments
        edu_default = "双线四包 (演示数据)"
        by_key: dict[str, list[ResponsibilityAssignment]] = {}
        towns = {t.name: t for t in self.towns}
        schools = {s.name: s for s in self.schools}
        area_of_town: dict[str, Official] = {}
        for spec in self.rules.responsibilities:
            if not spec.person:
                continue
            official = self.by_name[spec.person]
            parent = by_key.get(spec.reports_to or "", [None])[0]
            made: list[ResponsibilityAssignment] = []
            if spec.towns:
                for name in spec.towns:
                    if name not in towns:
                        continue
                    row = self.assign(
                        official,
                        spec.duty,
                        line=spec.line,
                        town=towns[name],
                        reports_to=self._parent_for(by_key, spec, name) or parent,
                        source=self._source(spec, edu_default),
                    )
                    self._row_town[row.id] = name
                    made.append(row)
                    if spec.duty is Duty.AREA:
                        area_of_town[name] = official
            else:
                made.append(
                    self.assign(
                        official,
                        spec.duty,
                        line=spec.line,
                        reports_to=parent,
                        source=self._source(spec, edu_default),
                    )
                )
            for name in spec.schools:
                if name in schools:
                    made.append(
                        self.assign(
                            official,
                            Duty.SCHOOL,
                            line=spec.line,
                            school=schools[name],
                            reports_to=made[0] if made else parent,
                            source=self._source(spec, edu_default),
                        )
                    )
            rows += made
            by_key[spec.key] = made
        chief = self.bureau["chief"]
        overall = next((r for r in rows if r.duty is Duty.OVERALL), None)
        if overall is None:
            overall = self.assign(
                chief, Duty.OVERALL, source=self._source(self._clause(Duty.OVERALL), edu_default)
            )
            rows.append(overall)
        # 学区 and 督导责任区 between the bureau and the schools, where the rules have them.
        group_of_school = self._school_group_rows(overall)
        # 教育局领导包学校: the leader who covers the town in the plugin's table, else in turn.
        school_spec = self._clause(Duty.SCHOOL)
        for i, school in enumerate(self.schools):
            leader = area_of_town.get(school.town.name) or self.leaders[i % len(self.leaders)]
            by_leader = self.assign(
                leader,
                Duty.SCHOOL,
                school=school,
                reports_to=overall,
                source=self._source(school_spec, "教育局领导包学校 (演示数据)"),
            )
            assert school.principal is not None
            head = self.assign(
                school.principal,
                Duty.SCHOOL,
                school=school,
                reports_to=group_of_school.get(school.model.id, by_leader),
                source=self._source(school_spec, "校长是第一责任人 (演示数据)"),
            )
            rows += [by_leader, head]
            grade_lead = school.vice or school.principal
            grade_spec = self._clause(Duty.GRADE)
            class_spec = self._clause(Duty.CLASS)
            for grade in school.grades:
                per_grade = self.assign(
                    grade_lead,
                    Duty.GRADE,
                    school=school,
                    grade=grade,
                    reports_to=head,
                    source=self._source(grade_spec, "校领导包年级 (演示数据)"),
                )
                rows.append(per_grade)
                for rec in school.classes[grade]:
                    per_class = self.assign(
                        rec.head,
                        Duty.CLASS,
                        school=school,
                        grade=grade,
                        school_class=rec,
                        reports_to=per_grade,
                        source=self._source(class_spec, "班主任包班 (演示数据)"),
                    )
                    rows.append(per_class)
                    self.class_assignment[rec.model.id] = per_class
        gov = ResponsibilityLine.GOVERNMENT
        town_spec = self._clause(Duty.TOWN, line=gov)
        village_spec = self._clause(Duty.VILLAGE, line=gov)
        county = self._county_government()
        for town in self.towns:
            per_town = self.assign(
                town.officials[0],
                Duty.TOWN,
                line=gov,
                town=town,
                reports_to=county,
                source=self._source(town_spec, "乡镇政府包乡镇 (演示数据)"),
            )
            rows.append(per_town)
            by_village = {v.id: v for v in town.villages}
            for village_id, cadre in town.cadres.items():
                rows.append(
                    self.assign(
                        cadre,
                        Duty.VILLAGE,
                        line=gov,
                        town=town,
                        village=by_village[village_id],
                        reports_to=per_town,
                        source=self._source(village_spec, "村(社区)包村 (演示数据)"),
                    )
                )

    def _line_of(
        self, line: ResponsibilityLine, duty: Duty, *, named: bool | None = None
    ) -> ResponsibilitySpec | None:
        """The rules' first line for ``duty`` on ``line`` (naming a person or not, if asked)."""
        for spec in self.rules.responsibilities:
            if spec.line is line and spec.duty is duty:
                if named is None or bool(spec.person) is named:
                    return spec
        return None

    def _county_government(self) -> ResponsibilityAssignment | None:
        """The county level of the government line, where the rules have one (区、镇街、村社
        三级): its 分管教育 deputy, answering for the whole county."""
        spec = self._line_of(ResponsibilityLine.GOVERNMENT, Duty.OVERALL)
        if spec is None:
            return None
        level = self.spec.name[-1]  # 区, 县 or 市
        official = self.by_name.get(spec.person) if spec.person else None
        if official is None:
            official = self._official(
                spec.person or self._person(),
                spec.title or f"副{level}长 (分管教育)",
                organisation=f"{self.spec.name}人民政府",
            )
        row = self.assign(
            official,
            Duty.OVERALL,
            line=ResponsibilityLine.GOVERNMENT,
            source=self._source(spec, "县级政府 (演示数据)"),
        )
        self.assignments.append(row)
        return row

    def _school_group_rows(
        self, overall: ResponsibilityAssignment
    ) -> dict[object, ResponsibilityAssignment]:
        """学区 and 督导责任区 as a tier of the education line, where the rules have one (an
        AREA line naming nobody): one official per group, answering for its schools. Returns
        each school's first group row (by school id), for the 校长 to report to."""
        spec = self._line_of(ResponsibilityLine.EDUCATION, Duty.AREA, named=False)
        if spec is None or not self.groups:
            return {}
        first: dict[object, ResponsibilityAssignment] = {}
        for group, members in self.groups:
            title = "学区主任" if group.kind is SchoolGroupKind.SCHOOL_DISTRICT else "责任督学"
            official = self._official(self._person(), title, organisation=f"{group.name}")
            row = self.assign(
                official,
                Duty.AREA,
                school_group=group,
                reports_to=overall,
                source=self._source(spec, "学区、督导责任区 (演示数据)"),
            )
            self.assignments.append(row)
            for school in members:
                first.setdefault(school.id, row)
        return first

    def _parent_for(
        self,
        by_key: dict[str, list[ResponsibilityAssignment]],
        spec: ResponsibilitySpec,
        town: str,
    ) -> ResponsibilityAssignment | None:
        """The parent row covering the same town (a 包乡镇 row reports to its 包片 row there)."""
        for row in by_key.get(spec.reports_to or "", []):
            if self._row_town.get(row.id) == town:
                return row
        return None

    # -- all of it -----------------------------------------------------------------------------

    def build(self) -> None:
        self.allocate()
        self.build_schools()
        self.build_key_areas()
        self.build_officials()
        self.build_school_leadership()
        self.build_groups()
        self.build_assignments()

    def rows(self) -> list[tuple[type, list]]:
        """``(model, instances)`` in an order that satisfies every foreign key."""
        villages = [v for t in self.towns for v in t.villages]
        classes = [
            c.model for s in self.schools for grade in s.grades for c in s.classes.get(grade, ())
        ]
        return [
            (Jurisdiction, [self.jurisdiction]),
            (Town, [t.model for t in self.towns]),
            (Village, villages),
            (KeyArea, self.key_areas),
            (SchoolGroup, [g for g, _ in self.groups]),
            (School, [s.model for s in self.schools]),
            (Official, self.officials),
            (SchoolClass, classes),
            (SchoolLeadershipGroup, self.school_leadership),
            (SchoolLeadershipSeat, self.school_seats),
            (ResponsibilityAssignment, self.assignments),
        ]
