"""Queries of the caller, API keys, the audit log and the agency enrolment check."""

from __future__ import annotations

import datetime
from typing import Annotated

import strawberry

from core.access.caller import Caller
from core.access.enums import AuditAction, Permission, Role
from core.access.models import ApiKey as ApiKeyModel
from core.access.models import AuditEntry as AuditEntryModel
from core.access.models import StaffAccount as StaffAccountModel
from core.access.scope import scoped
from core.api.access.types import ApiKey, AuditEntry, EnrolmentCheck, StaffAccount, Viewer
from core.api.context import Info
from core.api.filters import After, Before, First, Last
from core.api.pagination import Connection, paginate
from core.api.permissions import require, require_caller
from core.enrolment.models import Enrolment, EnrolmentStatus
from core.jurisdictions.models import Jurisdiction
from core.people.models import Child
from core.people.resident_id import checked_resident_id


async def viewer_for(caller: Caller) -> Viewer:
    role = None
    if caller.account_id is not None:
        account = await StaffAccountModel.get_or_none(id=caller.account_id)
        role = account.role if account else None
    code = None
    if caller.scope is not None and caller.scope.jurisdiction_id is not None:
        jurisdiction = await Jurisdiction.get_or_none(id=caller.scope.jurisdiction_id)
        code = jurisdiction.division_code if jurisdiction else None
    return Viewer(
        kind=caller.kind,
        label=caller.label,
        role=role,
        scope_kind=caller.scope.kind if caller.scope else None,
        jurisdiction_code=code,
        permissions=sorted(caller.permissions, key=list(Permission).index),
    )


@strawberry.input(description="审计日志筛选")
class AuditFilter:
    action: AuditAction | None = strawberry.field(default=None, description="事件类别")
    actor_label: str | None = strawberry.field(default=None, description="操作者 (精确匹配)")
    object_id: str | None = strawberry.field(default=None, description="对象 ID")
    occurred_from: datetime.datetime | None = strawberry.field(default=None, description="起")
    occurred_to: datetime.datetime | None = strawberry.field(default=None, description="止")


@strawberry.input(description="工作人员账号筛选")
class StaffAccountFilter:
    role: Role | None = strawberry.field(default=None, description="角色")
    is_active: bool | None = strawberry.field(default=None, description="是否启用")
    username: str | None = strawberry.field(default=None, description="用户名 (包含)")


@strawberry.type
class AccessQuery:
    @strawberry.field(description="当前调用者 (未登录时报 UNAUTHENTICATED)")
    async def me(self, info: Info) -> Viewer:
        return await viewer_for(require_caller(info))

    @strawberry.field(description="本县的协作部门 API 密钥")
    async def api_keys(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ApiKey]:
        caller = require(info, Permission.MANAGE_API_KEYS)
        settings = info.context.settings
        return await paginate(
            scoped(ApiKeyModel, caller).order_by("-created_at", "id"),
            first=first,
            after=after,
            last=last,
            before=before,
            default_size=settings.default_page_size,
            max_size=settings.max_page_size,
        )

    @strawberry.field(description="本县的工作人员账号 (县级管理员)")
    async def staff_accounts(
        self,
        info: Info,
        filter: Annotated[
            StaffAccountFilter | None, strawberry.argument(description="筛选条件")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[StaffAccount]:
        caller = require(info, Permission.MANAGE_ACCOUNTS)
        qs = scoped(StaffAccountModel, caller)
        if filter is not None:
            if filter.role is not None:
                qs = qs.filter(role=Role(filter.role))
            if filter.is_active is not None:
                qs = qs.filter(is_active=filter.is_active)
            if filter.username:
                qs = qs.filter(username__icontains=filter.username.strip())
        settings = info.context.settings
        return await paginate(
            qs.order_by("username", "id"),
            first=first,
            after=after,
            last=last,
            before=before,
            default_size=settings.default_page_size,
            max_size=settings.max_page_size,
        )

    @strawberry.field(description="审计日志 (新的在前, 县级管理员)")
    async def audit_log(
        self,
        info: Info,
        filter: Annotated[AuditFilter | None, strawberry.argument(description="筛选条件")] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[AuditEntry]:
        caller = require(info, Permission.READ_AUDIT)
        qs = scoped(AuditEntryModel, caller)
        if filter is not None:
            if filter.action is not None:
                qs = qs.filter(action=filter.action)
            if filter.actor_label:
                qs = qs.filter(actor_label=filter.actor_label)
            if filter.object_id:
                qs = qs.filter(object_id=filter.object_id)
            if filter.occurred_from:
                qs = qs.filter(occurred_at__gte=filter.occurred_from)
            if filter.occurred_to:
                qs = qs.filter(occurred_at__lte=filter.occurred_to)
        settings = info.context.settings
        return await paginate(
            qs.order_by("-occurred_at", "id"),
            first=first,
            after=after,
            last=last,
            before=before,
            default_size=settings.default_page_size,
            max_size=settings.max_page_size,
        )

    @strawberry.field(description="按身份证号核验学籍状态 (协作部门用, 只返回状态)")
    async def verify_enrolment(
        self,
        info: Info,
        id_number: Annotated[str, strawberry.argument(description="身份证号 (18位)")],
    ) -> EnrolmentCheck:
        caller = require(info, Permission.VERIFY_ENROLMENT)
        parsed = checked_resident_id(id_number, field="idNumber", today=info.context.now().date())
        child = await (
            scoped(Child, caller.with_permission(Permission.READ_ROSTER))
            .filter(id_number=parsed.number)
            .first()
        )
        if child is None:
            return EnrolmentCheck(found=False, status=None, status_label=None)
        enrolment = await Enrolment.filter(child_id=child.id, is_current=True).first()
        if enrolment is None:
            return EnrolmentCheck(found=True, status="NOT_ENROLLED", status_label="未入学")
        status: EnrolmentStatus = enrolment.status
        return EnrolmentCheck(found=True, status=status.value, status_label=status.label)
