"""Ledger rows (台账): one plain ``dict`` per child or per case, keyed by report-field keys,
for a place, as of a day, inside the caller's scope.

The two row sources are :func:`child_rows` (学户册 and every ledger whose rows are children) and
:func:`case_rows` (every ledger whose rows are cases: 管理台账, 问题台账, 辍学学生花名册 …). Which
rows a ledger holds is its format's ``selection`` (all, suspected, confirmed, key groups,
脱贫户, moved away). A row carries what the format's columns name, from a fixed number of
statements per 500 rows (children, key groups, guardians, enrolments and their changes,
support plans, grants, visits, cases and their timelines): never one query per row.

*As of a day* means: an enrolment that had begun and not yet ended, its status after the last
学籍异动 on or before the day, a case opened by then, in the state its timeline had reached by
the end of the day, and visits, plans and grants dated by then. A case that ended before the
period began is not in a period's ledger.

Provenance: every case row says where the case came from (``case.source``: 全国平台下发疑似名单,
名册比对, 班主任上报 …) and its state; the 去向 and the 辍学原因 are the case's own columns.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import orjson
from pypika_tortoise.terms import Term
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from core.access.caller import Caller
from core.access.scope import living_or_learning_in, scoped
from core.assistance.models import Assistance, AssistanceProgramme
from core.cases.enums import CaseEventKind, CaseKind, CaseSource, CaseState, ContactOutcome
from core.cases.events import Dismissal, ReturnNotice, Transfer, payload_of
from core.cases.models import Case, CaseEvent
from core.china_time import end_of_day, local_date
from core.enrolment.models import (
    Enrolment,
    EnrolmentChange,
    EnrolmentChangeKind,
    EnrolmentMode,
    EnrolmentStatus,
)
from core.metrics.place import SchoolAge, school_year_of
from core.people.enums import (
    DisabilityCategory,
    Gender,
    GuardianRelation,
    KeyGroup,
    MigrationStatus,
    PovertyStatus,
)
from core.people.models import Child, ChildKeyGroup, Guardian, Household
from core.querysets import ids_of, ids_within, raw_values
from core.reports.attendance import Absentee, latest_follow_ups, never_arrived
from core.reports.enums import PlaceKind
from core.rules.county import CountyRules
from core.rules.enums import RowSelection
from core.schools.models import School
from core.visits.models import HomeVisit, SupportPlan, SupportPlanKind

#: Rows looked up per statement (well under every database's limit on parameters).
CHUNK = 500

#: Case kinds a dropout ledger holds (an 辍学风险预警 is not a dropout).
DROPOUT_KINDS = (CaseKind.DROPOUT, CaseKind.NEVER_ENROLLED)
SUSPECTED_STATES = frozenset({CaseState.REPORTED, CaseState.VERIFYING})
#: 确认失学辍学 and not back: confirmed, being persuaded, or out of reach.
CONFIRMED_STATES = frozenset({CaseState.CONFIRMED, CaseState.PERSUADING, CaseState.UNREACHABLE})
RETURNED_STATES = frozenset({CaseState.RETURNED, CaseState.MONITORING, CaseState.CLOSED})
_CONTACTS = (CaseEventKind.HOME_VISIT, CaseEventKind.PHONE_CALL, CaseEventKind.PERSUASION)


@dataclass(frozen=True)
class Place:
    """The extent of a report: the county, one town, one 学区/督导责任区 or one school."""

    kind: PlaceKind
    jurisdiction_id: uuid.UUID
    name: str
    id: uuid.UUID | None = None

    def school_q(self, path: str) -> Q:
        """Rows whose school (reached through ``path``) lies in the place."""
        if self.kind is PlaceKind.TOWN:
            return Q(**{f"{path}__town_id": self.id})
        if self.kind is PlaceKind.SCHOOL:
            return Q(**{f"{path}_id": self.id})
        if self.kind is PlaceKind.SCHOOL_GROUP:
            return Q(**{f"{path}__groups__id": self.id})
        return Q()

    def schools_q(self) -> Q:
        """The schools of the place (a condition on School rows)."""
        if self.kind is PlaceKind.TOWN:
            return Q(town_id=self.id)
        if self.kind is PlaceKind.SCHOOL:
            return Q(id=self.id)
        if self.kind is PlaceKind.SCHOOL_GROUP:
            return Q(groups__id=self.id)
        return Q()


#: A row's id as the database driver returns it (text on SQLite, asyncpg's UUID on PostgreSQL):
#: the ledgers read raw rows (:func:`core.querysets.raw_values`) and key them by these.
RowId = Any


def _chunks(ids: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


async def _values(
    qs_for, ids: Sequence[Any], *fields: str, within: Term | None = None
) -> list[dict[str, Any]]:
    """``fields`` of the rows ``qs_for`` selects for ``ids``, 500 ids per statement; or, given
    ``within`` (the same ids as a sub-select, :func:`core.querysets.ids_within`) and more ids
    than one statement takes, in one statement over it: a county's 学户册 is 150,000
    children, and 300 statements of 500 bound ids each cost more in building the SQL than in
    running it."""
    if within is not None and len(ids) > CHUNK:
        return await raw_values(qs_for(within), *fields)
    out: list[dict[str, Any]] = []
    for part in _chunks(ids):
        out.extend(await raw_values(qs_for(part), *fields))
    return out


def _day(value: Any) -> date:
    """A date column as the driver returned it (SQLite: ISO text)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _moment(value: Any) -> datetime:
    """A timestamp column as the driver returned it (SQLite: Tortoise's UTC text)."""
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def _member(enum: Any, value: Any) -> Any:
    """``enum(value)`` by a dictionary look-up (a county's ledger converts a million values)."""
    found = enum._value2member_map_.get(value)
    return found if found is not None else enum(value)


