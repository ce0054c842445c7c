"""Comparisons (比对): the register against who is enrolled, and the lists other departments
hold against the register — each a recorded :class:`~core.imports.models.ComparisonRun` with a
result per child it found out of school (or per list row), and the summary counts by outcome.

* **Registry against enrolment** (学户册与学籍比对): every child of school age (:data:`SCHOOL_AGE`
  on 31 August of the school year) in the county's register who is enrolled nowhere (在读 or
  休学), not exempted (缓学/免学), not placed (一人一案, 送教上门计划) and has no open case is
  suspected out of school: a case is opened (适龄未入学 when the child was never enrolled,
  疑似辍学 otherwise) with source ``ROSTER_COMPARISON``.
* **Disabled roster** (残联名册): each disabled child matched to the register and checked the
  same way (enrolled in any way of 就读方式 including 送教上门, exempted, placed, or a case).
* **Key-group lists** (重点群体名单): each listed child matched gets the group (source: the
  list), and children whose membership came from an earlier list of the same source and who
  are not on this one lose it (``ended_on``); the listed children out of school are counted
  (the zero-dropout targets of 脱贫户/监测户).
* **The platform's suspected list** (全国平台疑似名单): each entry matched; a child not in
  school gets a case with source ``NATIONAL_PLATFORM``; the verification results can be
  exported back in the platform's layout (:func:`platform_verification_rows`).

Matching is by ID number, then by name and birth date, with the household (户: the guardian or
户主 a list names, the 户口所在地 or 现住址) deciding when the ID number is missing or disagrees
(:func:`match_rows`); the reason is kept on the result. Cases are opened through
:func:`core.cases.services.report_case`, by a caller standing for the comparison (the partner
agency that submitted the list may not write cases itself), with the run and the roster row in
the case's note and on the result. Running the same comparison again opens nothing new: a
child with an open case, or one a comparison already had verified and dismissed, is reported
as such.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from tortoise.expressions import F, Subquery
from tortoise.transactions import in_transaction

from core.access.authorise import require_permission
from core.access.caller import Caller, Scope
from core.access.enums import ActorKind, Permission, ScopeKind
from core.cases.enums import TERMINAL_STATES, CaseKind, CaseSource, CaseState
from core.cases.models import Case
from core.cases.services import ReportInput, report_case
from core.china_time import local_date
from core.enrolment.models import Enrolment, EnrolmentMode, EnrolmentStatus
from core.errors import DomainError, ErrorCode
from core.events import payloads as event_payloads
from core.events.outbox import record_event
from core.imports.formats import ImportFormat, ImportKind
from core.imports.models import (
    ComparisonKind,
    ComparisonResult,
    ComparisonRun,
    ImportJob,
    MatchOutcome,
)
from core.jurisdictions.models import Jurisdiction
from core.people.enums import DisabilityCategory, KeyGroup
from core.people.models import ACTIVE_KEY_GROUP, Child, ChildKeyGroup, Guardian
from core.people.queries import birth_dates_for_ages
from core.visits.models import SupportPlan, SupportPlanKind

#: 义务教育 ages (inclusive) on 31 August of the school year: 6 to 15.
SCHOOL_AGE = (6, 15)
#: Enrolment statuses that count as "in school" for a comparison (休学 is approved leave).
IN_SCHOOL = (EnrolmentStatus.ENROLLED, EnrolmentStatus.SUSPENDED)
PLACEMENT_PLANS = (SupportPlanKind.PLACEMENT, SupportPlanKind.HOME_DELIVERED_TEACHING)
#: Children looked up together.
_CHUNK = 1000

KIND_OF_FORMAT = {
    ImportKind.DISABLED_ROSTER: ComparisonKind.DISABLED_ROSTER,
    ImportKind.KEY_GROUP_LIST: ComparisonKind.KEY_GROUP_LIST,
    ImportKind.PLATFORM_SUSPECTED: ComparisonKind.PLATFORM_SUSPECTED,
}


def comparison_caller(jurisdiction_id: uuid.UUID, run_id: uuid.UUID) -> Caller:
    """The caller cases are opened by: the comparison itself, in the county only."""
    return Caller(
        kind=ActorKind.SYSTEM,
        label=f"comparison:{str(run_id)[:8]}",
        scope=Scope(kind=ScopeKind.COUNTY, jurisdiction_id=jurisdiction_id),
        permissions=frozenset({Permission.READ_ROSTER, Permission.WRITE_CASES}),
    )


def school_age_birth_range(today: date) -> tuple[date | None, date | None]:
    year = today.year if today.month >= 9 else today.year - 1
    return birth_dates_for_ages(SCHOOL_AGE[0], SCHOOL_AGE[1], date(year, 8, 31))


async def _county(caller: Caller, jurisdiction_id: uuid.UUID) -> Jurisdiction:
    require_permission(caller, Permission.WRITE_ROSTER, Permission.SUBMIT_ROSTER)
    own = caller.scope.jurisdiction_id if caller.scope else None
    if own is not None and own != jurisdiction_id:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            "县级行政区不存在或不在您的工作范围内",
            "no such jurisdiction within your scope",
            field="jurisdiction",
        )
    return await Jurisdiction.get(id=jurisdiction_id)


@dataclass
class _Standing:
    """Where the county's children stand: in school (here or elsewhere), exempted, placed,
    with an open case, with a comparison case already dismissed."""

    enrolled: dict[uuid.UUID, tuple[uuid.UUID, EnrolmentMode]]
    ever_enrolled: set[uuid.UUID]
    exempted: set[uuid.UUID]
    placed: set[uuid.UUID]
    open_case: dict[uuid.UUID, uuid.UUID]
    dismissed: set[uuid.UUID]

    @classmethod
    async def load(cls, child_ids: list[uuid.UUID] | None, jurisdiction_id: uuid.UUID) -> _Standing:
        def narrow(query: Any, path: str = "child_id") -> Any:
            if child_ids is None:
                return query
            return query.filter(**{f"{path}__in": child_ids})

        enrolled = {
            child: (school_jurisdiction, EnrolmentMode(mode))
            for child, school_jurisdiction, mode in await narrow(
                Enrolment.filter(is_current=True, status__in=list(IN_SCHOOL))
                if child_ids is not None
                else Enrolment.filter(
                    is_current=True,
                    status__in=list(IN_SCHOOL),
                    child__jurisdiction_id=jurisdiction_id,
                )
            ).values_list("child_id", "school__jurisdiction_id", "mode")
        }
        ever = set(
            await narrow(
                Enrolment.all()
                if child_ids is not None
                else Enrolment.filter(child__jurisdiction_id=jurisdiction_id)
            ).values_list("child_id", flat=True)
        )
        cases = await narrow(Case.filter(jurisdiction_id=jurisdiction_id)).values_list(
            "id", "child_id", "state", "source"
        )
        terminal = {s.value for s in TERMINAL_STATES}
        exempted, open_case, dismissed = set(), {}, set()
        for case_id, child_id, state, source in cases:
            state = CaseState(state)
            if state is CaseState.EXEMPTED:
                exempted.add(child_id)
            elif state.value not in terminal:
                open_case[child_id] = case_id
            elif state is CaseState.DISMISSED and CaseSource(source) in (
                CaseSource.ROSTER_COMPARISON,
                CaseSource.NATIONAL_PLATFORM,
            ):
                dismissed.add(child_id)
        placed = set(
            await narrow(
                SupportPlan.filter(kind__in=list(PLACEMENT_PLANS), ended_on__isnull=True)
                if child_ids is not None
                else SupportPlan.filter(
                    kind__in=list(PLACEMENT_PLANS),
                    ended_on__isnull=True,
                    child__jurisdiction_id=jurisdiction_id,
                )
            ).values_list("child_id", flat=True)
        )
        return cls(enrolled, ever, exempted, placed, open_case, dismissed)

    def outcome(self, child_id: uuid.UUID, county_id: uuid.UUID) -> MatchOutcome | None:
        """The child's standing, or None: out of school, with nothing to explain it."""
        if child_id in self.enrolled:
            school_county, mode = self.enrolled[child_id]
            if mode is EnrolmentMode.HOME_DELIVERED:
                return MatchOutcome.PLACED
            if school_county != county_id:
                return MatchOutcome.ENROLLED_ELSEWHERE
            return MatchOutcome.ENROLLED_HERE
        if child_id in self.exempted:
            return MatchOutcome.EXEMPTED
        if child_id in self.placed:
            return MatchOutcome.PLACED
        if child_id in self.open_case or child_id in self.dismissed:
            return MatchOutcome.HAS_CASE
        return None


