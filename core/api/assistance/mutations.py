"""Mutations of assistance records (资助)."""

from __future__ import annotations

import datetime
import decimal

import strawberry

from core.api.assistance.types import Assistance
from core.api.context import Info
from core.api.enums import Permission
from core.api.errors import FieldError, field_error, in_payload
from core.api.ids import parse_global_id
from core.api.permissions import require
from core.assistance import services
from core.errors import DomainError


@strawberry.input(description="登记一项资助")
class CreateAssistanceInput:
    child_id: strawberry.ID = strawberry.field(description="受助儿童 (Child 的 ID)")
    programme: str = strawberry.field(
        description="资助项目代码 (核心代码见 Assistance.programme; 插件可增加)"
    )
    amount: decimal.Decimal = strawberry.field(description="金额 (元, 至多两位小数)")
    school_year: int = strawberry.field(description="学年起始年份")
    granted_on: datetime.date = strawberry.field(description="发放日期")
    funder: str | None = strawberry.field(default=None, description="资金来源/捐助方")
    note: str | None = strawberry.field(default=None, description="备注")
    idempotency_key: str | None = strawberry.field(
        default=None, description="幂等键 (8–128 字符, 建议 UUID): 重试时返回第一次登记的资助"
    )


@strawberry.input(description="修改资助记录: 只改给出的字段")
class UpdateAssistanceInput:
    id: strawberry.ID = strawberry.field(description="资助记录 ID")
    expected_updated_at: datetime.datetime | None = strawberry.field(
        default=None, description="读取到的 updatedAt; 记录已被他人修改时返回 CONFLICT"
    )
    programme: str | None = strawberry.field(default=None, description="资助项目代码")
    amount: decimal.Decimal | None = strawberry.field(default=None, description="金额 (元)")
    school_year: int | None = strawberry.field(default=None, description="学年起始年份")
    granted_on: datetime.date | None = strawberry.field(default=None, description="发放日期")
    funder: str | None = strawberry.field(default=None, description="资金来源/捐助方")
    note: str | None = strawberry.field(default=None, description="备注")


@strawberry.type(description="资助操作的结果")
class AssistancePayload:
    assistance: Assistance | None = strawberry.field(description="资助记录")
    errors: list[FieldError] = strawberry.field(description="错误 (成功时为空)")
    replayed: bool = strawberry.field(
        default=False, description="是否为重试: 同一幂等键此前已登记该资助"
    )


@strawberry.type
class AssistanceMutation:
    @strawberry.mutation(description="登记资助 (两免一补、营养改善计划、生活补助、社会捐助等)")
    async def create_assistance(
        self, info: Info, input: CreateAssistanceInput
    ) -> AssistancePayload:
        caller = require(info, Permission.WRITE_CASES)  # who asks comes before what they sent
        try:
            row, replayed = await services.create_assistance(
                services.NewAssistance(
                    caller=caller,
                    child_id=parse_global_id(input.child_id, "Child", "childId"),
                    programme=input.programme,
                    amount=input.amount,
                    school_year=input.school_year,
                    granted_on=input.granted_on,
                    now=info.context.now(),
                    funder=input.funder or "",
                    note=input.note or "",
                    idempotency_key=input.idempotency_key,
                    audit=info.context.write_audit,
                )
            )
        except DomainError as exc:
            return AssistancePayload(assistance=None, errors=[field_error(in_payload(exc))])
        return AssistancePayload(assistance=row, errors=[], replayed=replayed)

    @strawberry.mutation(description="修改资助记录")
    async def update_assistance(
        self, info: Info, input: UpdateAssistanceInput
    ) -> AssistancePayload:
        caller = require(info, Permission.WRITE_CASES)  # who asks comes before what they sent
        try:
            row = await services.update_assistance(
                caller,
                parse_global_id(input.id, "Assistance", "id"),
                now=info.context.now(),
                expected_updated_at=input.expected_updated_at,
                programme=input.programme,
                amount=input.amount,
                school_year=input.school_year,
                granted_on=input.granted_on,
                funder=input.funder,
                note=input.note,
                audit=info.context.write_audit,
            )
        except DomainError as exc:
            return AssistancePayload(assistance=None, errors=[field_error(in_payload(exc))])
        return AssistancePayload(assistance=row, errors=[])
