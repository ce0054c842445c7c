"""The workflow's commands: each one a single transaction that changes a case or changes nothing.

Every command on an existing case

1. loads the case and refuses (``CONFLICT``) when the caller's ``expected_version`` is not the
   current one;
2. asks :mod:`core.cases.workflow` whether the action is allowed from the current state
   (``INVALID_TRANSITION`` with the allowed actions otherwise) and checks its guards;
3. writes the new state with a compare-and-set,
   ``UPDATE case_file SET …, version = v + 1 WHERE id = ? AND version = v``; zero rows means
   another writer got there first, and the whole transaction is rolled back (``CONFLICT``);
4. appends the timeline event (with attachments by reference), writes the 学籍异动 the step
   implies (:mod:`core.cases.enrolment`) and the case's next deadline
   (:mod:`core.cases.deadlines`).

The compare-and-set needs no lock and no sleeping: on PostgreSQL the second writer's UPDATE
waits for the first transaction and then matches no row; on SQLite writers are serialised.

:func:`report_case` creates a case. At most one case per child and kind is open (the unique
``open_key``); a client-chosen idempotency key, stored in the same transaction, makes a retried
report return the case the first attempt created.

Authorisation is checked here, so that every entry point (GraphQL, command line, imports)
goes through it: a command needs ``WRITE_CASES``, and every id it names (the case, the child,
the school, the class, the acting official) is looked up in the caller's scope and in the
case's county (:mod:`core.access.authorise`); anything outside is ``NOT_FOUND``.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.access.audit import WriteAudit, record_write
from core.access.authorise import find_in_scope, require_authority, require_permission
from core.access.caller import Caller
from core.access.enums import Permission
from core.access.scope import scoped
from core.cases import enrolment as enrolment_steps
from core.cases import events
from core.cases.deadlines import clock_for
from core.cases.enums import (
    TERMINAL_STATES,
    CaseEventKind,
    CaseKind,
    CaseSource,
    CaseState,
    ContactKind,
    ContactOutcome,
    DismissalGrounds,
    ExemptionKind,
)
from core.cases.errors import conflict, invalid_transition
from core.cases.events import Payload, event_details
from core.cases.models import Case, CaseAttachment, CaseEvent
from core.cases.policy import CaseRules, rules_for
from core.cases.workflow import CaseAction, InvalidTransition, next_state
from core.china_time import end_of_day, local_date
from core.enrolment.models import Enrolment
from core.errors import DomainError, ErrorCode
from core.events import addressing
from core.events import payloads as event_payloads
from core.events.outbox import record_event, record_events
from core.files.storage import GENERATED_BY, file_store
from core.idempotency import (
    IdempotencyRecord,
    check_key,
    remember,
    replay,
    reused_for_another,
)
from core.jurisdictions.models import Jurisdiction
from core.notices.docx import render_notice
from core.notices.values import child_values, chinese_date
from core.officials.models import Official
from core.people.dates import check_day_in_life
from core.people.models import Child
from core.plugins import rules_for as county_rules_for
from core.rules.enums import NoticeKind
from core.rules.specs import ExemptionRule
from core.schools.models import School, SchoolClass
from core.visits.models import HomeVisit, HomeVisitKind

S = CaseState
A = CaseAction

#: How far in the future a client's ``occurredAt`` may lie (clock skew between devices).
CLOCK_SKEW = timedelta(minutes=5)
#: Longest a 劝返复学通知书 may give the guardian (counties give a week or two).
MAX_NOTICE_PERIOD = timedelta(days=366)
#: Longest one 缓学/免学 application may run (a new one renews it).
MAX_EXEMPTION_PERIOD = timedelta(days=3 * 366)


# -- inputs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """Who acts: an official (by id) and/or a name as written on the paper record."""

    official_id: uuid.UUID | None = None
    name: str = ""


@dataclass(frozen=True)
class AttachmentRef:
    """A file kept elsewhere: name, SHA-256 and who uploaded it."""

    file_name: str
    sha256: str
    size_bytes: int | None = None
    uploaded_by: str = ""


@dataclass(frozen=True)
class Command:
    """What every command on an existing case carries."""

    caller: Caller
    case_id: uuid.UUID
    expected_version: int
    now: datetime
    occurred_at: datetime | None = None
    actor: Actor = field(default_factory=Actor)
    note: str = ""
    attachments: tuple[AttachmentRef, ...] = ()
    #: The audit entry of the request, written in the command's transaction.
    audit: WriteAudit | None = None


_KEEP = object()

#: The acting official's id (None for someone outside the system) and name, as recorded.
ResolvedActor = tuple[uuid.UUID | None, str]
#: Work a step does after the compare-and-set, inside the transaction: it returns the event's
#: payload with what it did added (the 学籍异动 it recorded, the home visit it logged).
Effect = Callable[[Case, datetime, ResolvedActor, Payload], Awaitable[Payload]]
#: A document a step writes (the 劝返复学通知书): its file name and bytes, stored in the file
#: store and attached to the step's event.
Document = Callable[[Case], Awaitable[tuple[str, bytes]]]


@dataclass
class Step:
    """What one command writes besides the new state."""

    event_kind: CaseEventKind
    #: The event's payload, built with its kind's builder (:mod:`core.cases.events`).
    payload: Payload
    updates: dict[str, Any] = field(default_factory=dict)
    #: The new clock, or ``_KEEP`` to leave ``next_deadline_at`` alone.
    due: Any = _KEEP
    #: Run after the compare-and-set, inside the transaction, in order.
    effects: list[Effect] = field(default_factory=list)
    #: Documents generated for the event and attached to it.
    documents: list[Document] = field(default_factory=list)


Planner = Callable[[Case, CaseState, CaseRules, datetime], Awaitable[Step]]


# -- shared checks -----------------------------------------------------------------------------


def _required(value: str | None, field_name: str, zh: str, en: str) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(
            ErrorCode.REQUIRED, f"{zh}不能为空", f"{en} is required", field=field_name
        )
    return text


def _occurred(occurred_at: datetime | None, now: datetime) -> datetime:
    if occurred_at is None:
        return now
    if occurred_at.tzinfo is None:
        raise DomainError(
            ErrorCode.INVALID,
            "occurredAt 须带时区",
            "occurredAt must carry a time zone offset",
            field="occurredAt",
        )
    if occurred_at > now + CLOCK_SKEW:
        raise DomainError(
            ErrorCode.INVALID,
            "发生时间不能晚于当前时间",
            "occurredAt cannot lie in the future",
            field="occurredAt",
        )
    return occurred_at


def _check_attachments(attachments: tuple[AttachmentRef, ...]) -> None:
    for i, ref in enumerate(attachments):
        digest = ref.sha256.strip().lower()
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise DomainError(
                ErrorCode.INVALID,
                "附件的 sha256 须为 64 位十六进制",
                "an attachment's sha256 must be 64 hexadecimal digits",
                field=f"attachments.{i}.sha256",
            )
        _required(ref.file_name, f"attachments.{i}.fileName", "附件文件名", "fileName")


async def _actor(caller: Caller, actor: Actor, jurisdiction_id: uuid.UUID) -> ResolvedActor:
    """The acting official, who must be of the record's county and in the caller's reach."""
    if actor.official_id is None:
        return None, actor.name.strip()[:64]
    official = await find_in_scope(
        Official,
        caller,
        actor.official_id,
        "actorId",
        ("经办人", "official"),
        jurisdiction_id=jurisdiction_id,
    )
    return official.id, (actor.name.strip() or official.name)[:64]


async def _jurisdiction_code(case: Case) -> str:
    code = await Jurisdiction.filter(id=case.jurisdiction_id).values_list(
        "division_code", flat=True
    )
    return code[0] if code else ""


async def case_rules(case: Case) -> CaseRules:
    """The rules of the case's jurisdiction."""
    return rules_for(await _jurisdiction_code(case))


