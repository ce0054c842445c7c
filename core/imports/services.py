"""Importing a roster (名册导入): check every row before anything is written, then write the
whole import in one transaction.

:func:`run_import` is what the command line and the API call, with their own caller. It

1. checks the caller: ``WRITE_ROSTER`` (and ``WRITE_ENROLMENT`` for the 学籍 roster) in the
   county the import is for; a partner agency's ``SUBMIT_ROSTER`` for the lists it holds
   (disabled roster, key-group lists, the platform's suspected list), which are compared, not
   written to the register;
2. records the job (who, when, the file's SHA-256, format, mode) and holds the county and
   format (``running_key``): a second import of the same format in the same county is refused
   while one runs;
3. reads the file (streamed) and checks every row with the registry's own checks
   (:mod:`core.imports.rows`), then against the file (the same 学籍号 or ID number twice) and
   the registry (a number registered to another child or in another county, schools and classes
   the county does not know);
4. plans each valid row: new, updated, unchanged, and the 学籍异动 it implies (入学, 转学,
   变更就读方式), and lists the children whose enrolment at a school of the file is no longer on
   the roster (left for a person to record: 转出, 辍学 … cannot be guessed);
5. unless it is a dry run, or the mode is ``ALL`` and any row was refused, writes the plan in
   **one transaction** together with the job's final state: killed half-way, the database keeps
   nothing of it (the job stays ``RUNNING`` without a heartbeat and is marked ``FAILED`` the next
   time anyone imports).

Re-importing the same file plans nothing: children are matched by 学籍号, then ID number, and
only differing fields are written.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from core.access.authorise import require_permission
from core.access.caller import Caller
from core.access.enums import Permission
from core.china_time import local_date
from core.enrolment.models import (
    STATUS_AFTER_CHANGE,
    Enrolment,
    EnrolmentChange,
    EnrolmentChangeKind,
    EnrolmentMode,
    EnrolmentStatus,
)
from core.errors import DomainError, ErrorCode
from core.imports.formats import CORE_FORMATS, ImportFormat, ImportKind
from core.imports.models import ImportJob, ImportMode, ImportState
from core.imports.reading import file_checksum, read_rows
from core.imports.rows import RowIssue, check_row
from core.jurisdictions.models import Jurisdiction
from core.people.enums import Gender, KeyGroup
from core.people.models import ACTIVE_KEY_GROUP, Child, ChildKeyGroup, Household
from core.schools.models import School, SchoolClass

#: Rows looked up and written per batch.
BATCH = 1000
#: A running job whose heartbeat is older than this was interrupted (its process died).
STALE_AFTER = timedelta(minutes=10)
#: Progress is reported (and the heartbeat written) every this many rows.
PROGRESS_EVERY = 5000

#: Formats whose rows enter the register; the others are compared only.
REGISTER_KINDS = frozenset({ImportKind.STUDENT_ROSTER, ImportKind.HOUSEHOLD_REGISTER})

#: Child columns an import may set, as the registry names them.
CHILD_FIELDS = ("name", "gender", "birth_date", "id_number", "student_number", "ethnicity")


def formats_for(jurisdiction_code: str | None) -> dict[str, ImportFormat]:
    """The county's import formats by code: core's (:data:`CORE_FORMATS`, the default answer of
    the ``baoxue_import_formats`` hook) with its plugin's, replacing by ``code``."""
    from core.plugins import rules_for

    if not jurisdiction_code:
        return dict(CORE_FORMATS)
    return {fmt.code: fmt for fmt in rules_for(jurisdiction_code).import_formats}


def school_year_of(day: date) -> int:
    """学年: the year it started (1 September)."""
    return day.year if day.month >= 9 else day.year - 1


def class_key(name: str) -> str:
    """A class name as compared: ``(2)班``, ``（2）班``, ``2班`` are one class."""
    text = "".join(name.split())
    for ch in "()（）班":
        text = text.replace(ch, "")
    return text


