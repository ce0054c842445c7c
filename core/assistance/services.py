"""Recording assistance (资助) and correcting it.

The programme must be one of core's or the county's (plugins add their own); amounts are
Decimal yuan with two places. Creating takes an idempotency key, so a retried grant is not paid
twice on paper; updating may name the ``updated_at`` the client read (``CONFLICT`` otherwise).
Both need ``WRITE_CASES``, and the child and the record are looked up in the caller's scope
(:mod:`core.access.authorise`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from tortoise.transactions import in_transaction

from core.access.audit import WriteAudit, record_write
from core.access.authorise import find_in_scope, require_permission
from core.access.caller import Caller
from core.access.enums import Permission
from core.assistance.models import Assistance
from core.china_time import local_date
from core.errors import DomainError, ErrorCode
from core.idempotency import check_key, create_once, for_the_same_child
from core.people.dates import check_day_in_life
from core.people.models import Child
from core.plugins import rules_for

CREATE_OPERATION = "createAssistance"
MAX_AMOUNT = Decimal("1000000")


@dataclass(frozen=True)
class NewAssistance:
    caller: Caller
    child_id: uuid.UUID
    programme: str
    amount: Decimal
    school_year: int
    granted_on: date
    now: datetime
    funder: str = ""
    note: str = ""
    idempotency_key: str | None = None
    audit: WriteAudit | None = None


def _amount(value: Decimal) -> Decimal:
    try:
        amount = Decimal(value).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        amount = Decimal(-1)
    if not Decimal(0) <= amount <= MAX_AMOUNT or amount != Decimal(value):
        raise DomainError(
            ErrorCode.INVALID,
            f"金额须为 0 到 {MAX_AMOUNT} 元, 至多两位小数",
            f"amount must be 0 to {MAX_AMOUNT} yuan with at most two decimals",
            field="amount",
        )
    return amount


def _school_year(year: int, granted_on: date) -> int:
    if not granted_on.year - 1 <= year <= granted_on.year:
        raise DomainError(
            ErrorCode.INVALID,
            "学年须为发放日期所在或前一年 (学年起始年份)",
            "schoolYear must be the year the grant falls in or the one before",
            field="schoolYear",
        )
    return year


def _granted_on(day: date, born: date, now: datetime) -> date:
    return check_day_in_life(
        day, born=born, today=local_date(now), field="grantedOn", what=("发放日期", "grantedOn")
    )


async def _programme(child_id: uuid.UUID, code: str) -> str:
    division = await Child.filter(id=child_id).values_list("jurisdiction__division_code", flat=True)
    code = code.strip().upper()
    known = rules_for(division[0]).assistance_programmes() if division else {}
    if code not in known:
        raise DomainError(
            ErrorCode.INVALID,
            f"资助项目 {code} 不在本地区的项目目录中",
            f"programme {code} is not one of the jurisdiction's programmes",
            field="programme",
        )
    return code


async def create_assistance(data: NewAssistance) -> tuple[Assistance, bool]:
    """Record a grant; ``(assistance, replayed)``."""
    caller = require_permission(data.caller, Permission.WRITE_CASES)
    child = await find_in_scope(Child, caller, data.child_id, "childId", ("儿童", "child"))

    async def create() -> Assistance:
        programme = await _programme(data.child_id, data.programme)
        amount = _amount(data.amount)
        granted_on = _granted_on(data.granted_on, child.birth_date, data.now)
        row = await Assistance.create(
            child_id=data.child_id,
            programme=programme,
            amount=amount,
            school_year=_school_year(data.school_year, granted_on),
            granted_on=granted_on,
            funder=data.funder.strip()[:128],
            note=data.note.strip(),
        )
        await record_write(data.audit)
        return row

    replayed = for_the_same_child(
        Assistance, child.id, "另一名儿童的资助", "assistance to another child"
    )
    return await create_once(check_key(data.idempotency_key), CREATE_OPERATION, create, replayed)


async def update_assistance(
    caller: Caller,
    row_id: uuid.UUID,
    *,
    now: datetime,
    expected_updated_at: datetime | None = None,
    programme: str | None = None,
    amount: Decimal | None = None,
    school_year: int | None = None,
    granted_on: date | None = None,
    funder: str | None = None,
    note: str | None = None,
    audit: WriteAudit | None = None,
) -> Assistance:
    """Correct a grant; only the fields given change."""
    require_permission(caller, Permission.WRITE_CASES)
    async with in_transaction():
        await find_in_scope(Assistance, caller, row_id, "id", ("资助记录", "record"))
        row = await Assistance.filter(id=row_id).select_for_update().first()
        if expected_updated_at is not None and row.updated_at != expected_updated_at:
            raise DomainError(
                ErrorCode.CONFLICT,
                "资助记录已被他人修改, 请刷新后重试",
                "the record was changed by someone else; reload and retry",
                field="expectedUpdatedAt",
            )
        changes: dict[str, object] = {}
        if programme is not None:
            changes["programme"] = await _programme(row.child_id, programme)
        if amount is not None:
            changes["amount"] = _amount(amount)
        if granted_on is not None:
            born = await Child.filter(id=row.child_id).values_list("birth_date", flat=True)
            changes["granted_on"] = _granted_on(granted_on, born[0], now)
        if school_year is not None or granted_on is not None:
            changes["school_year"] = _school_year(
                school_year if school_year is not None else row.school_year,
                granted_on or row.granted_on,
            )
        if funder is not None:
            changes["funder"] = funder.strip()[:128]
        if note is not None:
            changes["note"] = note.strip()
        for name, value in changes.items():
            setattr(row, name, value)
        if changes:
            await row.save(update_fields=[*changes, "updated_at"])
        await record_write(audit)
    return row