async def _write_event(
    case: Case,
    *,
    kind: CaseEventKind,
    action: CaseAction,
    from_state: CaseState | None,
    to_state: CaseState,
    occurred: datetime,
    actor: ResolvedActor,
    payload: Payload,
    note: str,
    attachments: tuple[AttachmentRef, ...],
    caller: Caller,
    from_level: int | None = None,
) -> CaseEvent:
    """Append the timeline entry and record the step's event for whoever acts next (in the
    caller's transaction: :func:`core.events.outbox.record_event`)."""
    event = await CaseEvent.create(
        case=case,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        occurred_at=occurred,
        actor_id=actor[0],
        actor_name=actor[1],
        details=event_details(action, payload, note),
    )
    for ref in attachments:
        await CaseAttachment.create(
            event=event,
            file_name=ref.file_name.strip()[:255],
            sha256=ref.sha256.strip().lower(),
            size_bytes=ref.size_bytes,
            uploaded_by=(ref.uploaded_by or actor[1])[:64],
        )
    rules = await case_rules(case)
    await record_event(
        event_payloads.case_step(
            case=case,
            case_event_id=event.id,
            step=kind,
            action=action.value,
            from_state=from_state,
            to_state=to_state,
            from_level=from_level,
            level_name=rules.level(case.escalation_level).name,
            details=event.details,
            occurred_at=occurred,
            recipient=await addressing.for_case(case),
        ),
        caller=caller,
    )
    return event


async def _last_state_change(case: Case) -> datetime:
    """When the case last changed state (its report at the latest): a later step cannot be
    dated before it, so the timeline reads in the order things happened."""
    rows = await CaseEvent.filter(case_id=case.id).values_list(
        "occurred_at", "from_state", "to_state"
    )
    changes = [at for at, source, target in rows if source != target]
    return max([case.opened_at, *changes])


# -- the engine --------------------------------------------------------------------------------


async def _apply(
    cmd: Command, action: CaseAction | Callable[[Case], CaseAction], plan: Planner
) -> Case:
    caller = require_permission(cmd.caller, Permission.WRITE_CASES)
    occurred = _occurred(cmd.occurred_at, cmd.now)
    _check_attachments(cmd.attachments)
    async with in_transaction():
        case = await find_in_scope(Case, caller, cmd.case_id, "caseId", ("个案", "case"))
        if case.version != cmd.expected_version:
            raise conflict(cmd.expected_version, case.version)
        actor = await _actor(caller, cmd.actor, case.jurisdiction_id)
        chosen = action(case) if callable(action) else action
        from_state = CaseState(case.state)
        from_level = case.escalation_level
        try:
            to_state = next_state(chosen, from_state)
        except InvalidTransition as exc:
            raise invalid_transition(exc, case.version) from None
        last_change = await _last_state_change(case)
        if occurred < last_change:
            raise DomainError(
                ErrorCode.INVALID,
                f"发生时间不能早于个案最近一次状态变更 ({last_change.isoformat()})",
                f"occurredAt cannot precede the case's last change of state "
                f"({last_change.isoformat()})",
                field="occurredAt",
            )
        rules = rules_for(await _jurisdiction_code(case))
        step = await plan(case, to_state, rules, occurred)

        updates: dict[str, Any] = {
            "state": to_state,
            "version": cmd.expected_version + 1,
            "updated_at": cmd.now,
            **step.updates,
        }
        if step.due is not _KEEP:
            updates["next_deadline_at"] = step.due.at
        if to_state in TERMINAL_STATES:
            updates.update(open_key=None, closed_at=occurred, next_deadline_at=None)
        changed = await Case.filter(id=case.id, version=cmd.expected_version).update(**updates)
        # at most the one row; on SQLite Tortoise also counts the rows the database's triggers
        # wrote (the case's child marked for its stored facts, migration 0016_child_fact)
        if not changed:
            raise conflict(cmd.expected_version, None)
        for name, value in updates.items():
            setattr(case, name, value)

        payload = step.payload
        for effect in step.effects:
            payload = await effect(case, occurred, actor, payload)
        generated = []
        for make in step.documents:
            name, data = await make(case)
            digest, _ = file_store().put(data)
            generated.append(
                AttachmentRef(
                    file_name=name, sha256=digest, size_bytes=len(data), uploaded_by=GENERATED_BY
                )
            )
        await _write_event(
            case,
            kind=step.event_kind,
            action=chosen,
            from_state=from_state,
            to_state=to_state,
            occurred=occurred,
            actor=actor,
            payload=payload,
            note=cmd.note,
            attachments=cmd.attachments + tuple(generated),
            caller=caller,
            from_level=from_level,
        )
        await record_write(cmd.audit)
    return case