async def _start(
    kind: ComparisonKind, caller: Caller, county: Jurisdiction, now: datetime, job=None
):
    return await ComparisonRun.create(
        jurisdiction=county,
        kind=kind,
        job=job,
        created_by=caller.label[:64],
        started_at=now,
    )


async def _finish(run: ComparisonRun, counts: Counter, now: datetime) -> ComparisonRun:
    """Store the run's counts and tell the bureau (its event, in the same transaction)."""
    run.counts = dict(sorted(counts.items()))
    run.finished_at = now
    async with in_transaction():
        await run.save(update_fields=["counts", "finished_at"])
        await record_event(
            event_payloads.comparison_finished(
                run=run,
                kind_label=ComparisonKind(run.kind).label,
                counts=run.counts,
                occurred_at=now,
            ),
            caller=comparison_caller(run.jurisdiction_id, run.id),
        )
    return run


async def _open_case(
    run: ComparisonRun,
    child_id: uuid.UUID,
    standing: _Standing,
    source: CaseSource,
    now: datetime,
    row: int | None,
    what: str,
) -> uuid.UUID | None:
    kind = CaseKind.DROPOUT if child_id in standing.ever_enrolled else CaseKind.NEVER_ENROLLED
    where = f"第 {row} 行" if row is not None else "学户册"
    case, _ = await report_case(
        ReportInput(
            caller=comparison_caller(run.jurisdiction_id, run.id),
            child_id=child_id,
            kind=kind,
            source=source,
            now=now,
            reason_detail=f"{what}: 未在任何学校在读",
            note=f"比对 {run.id} ({ComparisonKind(run.kind).label}), {where}"[:255],
        )
    )
    return case.id


