"""学籍异动 recorded directly: entering, transferring, suspending, resuming, graduating, dying,
and changing the way a child is taught, as schools record them (not only as a case's effect).

=====================  ================================  ===================================
current 学籍             changes allowed                    what each writes
=====================  ================================  ===================================
none, 转出, 毕业         ENROL 入学, TRANSFER_IN 转入         a new current enrolment in a class
在读 ENROLLED            TRANSFER_OUT, SUSPEND, GRADUATE,   the enrolment's new status (ended
                        DEATH, CHANGE_MODE                 for 转出/毕业/死亡) or mode
休学 SUSPENDED           RESUME, TRANSFER_OUT, DEATH
辍学 DROPPED_OUT         TRANSFER_OUT, DEATH                (复学 after a dropout goes through
                                                           the case: ``recordReturn``)
死亡 DECEASED            nothing
=====================  ================================  ===================================

The history is append-only: every change adds an :class:`EnrolmentChange` and never edits one.
An impossible change (复学 without 休学, a second current enrolment, a grade outside 1–9, a
date before the previous change) is refused with what is allowed (``INVALID_TRANSITION`` with
the allowed changes, or ``INVALID`` on the field). A change to an existing enrolment names the
enrolment's ``version`` (compare-and-set: a stale one is ``CONFLICT``).

Scope: ``WRITE_ENROLMENT`` (schools and the county; a township official reads 学籍 but does not
write it) - except 休学, which only the authority the county's rule names records
(:mod:`core.people.approvals`: 荔浦 the township, by default the township or the county's
education department; ``WRITE_CASES`` suffices for it, so a township official may). The
child must be in the caller's scope - except that a school may enrol or take in a child of
its county who has no live enrolment (转入 from elsewhere, a child never enrolled), into a
class it reaches (a head teacher: their own class).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from tortoise.transactions import in_transaction

from core.access.audit import record_write
from core.access.authorise import find_in_scope, require_permission
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
from core.people.approvals import require_approver
from core.people.dates import check_day_in_life
from core.people.home_delivery import check_home_delivery
from core.people.models import Child
from core.people.services import Write, compare_and_set, conflict
from core.rules.enums import ApprovalKind
from core.schools.models import SchoolClass

K = EnrolmentChangeKind
S = EnrolmentStatus

#: The changes each current status allows (None: no current enrolment).
ALLOWED: dict[EnrolmentStatus | None, tuple[EnrolmentChangeKind, ...]] = {
    None: (K.ENROL, K.TRANSFER_IN),
    S.TRANSFERRED_OUT: (K.ENROL, K.TRANSFER_IN),
    S.GRADUATED: (K.ENROL, K.TRANSFER_IN),
    S.ENROLLED: (K.TRANSFER_OUT, K.SUSPEND, K.GRADUATE, K.DEATH, K.CHANGE_MODE),
    S.SUSPENDED: (K.RESUME, K.TRANSFER_OUT, K.DEATH),
    S.DROPPED_OUT: (K.TRANSFER_OUT, K.DEATH),
    S.DECEASED: (),
}
#: Statuses of an enrolment that still holds the child (another one cannot start).
LIVE = frozenset({S.ENROLLED, S.SUSPENDED, S.DROPPED_OUT, S.DECEASED})
#: Changes that end the enrolment.
ENDING = frozenset({K.TRANSFER_OUT, K.GRADUATE, K.DEATH})
WHAT = ("学籍", "enrolment")


@dataclass(frozen=True)
class ChangeRequest:
    """One 学籍异动 as a school records it."""

    write: Write
    child_id: uuid.UUID | None
    kind: EnrolmentChangeKind
    occurred_on: date
    #: The version of the current enrolment the client read (required when there is one).
    expected_version: int | None = None
    #: 入学/转入: the class the child joins.
    school_class_id: uuid.UUID | None = None
    #: 入学/转入: the grade, when not the class's own (1–9).
    grade: int | None = None
    #: 转入: the school the child comes from; 转出: the school the child goes to.
    counterpart_school: str = ""
    reason: str = ""
    #: 休学/复学: the approving document (审批表编号 or a file reference).
    approving_document: str = ""
    #: 入学/转入 (default 普通) and 变更就读方式: the way the child is taught from ``occurred_on``.
    mode: EnrolmentMode | None = None


def permissions_for(kind: EnrolmentChangeKind) -> tuple[Permission, ...]:
    """The permissions recording ``kind`` needs (any one of them): ``WRITE_ENROLMENT``; for 休学
    also ``WRITE_CASES``, since the approving authority (a township) records it - who that
    authority is, :func:`core.people.approvals.require_approver` checks."""
    if kind is K.SUSPEND:
        return (Permission.WRITE_ENROLMENT, Permission.WRITE_CASES)
    return (Permission.WRITE_ENROLMENT,)


def _required(value: str, field: str, zh: str, en: str, max_length: int) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(ErrorCode.REQUIRED, f"{zh}不能为空", f"{en} is required", field=field)
    if len(text) > max_length:
        raise DomainError(
            ErrorCode.INVALID,
            f"{zh}不能超过 {max_length} 个字符",
            f"{en} cannot be longer than {max_length} characters",
            field=field,
        )
    return text


def _check_inputs(req: ChangeRequest) -> dict[str, str]:
    """The texts the change carries, with the ones its kind needs required."""
    counterpart, reason, document = (
        req.counterpart_school.strip(),
        req.reason.strip(),
        req.approving_document.strip(),
    )
    if req.kind is K.TRANSFER_IN:
        counterpart = _required(
            counterpart, "counterpartSchool", "转出学校 (转入来源)", "counterpartSchool", 128
        )
    if req.kind is K.TRANSFER_OUT:
        counterpart = _required(
            counterpart, "counterpartSchool", "转入学校 (转出去向)", "counterpartSchool", 128
        )
    if req.kind is K.SUSPEND:
        reason = _required(reason, "reason", "休学原因", "reason", 255)
    if req.kind in (K.SUSPEND, K.RESUME):
        document = _required(document, "approvingDocument", "批准文件", "approvingDocument", 128)
    if req.kind is K.CHANGE_MODE and req.mode is None:
        raise DomainError(
            ErrorCode.REQUIRED, "须填写新的就读方式", "mode is required", field="mode"
        )
    if req.grade is not None and not 1 <= req.grade <= 9:
        raise DomainError(
            ErrorCode.INVALID,
            "义务教育年级须为 1 到 9 年级",
            "grade must be 1 to 9 (compulsory education)",
            field="grade",
        )
    return {
        "counterpart_school": counterpart[:128],
        "reason": reason[:255],
        "approving_document": document[:128],
    }


def not_allowed(
    kind: EnrolmentChangeKind, status: EnrolmentStatus | None, version: int | None
) -> DomainError:
    """``kind`` is impossible from ``status``; says which changes are possible."""
    allowed = ALLOWED[status]
    listed = ", ".join(k.value for k in allowed) or "无 / none"
    zh_state = f"{status.label} ({status.value})" if status else "无当前学籍"
    en_state = status.value if status else "no current enrolment"
    hint_zh, hint_en = "", ""
    if kind is K.DROP_OUT:
        hint_zh, hint_en = "; 辍学由个案核实确认时记入", "; a dropout is recorded by confirmCase"
    elif kind is K.RESUME and status is not S.SUSPENDED:
        hint_zh, hint_en = "; 复学须先有休学", "; RESUME needs a SUSPEND first"
    elif kind in (K.ENROL, K.TRANSFER_IN) and status in LIVE:
        hint_zh = "; 已有当前学籍, 不能同时有两个 (请先办理转出)"
        hint_en = "; the child has a current enrolment already (transfer it out first)"
    return DomainError(
        ErrorCode.INVALID_TRANSITION,
        f"当前学籍状态 {zh_state} 不允许 {kind.label} ({kind.value}); 允许: {listed}{hint_zh}",
        f"{kind.value} is not allowed from {en_state}; allowed: {listed}{hint_en}",
        field="kind",
        allowed_actions=allowed,
        current_version=version,
    )


async def _child(caller: Caller, req: ChangeRequest) -> Child:
    """The child, in the caller's scope; or, for 入学/转入, a child of the caller's county with
    no live enrolment (a child from elsewhere, or never enrolled)."""
    try:
        return await find_in_scope(Child, caller, req.child_id, "childId", ("儿童", "child"))
    except DomainError:
        if req.kind not in (K.ENROL, K.TRANSFER_IN) or req.child_id is None:
            raise
        scope = caller.scope
        county = scope.jurisdiction_id if scope else None
        child = await Child.get_or_none(id=req.child_id)
        if child is None or (county is not None and child.jurisdiction_id != county):
            raise
        if await Enrolment.filter(
            child_id=child.id, is_current=True, status__in=[s.value for s in LIVE]
        ).exists():
            raise
        return child


async def _last_change_day(child_id: uuid.UUID, current: Enrolment | None) -> date | None:
    days = await EnrolmentChange.filter(child_id=child_id).values_list("occurred_on", flat=True)
    candidates = [d for d in days if d is not None]
    if current is not None:
        candidates.append(current.started_on)
    return max(candidates) if candidates else None


async def record_change(req: ChangeRequest) -> tuple[Enrolment, EnrolmentChange]:
    """Record one 学籍异动; ``(enrolment after the change, the change)``."""
    caller = require_permission(req.write.caller, *permissions_for(req.kind))
    texts = _check_inputs(req)
    today = local_date(req.write.now)
    async with in_transaction():
        child = await _child(caller, req)
        if child.merged_into_id is not None:
            raise DomainError(
                ErrorCode.INVALID_TRANSITION,
                "该记录已作为重复登记并入另一记录, 请在保留的记录上办理",
                "this entry was merged into another; record the change on the surviving one",
                field="childId",
            )
        if req.kind is K.SUSPEND:
            await require_approver(caller, child, ApprovalKind.SUSPENSION)
        # one writer per child at a time: two requests cannot both start a current enrolment
        await Child.filter(id=child.id).select_for_update().first()
        current = (
            await Enrolment.filter(child_id=child.id, is_current=True)
            .order_by("-started_on", "-id")
            .first()
        )
        status = S(current.status) if current is not None else None
        # a stale view first: what the client saw is not what is there
        stale = current is not None and req.expected_version not in (None, current.version)
        if stale:
            raise conflict(WHAT, req.expected_version, current.version)
        if req.kind not in ALLOWED[status]:
            raise not_allowed(req.kind, status, current.version if current else None)
        if current is not None and req.kind not in (K.ENROL, K.TRANSFER_IN):
            if req.expected_version is None:
                raise DomainError(
                    ErrorCode.REQUIRED,
                    "须提交当前学籍的版本号 (expectedVersion)",
                    "expectedVersion of the current enrolment is required",
                    field="expectedVersion",
                    current_version=current.version,
                )
        check_day_in_life(
            req.occurred_on,
            born=child.birth_date,
            today=today,
            field="occurredOn",
            what=("异动日期", "occurredOn"),
        )
        previous = await _last_change_day(child.id, current)
        if previous is not None and req.occurred_on < previous:
            raise DomainError(
                ErrorCode.INVALID,
                f"异动日期不能早于上一次学籍异动 ({previous.isoformat()})",
                f"occurredOn cannot precede the previous change ({previous.isoformat()})",
                field="occurredOn",
            )
        if req.mode is EnrolmentMode.HOME_DELIVERED:
            await check_home_delivery(child, req.occurred_on, "mode")
        if req.kind in (K.ENROL, K.TRANSFER_IN):
            return await _start(caller, req, child, current, texts)
        assert current is not None
        return await _change(req, current, texts)


async def _start(
    caller: Caller,
    req: ChangeRequest,
    child: Child,
    previous: Enrolment | None,
    texts: dict[str, str],
) -> tuple[Enrolment, EnrolmentChange]:
    if req.school_class_id is None:
        raise DomainError(
            ErrorCode.REQUIRED,
            "须填写编入的班级",
            "schoolClassId is required",
            field="schoolClassId",
        )
    school_class = await find_in_scope(
        SchoolClass,
        caller,
        req.school_class_id,
        "schoolClassId",
        ("班级", "class"),
        jurisdiction_id=child.jurisdiction_id,
    )
    grade = req.grade if req.grade is not None else school_class.grade
    if not 1 <= grade <= 9:
        raise DomainError(
            ErrorCode.INVALID,
            "义务教育年级须为 1 到 9 年级",
            "grade must be 1 to 9 (compulsory education)",
            field="grade",
        )
    if previous is not None:
        await Enrolment.filter(id=previous.id).update(
            is_current=False, ended_on=previous.ended_on or req.occurred_on
        )
    enrolment_row, change_row = start_rows(
        child.id,
        req.kind,
        Placement(
            school_class.school_id, school_class.id, grade, req.mode or EnrolmentMode.REGULAR
        ),
        req.occurred_on,
        texts,
    )
    enrolment = await Enrolment.create(**enrolment_row)
    change = await EnrolmentChange.create(**change_row)
    await record_write(req.write.audit)
    return enrolment, change


async def _change(
    req: ChangeRequest, enrolment: Enrolment, texts: dict[str, str]
) -> tuple[Enrolment, EnrolmentChange]:
    kind = req.kind
    updates: dict[str, object] = {"updated_at": req.write.now}
    mode_after = None
    if kind is K.CHANGE_MODE:
        if req.mode is enrolment.mode:
            raise DomainError(
                ErrorCode.INVALID,
                f"就读方式已是 {req.mode.label}",
                f"the mode is {req.mode.value} already",
                field="mode",
            )
        updates.update(mode=req.mode, mode_since=req.occurred_on)
        status_after = S(enrolment.status)
        mode_after = req.mode
    else:
        status_after = STATUS_AFTER_CHANGE[kind]
        updates["status"] = status_after
        if kind in ENDING:
            updates["ended_on"] = req.occurred_on
    assert req.expected_version is not None
    await compare_and_set(Enrolment, enrolment, req.expected_version, updates, WHAT)
    change = await EnrolmentChange.create(
        **change_row(
            enrolment.id,
            enrolment.child_id,
            kind,
            req.occurred_on,
            enrolment.school_class_id,
            texts,
            status_after=status_after,
            mode_after=mode_after,
        )
    )
    await record_write(req.write.audit)
    return enrolment, change


# -- the rows a change writes, and many changes at once (the roster import) ---------------------


@dataclass(frozen=True)
class Placement:
    """Where a child is taught: school, class, grade and 就读方式."""

    school_id: uuid.UUID
    class_id: uuid.UUID | None
    grade: int
    mode: EnrolmentMode


def start_rows(
    child_id: uuid.UUID,
    kind: EnrolmentChangeKind,
    placement: Placement,
    occurred_on: date,
    texts: dict[str, str],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """入学/转入: the new current enrolment and its change, as rows (field name → value)."""
    enrolment_id = uuid.uuid4()
    enrolment = {
        "id": enrolment_id,
        "child_id": child_id,
        "school_id": placement.school_id,
        "school_class_id": placement.class_id,
        "grade": placement.grade,
        "status": S.ENROLLED,
        "mode": placement.mode,
        "mode_since": occurred_on,
        "started_on": occurred_on,
        "is_current": True,
    }
    change = change_row(
        enrolment_id,
        child_id,
        kind,
        occurred_on,
        placement.class_id,
        texts,
        mode_after=placement.mode,
    )
    return enrolment, change


def change_row(
    enrolment_id: uuid.UUID,
    child_id: uuid.UUID,
    kind: EnrolmentChangeKind,
    occurred_on: date,
    class_id: uuid.UUID | None,
    texts: dict[str, str],
    *,
    status_after: EnrolmentStatus | None = None,
    mode_after: EnrolmentMode | None = None,
) -> dict[str, Any]:
    """One 学籍异动 as a row (the history is append-only: rows are only ever added)."""
    return {
        "id": uuid.uuid4(),
        "enrolment_id": enrolment_id,
        "child_id": child_id,
        "kind": kind,
        "occurred_on": occurred_on,
        "status_after": status_after or STATUS_AFTER_CHANGE.get(kind, S.ENROLLED),
        "school_class_id": class_id,
        "mode_after": mode_after,
        "counterpart_school": texts.get("counterpart_school", ""),
        "reason": texts.get("reason", ""),
        "approving_document": texts.get("approving_document", ""),
    }


#: What a roster stating a placement implies for a child's current 学籍.
ROSTER_ENROL = "ENROL"  # 入学: no live enrolment
ROSTER_TRANSFER = "TRANSFER"  # 转出 from the current school, 转入 the roster's
ROSTER_CHANGE_MODE = "CHANGE_MODE"  # 变更就读方式
ROSTER_UPDATE = "UPDATE"  # grade or class only (升级, 调班): no 学籍异动


def implied_by_roster(current: dict[str, Any] | None, placement: Placement) -> str:
    """The change a roster listing the child at ``placement`` implies for its current enrolment
    (``current``: the row's ``status``, ``school_id``, ``mode``, ``grade``, ``school_class_id``,
    or None): ``""`` for none, or one of the ``ROSTER_*`` actions. The changes it stands for
    are checked against :data:`ALLOWED` as a school's own would be: a roster cannot re-enrol a
    dropout (复学 goes through the case) or a deceased child, nor change the mode of a child on
    休学 (``INVALID_TRANSITION``)."""
    status = S(current["status"]) if current is not None else None
    version = current.get("version") if current is not None else None
    if status not in (S.ENROLLED, S.SUSPENDED):
        if K.ENROL not in ALLOWED[status]:
            raise not_allowed(K.ENROL, status, version)
        return ROSTER_ENROL
    assert current is not None
    if current["school_id"] != placement.school_id:
        return ROSTER_TRANSFER  # 转出 is allowed from 在读 and 休学 alike
    if EnrolmentMode(current["mode"]) is not placement.mode:
        if K.CHANGE_MODE not in ALLOWED[status]:
            raise not_allowed(K.CHANGE_MODE, status, version)
        return ROSTER_CHANGE_MODE
    if current["grade"] != placement.grade or current["school_class_id"] != placement.class_id:
        return ROSTER_UPDATE
    return ""


@dataclass(frozen=True)
class RosterChange:
    """One child's change from a roster: the action :func:`implied_by_roster` gave."""

    child_id: uuid.UUID
    action: str
    placement: Placement
    current: dict[str, Any] | None = None
    #: The school the child leaves (转出) and the school it comes from (转入), by name.
    from_school: str = ""
    to_school: str = ""