# -- creating a case ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportInput:
    caller: Caller
    child_id: uuid.UUID
    kind: CaseKind
    source: CaseSource
    now: datetime
    reason: str = "UNKNOWN"
    reason_detail: str = ""
    school_id: uuid.UUID | None = None
    whereabouts: str = ""
    occurred_at: datetime | None = None
    actor: Actor = field(default_factory=Actor)
    note: str = ""
    attachments: tuple[AttachmentRef, ...] = ()
    idempotency_key: str | None = None
    #: The audit entry of the request, written in the report's transaction.
    audit: WriteAudit | None = None


REPORT_OPERATION = "reportCase"


def open_key(child_id: uuid.UUID, kind: CaseKind) -> str:
    return f"{child_id}:{kind.value}"


def check_reason(reason: str, rules: CaseRules, field_name: str = "reason") -> str:
    code = (reason or "UNKNOWN").strip().upper()
    if code not in rules.reasons:
        raise DomainError(
            ErrorCode.INVALID,
            f"辍学原因代码 {code} 不在本地区的原因目录中",
            f"reason code {code} is not in the jurisdiction's vocabulary",
            field=field_name,
        )
    return code


async def _replayed_case(case_id: uuid.UUID, data: ReportInput) -> Case:
    case = await Case.get(id=case_id)
    if case.child_id != data.child_id or case.kind != data.kind:
        raise reused_for_another("另一名儿童或另一类个案", "another child or kind of case")
    return case


async def _duplicate(data: ReportInput) -> DomainError | None:
    existing = await Case.get_or_none(open_key=open_key(data.child_id, data.kind))
    if existing is None:
        return None
    return DomainError(
        ErrorCode.DUPLICATE,
        f"该儿童已有未结的同类个案 ({existing.id}, {CaseState(existing.state).label})",
        f"the child already has an open {data.kind.value} case ({existing.id})",
        field="childId",
        existing_id=existing.id,
        current_state=CaseState(existing.state),
        current_version=existing.version,
    )


def _reported_case_fields(
    data: ReportInput,
    *,
    jurisdiction_id: uuid.UUID,
    child_id: uuid.UUID,
    school_id: uuid.UUID | None,
    reason: str,
    occurred: datetime,
    deadline: datetime | None,
) -> dict[str, Any]:
    """The columns of a case as it is opened (上报), for :func:`report_case` and
    :func:`report_cases` alike."""
    return dict(
        jurisdiction_id=jurisdiction_id,
        child_id=child_id,
        school_id=school_id,
        kind=data.kind,
        state=S.REPORTED,
        source=data.source,
        reason=reason,
        reason_detail=data.reason_detail.strip(),
        whereabouts=data.whereabouts.strip()[:255],
        escalation_level=0,
        opened_at=occurred,
        next_deadline_at=deadline,
        open_key=open_key(child_id, data.kind),
        version=1,
    )


def _reported_at(data: ReportInput, child: Child) -> datetime:
    """When the reported absence began (``occurredAt``, else now), checked to fall within the
    child's life and not after today."""
    occurred = _occurred(data.occurred_at, data.now)
    check_day_in_life(
        local_date(occurred),
        born=child.birth_date,
        today=local_date(data.now),
        field="occurredAt",
        what=("发生时间", "occurredAt"),
    )
    return occurred


def _report_payload(data: ReportInput, reason: str) -> events.Report:
    """The timeline entry's payload of an opened case."""
    return events.Report(
        source=data.source,
        reason=reason,
        reason_detail=data.reason_detail.strip(),
        whereabouts=data.whereabouts.strip(),
    )


async def report_case(data: ReportInput) -> tuple[Case, bool]:
    """Open a case (疑似). Returns ``(case, replayed)``; ``replayed`` for a retried request."""
    caller = require_permission(data.caller, Permission.WRITE_CASES)
    child = await find_in_scope(Child, caller, data.child_id, "childId", ("儿童", "child"))
    key = check_key(data.idempotency_key)
    earlier = await replay(key, REPORT_OPERATION)
    if earlier is not None:
        return await _replayed_case(earlier, data), True

    occurred = _reported_at(data, child)
    _check_attachments(data.attachments)
    actor = await _actor(caller, data.actor, child.jurisdiction_id)
    code = await Jurisdiction.filter(id=child.jurisdiction_id).values_list(
        "division_code", flat=True
    )
    rules = rules_for(code[0] if code else None)
    reason = check_reason(data.reason, rules)
    school_id = data.school_id
    if school_id is not None:
        school = await find_in_scope(
            School,
            caller,
            school_id,
            "schoolId",
            ("学校", "school"),
            jurisdiction_id=child.jurisdiction_id,
        )
        school_id = school.id
    if school_id is None:
        current = await enrolment_steps.current_enrolment(child.id)
        school_id = current.school_id if current else None

    due = clock_for(S.REPORTED, rules=rules, level=0, since=occurred)
    try:
        async with in_transaction():
            # Asked again inside the transaction: a retry that raced the first attempt.
            earlier = await replay(key, REPORT_OPERATION)
            if earlier is not None:
                return await _replayed_case(earlier, data), True
            duplicate = await _duplicate(data)
            if duplicate is not None:
                # The open case may be the first attempt's, committed since the check above
                # (its key is committed with it): then this is a retry, not a duplicate.
                earlier = await replay(key, REPORT_OPERATION)
                if earlier is not None:
                    return await _replayed_case(earlier, data), True
                raise duplicate
            case = await Case.create(
                **_reported_case_fields(
                    data,
                    jurisdiction_id=child.jurisdiction_id,
                    child_id=child.id,
                    school_id=school_id,
                    reason=reason,
                    occurred=occurred,
                    deadline=due.at,
                )
            )
            await _write_event(
                case,
                kind=CaseEventKind.REPORT,
                action=A.REPORT,
                from_state=None,
                to_state=S.REPORTED,
                occurred=occurred,
                actor=actor,
                payload=_report_payload(data, reason),
                note=data.note,
                attachments=data.attachments,
                caller=caller,
            )
            if key is not None:
                await remember(key, REPORT_OPERATION, case.id)
            await record_write(data.audit)
    except IntegrityError:
        # A concurrent request committed first: the same key (a retry) or the same child.
        earlier = await replay(key, REPORT_OPERATION)
        if earlier is not None:
            return await _replayed_case(earlier, data), True
        duplicate = await _duplicate(data)
        if duplicate is not None:
            raise duplicate from None
        raise
    return case, False