# -- registry against enrolment ----------------------------------------------------------------


async def compare_registry_enrolment(
    caller: Caller, jurisdiction_id: uuid.UUID, now: datetime
) -> ComparisonRun:
    """学户册与学籍比对 for one county (see the module docstring)."""
    county = await _county(caller, jurisdiction_id)
    run = await _start(ComparisonKind.REGISTRY_ENROLMENT, caller, county, now)
    earliest, latest = school_age_birth_range(local_date(now))
    school_age = Child.filter(
        jurisdiction_id=county.id,
        merged_into_id__isnull=True,
        birth_date__gte=earliest,
        birth_date__lte=latest,
    )
    # the children in school here (the great majority) are only counted: the database leaves
    # them out, and only the others are looked at one by one
    in_school_here = Enrolment.filter(
        is_current=True,
        status__in=list(IN_SCHOOL),
        school__jurisdiction_id=county.id,
        child__jurisdiction_id=county.id,
    ).exclude(mode=EnrolmentMode.HOME_DELIVERED)
    total = await school_age.count()
    others = await school_age.filter(
        id__not_in=Subquery(in_school_here.values("child_id"))
    ).values_list("id", flat=True)
    counts: Counter = Counter()
    counts[MatchOutcome.ENROLLED_HERE.value] = total - len(others)
    for i in range(0, len(others), _CHUNK):
        chunk = list(others[i : i + _CHUNK])
        standing = await _Standing.load(chunk, county.id)
        results: list[ComparisonResult] = []
        for child_id in chunk:
            outcome = standing.outcome(child_id, county.id)
            case_id = standing.open_case.get(child_id)
            if outcome is None:
                case_id = await _open_case(
                    run,
                    child_id,
                    standing,
                    CaseSource.ROSTER_COMPARISON,
                    now,
                    None,
                    "学户册与学籍比对",
                )
                outcome = MatchOutcome.CASE_OPENED
            counts[outcome.value] += 1
            if outcome is not MatchOutcome.ENROLLED_HERE:
                results.append(
                    ComparisonResult(
                        run_id=run.id, child_id=child_id, outcome=outcome, case_id=case_id
                    )
                )
        await ComparisonResult.bulk_create(results, batch_size=1000)
    if not counts[MatchOutcome.ENROLLED_HERE.value]:
        del counts[MatchOutcome.ENROLLED_HERE.value]
    counts["schoolAge"] = total
    return await _finish(run, counts, now)


# -- lists against the register ----------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    child_id: uuid.UUID | None
    jurisdiction_id: uuid.UUID | None
    reason: str


#: The row's household facts (户) compared with the register's.
HOUSEHOLD_FIELDS = ("guardian_name", "registered_address", "current_address")