def _json(value: Any) -> Any:
    """A JSON column as the driver returned it (text on SQLite and asyncpg)."""
    return orjson.loads(value) if isinstance(value, (str, bytes)) else value


#: The report fields a ledger's columns name (None: every field, as a caller that reads the rows
#: themselves gets them). Each table is read only for a field that comes from it.
Fields = frozenset[str] | None


def _wants(fields: Fields, *prefixes: str) -> bool:
    """Whether any of ``fields`` starts with one of ``prefixes`` (a key or ``table.``)."""
    return fields is None or any(f.startswith(prefixes) for f in fields)


# -- which rows ----------------------------------------------------------------------------------


#: The selections of children of a group (重点群体, 脱贫户, 随家庭外出): their ledgers list the
#: group's children of compulsory-school age, not its infants or grown children.
_SCHOOL_AGE_SELECTIONS = frozenset(
    {RowSelection.KEY_GROUPS, RowSelection.POVERTY_LIFTED, RowSelection.MOVED_AWAY}
)


async def _of_school_age(qs: QuerySet[Child], rules: CountyRules, as_of: date) -> QuerySet[Child]:
    """``qs``'s children of compulsory-school age (适龄): born in the county's registry cohorts
    of the school year of ``as_of`` (:class:`core.metrics.place.SchoolAge`, the metrics' own
    window: a county whose plan covers 中学 counts grades 7–9), or on a roll of those grades now
    though born outside them (an over- or under-age pupil). Those few are looked up here, once,
    among ``qs``'s children outside the window, so that each of the ledger's statements tests
    a birth date and a short list, not a sub-select of every enrolment."""
    age = SchoolAge.for_county(rules, as_of)
    in_window = None
    for first, last in age.birth_ranges():
        cohort = Q(birth_date__gte=first, birth_date__lte=last)
        in_window = cohort if in_window is None else in_window | cohort
    outside = ids_of(qs.filter(~in_window), "id")
    pupils = Enrolment.filter(
        child_id__in=outside,
        is_current=True,
        status=EnrolmentStatus.ENROLLED,
        grade__in=list(age.grades),
    )
    found = [r["child_id"] for r in await raw_values(pupils, "child_id")]
    return qs.filter(in_window | Q(id__in=found) if found else in_window)


async def place_children(
    caller: Caller,
    place: Place,
    as_of: date,
    rules: CountyRules,
    selection: RowSelection = RowSelection.ALL,
    only: Sequence[Any] | None = None,
) -> QuerySet[Child]:
    """The children of the place's 学户册 born by ``as_of`` that ``selection`` keeps and
    ``caller`` may see (unordered)."""
    qs = scoped(Child, caller).filter(jurisdiction_id=place.jurisdiction_id, birth_date__lte=as_of)
    if only is not None:
        qs = qs.filter(id__in=list(only))
    if place.kind is PlaceKind.TOWN:
        # living in the town (户籍地) or at one of its schools: the stored keys, each read from
        # its index, as the township official's own scope reads them. (The sub-selects of the
        # town's schools' enrolments OR its villages' households had PostgreSQL count a
        # town's 学户册 for over ten minutes at 1,000,000 pupils.)
        qs = qs.filter(living_or_learning_in(place.jurisdiction_id, [place.id]))
    elif place.kind is not PlaceKind.COUNTY:
        # a sub-select by its own index (the place's schools' enrolments), not a join of
        # every child of the county to test it
        schools = ids_of(School.filter(place.schools_q()), "id")
        enrolled = Enrolment.filter(school_id__in=schools, is_current=True)
        qs = qs.filter(id__in=ids_of(enrolled, "child_id"))
    if selection is RowSelection.KEY_GROUPS:
        qs = qs.filter(id__in=ids_of(ChildKeyGroup.all(), "child_id"))
    elif selection is RowSelection.POVERTY_LIFTED:
        # by the households' index, not a join of every child of the county to its household
        lifted = Household.filter(poverty_status=PovertyStatus.LIFTED_OUT)
        qs = qs.filter(household_id__in=ids_of(lifted, "id"))
    elif selection is RowSelection.MOVED_AWAY:
        moved = ids_of(ChildKeyGroup.filter(group=KeyGroup.MOVED_AWAY), "child_id")
        away = Household.filter(migration_status=MigrationStatus.WHOLE_FAMILY_AWAY)
        qs = qs.filter(Q(id__in=moved) | Q(household_id__in=ids_of(away, "id")))
    if selection in _SCHOOL_AGE_SELECTIONS:
        qs = await _of_school_age(qs, rules, as_of)
    return qs


