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

import asyncio
import os
import re
import socket
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.access.authorise import require_permission
from core.access.caller import Caller
from core.access.enums import Permission
from core.bulk import insert_rows, select_in
from core.china_time import local_date
from core.enrolment.models import Enrolment, EnrolmentMode, EnrolmentStatus
from core.enrolment.services import (
    ROSTER_CHANGE_MODE,
    ROSTER_ENROL,
    ROSTER_TRANSFER,
    Placement,
    RosterChange,
    implied_by_roster,
    record_roster_changes,
)
from core.errors import DomainError, ErrorCode
from core.imports.formats import CORE_FORMATS, ImportFormat, ImportKind
from core.imports.models import ImportJob, ImportMode, ImportState
from core.imports.reading import file_checksum, read_rows
from core.imports.rows import RowIssue, check_row
from core.jurisdictions.models import Jurisdiction
from core.people import services as registry
from core.people.enums import Gender, KeyGroup
from core.people.models import Child, ChildKeyGroup, Household
from core.people.services import KeyGroupClaim
from core.schools.models import School, SchoolClass

#: Rows looked up, planned and written per chunk (the file streams through).
BATCH = 2000
#: The 学籍异动 a job lists one by one (its counts have them all).
CHANGES_LISTED = 10_000
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
    #: 学籍: where the row says the child is taught, and what that implies
    #: (:func:`core.enrolment.services.implied_by_roster`).
    placement: Placement | None = None
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


async def _jurisdiction(caller: Caller, code: str | None, county_wide: bool = True) -> Jurisdiction:
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
    if county_wide and scope is not None and (scope.town_ids or scope.school_id or scope.class_id):
        raise DomainError(
            ErrorCode.FORBIDDEN,
            "名册导入须由县级账号或密钥办理",
            "a roster is imported by a county-wide account or key",
        )
    return jurisdiction


def authorise_import(caller: Caller, fmt: ImportFormat) -> Caller:
    if fmt.kind is ImportKind.ATTENDANCE:
        from core.attendance.importing import authorise_attendance_import

        return authorise_attendance_import(caller)
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
    jurisdiction = await _jurisdiction(caller, jurisdiction_code, county_wide=False)
    formats = formats_for(jurisdiction.division_code)
    fmt = formats.get(format_code.strip().upper())
    if fmt is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            f"没有导入格式 {format_code} (可用: {', '.join(formats)})",
            f"no import format {format_code}",
            field="format",
        )
    if fmt.kind is not ImportKind.ATTENDANCE:
        # a roster or a list is the county's: a town, school or class account cannot import
        # it; attendance is imported for the classes in the caller's scope
        await _jurisdiction(caller, jurisdiction.division_code)
    authorise_import(caller, fmt)
    return jurisdiction, fmt


# -- jobs ----------------------------------------------------------------------------------


def running_key(jurisdiction_id: uuid.UUID, format_code: str) -> str:
    return f"{jurisdiction_id}:{format_code}"[:64]


def running_message() -> str:
    """What a running job says while it runs: the machine and the process importing it (how a
    later import knows, at once, that a job of a killed process on this machine is dead)."""
    return f"导入进行中 / running: {socket.gethostname()[:120]} pid {os.getpid()}"


_RUNNING = re.compile(r"running: (?P<host>\S+) pid (?P<pid>\d+)$")


def _process_is_gone(message: str) -> bool:
    """The job's process ran on this machine and no longer exists."""
    found = _RUNNING.search(message or "")
    if found is None or found["host"] != socket.gethostname()[:120]:
        return False
    pid = int(found["pid"])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


#: Why a job left ``RUNNING`` was ended (its ``message``), by how it was found dead.
INTERRUPTED_PROCESS_GONE = (
    "导入中断: 执行导入的进程已退出 (服务重启、进程被终止或崩溃), 未写入任何数据, 请重新导入"
    " / interrupted: the process running the import ended (restart, kill or crash); "
    "nothing was written, import the file again"
)
INTERRUPTED_NO_HEARTBEAT = (
    "导入中断: 超过 10 分钟没有进度 (执行导入的进程已失联), 未写入任何数据, 请重新导入"
    " / interrupted: no progress for 10 minutes (the importing process was lost); "
    "nothing was written, import the file again"
)