async def report_cases(
    reports: Sequence[ReportInput],
    *,
    then: Callable[[list[Case]], Awaitable[None]] | None = None,
) -> list[tuple[Case, bool]]:
    """Open many cases at once (疑似; a batch such as the one the daily attendance check opens).

    Each gets what :func:`report_case` writes — the case, its REPORT timeline event, its
    idempotency key, the outbox event with its deliveries — with the same checks, but in one
    transaction and a fixed number of statements whatever the batch's size (bulk inserts).
    Returns ``(case, replayed)`` per report, in order; a report whose key was stored before
    returns that case. All or nothing: a child in the batch who already has an open case of
    the kind (``DUPLICATE``), or a concurrent writer of the same key or child
    (``IntegrityError``), fails the whole batch and nothing is written. One caller for the
    batch; no attachments and no audit entry (a batch is a system run, not a request).
    ``then`` is called with the new cases inside the transaction, to write what belongs with
    them (the daily check's alerts).
    """
    if not reports:
        return []
    caller = require_permission(reports[0].caller, Permission.WRITE_CASES)
    if any(r.caller is not reports[0].caller for r in reports):
        raise ValueError("report_cases: one caller per batch")
    if any(r.attachments or r.audit is not None for r in reports):
        raise ValueError("report_cases: no attachments or audit entries in a batch")
    keys = [check_key(r.idempotency_key) for r in reports]
    children = {
        c.id: c
        for c in await scoped(Child, caller).filter(id__in=list({r.child_id for r in reports}))
    }
    for r in reports:
        if r.child_id not in children:
            raise DomainError(
                ErrorCode.NOT_FOUND,
                "儿童不存在或不在您的工作范围内",
                "no such child within your scope",
                field="childId",
            )
    codes = dict(
        await Jurisdiction.filter(
            id__in=list({c.jurisdiction_id for c in children.values()})
        ).values_list("id", "division_code")
    )
    named_schools = {r.school_id for r in reports if r.school_id is not None}
    schools = (
        dict(
            await scoped(School, caller)
            .filter(id__in=list(named_schools))
            .values_list("id", "jurisdiction_id")
        )
        if named_schools
        else {}
    )
    current: dict[uuid.UUID, uuid.UUID] = {}
    for child_id, school_id in await (
        Enrolment.filter(child_id__in=list(children), is_current=True)
        .order_by("started_on", "id")
        .values_list("child_id", "school_id")
    ):
        current[child_id] = school_id  # the latest, as current_enrolment()

    async def prepared() -> tuple[dict[str, uuid.UUID], list[tuple[int, Case, CaseEvent, Any]]]:
        stored = {k for k in keys if k is not None}
        earlier = (
            dict(
                await IdempotencyRecord.filter(
                    key__in=list(stored), operation=REPORT_OPERATION
                ).values_list("key", "object_id")
            )
            if stored
            else {}
        )
        if stored and len(earlier) < len(stored):
            for key in stored - set(earlier):
                await replay(key, REPORT_OPERATION)  # INVALID for a key of another operation
        plans = []
        for i, (data, key) in enumerate(zip(reports, keys, strict=True)):
            if key is not None and key in earlier:
                continue
            child = children[data.child_id]
            occurred = _reported_at(data, child)
            actor = await _actor(caller, data.actor, child.jurisdiction_id)
            rules = rules_for(codes.get(child.jurisdiction_id))
            reason = check_reason(data.reason, rules)
            school_id = data.school_id
            if school_id is not None and schools.get(school_id) != child.jurisdiction_id:
                raise DomainError(
                    ErrorCode.NOT_FOUND,
                    "学校不存在或不在您的工作范围内",
                    "no such school within your scope",
                    field="schoolId",
                )
            if school_id is None:
                school_id = current.get(child.id)
            case = Case(
                id=uuid.uuid4(),
                **_reported_case_fields(
                    data,
                    jurisdiction_id=child.jurisdiction_id,
                    child_id=child.id,
                    school_id=school_id,
                    reason=reason,
                    occurred=occurred,
                    deadline=clock_for(S.REPORTED, rules=rules, level=0, since=occurred).at,
                ),
            )
            event = CaseEvent(
                id=uuid.uuid4(),
                case_id=case.id,
                kind=CaseEventKind.REPORT,
                from_state=None,
                to_state=S.REPORTED,
                occurred_at=occurred,
                actor_id=actor[0],
                actor_name=actor[1],
                details=event_details(
                    A.REPORT,
                    _report_payload(data, reason),
                    data.note,
                ),
            )
            plans.append((i, case, event, rules))
        return earlier, plans

    earlier, plans = await prepared()
    async with in_transaction():
        # Asked again inside the transaction: a retry that raced the first attempt.
        earlier, plans = await prepared()
        if plans:
            opened = {
                row["open_key"]: row
                for row in await Case.filter(
                    open_key__in=[case.open_key for _, case, _, _ in plans]
                ).values("id", "open_key", "state", "version")
            }
            for _, case, _, _ in plans:
                if case.open_key in opened:
                    existing = opened[case.open_key]
                    raise DomainError(
                        ErrorCode.DUPLICATE,
                        f"该儿童已有未结的同类个案 ({existing['id']})",
                        f"the child already has an open {case.kind.value} case ({existing['id']})",
                        field="childId",
                        existing_id=existing["id"],
                        current_state=CaseState(existing["state"]),
                        current_version=existing["version"],
                    )
            cases = [case for _, case, _, _ in plans]
            await Case.bulk_create(cases)
            await CaseEvent.bulk_create([event for _, _, event, _ in plans])
            records = [
                IdempotencyRecord(
                    id=uuid.uuid4(), key=keys[i], operation=REPORT_OPERATION, object_id=case.id
                )
                for i, case, _, _ in plans
                if keys[i] is not None
            ]
            if records:
                await IdempotencyRecord.bulk_create(records)
            recipients = await addressing.for_cases(cases)
            await record_events(
                [
                    event_payloads.case_step(
                        case=case,
                        case_event_id=event.id,
                        step=CaseEventKind.REPORT,
                        action=A.REPORT.value,
                        from_state=None,
                        to_state=S.REPORTED,
                        from_level=None,
                        level_name=rules.level(0).name,
                        details=event.details,
                        occurred_at=event.occurred_at,
                        recipient=recipient,
                    )
                    for (_, case, event, rules), recipient in zip(plans, recipients, strict=True)
                ],
                caller=caller,
            )
            if then is not None:
                await then(cases)
    made = {i: case for i, case, _, _ in plans}
    replayed_ids = [earlier[k] for i, k in enumerate(keys) if i not in made and k is not None]
    replayed = {c.id: c for c in await Case.filter(id__in=replayed_ids)} if replayed_ids else {}
    out = []
    for i, (data, key) in enumerate(zip(reports, keys, strict=True)):
        if i in made:
            out.append((made[i], False))
            continue
        case = replayed[earlier[key]]
        if case.child_id != data.child_id or case.kind != data.kind:
            raise reused_for_another("另一名儿童或另一类个案", "another child or kind of case")
        out.append((case, True))
    return out