async def _place_children_facts(
    caller: Caller,
    place: Place,
    as_of: date,
    selection: RowSelection,
    rules: CountyRules,
    fields: Fields,
    only: Sequence[Any] | None = None,
) -> tuple[list[RowId], Term, dict[RowId, dict[str, Any]]]:
    """The children's ids in name order, the same children as a sub-select, and their own
    facts (:func:`_children`), read in the one statement that finds them."""
    qs = await place_children(caller, place, as_of, rules, selection, only)
    columns, unread = _child_columns(fields)
    rows = await raw_values(qs.order_by("name", "id"), *columns)
    ids = list(dict.fromkeys(r["id"] for r in rows))
    return ids, ids_within(qs, ids), _child_facts_of(rows, as_of, unread)


async def _case_ids(
    caller: Caller, place: Place, start: date, as_of: date, selection: RowSelection
) -> tuple[list[RowId], Term | None]:
    """The ids of the place's cases of the period in opening order that ``selection`` keeps
    (in their state as of ``as_of``), and, when it keeps every one, the same cases as a
    sub-select. A ledger of suspected or confirmed dropouts reads the kind, state and state
    changes of the period's dropout cases first, so that its other statements are bounded by
    its own rows, not by every case of the county."""
    qs = scoped(Case, caller).filter(
        jurisdiction_id=place.jurisdiction_id, opened_at__lt=end_of_day(as_of)
    )
    # a case that ended before the period began is not in it
    began = end_of_day(start - timedelta(days=1))
    qs = qs.filter(Q(closed_at__isnull=True) | Q(closed_at__gte=began))
    if place.kind is not PlaceKind.COUNTY:
        condition = place.school_q("school")
        if place.kind is PlaceKind.TOWN:
            condition |= Q(child__household__village__town_id=place.id)
        qs = qs.filter(condition)
    if selection not in (RowSelection.SUSPECTED, RowSelection.CONFIRMED):
        ordered = await raw_values(qs.order_by("opened_at", "id"), "id")
        ids = list(dict.fromkeys(r["id"] for r in ordered))
        return ids, ids_within(qs, ids)
    qs = qs.filter(kind__in=[k.value for k in DROPOUT_KINDS])
    ordered = await raw_values(qs.order_by("opened_at", "id"), "id", "state")
    candidates = list(dict.fromkeys(r["id"] for r in ordered))
    states = {r["id"]: r["state"] for r in ordered}
    for e in await _values(
        lambda p: CaseEvent.filter(
            case_id__in=p, occurred_at__lt=end_of_day(as_of), to_state__not_isnull=True
        ).order_by("occurred_at", "recorded_at"),
        candidates,
        "case_id",
        "to_state",
        within=ids_within(qs, candidates),
    ):
        if e["to_state"]:
            states[e["case_id"]] = e["to_state"]
    wanted = SUSPECTED_STATES if selection is RowSelection.SUSPECTED else CONFIRMED_STATES
    kept = {s.value for s in wanted}
    return [i for i in candidates if states[i] in kept], None


# -- child facts ---------------------------------------------------------------------------------


#: The columns of the child's household, its village and town (户籍地), each with the fields
#: that show it: each is read only for those (the village and town are joins).
_HOUSEHOLD_COLUMNS = {
    "household__registered_address": ("child.registered_address",),
    "household__current_address": ("child.current_address",),
    "household__poverty_status": (
        "child.poverty_status",
        "child.is_poverty_lifted",
        "child.family_situation",
    ),
    "household__migration_status": ("child.migration_status", "child.family_situation"),
    "household__is_low_income": ("child.family_situation",),
    "household__village__name": ("village.name",),
    "household__village__town__name": ("town.name",),
}


def _child_columns(fields: Fields) -> tuple[list[str], dict[str, None]]:
    """The columns of a child's own facts to read for ``fields``, and the household columns
    left unread (each reads as none)."""
    household = [c for c, wanted in _HOUSEHOLD_COLUMNS.items() if _wants(fields, *wanted)]
    own = ["id", "name", "gender", "birth_date", "id_number", "student_number", "ethnicity"]
    own += ["disability_category", "disability_grade", "household_id"]
    return own + household, dict.fromkeys(_HOUSEHOLD_COLUMNS.keys() - set(household))


async def _children(
    ids: Sequence[RowId], as_of: date, within: Term | None, fields: Fields = None
) -> dict[RowId, dict[str, Any]]:
    """The children's own facts; of their households', villages' and towns' only those
    ``fields`` need (the rest read as none: no household, village or town)."""
    columns, unread = _child_columns(fields)
    rows = await _values(lambda part: Child.filter(id__in=part), ids, *columns, within=within)
    return _child_facts_of(rows, as_of, unread)