async def fail_interrupted(now: datetime) -> int:
    """Mark ``FAILED`` the jobs left ``RUNNING`` by a process that died, releasing their hold
    on the county and format (``running_key``): one of this machine whose process is gone
    (killed, ``kill -9``, a crash, a restart of the server), or any without a heartbeat for
    :data:`STALE_AFTER` (another machine's). Their transaction was never committed, so nothing
    of them is kept. Run when the server starts and before every import; the number ended."""
    running = await ImportJob.filter(state=ImportState.RUNNING).values_list("id", "message")
    gone = [job_id for job_id, message in running if _process_is_gone(message)]
    stale = await ImportJob.filter(
        state=ImportState.RUNNING, heartbeat_at__lt=now - STALE_AFTER
    ).values_list("id", flat=True)
    stale = [job_id for job_id in stale if job_id not in gone]
    ended = 0
    for ids, reason in ((gone, INTERRUPTED_PROCESS_GONE), (stale, INTERRUPTED_NO_HEARTBEAT)):
        if ids:
            ended += await ImportJob.filter(id__in=ids, state=ImportState.RUNNING).update(
                state=ImportState.FAILED, running_key=None, finished_at=now, message=reason
            )
    return ended


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
            message=running_message(),
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
        self.school_names: dict[uuid.UUID, str] = {}
        self.classes: dict[tuple[uuid.UUID, int, str], uuid.UUID] = {}
        #: 学户册: the households entered by this import, by (户主, 户籍地址).
        self.households: dict[tuple[str, str], uuid.UUID] = {}

    async def load(self) -> None:
        for school_id, code, name in await School.filter(
            jurisdiction_id=self.jurisdiction.id
        ).values_list("id", "code", "name"):
            self.schools[code] = school_id
            self.school_names[school_id] = name
        year = school_year_of(self.today)
        rows = await SchoolClass.filter(
            school__jurisdiction_id=self.jurisdiction.id, school_year=year
        ).values_list("id", "school_id", "grade", "name")
        for class_id, school_id, grade, name in rows:
            self.classes[(school_id, grade, class_key(name))] = class_id


def _refuse(fmt: ImportFormat, row: int, fld: str, value: str, code: ErrorCode, zh: str, en: str):
    column = fmt.column(fld)
    return RowIssue(row, column.header if column else fld, value, code, zh, en)


#: What matching a row needs of an existing child.
_MATCHED = ("id", "jurisdiction_id", "household_id", *CHILD_FIELDS, "disability_category")


