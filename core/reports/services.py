"""Generating reports and moving them through submission: what the API and the CLI call.

:func:`generate_report` checks the caller (READ_REPORTS), finds the county's format, the place
(inside the caller's scope) and the period, builds the table from the ledger rows and stores it
as an immutable :class:`~core.reports.models.ReportSnapshot` with its checksum.
:func:`act_on_report` signs, submits, accepts or returns one (:mod:`core.reports.submission`).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
from tortoise.transactions import in_transaction

from core.access.authorise import require_permission
from core.access.caller import Caller
from core.access.enums import Permission, ScopeKind
from core.access.scope import scoped
from core.china_time import local_date
from core.errors import DomainError, ErrorCode
from core.events import addressing
from core.events import payloads as event_payloads
from core.events.outbox import record_event
from core.jurisdictions.models import Jurisdiction, SchoolGroup, Town
from core.plugins import rules_for
from core.reports import submission
from core.reports.aggregates import RETURN_COUNTS, attendance_totals, summary_rows
from core.reports.enums import PlaceKind, SubmissionAction, SubmissionState
from core.reports.figures import METRIC_FIELDS, add_metric_figures
from core.reports.ledgers import Place, case_rows, child_rows
from core.reports.models import ReportSnapshot, ReportSubmissionEvent
from core.reports.periods import (
    Period,
    check_kind_for,
    check_period_for,
    counted_since,
    parse_period,
)
from core.reports.table import Masking, ReportTable, build_table
from core.rules.county import CountyRules
from core.rules.enums import PeriodKind, RowKind
from core.rules.specs import ReportFormat
from core.schools.models import School


@dataclass(frozen=True)
class ReportRequest:
    """What a caller asks for: a format, a period and a place (None: the caller's own)."""

    format_code: str
    period_value: str
    period_kind: PeriodKind | None = None
    place_kind: PlaceKind | None = None
    place_id: uuid.UUID | None = None
    #: The published variant (公示版): names and ID numbers masked, 张*三.
    public: bool = False
    #: The county (division code), for a caller who reaches every county (the CLI).
    jurisdiction_code: str | None = None


@dataclass(frozen=True)
class GeneratedReport:
    table: ReportTable
    period: Period
    place: Place
    as_of: date
    fmt: ReportFormat


def canonical_checksum(parameters: dict[str, Any], table: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON (sorted keys, UTF-8) of the parameters and the table."""
    data = orjson.dumps({"parameters": parameters, "table": table}, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(data).hexdigest()


def verify_checksum(snapshot: ReportSnapshot) -> bool:
    """Whether the stored table and parameters still give the stored checksum."""
    return canonical_checksum(snapshot.parameters, snapshot.table) == snapshot.checksum


async def county_of(caller: Caller, code: str | None) -> Jurisdiction:
    scope = caller.scope
    if scope is not None and scope.jurisdiction_id is not None:
        found = await Jurisdiction.get_or_none(id=scope.jurisdiction_id)
        if found is not None and (code is None or code == found.division_code):
            return found
    elif code:
        found = await Jurisdiction.get_or_none(division_code=code)
        if found is not None:
            return found
    elif scope is not None:
        raise DomainError(
            ErrorCode.REQUIRED,
            "请指定行政区划代码 (--jurisdiction)",
            "name the county (its division code)",
            field="jurisdiction",
        )
    raise DomainError(
        ErrorCode.NOT_FOUND,
        f"行政区 {code} 不存在或不在您的工作范围内",
        f"no county {code} within your scope",
        field="jurisdiction",
    )


def format_of(rules: CountyRules, code: str) -> ReportFormat:
    try:
        return rules.report_format(code)
    except KeyError:
        known = "、".join(f.code for f in rules.report_formats)
        raise DomainError(
            ErrorCode.NOT_FOUND,
            f"本县没有代码为 {code!r} 的报表格式 (可选: {known})",
            f"the county has no report format {code!r} (known: {known})",
            field="formatCode",
        ) from None


async def place_of(caller: Caller, county: Jurisdiction, request: ReportRequest) -> Place:
    """The place asked for, inside the caller's scope; the caller's own when none is named."""
    scope = caller.scope
    kind, place_id = request.place_kind, request.place_id
    if kind is None:
        if scope is not None and scope.kind is ScopeKind.SCHOOL:
            kind, place_id = PlaceKind.SCHOOL, scope.school_id
        elif scope is not None and scope.kind is ScopeKind.TOWN and len(scope.town_ids) == 1:
            kind, place_id = PlaceKind.TOWN, next(iter(scope.town_ids))
        else:
            kind = PlaceKind.COUNTY
    if kind is PlaceKind.COUNTY:
        if scope is not None and scope.kind is not ScopeKind.COUNTY:
            raise DomainError(
                ErrorCode.FORBIDDEN,
                f"您的工作范围为{scope.kind.label}, 不能生成全县报表",
                "your scope is narrower than the county: name your town or school",
                field="place",
            )
        return Place(PlaceKind.COUNTY, county.id, county.name)
    if place_id is None:
        raise DomainError(
            ErrorCode.REQUIRED, "请指定乡镇、学区或学校", "name the place", field="placeId"
        )
    model = {PlaceKind.TOWN: Town, PlaceKind.SCHOOL: School, PlaceKind.SCHOOL_GROUP: SchoolGroup}[
        kind
    ]
    row = await scoped(model, caller).filter(id=place_id).first()
    row_county = getattr(row, "jurisdiction_id", None)
    if row is None or row_county != county.id:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            f"{kind.label}不存在或不在您的工作范围内",
            f"no such {kind.value.lower()} within your scope",
            field="placeId",
        )
    if kind is PlaceKind.SCHOOL_GROUP and scope is not None and scope.kind is not ScopeKind.COUNTY:
        raise DomainError(
            ErrorCode.FORBIDDEN,
            "学区/督导责任区报表需要全县范围的账号",
            "a school group's report needs a county-wide account",
            field="placeId",
        )
    return Place(kind, county.id, row.name, row.id)


def masking_for(caller: Caller, public: bool) -> Masking:
    """The published variant when asked; personal details masked for callers who may not read
    them (as every API field masks them); else nothing masked."""
    if public:
        return Masking.PUBLIC
    if not caller.can(Permission.READ_PERSONAL_DETAILS):
        return Masking.PERSONAL
    return Masking.NONE


def period_of(fmt: ReportFormat, request: ReportRequest, today: date) -> Period:
    """The period the request names, of a kind the format takes (its first when none is
    named), ended by today at the latest; a coded error naming the argument otherwise."""
    kind = request.period_kind or fmt.period_kinds[0]
    check_kind_for(kind, fmt.period_kinds)
    period = parse_period(kind, request.period_value)
    check_period_for(period, fmt.period_kinds, today)
    return period


async def build_report(caller: Caller, request: ReportRequest, now: datetime) -> GeneratedReport:
    """The report's table, not stored (the CLI's ``--no-store`` and previews)."""
    require_permission(caller, Permission.READ_REPORTS)
    county = await county_of(caller, request.jurisdiction_code)
    rules = rules_for(county.division_code)
    fmt = format_of(rules, request.format_code)
    today = local_date(now)
    period = period_of(fmt, request, today)
    place = await place_of(caller, county, request)
    as_of = period.as_of(today)
    totals: dict[str, Any] = {}
    notes: tuple[str, ...] = ()
    if fmt.row_kind.is_aggregate:
        shown = {c.source for c in fmt.columns}
        since = counted_since(period)
        rows = await summary_rows(
            caller, place, fmt.row_kind, start=period.start, as_of=as_of, fields=shown,
            since=since,
        )  # fmt: skip
        if since < period.start and shown & RETURN_COUNTS:
            notes = (
                f"返校情况 (上学期末在籍、应到、实到、未按时到校) 自本学期开始 ({since}) 起累计",
            )
        wanted = shown & METRIC_FIELDS.keys()
        if wanted:
            totals = await add_metric_figures(rows, fmt.row_kind, place, as_of, wanted)
        totals.update(attendance_totals(rows))
    else:
        source = child_rows if fmt.row_kind is RowKind.CHILD else case_rows
        rows = await source(
            caller,
            place,
            start=period.start,
            as_of=as_of,
            rules=rules,
            selection=fmt.selection,
            fields=frozenset(c.source for c in fmt.columns),
        )
    where = county.name if place.kind is PlaceKind.COUNTY else f"{county.name} {place.name}"
    subtitle = f"填报范围：{where}    期间：{period.label}    统计截至：{as_of.isoformat()}"
    masking = masking_for(caller, request.public)
    if masking is Masking.PUBLIC:
        notes = (*notes, "公示版：姓名、身份证号等个人信息已打码")
    table = build_table(
        fmt, rows, subtitle=subtitle, masking=masking, notes=notes, total_values=totals
    )
    return GeneratedReport(table=table, period=period, place=place, as_of=as_of, fmt=fmt)


async def generate_report(caller: Caller, request: ReportRequest, now: datetime) -> ReportSnapshot:
    """Build the report and store it as an immutable snapshot (state 草稿); a paged ledger
    (the 学户册, a group's ledger) of more rows than a snapshot holds is refused
    (:mod:`core.reports.register`)."""
    from core.reports.register import refuse_large_snapshot

    require_permission(caller, Permission.READ_REPORTS)
    await refuse_large_snapshot(
        caller,
        format_code=request.format_code,
        place_kind=request.place_kind,
        place_id=request.place_id,
        jurisdiction_code=request.jurisdiction_code,
        now=now,
    )
    report = await build_report(caller, request, now)
    table = report.table.to_json()
    parameters = {
        "formatCode": report.fmt.code,
        "periodKind": report.period.kind.value,
        "period": report.period.value,
        "periodStart": report.period.start.isoformat(),
        "periodEnd": report.period.end.isoformat(),
        "asOf": report.as_of.isoformat(),
        "placeKind": report.place.kind.value,
        "placeId": str(report.place.id) if report.place.id else None,
        "placeName": report.place.name,
        "public": request.public,
        "masking": report.table.masking.value,
        "generatedAt": now.isoformat(),
        "generatedBy": caller.label,
    }
    place = report.place
    return await ReportSnapshot.create(
        jurisdiction_id=place.jurisdiction_id,
        format_code=report.fmt.code,
        title=report.fmt.title[:255],
        period_kind=report.period.kind.value,
        period_value=report.period.value,
        period_start=report.period.start,
        period_end=report.period.end,
        place_kind=place.kind.value,
        place_id=place.id,
        place_name=place.name[:128],
        town_id=place.id if place.kind is PlaceKind.TOWN else None,
        school_id=place.id if place.kind is PlaceKind.SCHOOL else None,
        masking=report.table.masking.value,
        parameters=parameters,
        table=table,
        row_count=len(report.table.rows),
        checksum=canonical_checksum(parameters, table),
        generated_by=caller.label[:64],
        generated_by_account_id=caller.account_id,
        generated_at=now,
    )


async def find_snapshot(caller: Caller, snapshot_id: uuid.UUID | None) -> ReportSnapshot:
    """The stored report ``snapshot_id`` if the caller may see it; ``NOT_FOUND`` otherwise."""
    require_permission(caller, Permission.READ_REPORTS)
    row = None
    if snapshot_id is not None:
        row = await scoped(ReportSnapshot, caller).filter(id=snapshot_id).first()
    if row is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            "报表不存在或不在您的工作范围内",
            "no such report within your scope",
            field="id",
        )
    return row


#: The states of a report handed in to the next level (已报送, 已受理).
HANDED_IN = (SubmissionState.SUBMITTED, SubmissionState.ACCEPTED)


async def latest_handed_in(
    caller: Caller, jurisdiction_id: uuid.UUID, *, limit: int = 10
) -> list[ReportSnapshot]:
    """最近报送的报表: the county's snapshots submitted or accepted that the caller may see
    (a town's and its schools' for a township official, a school's own for its head), the
    latest handed in (or accepted) first."""
    require_permission(caller, Permission.READ_REPORTS)
    return (
        await scoped(ReportSnapshot, caller)
        .filter(jurisdiction_id=jurisdiction_id, state__in=[s.value for s in HANDED_IN])
        .order_by("-state_changed_at", "-generated_at", "-id")
        .limit(limit)
    )


def table_of(snapshot: ReportSnapshot) -> ReportTable:
    return ReportTable.from_json(snapshot.table)


def needs_signature(snapshot: ReportSnapshot) -> bool:
    """Whether the format names a signatory (the stored table keeps its sign-off lines)."""
    return bool(snapshot.table.get("signOff"))


def _is_the_unit(caller: Caller, snapshot: ReportSnapshot) -> bool:
    """Whether the caller speaks for the unit the report is about (its school, its town, the
    county): only that unit's head signs and submits it."""
    scope = caller.scope
    if scope is None:
        return False
    if scope.jurisdiction_id is None:  # the operator at the command line
        return True
    kind = PlaceKind(snapshot.place_kind)
    if kind is PlaceKind.SCHOOL:
        return scope.kind is ScopeKind.SCHOOL and scope.school_id == snapshot.place_id
    if kind is PlaceKind.TOWN:
        return scope.kind is ScopeKind.TOWN and snapshot.place_id in scope.town_ids
    return scope.kind is ScopeKind.COUNTY


async def act_on_report(
    caller: Caller,
    snapshot_id: uuid.UUID | None,
    action: SubmissionAction,
    now: datetime,
    *,
    reason: str = "",
    expected_version: int | None = None,
) -> ReportSnapshot:
    """签署 / 报送 (the unit's head, SIGN_REPORTS) or 受理 / 退回 (the county bureau,
    REVIEW_REPORTS, a reason for a return); the table never changes."""
    needed = (
        Permission.SIGN_REPORTS
        if action in (SubmissionAction.SIGN, SubmissionAction.SUBMIT)
        else Permission.REVIEW_REPORTS
    )
    require_permission(caller, needed)
    snapshot = await find_snapshot(caller, snapshot_id)
    reason = reason.strip()
    if action in (SubmissionAction.SIGN, SubmissionAction.SUBMIT):
        if not _is_the_unit(caller, snapshot):
            raise DomainError(
                ErrorCode.FORBIDDEN,
                f"只有{snapshot.place_name}的负责人可以签署、报送本报表",
                "only the head of the unit the report is about may sign or submit it",
            )
    elif caller.scope is None or (
        caller.scope.jurisdiction_id is not None and caller.scope.kind is not ScopeKind.COUNTY
    ):
        raise DomainError(
            ErrorCode.FORBIDDEN,
            "受理或退回报表需要县级教育行政部门的账号",
            "accepting or returning a report needs a county-wide account",
        )
    if action is SubmissionAction.RETURN and not reason:
        raise DomainError(
            ErrorCode.REQUIRED, "退回须写明原因", "a return needs a reason", field="reason"
        )
    signature = needs_signature(snapshot)
    current = SubmissionState(snapshot.state)
    target = submission.next_state(action, current, needs_signature=signature)
    if target is None:
        allowed = submission.allowed_actions(current, needs_signature=signature)
        hint = (
            "; 本报表须先经单位主要负责同志签署"
            if signature and action is SubmissionAction.SUBMIT
            else ""
        )
        raise DomainError(
            ErrorCode.INVALID_TRANSITION,
            f"报表当前为「{current.label}」, 不能{action.label}{hint}",
            f"cannot {action.value} a report that is {current.value}",
            field="action",
            allowed_actions=allowed,
            current_state=current,
        )
    if expected_version is not None and expected_version != snapshot.version:
        raise DomainError(
            ErrorCode.CONFLICT,
            "报表已被他人处理, 请刷新后重试",
            "the report was changed by someone else: reload it",
            field="expectedVersion",
            current_state=current,
            current_version=snapshot.version,
        )
    role = ""
    if action is SubmissionAction.SIGN:
        role = (snapshot.table.get("signOff") or [""])[0].split(" (")[0]
    async with in_transaction():
        updated = await ReportSnapshot.filter(id=snapshot.id, version=snapshot.version).update(
            state=target,
            state_reason=reason,
            state_changed_at=now,
            version=snapshot.version + 1,
        )
        if updated != 1:
            raise DomainError(
                ErrorCode.CONFLICT,
                "报表已被他人处理, 请刷新后重试",
                "the report was changed by someone else: reload it",
                field="expectedVersion",
            )
        await ReportSubmissionEvent.create(
            snapshot_id=snapshot.id,
            action=action.value,
            from_state=current,
            to_state=target,
            actor=caller.label[:64],
            actor_account_id=caller.account_id,
            role=role[:64],
            reason=reason,
            occurred_at=now,
        )
        told = event_payloads.report_step(
            snapshot=snapshot,
            action=action.value,
            from_state=current,
            to_state=target,
            reason=reason,
            occurred_at=now,
            recipient=addressing.COUNTY
            if action is SubmissionAction.SUBMIT
            else addressing.for_place(
                snapshot.place_kind, town_id=snapshot.town_id, school_id=snapshot.school_id
            ),
        )
        if told is not None:
            await record_event(told, caller=caller)
    return await ReportSnapshot.get(id=snapshot.id)


__all__ = [
    "GeneratedReport",
    "ReportRequest",
    "SubmissionState",
    "act_on_report",
    "build_report",
    "canonical_checksum",
    "find_snapshot",
    "generate_report",
    "masking_for",
    "table_of",
    "verify_checksum",
]