def _child_facts_of(
    rows: list[dict[str, Any]], as_of: date, unread: dict[str, None]
) -> dict[RowId, dict[str, Any]]:
    """A child's own facts from its row of :func:`_child_columns`."""
    if unread:
        for r in rows:
            r.update(unread)
    out: dict[RowId, dict[str, Any]] = {}
    for r in rows:
        born = _day(r["birth_date"])
        age = as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))
        disability = ""
        if r["disability_category"]:
            disability = _member(DisabilityCategory, r["disability_category"]).label
            if r["disability_grade"]:
                disability += f"{'一二三四'[r['disability_grade'] - 1]}级"
        poverty = _member(PovertyStatus, r["household__poverty_status"] or PovertyStatus.NONE)
        migration = _member(
            MigrationStatus, r["household__migration_status"] or MigrationStatus.NONE
        )
        out[r["id"]] = {
            "_household": r["household_id"],
            "_town": r["household__village__town__name"] or "",
            "_low_income": bool(r["household__is_low_income"]),
            "town.name": r["household__village__town__name"] or "",
            "village.name": r["household__village__name"] or "",
            "child.name": r["name"],
            "child.gender": _member(Gender, r["gender"]),
            "child.id_number": r["id_number"] or "",
            "child.student_number": r["student_number"] or "",
            "child.birth_date": born,
            "child.age": age,
            "child.ethnicity": r["ethnicity"],
            "child.poverty_status": poverty,
            "child.is_poverty_lifted": poverty is PovertyStatus.LIFTED_OUT,
            "child.disability": disability,
            "child.registered_address": r["household__registered_address"] or "",
            "child.current_address": r["household__current_address"] or "",
            "child.migration_status": migration,
        }
    return out


async def _key_groups(ids: Sequence[RowId], within: Term | None) -> dict[RowId, tuple[str, ...]]:
    """Each child's key groups (重点群体) as their labels, in the order of :class:`KeyGroup`:
    written once for each combination of groups, of which a county has a few dozen."""
    codes: dict[RowId, list[str]] = defaultdict(list)
    rows = await _values(
        lambda p: ChildKeyGroup.filter(child_id__in=p), ids, "child_id", "group", within=within
    )
    for r in rows:
        codes[r["child_id"]].append(r["group"])
    order = {g.value: i for i, g in enumerate(KeyGroup)}
    labels: dict[tuple[str, ...], tuple[str, ...]] = {}
    out: dict[RowId, tuple[str, ...]] = {}
    for child_id, held in codes.items():
        key = tuple(held)
        written = labels.get(key)
        if written is None:
            ordered = sorted(key, key=order.__getitem__)
            written = labels[key] = tuple(_member(KeyGroup, g).label for g in ordered)
        out[child_id] = written
    return out


async def _guardians(
    households: Sequence[RowId], within: Term | None
) -> dict[RowId, dict[str, Any]]:
    """The guardians of ``households`` (with ``within``: of the households of those children)."""
    of_children = None
    if within is not None:
        of_children = ids_of(Child.filter(id__in=within), "household_id")
    rows = await _values(
        lambda p: Guardian.filter(household_id__in=p).order_by("-is_primary", "name"),
        households,
        "household_id",
        "name",
        "relation",
        "phone",
        "works_away",
        within=of_children,
    )
    out: dict[RowId, dict[str, Any]] = {}
    away: dict[RowId, int] = defaultdict(int)
    for r in rows:
        out.setdefault(r["household_id"], r)
        away[r["household_id"]] += bool(r["works_away"])
    for household, row in out.items():
        row["_away"] = away[household]
    return out


#: The columns of an enrolment's school and class beyond the school's name, each read only for
#: the fields that show it (each is a join).
_ENROLMENT_JOINS = {
    "school__town__name": ("town.name",),
    "school_class__name": ("enrolment.class",),
    "school_class__head_teacher__name": ("enrolment.head_teacher",),
}