async def _existing(
    plans: list[ChildPlan],
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """The registry's children with a 学籍号 or an ID number of the batch."""
    numbers = [p.values["student_number"] for p in plans if p.values.get("student_number")]
    by_number = {
        row["student_number"]: row
        for row in await select_in(Child, _MATCHED, "student_number", numbers)
    }
    # an ID number the children found by 学籍号 carry is theirs (it is unique): only the others
    # are looked up (a re-imported roster needs one lookup per chunk, not two)
    by_id: dict[str, dict[str, Any]] = {
        row["id_number"]: row for row in by_number.values() if row["id_number"]
    }
    ids = [
        p.values["id_number"]
        for p in plans
        if p.values.get("id_number") and p.values["id_number"] not in by_id
    ]
    for row in await select_in(Child, _MATCHED, "id_number", ids):
        by_id[row["id_number"]] = row
    return by_number, by_id


async def _current_enrolments(child_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    rows = await select_in(
        Enrolment,
        (
            "id",
            "child_id",
            "school_id",
            "school_class_id",
            "grade",
            "status",
            "mode",
            "version",
            "ended_on",
            "started_on",
        ),
        "child_id",
        child_ids,
        is_current=True,
    )
    rows.sort(key=lambda r: (r["started_on"], str(r["id"])))
    return {r["child_id"]: r for r in rows}  # the latest one, as the registry takes it


async def _active_groups(child_ids: list[uuid.UUID]) -> dict[uuid.UUID, set[KeyGroup]]:
    found: dict[uuid.UUID, set[KeyGroup]] = {}
    for row in await select_in(
        ChildKeyGroup, ("child_id", "group"), "child_id", child_ids, ended_on=None
    ):
        found.setdefault(row["child_id"], set()).add(KeyGroup(row["group"]))
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
            for name in (*CHILD_FIELDS, "disability_category"):
                if name not in v or v[name] in (None, ""):
                    continue
                old = match[name]
                if hasattr(old, "value"):
                    old = old.value
                if v[name] != old:
                    plan.changed[name] = v[name]
        kept.append(plan)
    existing_ids = [p.child_id for p in kept if p.child_id]
    currents = await _current_enrolments(existing_ids)
    groups = await _active_groups(existing_ids)
    planned: list[ChildPlan] = []
    for plan in kept:
        if plan.placement is not None:
            current = currents.get(plan.child_id) if plan.child_id else None
            plan.current = current
            try:
                plan.enrolment_action = implied_by_roster(current, plan.placement)
            except DomainError as exc:
                issues.append(
                    _refuse(
                        fmt,
                        plan.row,
                        "school_code",
                        plan.values.get("school_code", ""),
                        exc.code,
                        f"名册所列学校与该生当前学籍不符: {exc.zh}",
                        f"the roster's school does not fit the current enrolment: {exc.en}",
                    )
                )
                continue
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
        planned.append(plan)
    return planned


@dataclass
class Checked:
    """What an import found, kept while the file streams through in chunks: the counts, the
    refused rows, the 学籍异动 implied (the first :data:`CHANGES_LISTED`; the counts have them
    all), the list rows of a list format, and for the 学籍 roster who and which schools it
    lists (for the children it no longer lists)."""

    rows: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    tally: Counter = field(default_factory=Counter)
    changes: list[dict[str, Any]] = field(default_factory=list)
    list_rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    schools: set[uuid.UUID] = field(default_factory=set)
    listed: set[uuid.UUID] = field(default_factory=set)
    missing: list[dict[str, Any]] = field(default_factory=list)

    def add(self, plans: list[ChildPlan]) -> None:
        for p in plans:
            if p.is_new:
                self.tally["new"] += 1
            elif p.is_change:
                self.tally["updated"] += 1
            else:
                self.tally["unchanged"] += 1
            if p.child_id is not None:
                self.listed.add(p.child_id)
            if p.placement is not None:
                self.schools.add(p.placement.school_id)
            if p.enrolment_action in _COUNTED_CHANGES:
                self.tally[_COUNTED_CHANGES[p.enrolment_action]] += 1
                if len(self.changes) < CHANGES_LISTED:
                    self.changes.append(
                        {
                            "kind": p.enrolment_action,
                            "row": p.row,
                            "studentNumber": p.values.get("student_number") or "",
                        }
                    )


_COUNTED_CHANGES = {
    ROSTER_ENROL: "enrolments",
    ROSTER_TRANSFER: "transfers",
    ROSTER_CHANGE_MODE: "modeChanges",
}


def _placement(
    fmt: ImportFormat, ctx: _Context, number: int, v: dict[str, Any], issues: list[RowIssue]
) -> Placement | None:
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
    return Placement(school_id, class_id, grade, EnrolmentMode(v.get("mode") or "REGULAR"))


Writer = Callable[[list[ChildPlan]], Awaitable[None]]


@dataclass
class _Chunk:
    """What the reading thread hands over: up to :data:`BATCH` rows that passed the row checks
    (plans of a register format, list rows of a list), the rows refused on the way, and how
    many rows of the file have been read so far."""

    rows_read: int
    plans: list[ChildPlan] = field(default_factory=list)
    list_rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    issues: list[RowIssue] = field(default_factory=list)


class _RowChecker:
    """Reads and checks the file's rows, one chunk per :meth:`next_chunk` call - pure Python
    with no database, run in a worker thread so that the event loop (the server's other
    requests, the import's own lookups and writes) goes on meanwhile. One call at a time: the
    next is only asked for once the previous one has returned."""

    def __init__(self, fmt: ImportFormat, ctx: _Context, path: Path) -> None:
        self.fmt = fmt
        self.ctx = ctx
        self.rows = read_rows(fmt, path)
        self.read = 0
        self.seen_numbers: dict[str, int] = {}
        self.seen_ids: dict[str, int] = {}
        self.finished = False

    def close(self) -> None:
        self.rows.close()  # type: ignore[attr-defined]  # a generator: closes the file

    def next_chunk(self) -> _Chunk | None:
        if self.finished:
            return None
        fmt, ctx, today = self.fmt, self.ctx, self.ctx.today
        register = fmt.kind in REGISTER_KINDS
        roster = fmt.kind is ImportKind.STUDENT_ROSTER
        chunk = _Chunk(self.read)
        issues, plans = chunk.issues, chunk.plans
        size = BATCH
        for number, cells in self.rows:
            self.read += 1
            values, row_issues = check_row(fmt, number, cells, today)
            if row_issues:
                issues.extend(row_issues)
            elif not self._duplicate(number, values, issues):
                if not register:
                    chunk.list_rows.append((number, values))
                else:
                    plan = ChildPlan(row=number, values=values)
                    if roster:
                        plan.placement = _placement(fmt, ctx, number, values, issues)
                    if plan.placement is not None or not roster:
                        plans.append(plan)
            if len(plans) + len(chunk.list_rows) >= size or self.read % PROGRESS_EVERY == 0:
                break
        else:
            self.finished = True
        chunk.rows_read = self.read
        return chunk

    def _duplicate(self, number: int, values: dict[str, Any], issues: list[RowIssue]) -> bool:
        duplicate = False
        for fld, seen in (("student_number", self.seen_numbers), ("id_number", self.seen_ids)):
            key = values.get(fld)
            if not key:
                continue
            if key in seen:
                issues.append(
                    _refuse(
                        self.fmt,
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
        return duplicate


async def check_file(
    fmt: ImportFormat,
    ctx: _Context,
    path: Path,
    report: Callable[[int], Any],
    write: Writer | None = None,
    *,
    stop_on_issue: bool = False,
) -> Checked:
    """Stream the file: check each row, and per chunk of :data:`BATCH` valid rows look the
    registry up, plan and (with ``write``) write them - only the counts, the refused rows and
    who was listed stay in memory. ``stop_on_issue``: write nothing more once a row is refused
    (all-or-nothing: the transaction will be rolled back), but go on checking.

    Reading and checking the rows (:class:`_RowChecker`) runs in a worker thread, one chunk
    ahead: while a chunk is looked up and written, the next one is being checked, and the
    event loop is never held by a chunk's checking. At most two chunks are in memory."""
    checked = Checked()
    issues = checked.issues
    checker = _RowChecker(fmt, ctx, path)
    loop = asyncio.get_running_loop()
    pending = loop.run_in_executor(None, checker.next_chunk)
    reported = 0
    try:
        while (chunk := await pending) is not None:
            pending = loop.run_in_executor(None, checker.next_chunk)
            issues.extend(chunk.issues)
            checked.list_rows.extend(chunk.list_rows)
            if chunk.rows_read // PROGRESS_EVERY > reported // PROGRESS_EVERY:
                reported = chunk.rows_read
                await report(reported)
            if chunk.plans:
                plans = await _plan_batch(fmt, ctx, chunk.plans, issues)
                if write is not None and not (stop_on_issue and issues):
                    await write(plans)
                checked.add(plans)
    finally:
        if not pending.done():
            await asyncio.wait([pending])
        if not pending.cancelled():  # (cancelled: the thread may still read; closed when collected)
            pending.exception()  # retrieved: the error that matters is already raised
            checker.close()
    checked.rows = checker.read
    await report(checker.read)
    if fmt.kind is ImportKind.STUDENT_ROSTER:
        checked.missing = await _missing_from_roster(checked)
    issues.sort(key=lambda i: i.row)
    return checked


async def _missing_from_roster(checked: Checked) -> list[dict[str, Any]]:
    """Children enrolled (在读) at a school of the file whom the file no longer lists: a 学籍异动
    (转出, 辍学, 死亡 …) someone must record."""
    if not checked.schools:
        return []
    enrolled = await select_in(
        Enrolment,
        ("child_id", "school_id"),
        "school_id",
        checked.schools,
        is_current=True,
        status=EnrolmentStatus.ENROLLED,
    )
    gone = [r for r in enrolled if r["child_id"] not in checked.listed]
    numbers: dict[uuid.UUID, str] = {}
    for i in range(0, len(gone), BATCH):
        for row in await select_in(
            Child, ("id", "student_number"), "id", [r["child_id"] for r in gone[i : i + BATCH]]
        ):
            numbers[row["id"]] = row["student_number"] or ""
    return [
        {
            "kind": "MISSING_FROM_ROSTER",
            "childId": str(r["child_id"]),
            "studentNumber": numbers.get(r["child_id"], ""),
            "schoolId": str(r["school_id"]),
        }
        for r in gone
    ]


def counts_of(checked: Checked, written: bool) -> dict[str, int]:
    t = checked.tally
    return {
        "rows": checked.rows,
        "new": t["new"],
        "updated": t["updated"],
        "unchanged": t["unchanged"],
        "refused": len({i.row for i in checked.issues}),
        "listed": len(checked.list_rows),
        "enrolments": t["enrolments"],
        "transfers": t["transfers"],
        "modeChanges": t["modeChanges"],
        "missingFromRoster": len(checked.missing),
        "written": int(written),
    }


# -- writing -----------------------------------------------------------------------------------


async def _write(fmt: ImportFormat, ctx: _Context, plans: list[ChildPlan], job: ImportJob) -> None:
    """Write one chunk's plans (inside the import's transaction) through the registry's bulk
    services: children entered and corrected (:mod:`core.people.services`), key groups claimed
    and ended, the 学籍异动 recorded (:func:`core.enrolment.services.record_roster_changes`)."""
    today = ctx.today
    source = f"{fmt.source}名册导入 {job.file_name}"[:128]
    new_households: list[dict[str, Any]] = []
    new_children: list[dict[str, Any]] = []
    corrections: list[tuple[uuid.UUID, dict[str, Any]]] = []
    claims: list[tuple[uuid.UUID, KeyGroupClaim]] = []
    ended: list[tuple[uuid.UUID, KeyGroup]] = []
    for plan in plans:
        v = plan.values
        if plan.is_new:
            household_id = None
            if fmt.kind is ImportKind.HOUSEHOLD_REGISTER and (
                v.get("head_name") or v.get("registered_address")
            ):
                key = (v.get("head_name", ""), v.get("registered_address", ""))
                if key not in ctx.households:
                    ctx.households[key] = uuid.uuid4()
                    new_households.append(
                        {
                            "id": ctx.households[key],
                            "jurisdiction_id": ctx.jurisdiction.id,
                            "head_name": key[0],
                            "registered_address": key[1],
                            "current_address": v.get("current_address", ""),
                        }
                    )
                household_id = ctx.households[key]
            row = registry.new_child_row(
                ctx.jurisdiction.id,
                {
                    "household_id": household_id,
                    "name": v["name"],
                    "gender": Gender(v["gender"]),
                    "birth_date": v["birth_date"],
                    "id_number": v.get("id_number"),
                    "student_number": v.get("student_number"),
                    "ethnicity": v.get("ethnicity"),
                    "disability_category": v.get("disability_category"),
                },
            )
            plan.child_id = row["id"]
            new_children.append(row)
        elif plan.changed:
            corrections.append((plan.child_id, plan.changed))  # type: ignore[arg-type]
        for group in plan.groups_on:
            claims.append((plan.child_id, KeyGroupClaim(group, source, today)))  # type: ignore[arg-type]
        for group in plan.groups_off:
            ended.append((plan.child_id, group))  # type: ignore[arg-type]
    await insert_rows(Household, new_households)
    await registry.register_children(new_children)
    await registry.correct_children(corrections)
    await registry.end_key_groups(ended, today)
    await registry.claim_key_groups(claims, today)
    changes = [
        RosterChange(
            child_id=p.child_id,  # type: ignore[arg-type]
            action=p.enrolment_action,
            placement=p.placement,
            current=p.current,
            from_school=ctx.school_names.get(p.current["school_id"], "") if p.current else "",
            to_school=ctx.school_names.get(p.placement.school_id, ""),
        )
        for p in plans
        if p.enrolment_action and p.placement is not None
    ]
    await record_roster_changes(changes, today, f"学籍名册导入 (任务 {job.id})")


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
        await ImportJob.filter(id=job.id).update(rows_read=rows, heartbeat_at=datetime.now(UTC))
        if req.progress is not None:
            req.progress(rows)

    if fmt.kind is ImportKind.ATTENDANCE:
        return await _run_attendance(req, fmt, ctx, job, report)
    writes = fmt.kind in REGISTER_KINDS and not req.dry_run
    try:
        await ctx.load()
        if writes:
            checked = await _check_and_write(req, fmt, ctx, job, report)
        else:
            checked = await check_file(fmt, ctx, req.path, report)
            await _settle(req, job, checked)
    except _Refused as refused:
        checked = refused.checked
        await _settle(req, job, checked)
        return job
    except DomainError as exc:
        await _finish(job, ImportState.REFUSED, {}, [], [], exc.message)
        raise
    except Exception as exc:
        await _finish(job, ImportState.FAILED, {}, [], [], str(exc)[:200])
        raise
    if job.state is not ImportState.SUCCEEDED:
        return job
    job.checked = checked  # type: ignore[attr-defined]  # the list rows, for a comparison
    if req.compare or fmt.kind not in REGISTER_KINDS:
        from core.imports.comparison import compare_after_import

        job.comparison = await compare_after_import(req.caller, job, req.now)  # type: ignore[attr-defined]
    return job


async def _run_attendance(
    req: ImportRequest,
    fmt: ImportFormat,
    ctx: _Context,
    job: ImportJob,
    report: Callable[[int], Any],
) -> ImportJob:
    """考勤导入: check every row, then record the file's class days through the attendance
    service, in **one transaction** with the job's final state
    (:mod:`core.attendance.importing`)."""
    from core.attendance.importing import check_and_write_attendance

    stop = req.mode is ImportMode.ALL
    try:
        async with in_transaction():
            checked = await check_and_write_attendance(
                req.caller,
                fmt,
                ctx.jurisdiction,
                req.path,
                now=req.now,
                today=ctx.today,
                write=not req.dry_run,
                stop_on_issue=stop,
                report=report,
            )
            refused = bool(checked.issues) and stop
            if req.dry_run:
                state, message = ImportState.DRY_RUN, ""
            elif refused:
                state, message = ImportState.REFUSED, "有行未通过校验, 全部未写入"
            else:
                state, message = ImportState.SUCCEEDED, ""
            if refused and not req.dry_run:
                raise _Refused(checked)  # type: ignore[arg-type]
            if _before_commit is not None and state is ImportState.SUCCEEDED:
                await _before_commit()
            issues = [_issue_dict(i) for i in checked.issues]
            written = state is ImportState.SUCCEEDED
            await _finish(job, state, checked.counts(written), issues, [], message)
    except _Refused as refused_error:
        checked = refused_error.checked  # type: ignore[assignment]
        issues = [_issue_dict(i) for i in checked.issues]
        await _finish(
            job,
            ImportState.REFUSED,
            checked.counts(False),
            issues,
            [],
            "有行未通过校验, 全部未写入",
        )
    except DomainError as exc:
        await _finish(job, ImportState.REFUSED, {}, [], [], exc.message)
        raise
    except Exception as exc:
        await _finish(job, ImportState.FAILED, {}, [], [], str(exc)[:200])
        raise
    return job


class _Refused(Exception):
    """An all-or-nothing import with refused rows: what was written is rolled back."""

    def __init__(self, checked: Checked) -> None:
        super().__init__("refused rows")
        self.checked = checked


async def _check_and_write(
    req: ImportRequest,
    fmt: ImportFormat,
    ctx: _Context,
    job: ImportJob,
    report: Callable[[int], Any],
) -> Checked:
    """Check and write the file chunk by chunk in **one transaction**, finished with the job's
    state: killed or failed half-way, the database keeps nothing of it. All-or-nothing with a
    refused row: the writing stops at once, the checking goes on (the report names every row)
    and the transaction is rolled back."""
    async with in_transaction():
        stop = req.mode is ImportMode.ALL

        async def write(plans: list[ChildPlan]) -> None:
            await _write(fmt, ctx, plans, job)

        checked = await check_file(fmt, ctx, req.path, report, write, stop_on_issue=stop)
        if checked.issues and req.mode is ImportMode.ALL:
            raise _Refused(checked)
        if _before_commit is not None:
            await _before_commit()
        await _settle(req, job, checked)
    return checked


async def _settle(req: ImportRequest, job: ImportJob, checked: Checked) -> None:
    """Record the job's outcome: its counts, refused rows and the 学籍异动 implied."""
    issues = [_issue_dict(i) for i in checked.issues]
    changes = [*checked.changes, *checked.missing]
    refused = bool(checked.issues) and req.mode is ImportMode.ALL
    if req.dry_run:
        state, message = ImportState.DRY_RUN, ""
    elif refused:
        state, message = ImportState.REFUSED, "有行未通过校验, 全部未写入"
    else:
        state, message = ImportState.SUCCEEDED, ""
    written = state is ImportState.SUCCEEDED
    await _finish(job, state, counts_of(checked, written), issues, changes, message)


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
