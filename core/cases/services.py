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

Authorisation is not checked here yet; when it is, it belongs in this module, so that every
entry point (GraphQL, CLI, imports) goes through it.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.api.errors import ErrorCode
from core.cases import enrolment as enrolment_steps
from core.cases.deadlines import clock_for, end_of_day
from core.cases.enums import TERMINAL_STATES, CaseEventKind, CaseKind, CaseSource, CaseState
from core.cases.errors import CommandError
from core.cases.idempotency import check_key, remember, replay, reused_for_another
from core.cases.models import Case, CaseAttachment, CaseEvent
from core.cases.policy import CaseRules, rules_for
from core.cases.workflow import CaseAction, InvalidTransition, next_state
from core.labelled_enum import LabelledEnum
from core.officials.models import Official
from core.people.models import Child
from core.people.queries import local_date
from core.schools.models import School, SchoolClass

S = CaseState
A = CaseAction

#: How far in the future a client's ``occurredAt`` may lie (clock skew between devices).
CLOCK_SKEW = timedelta(minutes=5)


class DismissalGrounds(LabelledEnum):
    STUDYING_ELSEWHERE = "STUDYING_ELSEWHERE", "在外地就读 (已办转学手续, 人籍一致)"
    DATA_ERROR = "DATA_ERROR", "数据错误 (学籍/户籍信息有误)"
    NOT_OF_SCHOOL_AGE = "NOT_OF_SCHOOL_AGE", "不在义务教育年龄段或已完成义务教育"
    DECEASED = "DECEASED", "已死亡"
    OTHER = "OTHER", "其他"


class ContactKind(LabelledEnum):
    HOME_VISIT = "HOME_VISIT", "家访"
    PHONE_CALL = "PHONE_CALL", "电话联系"
    PERSUASION = "PERSUASION", "劝返谈话"

    @property
    def event_kind(self) -> CaseEventKind:
        return CaseEventKind(self.value)


class ContactOutcome(LabelledEnum):
    NOT_REACHED = "NOT_REACHED", "未联系上"
    REACHED = "REACHED", "已联系上"
    AGREED_TO_RETURN = "AGREED_TO_RETURN", "同意返校"
    REFUSED = "REFUSED", "拒绝返校"


class ExemptionKind(LabelledEnum):
    DEFERRAL = "DEFERRAL", "缓学 (延缓入学/休学)"
    EXEMPTION = "EXEMPTION", "免学"


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

    case_id: uuid.UUID
    expected_version: int
    now: datetime
    occurred_at: datetime | None = None
    actor: Actor = field(default_factory=Actor)
    note: str = ""
    attachments: tuple[AttachmentRef, ...] = ()


_KEEP = object()


@dataclass
class Step:
    """What one command writes besides the new state."""

    event_kind: CaseEventKind
    details: dict[str, Any] = field(default_factory=dict)
    updates: dict[str, Any] = field(default_factory=dict)
    #: The new clock, or ``_KEEP`` to leave ``next_deadline_at`` alone.
    due: Any = _KEEP
    #: Run after the compare-and-set, inside the transaction; return details for the event.
    effects: list[Callable[[Case, datetime], Awaitable[dict[str, Any]]]] = field(
        default_factory=list
    )


Planner = Callable[[Case, CaseState, CaseRules, datetime], Awaitable[Step]]


# -- shared checks -----------------------------------------------------------------------------


def _required(value: str | None, field_name: str, zh: str, en: str) -> str:
    text = (value or "").strip()
    if not text:
        raise CommandError(
            ErrorCode.REQUIRED, f"{zh}不能为空", f"{en} is required", field=field_name
        )
    return text