async def _enrolments(
    ids: Sequence[RowId], as_of: date, within: Term | None, fields: Fields = None
) -> dict[RowId, dict[str, Any]]:
    """Each child's enrolment on ``as_of``, with its status after the last change by then;
    of its school's town, its class and the 学籍异动, only what ``fields`` need is read (the
    rest reads as none, the status as the enrolment's own)."""
    joins = [c for c, wanted in _ENROLMENT_JOINS.items() if _wants(fields, *wanted)]
    rows = await _values(
        lambda p: Enrolment.filter(child_id__in=p, started_on__lte=as_of).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=as_of) | Q(is_current=True)
        ),
        ids,
        "id",
        "child_id",
        "grade",
        "status",
        "mode",
        "started_on",
        "is_current",
        "school__name",
        "school__code",
        "school__principal_name",
        *joins,
        within=within,
    )
    best: dict[RowId, dict[str, Any]] = {}
    for r in rows:
        held = best.get(r["child_id"])
        if held is None or (r["is_current"], r["started_on"]) > (
            held["is_current"],
            held["started_on"],
        ):
            best[r["child_id"]] = r
    for c in _ENROLMENT_JOINS.keys() - set(joins):
        for r in best.values():
            r[c] = None
    if not _wants(fields, "enrolment.status", "enrolment.school_elsewhere"):
        for r in best.values():
            r["_status"] = _member(EnrolmentStatus, r["status"])
            r["_elsewhere"] = ""
        return best
    of_children = None
    if within is not None:  # the changes of every enrolment of those children (some unused)
        of_children = ids_of(Enrolment.filter(child_id__in=within), "id")
    changes = await _values(
        lambda p: EnrolmentChange.filter(enrolment_id__in=p, occurred_on__lte=as_of).order_by(
            "occurred_on", "recorded_at"
        ),
        [r["id"] for r in best.values()],
        "enrolment_id",
        "kind",
        "status_after",
        "counterpart_school",
        within=of_children,
    )
    last: dict[RowId, dict[str, Any]] = {}
    for c in changes:
        last[c["enrolment_id"]] = c
    for r in best.values():
        change = last.get(r["id"])
        r["_status"] = _member(EnrolmentStatus, change["status_after"] if change else r["status"])
        r["_elsewhere"] = (
            change["counterpart_school"]
            if change and change["kind"] == EnrolmentChangeKind.TRANSFER_OUT.value
            else ""
        )
    return best


async def _support(
    ids: Sequence[RowId], as_of: date, within: Term | None
) -> dict[RowId, dict[str, Any]]:
    rows = await _values(
        lambda p: (
            SupportPlan.filter(child_id__in=p, started_on__lte=as_of)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=as_of))
            .order_by("started_on")
        ),
        ids,
        "child_id",
        "kind",
        "plan",
        "mentor__name",
        within=within,
    )
    out: dict[RowId, dict[str, Any]] = defaultdict(dict)
    for r in rows:
        facts = out[r["child_id"]]
        kind = SupportPlanKind(r["kind"])
        if kind is SupportPlanKind.PAIRING or r["mentor__name"]:
            facts.setdefault("support.mentor", r["mentor__name"] or "")
        facts.setdefault("_plans", []).append(f"{kind.label}: {r['plan']}" if r["plan"] else "")
        for key, value in _plan_parts(r["plan"] or "").items():
            facts.setdefault(key, value)
    for facts in out.values():
        facts["support.plan"] = "; ".join(p for p in facts.pop("_plans", []) if p)
    return out


#: Words that open a part of a written plan, and the column that part fills.
_PLAN_PARTS = {"学习": "support.study", "生活": "support.life", "心理": "support.psychological"}


def _plan_parts(plan: str) -> dict[str, str]:
    """The study, life and psychological parts of a plan written ``学习: …; 生活: …``."""
    out: dict[str, str] = {}
    for part in plan.replace("；", ";").replace("。", ";").split(";"):
        text = part.strip()
        for word, key in _PLAN_PARTS.items():
            if text.startswith(word):
                out.setdefault(key, text)
    return out


async def _assistance(
    ids: Sequence[RowId],
    as_of: date,
    labels: dict[str, str],
    within: Term | None,
    amounts: bool = True,
) -> dict[RowId, dict[str, Any]]:
    """Each child's grants of the school year of ``as_of`` by ``as_of``: the programmes'
    labels, latest first, and (``amounts``) their sum."""
    school_year = school_year_of(as_of)
    rows = await _values(
        # the latest grant first, ties by programme (else the database's plan decides)
        lambda p: Assistance.filter(
            child_id__in=p, granted_on__lte=as_of, school_year=school_year
        ).order_by("-granted_on", "programme", "id"),
        ids,
        "child_id",
        "programme",
        *(("amount",) if amounts else ()),
        within=within,
    )
    label_of: dict[str, str] = {}
    programmes: dict[RowId, list[str]] = {}
    totals: dict[RowId, Decimal] = {}
    for r in rows:
        code = r["programme"]
        label = label_of.get(code)
        if label is None:
            label = label_of[code] = labels.get(code) or _programme_label(code)
        held = programmes.setdefault(r["child_id"], [])
        if label not in held:
            held.append(label)
        if amounts:
            amount = Decimal(str(r["amount"]))
            totals[r["child_id"]] = totals.get(r["child_id"], Decimal(0)) + amount
    out: dict[RowId, dict[str, Any]] = {}
    for child_id, held in programmes.items():
        out[child_id] = {"support.assistance": held}
        if amounts:
            out[child_id]["support.assistance_amount"] = totals[child_id]
    return out


def _programme_label(code: str) -> str:
    try:
        return AssistanceProgramme(code).label
    except ValueError:
        return code