def _plain(text: str | None) -> str:
    return "".join((text or "").split())


@dataclass(frozen=True)
class _Household:
    """What the register knows of a child's household: the people (户主, 监护人) and addresses."""

    names: frozenset[str]
    addresses: frozenset[str]

    def agrees(self, values: dict[str, Any]) -> bool:
        """The row names the household's head or a guardian, or one of its addresses."""
        name = _plain(values.get("guardian_name"))
        places = {_plain(values.get(f)) for f in ("registered_address", "current_address")}
        return bool(name and name in self.names) or bool((places - {""}) & self.addresses)


async def _households(child_ids: list[uuid.UUID]) -> dict[uuid.UUID, _Household]:
    found: dict[uuid.UUID, _Household] = {}
    for i in range(0, len(child_ids), _CHUNK):
        rows = await Child.filter(
            id__in=child_ids[i : i + _CHUNK], household_id__isnull=False
        ).values_list(
            "id",
            "household_id",
            "household__head_name",
            "household__registered_address",
            "household__current_address",
        )
        guardians: dict[uuid.UUID, set[str]] = {}
        for household_id, name in await Guardian.filter(
            household_id__in=list({r[1] for r in rows})
        ).values_list("household_id", "name"):
            guardians.setdefault(household_id, set()).add(_plain(name))
        for child_id, household_id, head, registered, current in rows:
            names = {_plain(head), *guardians.get(household_id, ())} - {""}
            found[child_id] = _Household(
                frozenset(names), frozenset({_plain(registered), _plain(current)} - {""})
            )
    return found


async def match_rows(
    county_id: uuid.UUID, rows: list[tuple[int, dict[str, Any]]]
) -> dict[int, Match]:
    """Each row's child: by ID number (in any county); then by name and birth date in the
    county, with the household (户: the guardian or 户主 the row names, the 户口所在地 or 现住址)
    deciding when the ID number is missing or disagrees with the register's -

    * one child of that name and birth date whose household agrees: matched (``姓名、出生日期
      与户一致``);
    * several such children: the one whose household agrees, if exactly one does;
    * one child, the row's household given but not agreeing, and an ID number on each side
      that differ: not matched (two children, most likely);
    * one child and nothing to contradict it: matched by name and birth date."""
    ids = [v["id_number"] for _, v in rows if v.get("id_number")]
    by_id: dict[str, tuple[uuid.UUID, uuid.UUID]] = {}
    for i in range(0, len(ids), _CHUNK):
        for child_id, j, number in await Child.filter(
            id_number__in=ids[i : i + _CHUNK], merged_into_id__isnull=True
        ).values_list("id", "jurisdiction_id", "id_number"):
            by_id[number] = (child_id, j)
    names = list({v["name"] for _, v in rows if v.get("name") and v.get("id_number") not in by_id})
    by_name: dict[tuple[str, date], list[tuple[uuid.UUID, str | None]]] = {}
    for i in range(0, len(names), _CHUNK):
        for child_id, name, born, number in await Child.filter(
            jurisdiction_id=county_id,
            name__in=names[i : i + _CHUNK],
            merged_into_id__isnull=True,
        ).values_list("id", "name", "birth_date", "id_number"):
            by_name.setdefault((name, born), []).append((child_id, number))
    households = await _households(
        [
            child_id
            for _, v in rows
            if any(v.get(f) for f in HOUSEHOLD_FIELDS) and v.get("id_number") not in by_id
            for child_id, _ in by_name.get((v.get("name", ""), v.get("birth_date")), [])
        ]
    )
    matches: dict[int, Match] = {}
    for number, v in rows:
        found = by_id.get(v.get("id_number") or "")
        if found:
            matches[number] = Match(found[0], found[1], "身份证件号一致")
            continue
        candidates = by_name.get((v.get("name", ""), v.get("birth_date")), [])
        given = v.get("id_number")
        why = "身份证件号不符" if given else "未填身份证件号"
        has_household = any(v.get(f) for f in HOUSEHOLD_FIELDS)
        agreeing = [
            c
            for c in candidates
            if has_household and c[0] in households and households[c[0]].agrees(v)
        ]
        if len(agreeing) == 1:
            matches[number] = Match(agreeing[0][0], county_id, f"姓名、出生日期与户一致 ({why})")
        elif len(candidates) == 1:
            child_id, registered = candidates[0]
            if has_household and given and registered and registered != given:
                matches[number] = Match(
                    None, None, "同名同出生日期者身份证件号与户均不符, 应为另一人"
                )
            else:
                matches[number] = Match(child_id, county_id, f"姓名与出生日期一致 ({why})")
        elif candidates:
            matches[number] = Match(
                None, None, f"同名同出生日期 {len(candidates)} 人, 无法确定 (请核对身份证件号或户)"
            )
        else:
            matches[number] = Match(None, None, "学户册中无此身份证件号, 也无同名同出生日期者")
    return matches