def _occurred(occurred_at: datetime | None, now: datetime) -> datetime:
    if occurred_at is None:
        return now
    if occurred_at.tzinfo is None:
        raise CommandError(
            ErrorCode.INVALID,
            "occurredAt 须带时区",
            "occurredAt must carry a time zone offset",
            field="occurredAt",
        )
    if occurred_at > now + CLOCK_SKEW:
        raise CommandError(
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
            raise CommandError(
                ErrorCode.INVALID,
                "附件的 sha256 须为 64 位十六进制",
                "an attachment's sha256 must be 64 hexadecimal digits",
                field=f"attachments.{i}.sha256",
            )
        _required(ref.file_name, f"attachments.{i}.fileName", "附件文件名", "fileName")


async def _actor(actor: Actor) -> tuple[uuid.UUID | None, str]:
    if actor.official_id is None:
        return None, actor.name.strip()[:64]
    official = await Official.get_or_none(id=actor.official_id)
    if official is None:
        raise CommandError(ErrorCode.NOT_FOUND, "经办人不存在", "no such official", field="actorId")
    return official.id, (actor.name.strip() or official.name)[:64]


async def _jurisdiction_code(case: Case) -> str:
    from core.jurisdictions.models import Jurisdiction

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
    actor: tuple[uuid.UUID | None, str],
    details: dict[str, Any],
    note: str,
    attachments: tuple[AttachmentRef, ...],
) -> CaseEvent:
    payload = {"action": action.value, **details}
    if note.strip():
        payload["note"] = note.strip()
    event = await CaseEvent.create(
        case=case,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        occurred_at=occurred,
        actor_id=actor[0],
        actor_name=actor[1],
        details=payload,
    )
    for ref in attachments:
        await CaseAttachment.create(
            event=event,
            file_name=ref.file_name.strip()[:255],
            sha256=ref.sha256.strip().lower(),
            size_bytes=ref.size_bytes,
            uploaded_by=(ref.uploaded_by or actor[1])[:64],
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
    occurred = _occurred(cmd.occurred_at, cmd.now)
    _check_attachments(cmd.attachments)
    actor = await _actor(cmd.actor)
    async with in_transaction():
        case = await Case.get_or_none(id=cmd.case_id)
        if case is None:
            raise CommandError(ErrorCode.NOT_FOUND, "个案不存在", "no such case", field="caseId")
        if case.version != cmd.expected_version:
            raise CommandError.conflict(cmd.expected_version, case.version)
        chosen = action(case) if callable(action) else action
        from_state = CaseState(case.state)
        try:
            to_state = next_state(chosen, from_state)
        except InvalidTransition as exc:
            error = CommandError.invalid_transition(exc)
            error.current_version = case.version
            raise error from None
        last_change = await _last_state_change(case)
        if occurred < last_change:
            raise CommandError(
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
        if changed != 1:
            raise CommandError.conflict(cmd.expected_version, None)
        for name, value in updates.items():
            setattr(case, name, value)

        details = dict(step.details)
        for effect in step.effects:
            details.update(await effect(case, occurred))
        await _write_event(
            case,
            kind=step.event_kind,
            action=chosen,
            from_state=from_state,
            to_state=to_state,
            occurred=occurred,
            actor=actor,
            details=details,
            note=cmd.note,
            attachments=cmd.attachments,
        )
    return case


# -- creating a case ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportInput:
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


REPORT_OPERATION = "reportCase"


def open_key(child_id: uuid.UUID, kind: CaseKind) -> str:
    return f"{child_id}:{kind.value}"


def check_reason(reason: str, rules: CaseRules, field_name: str = "reason") -> str:
    code = (reason or "UNKNOWN").strip().upper()
    if code not in rules.reasons:
        raise CommandError(
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


async def _duplicate(data: ReportInput) -> CommandError | None:
    existing = await Case.get_or_none(open_key=open_key(data.child_id, data.kind))
    if existing is None:
        return None
    return CommandError(
        ErrorCode.DUPLICATE,
        f"该儿童已有未结的同类个案 ({existing.id}, {CaseState(existing.state).label})",
        f"the child already has an open {data.kind.value} case ({existing.id})",
        field="childId",
        existing_case_id=existing.id,
        current_state=CaseState(existing.state),
        current_version=existing.version,
    )


async def report_case(data: ReportInput) -> tuple[Case, bool]:
    """Open a case (疑似). Returns ``(case, replayed)``; ``replayed`` for a retried request."""
    key = check_key(data.idempotency_key)
    earlier = await replay(key, REPORT_OPERATION)
    if earlier is not None:
        return await _replayed_case(earlier, data), True

    occurred = _occurred(data.occurred_at, data.now)
    _check_attachments(data.attachments)
    actor = await _actor(data.actor)
    child = await Child.get_or_none(id=data.child_id)
    if child is None:
        raise CommandError(ErrorCode.NOT_FOUND, "儿童不存在", "no such child", field="childId")
    code = await Child.filter(id=child.id).values_list("jurisdiction__division_code", flat=True)
    rules = rules_for(code[0] if code else None)
    reason = check_reason(data.reason, rules)
    school_id = data.school_id
    if school_id is not None and not await School.exists(id=school_id):
        raise CommandError(ErrorCode.NOT_FOUND, "学校不存在", "no such school", field="schoolId")
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
                jurisdiction_id=child.jurisdiction_id,
                child=child,
                school_id=school_id,
                kind=data.kind,
                state=S.REPORTED,
                source=data.source,
                reason=reason,
                reason_detail=data.reason_detail.strip(),
                escalation_level=0,
                opened_at=occurred,
                next_deadline_at=due.at,
                open_key=open_key(child.id, data.kind),
                version=1,
            )
            await _write_event(
                case,
                kind=CaseEventKind.REPORT,
                action=A.REPORT,
                from_state=None,
                to_state=S.REPORTED,
                occurred=occurred,
                actor=actor,
                details={
                    "source": data.source.value,
                    "reason": reason,
                    "reasonDetail": data.reason_detail.strip(),
                    "whereabouts": data.whereabouts.strip(),
                },
                note=data.note,
                attachments=data.attachments,
            )
            if key is not None:
                await remember(key, REPORT_OPERATION, case.id)
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


# -- commands on a case ------------------------------------------------------------------------


def _day(moment: datetime) -> date:
    return local_date(moment)


async def verify_case(cmd: Command) -> Case:
    """疑似 → 核实中: the 学籍管理员 has marked the report and verification starts."""

    async def plan(case: Case, to: CaseState, rules: CaseRules, at: datetime) -> Step:
        return Step(
            CaseEventKind.VERIFICATION,
            details={"stage": "STARTED"},
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

            async def dropout(c: Case, moment: datetime) -> dict[str, Any]:
                return await enrolment_steps.record_dropout(c, _day(moment), f"辍学: {code}")

            effects.append(dropout)
        return Step(
            CaseEventKind.CONFIRMATION,
            details={"findings": findings, "reason": code, "whereabouts": whereabouts.strip()},
            updates={"reason": code, "escalation_level": rules.confirmed_level or 0},
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
        raise CommandError(
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
            details={
                "grounds": grounds.value,
                "evidence": evidence,
                "schoolElsewhere": school_elsewhere.strip(),
            },
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
            details={
                "method": method.strip(),
                "participants": [p.strip() for p in participants if p.strip()],
                "outcome": outcome.value,
            },
        )
        if case.state == S.UNREACHABLE and to is S.PERSUADING:
            step.due = clock_for(to, rules=rules, level=case.escalation_level, since=at)
        if kind is ContactKind.HOME_VISIT:
            step.effects.append(_home_visit(cmd, outcome))
        return step

    return await _apply(cmd, choose, plan)


def _home_visit(cmd: Command, outcome: ContactOutcome):
    async def effect(case: Case, at: datetime) -> dict[str, Any]:
        from core.visits.models import HomeVisit, HomeVisitKind

        official_id, name = await _actor(cmd.actor)
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
        return {"homeVisitId": str(visit.id)}

    return effect


async def issue_return_notice(cmd: Command, *, number: str, deadline: date | None = None) -> Case:
    """劝返复学通知书: the guardian must send the child back by ``deadline`` (default: the
    jurisdiction's notice time, 7 days); after that the case is due to go up the chain."""
    number = _required(number, "number", "通知书编号", "number")

    async def plan(case: Case, to: CaseState, rules: CaseRules, at: datetime) -> Step:
        issued = _day(at)
        due_day = deadline or issued + timedelta(days=rules.return_notice_days)
        if due_day < issued:
            raise CommandError(
                ErrorCode.INVALID,
                "限期复学日期不能早于下达日期",
                "the deadline cannot precede the date of issue",
                field="deadline",
            )
        due_at = end_of_day(due_day)
        level = max(case.escalation_level, rules.return_notice_level or 0)
        return Step(
            CaseEventKind.RETURN_NOTICE,
            details={
                "number": number,
                "issuedOn": issued.isoformat(),
                "deadline": due_day.isoformat(),
                "deadlineAt": due_at.isoformat(),
            },
            updates={"escalation_level": level},
            due=clock_for(to, rules=rules, level=level, since=at, notice_deadline=due_at),
        )

    return await _apply(cmd, A.ISSUE_RETURN_NOTICE, plan)


async def escalate_case(
    cmd: Command, *, to_level: int | None = None, to_whom: str = "", reason: str = ""
) -> Case:
    """Hand the case to the next level of the chain (or a named higher one)."""

    async def plan(case: Case, to: CaseState, rules: CaseRules, at: datetime) -> Step:
        current = case.escalation_level
        if current >= rules.top_level:
            raise CommandError(
                ErrorCode.INVALID,
                f"已在最高一级 ({rules.level(current).name}), 无法再上报",
                "the case is at the top of the escalation chain already",
                field="toLevel",
            )
        target = current + 1 if to_level is None else to_level
        if not current < target <= rules.top_level:
            raise CommandError(
                ErrorCode.INVALID,
                f"上报层级须在 {current + 1} 到 {rules.top_level} 之间",
                f"toLevel must be between {current + 1} and {rules.top_level}",
                field="toLevel",
            )
        source, dest = rules.level(current), rules.level(target)
        return Step(
            CaseEventKind.ESCALATION,
            details={
                "fromLevel": current,
                "toLevel": target,
                "fromLevelName": source.name,
                "toLevelName": dest.name,
                "toOffice": dest.office,
                "toWhom": to_whom.strip() or dest.office,
                "notify": list(dest.notify),
                "reason": reason.strip(),
            },
            updates={"escalation_level": target},
            due=clock_for(to, rules=rules, level=target, since=at),
        )

    return await _apply(cmd, A.ESCALATE, plan)


async def record_return(cmd: Command, *, school_class_id: uuid.UUID) -> Case:
    """复学 into a class: the 学籍 records 复学 (or 入学 for a child never enrolled)."""

    async def plan(case: Case, to: CaseState, rules: CaseRules, at: datetime) -> Step:
        school_class = await SchoolClass.get_or_none(id=school_class_id)
        if school_class is None:
            raise CommandError(
                ErrorCode.NOT_FOUND, "班级不存在", "no such class", field="schoolClassId"
            )
        school = await School.get(id=school_class.school_id)

        async def resume(c: Case, moment: datetime) -> dict[str, Any]:
            result = await enrolment_steps.record_return(c, _day(moment), school_class, "劝返复学")
            return {
                **result,
                "returnedOn": _day(moment).isoformat(),
                "schoolClassId": str(school_class.id),
                "schoolName": school.name,
                "grade": school_class.grade,
                "className": school_class.name,
            }

        return Step(
            CaseEventKind.RETURN,
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
        step = Step(CaseEventKind.FOLLOW_UP, details={"attending": attending})
        if not attending:
            step.due = clock_for(to, rules=rules, level=case.escalation_level, since=at)

            async def dropout(c: Case, moment: datetime) -> dict[str, Any]:
                return await enrolment_steps.record_dropout(c, _day(moment), "复学后再次辍学")

            step.effects.append(dropout)
        return step

    return await _apply(cmd, action, plan)


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
            raise CommandError(
                ErrorCode.TOO_EARLY,
                f"复学后须跟踪 {rules.follow_up_window_days} 天方可销号, "
                f"最早 {allowed_from.isoformat()}",
                f"a case can be closed {rules.follow_up_window_days} days after the return, "
                f"at {allowed_from.isoformat()} at the earliest",
                field="occurredAt",
            )
        return Step(
            CaseEventKind.CLOSURE,
            details={"followUpWindowDays": rules.follow_up_window_days},
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
        raise CommandError(
            ErrorCode.REQUIRED,
            "须附监护人书面申请 (附件或纸质档案编号)",
            "the guardian's written application is required (an attachment or a reference)",
            field="applicationReference",
        )

    async def plan(case: Case, to: CaseState, rules: CaseRules, at: datetime) -> Step:
        return Step(
            CaseEventKind.EXEMPTION_REQUEST,
            details={
                "applicantName": applicant_name,
                "applicantRelation": applicant_relation.strip(),
                "exemptionKind": kind.value,
                "reason": check_reason(reason, rules),
                "applicationReference": application_reference.strip(),
                "appliedOn": _day(at).isoformat(),
                "until": until.isoformat() if until else None,
            },
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
        request = (
            await CaseEvent.filter(case_id=case.id, kind=CaseEventKind.EXEMPTION_REQUEST)
            .order_by("-occurred_at", "-recorded_at")
            .first()
        )
        if request is None:
            raise CommandError(
                ErrorCode.REQUIRED,
                "须先登记监护人的书面申请 (requestExemption)",
                "record the guardian's written application first (requestExemption)",
                field="caseId",
            )

        async def suspend(c: Case, moment: datetime) -> dict[str, Any]:
            return await enrolment_steps.record_suspension(
                c, _day(moment), f"缓学/免学: {request.details.get('reason', '')}"
            )

        return Step(
            CaseEventKind.EXEMPTION_APPROVAL,
            details={
                "approvingAuthority": approving_authority,
                "approverName": approver_name.strip(),
                "documentNumber": document_number.strip(),
                "filedWith": filed_with.strip(),
                "approvedOn": _day(at).isoformat(),
                "requestEventId": str(request.id),
                "exemptionKind": request.details.get("exemptionKind"),
            },
            effects=[suspend],
        )

    return await _apply(cmd, A.APPROVE_EXEMPTION, plan)


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
            details={
                "handedTo": handed_to,
                "village": village.strip(),
                "attempts": attempts.strip(),
                "level": level,
            },
            updates={"escalation_level": level},
            due=clock_for(to, rules=rules, level=level, since=at),
        )

    return await _apply(cmd, A.MARK_UNREACHABLE, plan)


async def record_transfer(cmd: Command, *, to_school: str, transfer_document: str = "") -> Case:
    """转学: the child studies elsewhere with transfer papers (人籍一致); the 学籍 records
    转出 and the case ends."""
    to_school = _required(to_school, "toSchool", "转入学校", "toSchool")
    if not transfer_document.strip() and not cmd.attachments:
        raise CommandError(
            ErrorCode.REQUIRED,
            "须记录转学手续 (证明编号或附件)",
            "the transfer papers are required (a reference or an attachment)",
            field="transferDocument",
        )

    async def plan(case: Case, to: CaseState, rules: CaseRules, at: datetime) -> Step:
        async def transfer(c: Case, moment: datetime) -> dict[str, Any]:
            return await enrolment_steps.record_transfer_out(
                c, _day(moment), to_school, "转学 (人籍一致)"
            )

        return Step(
            CaseEventKind.TRANSFER,
            details={
                "toSchool": to_school,
                "transferDocument": transfer_document.strip(),
                "transferredOn": _day(at).isoformat(),
            },
            effects=[transfer],
        )

    return await _apply(cmd, A.RECORD_TRANSFER, plan)