async def _visits(
    ids: Sequence[RowId], start: date, as_of: date, within: Term | None
) -> dict[RowId, dict[str, Any]]:
    rows = await _values(
        lambda p: HomeVisit.filter(child_id__in=p, visited_on__lte=as_of).order_by("visited_on"),
        ids,
        "child_id",
        "visited_on",
        "findings",
        "visitor_name",
        within=within,
    )
    out: dict[RowId, dict[str, Any]] = {}
    for r in rows:
        facts = out.setdefault(r["child_id"], {"_count": 0})
        facts["_count"] += 1
        facts["visits.last_on"] = r["visited_on"]
        facts["_last"] = r
    for facts in out.values():
        last = facts.pop("_last")
        who = f" ({last['visitor_name']})" if last["visitor_name"] else ""
        facts["visits.summary"] = (
            f"{facts.pop('_count')}次; 最近 {last['visited_on']}{who}: {last['findings']}".rstrip(
                ": "
            )
        )
    return out


def _family_situation(child: dict[str, Any], guardian: dict[str, Any] | None) -> str:
    parts = []
    if child["child.poverty_status"] is not PovertyStatus.NONE:
        parts.append(child["child.poverty_status"].label)
    if child["_low_income"]:
        parts.append("低保户")
    if child["child.migration_status"] is not MigrationStatus.NONE:
        parts.append(child["child.migration_status"].label)
    if guardian is not None:
        if guardian["_away"]:
            parts.append("监护人外出务工")
        relation = _member(GuardianRelation, guardian["relation"])
        if relation in (GuardianRelation.GRANDFATHER, GuardianRelation.GRANDMOTHER):
            parts.append("随祖辈生活")
    return "、".join(parts)


async def _child_facts(
    ids: Sequence[RowId],
    start: date,
    as_of: date,
    rules: CountyRules,
    within: Term | None = None,
    fields: Fields = None,
    children: dict[RowId, dict[str, Any]] | None = None,
) -> dict[RowId, dict[str, Any]]:
    """Everything a row may say about each child, as of ``as_of`` (``within``: the same
    children as a sub-select, for many of them; ``children``: their own facts, if read
    already); of the tables beyond the child's own, only those ``fields`` need are read."""
    if children is None:
        children = await _children(ids, as_of, within, fields)
    groups: dict[RowId, tuple[str, ...]] = {}
    if _wants(fields, "child.key_groups"):
        groups = await _key_groups(ids, within)
    guardians: dict[RowId, dict[str, Any]] = {}
    if _wants(fields, "guardian.", "child.family_situation"):
        households = list(
            dict.fromkeys(c["_household"] for c in children.values() if c["_household"])
        )
        guardians = await _guardians(households, within)
    enrolments: dict[RowId, dict[str, Any]] = {}
    if _wants(fields, "enrolment.", "school.", "town.name"):
        enrolments = await _enrolments(ids, as_of, within, fields)
    support: dict[RowId, dict[str, Any]] = {}
    if _wants(fields, "support.mentor", "support.plan", "support.study", "support.life",
              "support.psychological"):  # fmt: skip
        support = await _support(ids, as_of, within)
    assistance: dict[RowId, dict[str, Any]] = {}
    if _wants(fields, "support.assistance"):
        assistance = await _assistance(
            ids,
            as_of,
            rules.assistance_programmes(),
            within,
            amounts=_wants(fields, "support.assistance_amount"),
        )
    visits: dict[RowId, dict[str, Any]] = {}
    if _wants(fields, "visits."):
        visits = await _visits(ids, start, as_of, within)
    family = _wants(fields, "child.family_situation")
    out: dict[RowId, dict[str, Any]] = {}
    for child_id in ids:
        child = children.get(child_id)
        if child is None:
            continue
        row = dict(child)
        row["child.key_groups"] = groups.get(child_id, ())
        guardian = guardians.get(child["_household"])
        if guardian is not None:
            row["guardian.name"] = guardian["name"]
            row["guardian.relation"] = _member(GuardianRelation, guardian["relation"]).label
            row["guardian.phone"] = guardian["phone"]
        if family:
            row["child.family_situation"] = _family_situation(child, guardian)
        enrolment = enrolments.get(child_id)
        if enrolment is None:
            row["enrolment.status"] = "未入学/无学籍"
        else:
            row.update(
                {
                    "school.name": enrolment["school__name"],
                    "school.code": enrolment["school__code"],
                    "school.principal": enrolment["school__principal_name"] or "",
                    "enrolment.grade": enrolment["grade"],
                    "enrolment.class": enrolment["school_class__name"] or "",
                    "enrolment.status": enrolment["_status"],
                    "enrolment.mode": _member(EnrolmentMode, enrolment["mode"]),
                    "enrolment.head_teacher": enrolment["school_class__head_teacher__name"] or "",
                    "enrolment.school_elsewhere": enrolment["_elsewhere"],
                }
            )
            if enrolment["school__town__name"]:
                row["town.name"] = enrolment["school__town__name"]
        row.update(support.get(child_id, {}))
        row.update(assistance.get(child_id, {}))
        row.update(visits.get(child_id, {}))
        row["_child_id"] = child_id
        out[child_id] = row
    return out


# -- case facts ----------------------------------------------------------------------------------


