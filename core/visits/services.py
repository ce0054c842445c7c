"""Recording home visits (家访, 师访万家, 大家访) outside a case, and correcting them.

A visit made *for a case* is recorded with the case's ``recordContact`` so that it enters the
case's timeline too; this module is for the visits of the ledger (key groups, term starts).
Creating takes an idempotency key; updating may name the ``updated_at`` the client read, and a
visit changed since is a ``CONFLICT``. Both need ``WRITE_CASES``, and the child, the visitor and
the visit are looked up in the caller's scope (:mod:`core.access.authorise`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from tortoise.transactions import in_transaction

from core.access.audit import WriteAudit, record_write
from core.access.authorise import find_in_scope, require_permission
from core.access.caller import Caller
from core.access.enums import Permission
from core.china_time import local_date
from core.errors import DomainError, ErrorCode
from core.idempotency import check_key, create_once, for_the_same_child
from core.officials.models import Official
from core.people.dates import check_day_in_life
from core.people.models import Child
from core.visits.models import HomeVisit, HomeVisitKind

CREATE_OPERATION = "createHomeVisit"


@dataclass(frozen=True)
class NewVisit:
    caller: Caller
    child_id: uuid.UUID
    visited_on: date
    now: datetime
    kind: HomeVisitKind = HomeVisitKind.HOME_VISIT
    visitor_id: uuid.UUID | None = None
    visitor_name: str = ""
    findings: str = ""
    follow_up_needed: bool = False
    idempotency_key: str | None = None
    audit: WriteAudit | None = None


def _check_day(day: date, born: date, now: datetime) -> None:
    check_day_in_life(
        day, born=born, today=local_date(now), field="visitedOn", what=("家访日期", "visitedOn")
    )


async def _visitor(
    caller: Caller, visitor_id: uuid.UUID | None, name: str, jurisdiction_id: uuid.UUID
) -> tuple[uuid.UUID | None, str]:
    name = name.strip()
    if visitor_id is None:
        if not name:
            raise DomainError(
                ErrorCode.REQUIRED,
                "须填写家访人",
                "visitorId or visitorName is required",
                field="visitorName",
            )
        return None, name[:64]
    official = await find_in_scope(
        Official,
        caller,
        visitor_id,
        "visitorId",
        ("家访人", "official"),
        jurisdiction_id=jurisdiction_id,
    )
    return official.id, (name or official.name)[:64]


async def create_visit(data: NewVisit) -> tuple[HomeVisit, bool]:
    """Record a visit; ``(visit, replayed)``."""
    caller = require_permission(data.caller, Permission.WRITE_CASES)
    child = await find_in_scope(Child, caller, data.child_id, "childId", ("儿童", "child"))

    async def create() -> HomeVisit:
        _check_day(data.visited_on, child.birth_date, data.now)
        visitor_id, visitor_name = await _visitor(
            caller, data.visitor_id, data.visitor_name, child.jurisdiction_id
        )
        visit = await HomeVisit.create(
            child_id=data.child_id,
            visitor_id=visitor_id,
            visitor_name=visitor_name,
            kind=data.kind,
            visited_on=data.visited_on,
            findings=data.findings.strip(),
            follow_up_needed=data.follow_up_needed,
        )
        await record_write(data.audit)
        return visit

    replayed = for_the_same_child(
        HomeVisit, child.id, "另一名儿童的家访", "a visit to another child"
    )
    return await create_once(check_key(data.idempotency_key), CREATE_OPERATION, create, replayed)


async def update_visit(
    caller: Caller,
    visit_id: uuid.UUID,
    *,
    now: datetime,
    expected_updated_at: datetime | None = None,
    kind: HomeVisitKind | None = None,
    visited_on: date | None = None,
    visitor_name: str | None = None,
    findings: str | None = None,
    follow_up_needed: bool | None = None,
    audit: WriteAudit | None = None,
) -> HomeVisit:
    """Correct a visit; only the fields given change."""
    require_permission(caller, Permission.WRITE_CASES)
    async with in_transaction():
        await find_in_scope(HomeVisit, caller, visit_id, "id", ("家访记录", "visit"))
        visit = await HomeVisit.filter(id=visit_id).select_for_update().first()
        if visited_on is not None:
            born = await Child.filter(id=visit.child_id).values_list("birth_date", flat=True)
            _check_day(visited_on, born[0], now)
        if expected_updated_at is not None and visit.updated_at != expected_updated_at:
            raise DomainError(
                ErrorCode.CONFLICT,
                "家访记录已被他人修改, 请刷新后重试",
                "the visit was changed by someone else; reload and retry",
                field="expectedUpdatedAt",
            )
        changes = {
            "kind": kind,
            "visited_on": visited_on,
            "visitor_name": visitor_name.strip()[:64] if visitor_name is not None else None,
            "findings": findings.strip() if findings is not None else None,
            "follow_up_needed": follow_up_needed,
        }
        fields = [name for name, value in changes.items() if value is not None]
        if "visitor_name" in fields and not changes["visitor_name"] and visit.visitor_id is None:
            raise DomainError(
                ErrorCode.REQUIRED, "须填写家访人", "visitorName is required", field="visitorName"
            )
        for name in fields:
            setattr(visit, name, changes[name])
        if fields:
            await visit.save(update_fields=[*fields, "updated_at"])
        await record_write(audit)
    return visit