@dataclass(frozen=True)
class ImportRequest:
    caller: Caller
    format_code: str
    path: Path
    now: datetime
    jurisdiction_code: str | None = None
    file_name: str = ""
    mode: ImportMode = ImportMode.ALL
    dry_run: bool = False
    #: Run the format's comparison once written (always, for a list: comparing is its use).
    compare: bool = False
    #: Called with the rows read so far (every :data:`PROGRESS_EVERY` rows and at the end).
    progress: Callable[[int], None] | None = None
    #: Called with the job once it is recorded, before any row is read (the API answers
    #: with it and lets the import run on in the background).
    started: Callable[[ImportJob], None] | None = None


@dataclass
class ChildPlan:
    """What one valid row does."""

    row: int
    values: dict[str, Any]
    child_id: uuid.UUID | None = None
    #: Columns of an existing child that change.
    changed: dict[str, Any] = field(default_factory=dict)
    #: 学籍: (school_id, class_id, grade, mode) the row says, and what to do about it.
    placement: tuple[uuid.UUID, uuid.UUID | None, int, EnrolmentMode] | None = None
    enrolment_action: str = ""  # "", ENROL, TRANSFER, UPDATE, CHANGE_MODE
    current: dict[str, Any] | None = None
    groups_on: tuple[KeyGroup, ...] = ()
    groups_off: tuple[KeyGroup, ...] = ()
    #: No child of the registry matched the row: it enters the register.
    is_new: bool = True

    @property
    def is_change(self) -> bool:
        return bool(self.changed or self.enrolment_action or self.groups_on or self.groups_off)


def _issue_dict(issue: RowIssue) -> dict[str, Any]:
    return {
        "row": issue.row,
        "column": issue.column,
        "value": issue.value,
        "code": issue.code.value,
        "reasonZh": issue.zh,
        "reasonEn": issue.en,
    }


# -- who may import what -----------------------------------------------------------------------


async def _jurisdiction(caller: Caller, code: str | None) -> Jurisdiction:
    own = caller.scope.jurisdiction_id if caller.scope else None
    if code:
        jurisdiction = await Jurisdiction.get_or_none(division_code=code)
    elif own is not None:
        jurisdiction = await Jurisdiction.get_or_none(id=own)
    else:
        raise DomainError(
            ErrorCode.REQUIRED,
            "须指明县级行政区 (--jurisdiction)",
            "the jurisdiction is required",
            field="jurisdiction",
        )
    if jurisdiction is None or (own is not None and jurisdiction.id != own):
        raise DomainError(
            ErrorCode.NOT_FOUND,
            "县级行政区不存在或不在您的工作范围内",
            "no such jurisdiction within your scope",
            field="jurisdiction",
        )
    scope = caller.scope
    if scope is not None and (scope.town_ids or scope.school_id or scope.class_id):
        raise DomainError(
            ErrorCode.FORBIDDEN,
            "名册导入须由县级账号或密钥办理",
            "a roster is imported by a county-wide account or key",
        )
    return jurisdiction


def authorise_import(caller: Caller, fmt: ImportFormat) -> Caller:
    if fmt.kind is ImportKind.STUDENT_ROSTER:
        require_permission(caller, Permission.WRITE_ROSTER)
        return require_permission(caller, Permission.WRITE_ENROLMENT)
    if fmt.kind in REGISTER_KINDS:
        return require_permission(caller, Permission.WRITE_ROSTER)
    return require_permission(caller, Permission.WRITE_ROSTER, Permission.SUBMIT_ROSTER)


async def import_county(caller: Caller, jurisdiction_code: str | None = None) -> Jurisdiction:
    """The county an import or a comparison is for: the caller's own (``jurisdiction_code``
    may only name it again), or the one named for a caller who reaches every county."""
    return await _jurisdiction(caller, jurisdiction_code)