async def _case_facts(
    ids: Sequence[RowId], as_of: date, rules: CountyRules, within: Term | None = None
) -> dict[RowId, dict[str, Any]]:
    cases = await _values(
        lambda p: Case.filter(id__in=p),
        ids,
        "id",
        "child_id",
        "kind",
        "state",
        "source",
        "reason",
        "reason_detail",
        "whereabouts",
        "escalation_level",
        "opened_at",
        "closed_at",
        "school__name",
        "school__code",
        "school__town__name",
        within=within,
    )
    events = await _values(
        lambda p: CaseEvent.filter(case_id__in=p, occurred_at__lt=end_of_day(as_of)).order_by(
            "occurred_at", "recorded_at"
        ),
        ids,
        "case_id",
        "kind",
        "to_state",
        "occurred_at",
        "actor_name",
        "details",
        within=within,
    )
    timeline: dict[RowId, list[dict[str, Any]]] = defaultdict(list)
    for e in events:
        timeline[e["case_id"]].append(e)
    reasons = rules.case_reasons()
    levels = rules.escalation.levels
    out: dict[RowId, dict[str, Any]] = {}
    for c in cases:
        history = timeline.get(c["id"], [])
        state = CaseState(c["state"])
        for e in history:
            if e["to_state"]:
                state = CaseState(e["to_state"])
        level_index = c["escalation_level"]
        level = levels[min(level_index, len(levels) - 1)] if levels else None
        row: dict[str, Any] = {
            "_child_id": c["child_id"],
            "_state": state,
            "_kind": CaseKind(c["kind"]),
            "case.kind": CaseKind(c["kind"]),
            "case.state": state,
            "case.source": CaseSource(c["source"]),
            "case.reason": reasons.get(c["reason"], c["reason"]),
            "case.reason_detail": c["reason_detail"],
            "case.whereabouts": c["whereabouts"],
            "case.opened_on": local_date(_moment(c["opened_at"])),
            "case.escalation": level.name if level else "",
            "case.responsible": level.responsible if level else "",
            "case.outcome": state,
            "case.returned": state in RETURNED_STATES,
            "case.persuasion_count": 0,
        }
        if c["school__name"]:
            row["school.name"] = c["school__name"]
            row["school.code"] = c["school__code"]
        if c["school__town__name"]:
            row["town.name"] = c["school__town__name"]
        log: list[str] = []
        for e in history:
            kind = CaseEventKind(e["kind"])
            day = local_date(_moment(e["occurred_at"]))
            if kind is CaseEventKind.REPORT:
                row["case.reported_by"] = e["actor_name"]
            elif kind is CaseEventKind.VERIFICATION:
                row.setdefault("case.marked_on", day)
            elif kind is CaseEventKind.CONFIRMATION:
                row["case.verified_on"] = day
                row["case.verification"] = "确认辍学" if c["kind"] == "DROPOUT" else "确认未入学"
            elif kind is CaseEventKind.DISMISSAL:
                payload = payload_of(kind, _json(e["details"]))
                assert isinstance(payload, Dismissal)
                row["case.verified_on"] = day
                row["case.verification"] = f"排除: {payload.grounds.label}"
                if payload.school_elsewhere:
                    row["enrolment.school_elsewhere"] = payload.school_elsewhere
                    row["enrolment.proof_elsewhere"] = payload.evidence or "已核实"
            elif kind in _CONTACTS:
                row["case.persuasion_count"] += 1
                outcome = (_json(e["details"]) or {}).get("outcome")
                said = _member(ContactOutcome, outcome).label if outcome else ""
                log.append(f"{day.month}月{day.day}日{kind.label}{f' ({said})' if said else ''}")
            elif kind is CaseEventKind.RETURN_NOTICE:
                payload = payload_of(kind, _json(e["details"]))
                assert isinstance(payload, ReturnNotice)
                row["case.return_notice_on"] = payload.issued_on
                log.append(f"{day.month}月{day.day}日下达劝返复学通知书 ({payload.number})")
            elif kind is CaseEventKind.ESCALATION:
                log.append(f"{day.month}月{day.day}日上报上一级")
            elif kind is CaseEventKind.RETURN:
                row["case.returned_on"] = day
                log.append(f"{day.month}月{day.day}日复学")
            elif kind is CaseEventKind.TRANSFER:
                payload = payload_of(kind, _json(e["details"]))
                assert isinstance(payload, Transfer)
                row["enrolment.school_elsewhere"] = payload.to_school
                row["enrolment.proof_elsewhere"] = payload.transfer_document or "已办转学手续"
            elif kind is CaseEventKind.CLOSURE:
                row["case.closed_on"] = day
        row["case.persuasion_log"] = "; ".join(log)
        if state not in RETURNED_STATES:
            row.pop("case.returned_on", None)
        out[c["id"]] = row
    return out


def _selected(case: dict[str, Any], selection: RowSelection) -> bool:
    if selection is RowSelection.SUSPECTED:
        return case["_kind"] in DROPOUT_KINDS and case["_state"] in SUSPECTED_STATES
    if selection is RowSelection.CONFIRMED:
        return case["_kind"] in DROPOUT_KINDS and case["_state"] in CONFIRMED_STATES
    return True


