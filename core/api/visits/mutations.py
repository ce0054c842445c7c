"""Mutations of home visits outside a case (a visit for a case is ``recordContact``)."""

from __future__ import annotations

import datetime

import strawberry

from core.api.context import Info
from core.api.enums import HomeVisitKind, Permission
from core.api.errors import FieldError, field_error, in_payload
from core.api.ids import parse_global_id
from core.api.permissions import require
from core.api.visits.types import HomeVisit
from core.errors import DomainError
from core.visits import services


@strawberry.input(description="登记家访 (不属于个案的家访; 个案的家访请用 recordContact)")
class CreateHomeVisitInput:
    child_id: strawberry.ID = strawberry.field(description="被访儿童 (Child 的 ID)")
    visited_on: datetime.date = strawberry.field(description="家访日期")
    kind: HomeVisitKind = strawberry.field(default=HomeVisitKind.HOME_VISIT, description="家访类别")
    visitor_id: strawberry.ID | None = strawberry.field(
        default=None, description="家访人 (Official 的 ID)"
    )
    visitor_name: str | None = strawberry.field(
        default=None, description="家访人姓名 (系统外人员, 或覆盖 Official 的姓名)"
    )
    findings: str | None = strawberry.field(default=None, description="情况记录")
    follow_up_needed: bool = strawberry.field(default=False, description="是否需要跟进")
    idempotency_key: str | None = strawberry.field(
        default=None, description="幂等键 (8–128 字符, 建议 UUID): 重试时返回第一次登记的家访"
    )


@strawberry.input(description="修改家访记录: 只改给出的字段")
class UpdateHomeVisitInput:
    id: strawberry.ID = strawberry.field(description="家访记录 ID")
    expected_updated_at: datetime.datetime | None = strawberry.field(
        default=None, description="读取到的 updatedAt; 记录已被他人修改时返回 CONFLICT"
    )
    kind: HomeVisitKind | None = strawberry.field(default=None, description="家访类别")
    visited_on: datetime.date | None = strawberry.field(default=None, description="家访日期")
    visitor_name: str | None = strawberry.field(default=None, description="家访人姓名")
    findings: str | None = strawberry.field(default=None, description="情况记录")
    follow_up_needed: bool | None = strawberry.field(default=None, description="是否需要跟进")


@strawberry.type(description="家访操作的结果")
class HomeVisitPayload:
    home_visit: HomeVisit | None = strawberry.field(description="家访记录")
    errors: list[FieldError] = strawberry.field(description="错误 (成功时为空)")
    replayed: bool = strawberry.field(
        default=False, description="是否为重试: 同一幂等键此前已登记该家访"
    )


@strawberry.type
class VisitMutation:
    @strawberry.mutation(description="登记家访 (师访万家、大家访等)")
    async def create_home_visit(self, info: Info, input: CreateHomeVisitInput) -> HomeVisitPayload:
        caller = require(info, Permission.WRITE_CASES)  # who asks comes before what they sent
        try:
            visit, replayed = await services.create_visit(
                services.NewVisit(
                    caller=caller,
                    child_id=parse_global_id(input.child_id, "Child", "childId"),
                    visited_on=input.visited_on,
                    now=info.context.now(),
                    kind=input.kind,
                    visitor_id=parse_global_id(input.visitor_id, "Official", "visitorId"),
                    visitor_name=input.visitor_name or "",
                    findings=input.findings or "",
                    follow_up_needed=input.follow_up_needed,
                    idempotency_key=input.idempotency_key,
                    audit=info.context.write_audit,
                )
            )
        except DomainError as exc:
            return HomeVisitPayload(home_visit=None, errors=[field_error(in_payload(exc))])
        return HomeVisitPayload(home_visit=visit, errors=[], replayed=replayed)

    @strawberry.mutation(description="修改家访记录")
    async def update_home_visit(self, info: Info, input: UpdateHomeVisitInput) -> HomeVisitPayload:
        caller = require(info, Permission.WRITE_CASES)  # who asks comes before what they sent
        try:
            visit = await services.update_visit(
                caller,
                parse_global_id(input.id, "HomeVisit", "id"),
                now=info.context.now(),
                expected_updated_at=input.expected_updated_at,
                kind=input.kind,
                visited_on=input.visited_on,
                visitor_name=input.visitor_name,
                findings=input.findings,
                follow_up_needed=input.follow_up_needed,
                audit=info.context.write_audit,
            )
        except DomainError as exc:
            return HomeVisitPayload(home_visit=None, errors=[field_error(in_payload(exc))])
        return HomeVisitPayload(home_visit=visit, errors=[])


__all__ = ["HomeVisitPayload", "VisitMutation"]