async def record_roster_changes(
    changes: list[RosterChange], occurred_on: date, reason: str
) -> None:
    """Write a roster's 学籍异动 in bulk (inside the caller's transaction): the same rows
    :func:`record_change` writes for each, with the current enrolments ended or updated by one
    statement per kind of change. The caller has checked the permission and planned each
    action with :func:`implied_by_roster`."""
    from core.bulk import insert_rows, update_rows

    enrolments: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    ended: list[dict[str, Any]] = []
    superseded: list[dict[str, Any]] = []
    modes: list[dict[str, Any]] = []
    placed: list[dict[str, Any]] = []
    texts = {"reason": reason[:255]}
    for c in changes:
        p, current = c.placement, c.current
        if c.action in (ROSTER_ENROL, ROSTER_TRANSFER):
            kind = K.ENROL
            if c.action == ROSTER_TRANSFER and current is not None:
                kind = K.TRANSFER_IN
                ended.append(
                    {"id": current["id"], "status": S.TRANSFERRED_OUT, "ended_on": occurred_on}
                )
                rows.append(
                    change_row(
                        current["id"],
                        c.child_id,
                        K.TRANSFER_OUT,
                        occurred_on,
                        current["school_class_id"],
                        {**texts, "counterpart_school": c.to_school[:128]},
                    )
                )
            elif current is not None:  # 转出/毕业 before: the old one is history
                superseded.append(
                    {"id": current["id"], "ended_on": current.get("ended_on") or occurred_on}
                )
            enrolment, change = start_rows(
                c.child_id,
                kind,
                p,
                occurred_on,
                {**texts, "counterpart_school": c.from_school[:128]}
                if kind is K.TRANSFER_IN
                else texts,
            )
            enrolments.append(enrolment)
            rows.append(change)
        elif c.action == ROSTER_CHANGE_MODE and current is not None:
            modes.append(
                {
                    "id": current["id"],
                    "mode": p.mode,
                    "mode_since": occurred_on,
                    "grade": p.grade,
                    "school_class_id": p.class_id,
                }
            )
            rows.append(
                change_row(
                    current["id"],
                    c.child_id,
                    K.CHANGE_MODE,
                    occurred_on,
                    p.class_id,
                    texts,
                    status_after=S(current["status"]),
                    mode_after=p.mode,
                )
            )
        elif c.action == ROSTER_UPDATE and current is not None:
            placed.append({"id": current["id"], "grade": p.grade, "school_class_id": p.class_id})
    await update_rows(
        Enrolment, ("status", "ended_on", "is_current"), [{**r, "is_current": False} for r in ended]
    )
    await update_rows(
        Enrolment,
        ("is_current", "ended_on"),
        [{**r, "is_current": False} for r in superseded],
        bump=False,
    )
    await update_rows(Enrolment, ("mode", "mode_since", "grade", "school_class_id"), modes)
    await update_rows(Enrolment, ("grade", "school_class_id"), placed)
    await insert_rows(Enrolment, enrolments)
    await insert_rows(EnrolmentChange, rows)


__all__ = [
    "ALLOWED",
    "ChangeRequest",
    "Placement",
    "RosterChange",
    "change_row",
    "implied_by_roster",
    "not_allowed",
    "permissions_for",
    "record_change",
    "record_roster_changes",
    "start_rows",
]