# -- commands on a case ------------------------------------------------------------------------


def _day(moment: datetime) -> date:
    return local_date(moment)


async def verify_case(cmd: Command) -> Case:
    """疑似 → 核实中: the 学籍管理员 has marked the report and verification starts."""

    async def plan(case: Case, to: CaseState, rules: CaseRules, at: datetime) -> Step:
        return Step(
            CaseEventKind.VERIFICATION,
            events.Verification(stage="STARTED"),
            due=clock_for(to, rules=rules, level=case.escalation_level, since=at),
        )

    return await _apply(cmd, A.VERIFY, plan)


async def confirm_case(
    cmd: Command, *, findings: str, reason: str | None = None, whereabouts: str = ""
) -> Case:
    """核实中 → 已确认: a dropout (辍学, recorded in the 学籍) or a child never enrolled."""
    findings = _required(findings, "findings", "核实情况", "findings")

    async def plan(case: Case, to: CaseState, rules: CaseRules, at: datetime) -> Step:
        code = check_reason(reason, rules) if reason else case.reason
        effects = []
        if case.kind is CaseKind.DROPOUT:

            async def dropout(
                c: Case, moment: datetime, _: ResolvedActor, payload: Payload
            ) -> Payload:
                step = await enrolment_steps.record_dropout(c, _day(moment), f"辍学: {code}")
                return replace(payload, enrolment=step)

            effects.append(dropout)
        return Step(
            CaseEventKind.CONFIRMATION,
            events.Confirmation(findings=findings, reason=code, whereabouts=whereabouts.strip()),
            updates={
                "reason": code,
                "escalation_level": rules.confirmed_level or 0,
                **({"whereabouts": whereabouts.strip()[:255]} if whereabouts.strip() else {}),
            },
            due=clock_for(to, rules=rules, level=rules.confirmed_level or 0, since=at),
            effects=effects,
        )

    return await _apply(cmd, A.CONFIRM, plan)


async def dismiss_case(
    cmd: Command, *, grounds: DismissalGrounds, evidence: str, school_elsewhere: str = ""
) -> Case:
    """核实中 → 已排除: not a dropout, with the evidence that shows it."""
    evidence = evidence.strip()
    if not evidence and not cmd.attachments:
        raise DomainError(
            ErrorCode.REQUIRED,
            "排除须记录证据 (说明或附件)",
            "a dismissal needs evidence (text or an attachment)",
            field="evidence",
        )
    if grounds is DismissalGrounds.STUDYING_ELSEWHERE:
        school_elsewhere = _required(
            school_elsewhere, "schoolElsewhere", "现就读学校", "schoolElsewhere"
        )

    async def plan(case: Case, to: CaseState, rules: CaseRules, at: datetime) -> Step:
        return Step(
            CaseEventKind.DISMISSAL,
            events.Dismissal(
                grounds=grounds, evidence=evidence, school_elsewhere=school_elsewhere.strip()
            ),
        )

    return await _apply(cmd, A.DISMISS, plan)


async def record_contact(
    cmd: Command,
    *,
    kind: ContactKind,
    outcome: ContactOutcome,
    method: str = "",
    participants: tuple[str, ...] = (),
) -> Case:
    """A home visit, a call or a persuasion talk. The first one after confirmation starts
    劝返; a contact that reaches an unreachable family resumes it."""

    def choose(case: Case) -> CaseAction:
        if case.state == S.UNREACHABLE and outcome is not ContactOutcome.NOT_REACHED:
            return A.RESUME_CONTACT
        return A.RECORD_CONTACT

    async def plan(case: Case, to: CaseState, rules: CaseRules, at: datetime) -> Step:
        step = Step(
            kind.event_kind,
            events.Contact(
                outcome=outcome,
                method=method.strip(),
                participants=tuple(p.strip() for p in participants if p.strip()),
            ),
        )
        if case.state == S.UNREACHABLE and to is S.PERSUADING:
            step.due = clock_for(to, rules=rules, level=case.escalation_level, since=at)
        if kind is ContactKind.HOME_VISIT:
            step.effects.append(_home_visit(cmd, outcome))
        return step

    return await _apply(cmd, choose, plan)