async def compare_list(
    caller: Caller,
    job: ImportJob,
    fmt: ImportFormat,
    rows: list[tuple[int, dict[str, Any]]],
    now: datetime,
) -> ComparisonRun:
    """Compare the valid rows of a list (disabled roster, key-group list, platform list)."""
    county = await _county(caller, job.jurisdiction_id)
    kind = KIND_OF_FORMAT[fmt.kind]
    run = await _start(kind, caller, county, now, job)
    matches = await match_rows(county.id, rows)
    matched_ids = [m.child_id for m in matches.values() if m.child_id]
    standing = await _Standing.load(matched_ids, county.id)
    counts: Counter = Counter()
    results: list[ComparisonResult] = []

    def result(number: int, match: Match, outcome: MatchOutcome, case_id=None, detail=""):
        counts[outcome.value] += 1
        results.append(
            ComparisonResult(
                run_id=run.id,
                child_id=match.child_id,
                row_number=number,
                outcome=outcome,
                match_reason=match.reason[:64],
                case_id=case_id,
                detail=detail[:255],
            )
        )

    if kind is ComparisonKind.DISABLED_ROSTER:
        recorded = await record_disabilities(county.id, fmt, rows, matches, now)
        if recorded:
            counts["disabilityRecorded"] = recorded
    if kind is ComparisonKind.KEY_GROUP_LIST:
        await _key_groups(county.id, fmt, job, rows, matches, standing, result, counts, now)
    else:
        source = (
            CaseSource.NATIONAL_PLATFORM
            if kind is ComparisonKind.PLATFORM_SUSPECTED
            else CaseSource.ROSTER_COMPARISON
        )
        for number, values in rows:
            match = matches[number]
            if match.child_id is None:
                result(number, match, MatchOutcome.NOT_FOUND)
                continue
            if match.jurisdiction_id != county.id:
                outcome = standing.outcome(match.child_id, county.id)
                result(
                    number,
                    replace(match, reason="身份证件号一致 (登记在其他县)"),
                    MatchOutcome.ENROLLED_ELSEWHERE
                    if outcome in (MatchOutcome.ENROLLED_HERE, MatchOutcome.ENROLLED_ELSEWHERE)
                    else MatchOutcome.NOT_FOUND,
                )
                continue
            outcome = standing.outcome(match.child_id, county.id)
            if outcome is not None:
                result(number, match, outcome, standing.open_case.get(match.child_id))
                continue
            case_id = await _open_case(
                run, match.child_id, standing, source, now, number, fmt.label
            )
            standing.open_case[match.child_id] = case_id
            result(number, match, MatchOutcome.CASE_OPENED, case_id, values.get("note", ""))
    await ComparisonResult.bulk_create(results, batch_size=1000)
    return await _finish(run, counts, now)


