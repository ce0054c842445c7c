"""GraphQL types of the caller, API keys and the audit log."""

from __future__ import annotations

import datetime
from typing import Annotated, ClassVar

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from core.access import models
from core.api.context import Info
from core.api.enums import ActorKind, AuditAction, Permission, Role, ScopeKind
from core.api.node import ModelNode
from core.jurisdictions import models as jmodels
from core.schools import models as smodels

JurisdictionType = Annotated["Jurisdiction", strawberry.lazy("core.api.jurisdictions.types")]
TownType = Annotated["Town", strawberry.lazy("core.api.jurisdictions.types")]
SchoolType = Annotated["School", strawberry.lazy("core.api.schools.types")]
SchoolClassType = Annotated["SchoolClass", strawberry.lazy("core.api.schools.types")]


@strawberry.type(description="当前调用者: 账号或协作部门密钥, 及其权限与范围")
class Viewer:
    kind: ActorKind = strawberry.field(description="调用者类别")
    label: str = strawberry.field(description="用户名或部门名称")
    role: Role | None = strawberry.field(description="角色 (仅工作人员)")
    scope_kind: ScopeKind | None = strawberry.field(description="范围")
    jurisdiction_code: str | None = strawberry.field(description="所属县级行政区代码")
    permissions: list[Permission] = strawberry.field(description="拥有的权限")


@strawberry.type(name="StaffAccount", description="工作人员账号 (县级管理员可见本县账号)")
class StaffAccount(ModelNode):
    model: ClassVar = models.StaffAccount
    id: relay.NodeID[str]
    username: str = strawberry.field(description="用户名 (登录名)")
    display_name: str = strawberry.field(description="姓名或显示名")
    role: Role = strawberry.field(description="角色")
    scope_kind: ScopeKind = strawberry.field(description="范围: 全县、乡镇、学校或班级")
    is_active: bool = strawberry.field(description="是否启用 (停用的账号不能登录)")
    locked_until: datetime.datetime | None = strawberry.field(
        description="登录失败过多时锁定到此时间"
    )
    last_login_at: datetime.datetime | None = strawberry.field(description="最近登录时间")
    password_changed_at: datetime.datetime | None = strawberry.field(
        description="最近设置密码的时间 (未设置密码时为空)"
    )
    disabled_at: datetime.datetime | None = strawberry.field(description="停用时间")
    created_at: datetime.datetime = strawberry.field(description="创建时间")

    @strawberry.field(description="所属县级行政区")
    async def jurisdiction(self, info: Info) -> JurisdictionType | None:
        return await info.context.loaders.by_id(jmodels.Jurisdiction).load(self.jurisdiction_id)

    @strawberry.field(description="绑定的乡镇 (乡镇干部)")
    async def town(self, info: Info) -> TownType | None:
        if self.town_id is None:
            return None
        return await info.context.loaders.by_id(jmodels.Town).load(self.town_id)

    @strawberry.field(description="绑定的学校 (校长、学籍管理员、教师)")
    async def school(self, info: Info) -> SchoolType | None:
        if self.school_id is None:
            return None
        return await info.context.loaders.by_id(smodels.School).load(self.school_id)

    @strawberry.field(name="class", description="绑定的班级 (班主任、科任教师)")
    async def school_class(self, info: Info) -> SchoolClassType | None:
        if self.school_class_id is None:
            return None
        return await info.context.loaders.by_id(smodels.SchoolClass).load(self.school_class_id)


@strawberry.type(name="ApiKey", description="协作部门 API 密钥 (只保存哈希, 仅显示前缀)")
class ApiKey(ModelNode):
    model: ClassVar = models.ApiKey
    id: relay.NodeID[str]
    prefix: str = strawberry.field(description="可见前缀, 用于识别密钥")
    agency: str = strawberry.field(description="协作部门")
    expires_at: datetime.datetime = strawberry.field(description="到期时间")
    created_at: datetime.datetime = strawberry.field(description="创建时间")
    created_by: str = strawberry.field(description="创建人")
    revoked_at: datetime.datetime | None = strawberry.field(description="吊销时间")
    last_used_at: datetime.datetime | None = strawberry.field(description="最近使用时间")

    @strawberry.field(description="授予的权限")
    def permissions(self) -> list[Permission]:
        return [Permission(p) for p in self.permissions]  # type: ignore[attr-defined]

    @strawberry.field(description="限定乡镇的数量 (0 = 全县)")
    def town_count(self) -> int:
        return len(self.town_ids)  # type: ignore[attr-defined]


@strawberry.type(name="AuditEntry", description="审计日志条目 (只增不改)")
class AuditEntry(ModelNode):
    model: ClassVar = models.AuditEntry
    id: relay.NodeID[str]
    occurred_at: datetime.datetime = strawberry.field(description="发生时间")
    actor_kind: ActorKind = strawberry.field(description="操作者类别")
    actor_label: str = strawberry.field(description="操作者")
    action: AuditAction = strawberry.field(description="事件类别")
    operation: str = strawberry.field(description="GraphQL 操作或字段")
    object_type: str = strawberry.field(description="对象类型")
    object_id: str = strawberry.field(description="对象 ID")
    request_id: str = strawberry.field(description="请求编号")
    client_address: str = strawberry.field(description="客户端地址")
    details: JSON = strawberry.field(description="详情")


@strawberry.type(description="学籍核验结果: 只含状态, 不含个人信息")
class EnrolmentCheck:
    found: bool = strawberry.field(description="是否在本辖区学户册中")
    status: str | None = strawberry.field(
        description="学籍状态代码 (ENROLLED 等), 未入学为 NOT_ENROLLED"
    )
    status_label: str | None = strawberry.field(description="学籍状态 (中文)")