def _home_visit(cmd: Command, outcome: ContactOutcome) -> Effect:
    async def effect(case: Case, at: datetime, actor: ResolvedActor, payload: Payload) -> Payload:
        official_id, name = actor
        visit = await HomeVisit.create(
            child_id=case.child_id,
            case=case,
            visitor_id=official_id,
            visitor_name=name,
            kind=HomeVisitKind.HOME_VISIT,
            visited_on=_day(at),
            findings=cmd.note.strip(),
            follow_up_needed=outcome is not ContactOutcome.AGREED_TO_RETURN,
        )
        return replace(payload, home_visit_id=str(visit.id))

    return effect


async def issue_return_notice(cmd: Command, *, number: str, deadline: date | None = None) -> Case:
    """劝返复学通知书: the guardian must send the child back by ``deadline`` (default: the
    jurisdiction's notice time, 7 days); after that the case is due to go up the chain. The
    notice itself is printed from the county's template (``baoxue_notice_templates``) as a DOCX,
    kept in the file store and attached to the event."""
    number = _required(number, "number", "通知书编号", "number")

    async def plan(case: Case, to: CaseState, rules: CaseRules, at: datetime) -> Step:
        issued = _day(at)
        due_day = deadline or issued + timedelta(days=rules.return_notice_days)
        if not issued <= due_day <= issued + MAX_NOTICE_PERIOD:
            raise DomainError(
                ErrorCode.INVALID,
                f"限期复学日期须在下达日期起 {MAX_NOTICE_PERIOD.days} 天内",
                f"the deadline must lie within {MAX_NOTICE_PERIOD.days} days of the date of issue",
                field="deadline",
            )
        due_at = end_of_day(due_day)
        level = max(case.escalation_level, rules.return_notice_level or 0)

        async def document(c: Case) -> tuple[str, bytes]:
            county = county_rules_for(await _jurisdiction_code(c))
            values = await child_values(c.child_id, school_id=c.school_id)
            values.update(
                number=number, issued_on=chinese_date(issued), deadline=chinese_date(due_day)
            )
            template = county.notice_template(NoticeKind.RETURN_NOTICE)
            return f"劝返复学通知书_{number}.docx", render_notice(template, values)

        return Step(
            CaseEventKind.RETURN_NOTICE,
            events.ReturnNotice(
                number=number, issued_on=issued, deadline=due_day, deadline_at=due_at
            ),
            updates={"escalation_level": level},
            due=clock_for(to, rules=rules, level=level, since=at, notice_deadline=due_at),
            documents=[document],
        )

    return await _apply(cmd, A.ISSUE_RETURN_NOTICE, plan)


async def escalate_case(
    cmd: Command, *, to_level: int | None = None, to_whom: str = "", reason: str = ""
) -> Case:
    """Hand the case to the next level of the chain (or a named higher one)."""

    async def plan(case: Case, to: CaseState, rules: CaseRules, at: datetime) -> Step:
        current = case.escalation_level
        if current >= rules.top_level:
            raise DomainError(
                ErrorCode.INVALID,
                f"已在最高一级 ({rules.level(current).name}), 无法再上报",
                "the case is at the top of the escalation chain already",
                field="toLevel",
            )
        target = current + 1 if to_level is None else to_level
        if not current < target <= rules.top_level:
            raise DomainError(
                ErrorCode.INVALID,
                f"上报层级须在 {current + 1} 到 {rules.top_level} 之间",
                f"toLevel must be between {current + 1} and {rules.top_level}",
                field="toLevel",
            )
        source, dest = rules.level(current), rules.level(target)
        return Step(
            CaseEventKind.ESCALATION,
            events.Escalation(
                from_level=current,
                to_level=target,
                from_level_name=source.name,
                to_level_name=dest.name,
                to_office=dest.office,
                to_whom=to_whom.strip() or dest.office,
                notify=tuple(dest.notify),
                reason=reason.strip(),
            ),
            updates={"escalation_level": target},
            due=clock_for(to, rules=rules, level=target, since=at),
        )

    return await _apply(cmd, A.ESCALATE, plan)


async def record_return(cmd: Command, *, school_class_id: uuid.UUID) -> Case:
    """复学 into a class: the 学籍 records 复学 (or 入学 for a child never enrolled)."""

    async def plan(case: Case, to: CaseState, rules: CaseRules, at: datetime) -> Step:
        school_class = await find_in_scope(
            SchoolClass,
            cmd.caller,
            school_class_id,
            "schoolClassId",
            ("班级", "class"),
            jurisdiction_id=case.jurisdiction_id,
        )
        school = await School.get(id=school_class.school_id)

        async def resume(c: Case, moment: datetime, _: ResolvedActor, payload: Payload) -> Payload:
            step = await enrolment_steps.record_return(c, _day(moment), school_class, "劝返复学")
            return replace(payload, enrolment=step)

        return Step(
            CaseEventKind.RETURN,
            events.Return(
                returned_on=_day(at),
                school_class_id=str(school_class.id),
                school_name=school.name,
                grade=school_class.grade,
                class_name=school_class.name,
            ),
            updates={"school_id": school_class.school_id},
            due=clock_for(to, rules=rules, level=case.escalation_level, since=at),
            effects=[resume],
        )

    return await _apply(cmd, A.RECORD_RETURN, plan)


async def record_follow_up(cmd: Command, *, attending: bool) -> Case:
    """保学跟踪: a check that a returned child is still in school. A child found out of
    school again (反弹) goes back to 劝返 and the 学籍 records 辍学 again."""
    action = A.RECORD_FOLLOW_UP if attending else A.RECORD_RELAPSE

    async def plan(case: Case, to: CaseState, rules: CaseRules, at: datetime) -> Step:
        step = Step(CaseEventKind.FOLLOW_UP, events.FollowUp(attending=attending))
        if not attending:
            step.due = clock_for(to, rules=rules, level=case.escalation_level, since=at)

            async def dropout(
                c: Case, moment: datetime, _: ResolvedActor, payload: Payload
            ) -> Payload:
                step = await enrolment_steps.record_dropout(c, _day(moment), "复学后再次辍学")
                return replace(payload, enrolment=step)

            step.effects.append(dropout)
        return step

    return await _apply(cmd, action, plan)