# -- the two row sources -------------------------------------------------------------------------


async def child_rows(
    caller: Caller,
    place: Place,
    *,
    start: date,
    as_of: date,
    rules: CountyRules,
    selection: RowSelection = RowSelection.ALL,
    fields: Fields = None,
) -> list[dict[str, Any]]:
    """One row per child of the place's 学户册 (born by ``as_of``) that ``selection`` keeps and
    ``caller`` may see, with the latest case's state as 劝返情况; ``fields``: what the rows
    must carry (None: everything)."""
    absentees: dict[str, Absentee] = {}
    if selection is RowSelection.NOT_ARRIVED:
        schools = scoped(School, caller).filter(jurisdiction_id=place.jurisdiction_id)
        schools = schools.filter(place.schools_q())
        school_ids = list(await schools.values_list("id", flat=True))
        absentees = {a.child_id: a for a in await never_arrived(school_ids, start, as_of)}
        ids, within, children = await _place_children_facts(
            caller, place, as_of, selection, rules, fields, only=list(absentees)
        )
    else:
        ids, within, children = await _place_children_facts(
            caller, place, as_of, selection, rules, fields
        )
    facts = await _child_facts(ids, start, as_of, rules, within, fields, children)
    if absentees:
        follow_ups = await latest_follow_ups(list(absentees), start, as_of)
        by_text = {str(key): row for key, row in facts.items()}
        for child_id, absentee in absentees.items():
            row = by_text.get(str(child_id))
            if row is not None:
                row["attendance.absent_days"] = absentee.absent_days
                row["attendance.missing_reason"] = absentee.reason_label
                row["attendance.follow_up"] = follow_ups.get(child_id, "")
    return await _with_persuasion(caller, ids, facts, as_of, within, fields)


async def rows_of_children(
    caller: Caller,
    ids: Sequence[RowId],
    *,
    as_of: date,
    rules: CountyRules,
    fields: Fields = None,
    within: Term | None = None,
) -> list[dict[str, Any]]:
    """The rows of the children ``ids`` (a page or a chunk of a 学户册), in the order of
    ``ids``, as :func:`child_rows` gives them for the whole place: read by id, or, given
    ``within`` (a sub-select holding them) and more ids than one statement takes, over the
    sub-select, a fixed number of statements either way."""
    facts = await _child_facts(ids, as_of, as_of, rules, within, fields)
    return await _with_persuasion(caller, ids, facts, as_of, within, fields)


async def _with_persuasion(
    caller: Caller,
    ids: Sequence[RowId],
    facts: dict[RowId, dict[str, Any]],
    as_of: date,
    within: Term | None,
    fields: Fields,
) -> list[dict[str, Any]]:
    """The rows of ``ids`` in their order, with the latest case's state as 劝返情况."""
    latest: dict[RowId, tuple[datetime, CaseState]] = {}
    cases = []
    if _wants(fields, "child.persuasion_summary"):
        cases = await _values(
            lambda p: scoped(Case, caller).filter(child_id__in=p, opened_at__lt=end_of_day(as_of)),
            ids,
            "child_id",
            "opened_at",
            "state",
            within=within,
        )
    for r in cases:
        held, opened = latest.get(r["child_id"]), _moment(r["opened_at"])
        if held is None or opened > held[0]:
            latest[r["child_id"]] = (opened, CaseState(r["state"]))
    rows = []
    for child_id in ids:
        row = facts.get(child_id)
        if row is None:
            continue
        if child_id in latest:
            row["child.persuasion_summary"] = latest[child_id][1].label
        rows.append(row)
    return rows


async def case_rows(
    caller: Caller,
    place: Place,
    *,
    start: date,
    as_of: date,
    rules: CountyRules,
    selection: RowSelection = RowSelection.ALL,
    fields: Fields = None,
) -> list[dict[str, Any]]:
    """One row per case of the place open at some time in ``start``…``as_of`` that ``caller``
    may see and ``selection`` keeps (in its state as of ``as_of``), with its child's facts
    (``fields``: what the rows must carry; None: everything). Every statement is bounded by
    the ledger's own cases: selected by id, or by a sub-select of the place's cases."""
    ids, within = await _case_ids(caller, place, start, as_of, selection)
    cases = await _case_facts(ids, as_of, rules, within)
    kept = [c for c in (cases[i] for i in ids if i in cases) if _selected(c, selection)]
    of_children = None if within is None else ids_of(Case.filter(id__in=within), "child_id")
    children = await _child_facts(
        list(dict.fromkeys(c["_child_id"] for c in kept)),
        start,
        as_of,
        rules,
        of_children,
        fields,
    )
    rows = []
    for case in kept:
        row = dict(children.get(case["_child_id"], {}))
        # the case's school and town (学籍校) over the child's current ones
        row.update(case)
        rows.append(row)
    return rows