async def import_target(
    caller: Caller, format_code: str, jurisdiction_code: str | None = None
) -> tuple[Jurisdiction, ImportFormat]:
    """The county and the format an import is for, once the caller may import it there:
    ``NOT_FOUND`` for a county outside the caller's scope or a format the county does not
    have (field ``format``), ``FORBIDDEN`` for a caller who may not import that roster."""
    jurisdiction = await _jurisdiction(caller, jurisdiction_code)
    formats = formats_for(jurisdiction.division_code)
    fmt = formats.get(format_code.strip().upper())
    if fmt is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            f"没有导入格式 {format_code} (可用: {', '.join(formats)})",
            f"no import format {format_code}",
            field="format",
        )
    authorise_import(caller, fmt)
    return jurisdiction, fmt


# -- jobs ----------------------------------------------------------------------------------


def running_key(jurisdiction_id: uuid.UUID, format_code: str) -> str:
    return f"{jurisdiction_id}:{format_code}"[:64]


async def fail_interrupted(now: datetime) -> int:
    """Mark ``FAILED`` the jobs left ``RUNNING`` by a process that died (no heartbeat for
    :data:`STALE_AFTER`): their transaction was never committed, so nothing of them is kept."""
    return await ImportJob.filter(
        state=ImportState.RUNNING, heartbeat_at__lt=now - STALE_AFTER
    ).update(
        state=ImportState.FAILED,
        running_key=None,
        finished_at=now,
        message="导入中断 (进程退出), 未写入任何数据 / interrupted: nothing was written",
    )


async def _start_job(
    req: ImportRequest, jurisdiction: Jurisdiction, fmt: ImportFormat, checksum: str
) -> ImportJob:
    await fail_interrupted(req.now)
    try:
        return await ImportJob.create(
            jurisdiction=jurisdiction,
            format_code=fmt.code,
            file_name=(req.file_name or req.path.name)[:255],
            checksum=checksum,
            mode=req.mode,
            dry_run=req.dry_run,
            state=ImportState.RUNNING,
            created_by=req.caller.label[:64],
            actor_kind=req.caller.kind.value,
            account_id=req.caller.account_id,
            api_key_id=req.caller.api_key_id,
            started_at=req.now,
            heartbeat_at=req.now,
            running_key=running_key(jurisdiction.id, fmt.code),
        )
    except IntegrityError:
        raise DomainError(
            ErrorCode.CONFLICT,
            f"本县已有一个「{fmt.label}」导入正在进行, 请等待其完成",
            f"an import of {fmt.code} is already running for this county",
            field="format",
        ) from None


# -- checking and planning ---------------------------------------------------------------------


class _Context:
    """What checking a county's rows needs: its schools and this year's classes."""

    def __init__(self, jurisdiction: Jurisdiction, today: date) -> None:
        self.jurisdiction = jurisdiction
        self.today = today
        self.schools: dict[str, uuid.UUID] = {}
        self.classes: dict[tuple[uuid.UUID, int, str], uuid.UUID] = {}

    async def load(self) -> None:
        for school_id, code in await School.filter(
            jurisdiction_id=self.jurisdiction.id
        ).values_list("id", "code"):
            self.schools[code] = school_id
        year = school_year_of(self.today)
        rows = await SchoolClass.filter(
            school__jurisdiction_id=self.jurisdiction.id, school_year=year
        ).values_list("id", "school_id", "grade", "name")
        for class_id, school_id, grade, name in rows:
            self.classes[(school_id, grade, class_key(name))] = class_id


def _refuse(fmt: ImportFormat, row: int, fld: str, value: str, code: ErrorCode, zh: str, en: str):
    column = fmt.column(fld)
    return RowIssue(row, column.header if column else fld, value, code, zh, en)