async def record_disabilities(
    county_id: uuid.UUID,
    fmt: ImportFormat,
    rows: list[tuple[int, dict[str, Any]]],
    matches: dict[int, Match],
    now: datetime,
) -> int:
    """The disabled roster is the 残联's statement of each child's disability: a child of the
    county it matches gets the 残疾类别 and 残疾等级 it lists (when they differ; the version goes
    up) and the 残疾儿童少年 key group (source: the roster). One transaction; the number of
    children whose disability changed."""
    source = f"{fmt.source} {fmt.label}"[:128]
    today = local_date(now)
    wanted: dict[uuid.UUID, tuple[str, int | None]] = {}
    for number, values in rows:
        match = matches[number]
        if match.child_id is None or match.jurisdiction_id != county_id:
            continue
        category = values.get("disability_category")
        if category:
            wanted[match.child_id] = (category, values.get("disability_grade"))
    if not wanted:
        return 0
    changed = 0
    ids = list(wanted)
    async with in_transaction():
        for i in range(0, len(ids), 1000):
            chunk = ids[i : i + 1000]
            current = await Child.filter(id__in=chunk).values_list(
                "id", "disability_category", "disability_grade"
            )
            for child_id, category, grade in current:
                new_category, new_grade = wanted[child_id]
                if (category, grade) == (new_category, new_grade):
                    continue
                await Child.filter(id=child_id).update(
                    disability_category=DisabilityCategory(new_category),
                    disability_grade=new_grade,
                    version=F("version") + 1,
                )
                changed += 1
            grouped = set(
                await ChildKeyGroup.filter(
                    child_id__in=chunk, group=KeyGroup.DISABLED, **ACTIVE_KEY_GROUP
                ).values_list("child_id", flat=True)
            )
            for child_id in chunk:
                if child_id in grouped:
                    continue
                updated = await ChildKeyGroup.filter(
                    child_id=child_id, group=KeyGroup.DISABLED
                ).update(source=source, since=today, ended_on=None)
                if not updated:
                    await ChildKeyGroup.create(
                        child_id=child_id, group=KeyGroup.DISABLED, source=source, since=today
                    )
    return changed


async def _key_groups(county_id, fmt, job, rows, matches, standing, result, counts, now) -> None:
    group: KeyGroup = fmt.key_group
    source = f"{fmt.source} {fmt.label}"[:128]
    today = local_date(now)
    listed: set[uuid.UUID] = set()
    async with in_transaction():
        active = {
            child: src
            for child, src in await ChildKeyGroup.filter(
                child__jurisdiction_id=county_id, group=group, **ACTIVE_KEY_GROUP
            ).values_list("child_id", "source")
        }
        for number, values in rows:
            match = matches[number]
            if match.child_id is None or match.jurisdiction_id != county_id:
                result(number, match, MatchOutcome.NOT_FOUND)
                continue
            listed.add(match.child_id)
            if match.child_id in active:
                result(number, match, MatchOutcome.FLAG_KEPT)
            else:
                since = values.get("since") or today
                updated = await ChildKeyGroup.filter(child_id=match.child_id, group=group).update(
                    source=source, since=since, ended_on=None
                )
                if not updated:
                    await ChildKeyGroup.create(
                        child_id=match.child_id, group=group, source=source, since=since
                    )
                result(number, match, MatchOutcome.FLAG_ADDED)
            outcome = standing.outcome(match.child_id, county_id)
            if outcome is None or match.child_id in standing.open_case:
                counts["outOfSchoolOrCase"] += 1
        # memberships an earlier list of the same source gave, and this list no longer states
        stale = [c for c, src in active.items() if src == source and c not in listed]
        if stale:
            await ChildKeyGroup.filter(child_id__in=stale, group=group, **ACTIVE_KEY_GROUP).update(
                ended_on=today
            )
        for child_id in stale:
            result(None, Match(child_id, county_id, "不在本次名单中"), MatchOutcome.FLAG_EXPIRED)


async def compare_after_import(caller: Caller, job: ImportJob, now: datetime) -> ComparisonRun:
    """The comparison an import's format calls for: the register's own for the 学籍 roster and
    the 学户册, the list's for the others."""
    from core.imports.services import formats_for

    county = await Jurisdiction.get(id=job.jurisdiction_id)
    fmt = formats_for(county.division_code)[job.format_code]
    if fmt.kind in (ImportKind.STUDENT_ROSTER, ImportKind.HOUSEHOLD_REGISTER):
        return await compare_registry_enrolment(caller, county.id, now)
    rows = job.checked.list_rows  # type: ignore[attr-defined]
    return await compare_list(caller, job, fmt, rows, now)


async def platform_verification_rows(run: ComparisonRun) -> list[list[str]]:
    """The platform list's entries with their verification result (核查结果), for the reply."""
    results = (
        await ComparisonResult.filter(run=run)
        .order_by("row_number")
        .values(
            "row_number", "outcome", "match_reason", "case_id", "child__name", "child__id_number"
        )
    )
    rows = [["行号", "姓名", "身份证件号", "核查结果", "匹配依据", "个案"]]
    for r in results:
        rows.append(
            [
                str(r["row_number"] or ""),
                r["child__name"] or "",
                r["child__id_number"] or "",
                MatchOutcome(r["outcome"]).label,
                r["match_reason"],
                str(r["case_id"] or ""),
            ]
        )
    return rows