async def reopen_case(
    cmd: Command,
    *,
    source: CaseSource,
    reason_detail: str,
    then: Effect | None = None,
) -> Case:
    """反弹: a returned, monitored or closed case is opened again, back to 疑似 for
    verification, because the child is suspected of dropping out again (a head teacher's
    report, an absence rule). The same case carries on: its timeline keeps every earlier step
    and shows the reopening. ``then`` runs inside the transaction after the new state is
    written (the absence rule records its alert there)."""
    detail = _required(reason_detail, "reasonDetail", "重新打开的原因", "reasonDetail")

    async def plan(case: Case, to: CaseState, rules: CaseRules, at: datetime) -> Step:
        previous = CaseState(case.state)
        duplicate = await Case.get_or_none(open_key=open_key(case.child_id, CaseKind(case.kind)))
        if duplicate is not None and duplicate.id != case.id:
            raise DomainError(
                ErrorCode.DUPLICATE,
                f"该儿童已有未结的同类个案 ({duplicate.id})",
                f"the child already has another open case of this kind ({duplicate.id})",
                field="caseId",
                existing_id=duplicate.id,
            )
        step = Step(
            CaseEventKind.REOPEN,
            events.Reopen(source=source, reason_detail=detail, previous_state=previous.value),
            updates={
                "open_key": open_key(case.child_id, CaseKind(case.kind)),
                "closed_at": None,
                "escalation_level": 0,
            },
            due=clock_for(to, rules=rules, level=0, since=at),
        )
        if then is not None:
            step.effects.append(then)
        return step

    return await _apply(cmd, A.REOPEN, plan)


async def last_return_at(case_id: uuid.UUID) -> datetime | None:
    event = (
        await CaseEvent.filter(case_id=case_id, kind=CaseEventKind.RETURN)
        .order_by("-occurred_at", "-recorded_at")
        .first()
    )
    return event.occurred_at if event else None


async def close_case(cmd: Command) -> Case:
    """销号: only after the follow-up window since the (last) return has passed."""

    async def plan(case: Case, to: CaseState, rules: CaseRules, at: datetime) -> Step:
        returned = await last_return_at(case.id)
        allowed_from = (returned or case.opened_at) + timedelta(days=rules.follow_up_window_days)
        if min(at, cmd.now) < allowed_from:
            raise DomainError(
                ErrorCode.TOO_EARLY,
                f"复学后须跟踪 {rules.follow_up_window_days} 天方可销号, "
                f"最早 {allowed_from.isoformat()}",
                f"a case can be closed {rules.follow_up_window_days} days after the return, "
                f"at {allowed_from.isoformat()} at the earliest",
                field="occurredAt",
            )
        return Step(
            CaseEventKind.CLOSURE,
            events.Closure(follow_up_window_days=rules.follow_up_window_days),
        )

    return await _apply(cmd, A.CLOSE, plan)


async def request_exemption(
    cmd: Command,
    *,
    applicant_name: str,
    applicant_relation: str = "",
    kind: ExemptionKind = ExemptionKind.DEFERRAL,
    reason: str = "ILLNESS",
    application_reference: str = "",
    until: date | None = None,
) -> Case:
    """Record the guardian's written application for 缓学/免学 (the application itself is a
    document: an attachment or a reference to the paper file is required)."""
    applicant_name = _required(applicant_name, "applicantName", "申请人", "applicantName")
    if not application_reference.strip() and not cmd.attachments:
        raise DomainError(
            ErrorCode.REQUIRED,
            "须附监护人书面申请 (附件或纸质档案编号)",
            "the guardian's written application is required (an attachment or a reference)",
            field="applicationReference",
        )

    async def plan(case: Case, to: CaseState, rules: CaseRules, at: datetime) -> Step:
        if until is not None and not _day(at) <= until <= _day(at) + MAX_EXEMPTION_PERIOD:
            raise DomainError(
                ErrorCode.INVALID,
                f"缓学/免学截止日期须在申请日期起 {MAX_EXEMPTION_PERIOD.days} 天内",
                f"until must lie within {MAX_EXEMPTION_PERIOD.days} days of the application",
                field="until",
            )
        code = check_reason(reason, rules)
        if rules.exemptions and rules.exemption_for(code) is None:
            allowed = ", ".join(rules.exemption_reasons)
            raise DomainError(
                ErrorCode.INVALID,
                f"本地区缓学/免学只适用于以下原因: {allowed} (原因 {code} 不在其列)",
                f"an exemption may only be granted here for: {allowed} (not {code})",
                field="reason",
            )
        return Step(
            CaseEventKind.EXEMPTION_REQUEST,
            events.ExemptionRequest(
                applicant_name=applicant_name,
                applicant_relation=applicant_relation.strip(),
                exemption_kind=kind,
                reason=code,
                application_reference=application_reference.strip(),
                applied_on=_day(at),
                until=until,
            ),
        )

    return await _apply(cmd, A.REQUEST_EXEMPTION, plan)


async def approve_exemption(
    cmd: Command,
    *,
    approving_authority: str,
    approver_name: str = "",
    document_number: str = "",
    filed_with: str = "",
) -> Case:
    """The township (or the county bureau) approves: the case ends 缓学/免学 and the 学籍
    records 休学. Refused unless a written application was recorded first."""
    approving_authority = _required(
        approving_authority, "approvingAuthority", "批准机关", "approvingAuthority"
    )

    async def plan(case: Case, to: CaseState, rules: CaseRules, at: datetime) -> Step:
        request, application = await _pending_request(case)
        rule = _approving_rule(cmd.caller, rules, application)

        async def suspend(c: Case, moment: datetime, _: ResolvedActor, payload: Payload) -> Payload:
            step = await enrolment_steps.record_suspension(
                c, _day(moment), f"缓学/免学: {application.reason}"
            )
            return replace(payload, enrolment=step)

        return Step(
            CaseEventKind.EXEMPTION_APPROVAL,
            events.ExemptionApproval(
                approving_authority=approving_authority,
                approver_name=approver_name.strip(),
                document_number=document_number.strip(),
                filed_with=filed_with.strip() or rule.filed_with,
                approved_on=_day(at),
                request_event_id=str(request.id),
                exemption_kind=application.exemption_kind,
            ),
            effects=[suspend],
        )

    return await _apply(cmd, A.APPROVE_EXEMPTION, plan)