async def _existing(
    plans: list[ChildPlan],
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    numbers = [p.values["student_number"] for p in plans if p.values.get("student_number")]
    ids = [p.values["id_number"] for p in plans if p.values.get("id_number")]
    wanted = ("id", "jurisdiction_id", "household_id", *CHILD_FIELDS, "disability_category")
    by_number: dict[str, dict[str, Any]] = {}
    by_id: dict[str, dict[str, Any]] = {}
    if numbers:
        for row in await Child.filter(student_number__in=numbers).values(*wanted):
            by_number[row["student_number"]] = row
    if ids:
        # a child already found by 学籍号 needs only its id here (to tell two children apart)
        for child_id, number in await Child.filter(id_number__in=ids).values_list(
            "id", "id_number"
        ):
            by_id[number] = {"id": child_id}
        known = {row["id"]: row for row in by_number.values()}
        others = [n for n, row in by_id.items() if row["id"] not in known]
        if others:
            for row in await Child.filter(id_number__in=others).values(*wanted):
                by_id[row["id_number"]] = row
        for number, row in by_id.items():
            if row["id"] in known:
                by_id[number] = known[row["id"]]
    return by_number, by_id


async def _current_enrolments(child_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    if not child_ids:
        return {}
    rows = await Enrolment.filter(child_id__in=child_ids, is_current=True).values(
        "id", "child_id", "school_id", "school_class_id", "grade", "status", "mode", "version"
    )
    return {r["child_id"]: r for r in rows}


async def _active_groups(child_ids: list[uuid.UUID]) -> dict[uuid.UUID, set[KeyGroup]]:
    found: dict[uuid.UUID, set[KeyGroup]] = {}
    if child_ids:
        for child_id, group in await ChildKeyGroup.filter(
            child_id__in=child_ids, **ACTIVE_KEY_GROUP
        ).values_list("child_id", "group"):
            found.setdefault(child_id, set()).add(KeyGroup(group))
    return found


_FLAG_COLUMNS = {"left_behind": KeyGroup.LEFT_BEHIND, "migrant": KeyGroup.MIGRANT}


async def _plan_batch(
    fmt: ImportFormat, ctx: _Context, batch: list[ChildPlan], issues: list[RowIssue]
) -> list[ChildPlan]:
    """Match a batch of valid rows against the registry; the rows still valid, planned."""
    by_number, by_id = await _existing(batch)
    kept: list[ChildPlan] = []
    for plan in batch:
        v = plan.values
        a = by_number.get(v.get("student_number") or "")
        b = by_id.get(v.get("id_number") or "")
        if a and b and a["id"] != b["id"]:
            issues.append(
                _refuse(
                    fmt,
                    plan.row,
                    "id_number",
                    v["id_number"],
                    ErrorCode.DUPLICATE,
                    "身份证件号已登记在另一名儿童名下 (与学籍号所属儿童不同), 请先核查或合并",
                    "the ID number belongs to another child than the student number does",
                )
            )
            continue
        match = a or b
        if match and match["jurisdiction_id"] != ctx.jurisdiction.id:
            fld = "student_number" if a else "id_number"
            issues.append(
                _refuse(
                    fmt,
                    plan.row,
                    fld,
                    v.get(fld, ""),
                    ErrorCode.DUPLICATE,
                    "该儿童已登记在另一县 (请经县教育局核查后办理转学)",
                    "the child is registered in another county",
                )
            )
            continue
        if match:
            plan.child_id = match["id"]
            plan.is_new = False
            for name in CHILD_FIELDS:
                if name not in v or v[name] in (None, ""):
                    continue
                new = v[name]
                old = match[name]
                if hasattr(old, "value"):
                    old = old.value
                if new != old:
                    plan.changed[name] = new
            if "disability_category" in v:
                old = match["disability_category"]
                old = old.value if hasattr(old, "value") else old
                if v["disability_category"] != old:
                    plan.changed["disability_category"] = v["disability_category"]
        kept.append(plan)
    existing_ids = [p.child_id for p in kept if p.child_id]
    currents = await _current_enrolments(existing_ids)
    groups = await _active_groups(existing_ids)
    for plan in kept:
        if plan.placement is not None:
            school_id, class_id, grade, mode = plan.placement
            current = currents.get(plan.child_id) if plan.child_id else None
            plan.current = current
            if current is None or current["status"] not in (
                EnrolmentStatus.ENROLLED,
                EnrolmentStatus.SUSPENDED,
            ):
                plan.enrolment_action = "ENROL"
            elif current["school_id"] != school_id:
                plan.enrolment_action = "TRANSFER"
            elif current["mode"] != mode:
                plan.enrolment_action = "CHANGE_MODE"
            elif current["grade"] != grade or current["school_class_id"] != class_id:
                plan.enrolment_action = "UPDATE"
        have = groups.get(plan.child_id, set()) if plan.child_id else set()
        on, off = [], []
        for column, group in _FLAG_COLUMNS.items():
            if column not in plan.values:
                continue
            if plan.values[column] and group not in have:
                on.append(group)
            elif not plan.values[column] and group in have:
                off.append(group)
        plan.groups_on, plan.groups_off = tuple(on), tuple(off)
    return kept


@dataclass
class Checked:
    """The outcome of checking a file: the plans of valid rows, the issues, the rows read."""

    plans: list[ChildPlan]
    issues: list[RowIssue]
    rows: int
    missing: list[dict[str, Any]]
    list_rows: list[tuple[int, dict[str, Any]]]


def _placement(
    fmt: ImportFormat, ctx: _Context, number: int, v: dict[str, Any], issues: list[RowIssue]
):
    school_id = ctx.schools.get(v.get("school_code", ""))
    if school_id is None:
        issues.append(
            _refuse(
                fmt,
                number,
                "school_code",
                v.get("school_code", ""),
                ErrorCode.NOT_FOUND,
                "学校标识码不是本县已登记的学校",
                "no school of this county has this code",
            )
        )
        return None
    grade = v["grade"]
    class_id = None
    if v.get("class_name"):
        class_id = ctx.classes.get((school_id, grade, class_key(v["class_name"])))
        if class_id is None:
            issues.append(
                _refuse(
                    fmt,
                    number,
                    "class_name",
                    v["class_name"],
                    ErrorCode.NOT_FOUND,
                    f"该校本学年没有{grade}年级的这个班级",
                    f"the school has no such class in grade {grade} this school year",
                )
            )
            return None
    return school_id, class_id, grade, EnrolmentMode(v.get("mode") or "REGULAR")


async def check_file(
    fmt: ImportFormat, ctx: _Context, path: Path, report: Callable[[int], Any]
) -> Checked:
    issues: list[RowIssue] = []
    plans: list[ChildPlan] = []
    list_rows: list[tuple[int, dict[str, Any]]] = []
    seen_numbers: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    batch: list[ChildPlan] = []
    rows = 0
    for number, cells in read_rows(fmt, path):
        rows += 1
        if rows % PROGRESS_EVERY == 0:
            await report(rows)
        values, row_issues = check_row(fmt, number, cells, ctx.today)
        if row_issues:
            issues.extend(row_issues)
            continue
        duplicate = False
        for fld, seen in (("student_number", seen_numbers), ("id_number", seen_ids)):
            key = values.get(fld)
            if not key:
                continue
            if key in seen:
                issues.append(
                    _refuse(
                        fmt,
                        number,
                        fld,
                        key,
                        ErrorCode.DUPLICATE,
                        f"与第 {seen[key]} 行重复",
                        f"the same as row {seen[key]}",
                    )
                )
                duplicate = True
            else:
                seen[key] = number
        if duplicate:
            continue
        if fmt.kind not in REGISTER_KINDS:
            list_rows.append((number, values))
            continue
        plan = ChildPlan(row=number, values=values)
        if fmt.kind is ImportKind.STUDENT_ROSTER:
            plan.placement = _placement(fmt, ctx, number, values, issues)
            if plan.placement is None:
                continue
        batch.append(plan)
        if len(batch) >= BATCH:
            plans.extend(await _plan_batch(fmt, ctx, batch, issues))
            batch = []
    if batch:
        plans.extend(await _plan_batch(fmt, ctx, batch, issues))
    await report(rows)
    missing = (
        await _missing_from_roster(fmt, plans) if fmt.kind is ImportKind.STUDENT_ROSTER else []
    )
    issues.sort(key=lambda i: i.row)
    return Checked(plans, issues, rows, missing, list_rows)


async def _missing_from_roster(fmt: ImportFormat, plans: list[ChildPlan]) -> list[dict[str, Any]]:
    """Children enrolled (在读) at a school of the file whom the file no longer lists: a 学籍异动
    (转出, 辍学, 死亡 …) someone must record."""
    schools = {p.placement[0] for p in plans if p.placement}
    listed = {p.child_id for p in plans if p.child_id}
    if not schools:
        return []
    rows = await Enrolment.filter(
        school_id__in=list(schools), is_current=True, status=EnrolmentStatus.ENROLLED
    ).values("child_id", "school_id", "child__student_number")
    return [
        {
            "kind": "MISSING_FROM_ROSTER",
            "childId": str(r["child_id"]),
            "studentNumber": r["child__student_number"] or "",
            "schoolId": str(r["school_id"]),
        }
        for r in rows
        if r["child_id"] not in listed
    ]


def _implied_changes(plans: Iterable[ChildPlan]) -> Iterator[dict[str, Any]]:
    for p in plans:
        if p.enrolment_action in ("ENROL", "TRANSFER", "CHANGE_MODE"):
            yield {
                "kind": p.enrolment_action,
                "row": p.row,
                "studentNumber": p.values.get("student_number") or "",
            }


def counts_of(checked: Checked, written: bool) -> dict[str, int]:
    refused_rows = len({i.row for i in checked.issues})
    plans = checked.plans
    changes = list(_implied_changes(plans))
    return {
        "rows": checked.rows,
        "new": sum(1 for p in plans if p.is_new),
        "updated": sum(1 for p in plans if not p.is_new and p.is_change),
        "unchanged": sum(1 for p in plans if not p.is_new and not p.is_change),
        "refused": refused_rows,
        "listed": len(checked.list_rows),
        "enrolments": sum(1 for c in changes if c["kind"] == "ENROL"),
        "transfers": sum(1 for c in changes if c["kind"] == "TRANSFER"),
        "modeChanges": sum(1 for c in changes if c["kind"] == "CHANGE_MODE"),
        "missingFromRoster": len(checked.missing),
        "written": int(written),
    }


# -- writing -----------------------------------------------------------------------------------


def _chunks(items: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


async def _write(
    fmt: ImportFormat,
    ctx: _Context,
    plans: list[ChildPlan],
    job: ImportJob,
) -> None:
    """Write the plan (inside the caller's transaction)."""
    today = ctx.today
    source = f"{fmt.source}名册导入 {job.file_name}"[:128]
    households: dict[tuple[str, str], uuid.UUID] = {}
    new_households: list[Household] = []
    new_children: list[Child] = []
    new_groups: list[ChildKeyGroup] = []
    for plan in plans:
        v = plan.values
        if plan.is_new:
            child_id = uuid.uuid4()
            plan.child_id = child_id
            household_id = None
            if fmt.kind is ImportKind.HOUSEHOLD_REGISTER and (
                v.get("head_name") or v.get("registered_address")
            ):
                key = (v.get("head_name", ""), v.get("registered_address", ""))
                if key not in households:
                    households[key] = uuid.uuid4()
                    new_households.append(
                        Household(
                            id=households[key],
                            jurisdiction_id=ctx.jurisdiction.id,
                            head_name=key[0],
                            registered_address=key[1],
                            current_address=v.get("current_address", ""),
                        )
                    )
                household_id = households[key]
            new_children.append(
                Child(
                    id=child_id,
                    jurisdiction_id=ctx.jurisdiction.id,
                    household_id=household_id,
                    name=v["name"],
                    gender=Gender(v["gender"]),
                    birth_date=v["birth_date"],
                    id_number=v.get("id_number"),
                    student_number=v.get("student_number"),
                    ethnicity=v.get("ethnicity") or "汉族",
                    disability_category=v.get("disability_category"),
                )
            )
        for group in plan.groups_on:
            new_groups.append(
                ChildKeyGroup(child_id=plan.child_id, group=group, source=source, since=today)
            )
    for chunk in _chunks(new_households):
        await Household.bulk_create(chunk)
    for chunk in _chunks(new_children):
        await Child.bulk_create(chunk)
    for plan in plans:
        if plan.changed and not plan.is_new:
            await Child.filter(id=plan.child_id).update(**plan.changed, version=F("version") + 1)
        for group in plan.groups_off:
            await ChildKeyGroup.filter(
                child_id=plan.child_id, group=group, **ACTIVE_KEY_GROUP
            ).update(ended_on=today)
    if new_groups:
        # a group ended earlier comes back: the old row is reused (one row per child and group)
        ended = {
            (c, KeyGroup(g))
            for c, g in await ChildKeyGroup.filter(
                child_id__in=[g.child_id for g in new_groups], ended_on__isnull=False
            ).values_list("child_id", "group")
        }
        fresh = [g for g in new_groups if (g.child_id, g.group) not in ended]
        for g in new_groups:
            if (g.child_id, g.group) in ended:
                await ChildKeyGroup.filter(child_id=g.child_id, group=g.group).update(
                    ended_on=None, source=source, since=today
                )
        for chunk in _chunks(fresh):
            await ChildKeyGroup.bulk_create(chunk)
    await _write_enrolments(plans, today, job)


def _change(
    enrolment_id: uuid.UUID,
    child_id: uuid.UUID,
    kind: EnrolmentChangeKind,
    today: date,
    class_id: uuid.UUID | None,
    mode: EnrolmentMode | None,
    reason: str,
    counterpart: str = "",
) -> EnrolmentChange:
    return EnrolmentChange(
        id=uuid.uuid4(),
        enrolment_id=enrolment_id,
        child_id=child_id,
        kind=kind,
        occurred_on=today,
        status_after=STATUS_AFTER_CHANGE.get(kind, EnrolmentStatus.ENROLLED),
        school_class_id=class_id,
        counterpart_school=counterpart,
        reason=reason,
        mode_after=mode,
    )


async def _write_enrolments(plans: list[ChildPlan], today: date, job: ImportJob) -> None:
    reason = f"学籍名册导入 (任务 {job.id})"[:255]
    new_enrolments: list[Enrolment] = []
    changes: list[EnrolmentChange] = []
    for plan in plans:
        if not plan.enrolment_action or plan.placement is None:
            continue
        school_id, class_id, grade, mode = plan.placement
        current = plan.current
        if plan.enrolment_action in ("ENROL", "TRANSFER"):
            kind = EnrolmentChangeKind.ENROL
            if plan.enrolment_action == "TRANSFER" and current is not None:
                kind = EnrolmentChangeKind.TRANSFER_IN
                await Enrolment.filter(id=current["id"]).update(
                    status=EnrolmentStatus.TRANSFERRED_OUT,
                    ended_on=today,
                    is_current=False,
                    version=F("version") + 1,
                )
                changes.append(
                    _change(
                        current["id"],
                        plan.child_id,
                        EnrolmentChangeKind.TRANSFER_OUT,
                        today,
                        current["school_class_id"],
                        None,
                        reason,
                    )
                )
            elif current is not None:
                await Enrolment.filter(id=current["id"]).update(is_current=False)
            enrolment_id = uuid.uuid4()
            new_enrolments.append(
                Enrolment(
                    id=enrolment_id,
                    child_id=plan.child_id,
                    school_id=school_id,
                    school_class_id=class_id,
                    grade=grade,
                    status=EnrolmentStatus.ENROLLED,
                    mode=mode,
                    started_on=today,
                    is_current=True,
                    mode_since=today,
                )
            )
            changes.append(
                _change(enrolment_id, plan.child_id, kind, today, class_id, mode, reason)
            )
        elif plan.enrolment_action == "CHANGE_MODE" and current is not None:
            await Enrolment.filter(id=current["id"]).update(
                mode=mode,
                mode_since=today,
                grade=grade,
                school_class_id=class_id,
                version=F("version") + 1,
            )
            changes.append(
                _change(
                    current["id"],
                    plan.child_id,
                    EnrolmentChangeKind.CHANGE_MODE,
                    today,
                    class_id,
                    mode,
                    reason,
                )
            )
        elif plan.enrolment_action == "UPDATE" and current is not None:
            await Enrolment.filter(id=current["id"]).update(
                grade=grade, school_class_id=class_id, version=F("version") + 1
            )
    for chunk in _chunks(new_enrolments):
        await Enrolment.bulk_create(chunk)
    for chunk in _chunks(changes):
        await EnrolmentChange.bulk_create(chunk)


# -- the import --------------------------------------------------------------------------------

#: Test hook: called after the rows are written and before the job is finished (to prove a
#: failure there leaves nothing).
_before_commit: Callable[[], Any] | None = None


async def run_import(req: ImportRequest) -> ImportJob:
    """Check, plan and (unless refused or a dry run) write one roster file; the finished job."""
    jurisdiction, fmt = await import_target(req.caller, req.format_code, req.jurisdiction_code)
    checksum = file_checksum(req.path)
    job = await _start_job(req, jurisdiction, fmt, checksum)
    if req.started is not None:
        req.started(job)
    ctx = _Context(jurisdiction, local_date(req.now))

    async def report(rows: int) -> None:
        job.rows_read = rows
        await ImportJob.filter(id=job.id).update(rows_read=rows, heartbeat_at=req.now)
        if req.progress is not None:
            req.progress(rows)

    try:
        await ctx.load()
        checked = await check_file(fmt, ctx, req.path, report)
    except DomainError as exc:
        await _finish(job, ImportState.REFUSED, {}, [], [], exc.message)
        raise
    issues = [_issue_dict(i) for i in checked.issues]
    changes = [*_implied_changes(checked.plans), *checked.missing]
    refused = bool(checked.issues) and req.mode is ImportMode.ALL
    if req.dry_run or refused:
        state = ImportState.DRY_RUN if req.dry_run else ImportState.REFUSED
        message = "有行未通过校验, 全部未写入" if refused and not req.dry_run else ""
        await _finish(job, state, counts_of(checked, False), issues, changes, message)
        return job
    try:
        async with in_transaction():
            if fmt.kind in REGISTER_KINDS:
                await _write(fmt, ctx, checked.plans, job)
            if _before_commit is not None:
                await _before_commit()
            await _finish(job, ImportState.SUCCEEDED, counts_of(checked, True), issues, changes)
    except Exception as exc:
        await _finish(
            job, ImportState.FAILED, counts_of(checked, False), issues, changes, str(exc)[:200]
        )
        raise
    job.checked = checked  # type: ignore[attr-defined]  # the list rows, for a comparison
    if req.compare or fmt.kind not in REGISTER_KINDS:
        from core.imports.comparison import compare_after_import

        job.comparison = await compare_after_import(req.caller, job, req.now)  # type: ignore[attr-defined]
    return job


async def _finish(
    job: ImportJob,
    state: ImportState,
    counts: dict[str, int],
    issues: list[dict[str, Any]],
    changes: list[dict[str, Any]],
    message: str = "",
) -> None:
    job.state = state
    job.counts = counts
    job.issues = issues
    job.changes = changes
    job.message = message[:255]
    job.running_key = None
    job.finished_at = datetime.now(UTC)
    await job.save(
        update_fields=[
            "state",
            "counts",
            "issues",
            "changes",
            "message",
            "running_key",
            "finished_at",
        ]
    )