_EXEMPTION_ENDS = (
    CaseEventKind.EXEMPTION_APPROVAL,
    CaseEventKind.EXEMPTION_REJECTION,
    CaseEventKind.EXEMPTION_WITHDRAWAL,
)


async def _pending_request(case: Case) -> tuple[CaseEvent, events.ExemptionRequest]:
    """The latest application not yet decided or withdrawn; ``REQUIRED`` when there is none."""
    rows = await CaseEvent.filter(
        case_id=case.id, kind__in=[CaseEventKind.EXEMPTION_REQUEST, *_EXEMPTION_ENDS]
    ).order_by("-occurred_at", "-recorded_at")
    latest = rows[0] if rows else None
    if latest is None or latest.kind != CaseEventKind.EXEMPTION_REQUEST:
        raise DomainError(
            ErrorCode.REQUIRED,
            "须先登记监护人的书面申请 (requestExemption); 此前的申请已办结或撤回"
            if latest is not None
            else "须先登记监护人的书面申请 (requestExemption)",
            "record the guardian's written application first (requestExemption)",
            field="caseId",
        )
    return latest, events.ExemptionRequest.from_details(latest.details)


def _approving_rule(
    caller: Caller, rules: CaseRules, application: events.ExemptionRequest
) -> ExemptionRule:
    """The county's rule for the application's reason, if the caller is its approving
    authority (``FORBIDDEN`` otherwise: 荔浦 四.(一) - the township approves)."""
    rule = rules.exemption_for(application.reason)
    if rule is None:
        allowed = ", ".join(rules.exemption_reasons) or "无 / none"
        raise DomainError(
            ErrorCode.INVALID,
            f"申请的原因 {application.reason} 不是本地区缓学/免学的理由 (允许: {allowed})",
            f"{application.reason} is not a ground for an exemption here (allowed: {allowed})",
            field="caseId",
        )
    source = " ".join(p for p in (rule.clause.section, rule.clause.text[:40]) if p)
    require_authority(caller, rule.approved_by, ("缓学/免学", "an exemption"), source)
    return rule


async def reject_exemption(
    cmd: Command, *, rejecting_authority: str, reason: str, document_number: str = ""
) -> Case:
    """The approving authority turns the application down: the case goes on as before."""
    rejecting_authority = _required(
        rejecting_authority, "rejectingAuthority", "决定机关", "rejectingAuthority"
    )
    reason = _required(reason, "reason", "不予批准的理由", "reason")

    async def plan(case: Case, to: CaseState, rules: CaseRules, at: datetime) -> Step:
        request, application = await _pending_request(case)
        _approving_rule(cmd.caller, rules, application)
        return Step(
            CaseEventKind.EXEMPTION_REJECTION,
            events.ExemptionRejection(
                rejecting_authority=rejecting_authority,
                reason=reason,
                document_number=document_number.strip(),
                rejected_on=_day(at),
                request_event_id=str(request.id),
            ),
        )

    return await _apply(cmd, A.REJECT_EXEMPTION, plan)


async def withdraw_exemption(cmd: Command, *, reason: str = "") -> Case:
    """The guardian withdraws the application (recorded by whoever handles the case)."""

    async def plan(case: Case, to: CaseState, rules: CaseRules, at: datetime) -> Step:
        request, _ = await _pending_request(case)
        return Step(
            CaseEventKind.EXEMPTION_WITHDRAWAL,
            events.ExemptionWithdrawal(
                reason=reason.strip(), withdrawn_on=_day(at), request_event_id=str(request.id)
            ),
        )

    return await _apply(cmd, A.WITHDRAW_EXEMPTION, plan)


async def mark_unreachable(
    cmd: Command, *, handed_to: str, village: str = "", attempts: str = ""
) -> Case:
    """联系不上: the case is handed to the township (镇街政府), which makes the village act."""
    handed_to = _required(handed_to, "handedTo", "移交的乡镇/街道", "handedTo")

    async def plan(case: Case, to: CaseState, rules: CaseRules, at: datetime) -> Step:
        level = case.escalation_level
        if rules.unreachable_level is not None:
            level = max(level, rules.unreachable_level)
        return Step(
            CaseEventKind.UNREACHABLE,
            events.Unreachable(
                handed_to=handed_to, village=village.strip(), attempts=attempts.strip(), level=level
            ),
            updates={"escalation_level": level},
            due=clock_for(to, rules=rules, level=level, since=at),
        )

    return await _apply(cmd, A.MARK_UNREACHABLE, plan)


async def record_transfer(cmd: Command, *, to_school: str, transfer_document: str = "") -> Case:
    """转学: the child studies elsewhere with transfer papers (人籍一致); the 学籍 records
    转出 and the case ends."""
    to_school = _required(to_school, "toSchool", "转入学校", "toSchool")
    if not transfer_document.strip() and not cmd.attachments:
        raise DomainError(
            ErrorCode.REQUIRED,
            "须记录转学手续 (证明编号或附件)",
            "the transfer papers are required (a reference or an attachment)",
            field="transferDocument",
        )

    async def plan(case: Case, to: CaseState, rules: CaseRules, at: datetime) -> Step:
        async def transfer(
            c: Case, moment: datetime, _: ResolvedActor, payload: Payload
        ) -> Payload:
            step = await enrolment_steps.record_transfer_out(
                c, _day(moment), to_school, "转学 (人籍一致)"
            )
            return replace(payload, enrolment=step)

        return Step(
            CaseEventKind.TRANSFER,
            events.Transfer(
                to_school=to_school,
                transfer_document=transfer_document.strip(),
                transferred_on=_day(at),
            ),
            effects=[transfer],
        )

    return await _apply(cmd, A.RECORD_TRANSFER, plan)
