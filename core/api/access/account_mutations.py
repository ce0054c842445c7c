"""Mutations of staff accounts (账号管理) and of one's own password."""

from __future__ import annotations

import datetime
from typing import Annotated

import strawberry

from core.access import account_admin
from core.api.access.types import StaffAccount
from core.api.context import Info
from core.api.enums import Permission, Role
from core.api.errors import FieldError, field_error, in_payload
from core.api.ids import parse_global_id
from core.api.permissions import require, require_caller
from core.errors import DomainError


@strawberry.input(description="创建工作人员账号 (县级管理员, 仅限本县)")
class CreateStaffAccountInput:
    username: str = strawberry.field(description="用户名 (登录名, 1–64 字符, 全局唯一)")
    role: Role = strawberry.field(description="角色 (决定权限及须绑定的范围)")
    display_name: str | None = strawberry.field(default=None, description="姓名或显示名")
    password: str | None = strawberry.field(
        default=None,
        description=(
            "初始密码 (至少 10 位, 不能是常见密码); 不填时返回一次性重置令牌, "
            "由本人用 resetPasswordWithToken 设置密码"
        ),
    )
    town_id: strawberry.ID | None = strawberry.field(
        default=None, description="绑定的乡镇 (Town 的 ID; 乡镇干部)"
    )
    school_id: strawberry.ID | None = strawberry.field(
        default=None, description="绑定的学校 (School 的 ID; 校长、学籍管理员)"
    )
    class_id: strawberry.ID | None = strawberry.field(
        default=None, description="绑定的班级 (SchoolClass 的 ID; 班主任)"
    )


@strawberry.type(description="账号操作的结果")
class StaffAccountPayload:
    account: StaffAccount | None = strawberry.field(description="账号")
    reset_token: str | None = strawberry.field(
        default=None,
        description="一次性重置令牌 (创建时未给密码才有): 只显示这一次, 请当面或经可信渠道交给本人",
    )
    reset_token_expires_at: datetime.datetime | None = strawberry.field(
        default=None, description="重置令牌到期时间"
    )
    errors: list[FieldError] = strawberry.field(description="错误 (成功时为空)")


@strawberry.type(description="签发密码重置令牌的结果")
class PasswordResetPayload:
    account: StaffAccount | None = strawberry.field(description="账号")
    token: str | None = strawberry.field(
        description="一次性重置令牌: 只显示这一次, 24 小时内有效, 用一次即失效"
    )
    expires_at: datetime.datetime | None = strawberry.field(description="到期时间")
    errors: list[FieldError] = strawberry.field(description="错误 (成功时为空)")


@strawberry.type(description="设置密码的结果")
class PasswordChangePayload:
    ok: bool = strawberry.field(description="是否成功")
    errors: list[FieldError] = strawberry.field(description="错误 (成功时为空)")


IdArgument = Annotated[strawberry.ID, strawberry.argument(description="账号的 ID (StaffAccount)")]


async def _set_active(info: Info, id: str, active: bool) -> StaffAccountPayload:
    caller = require(info, Permission.MANAGE_ACCOUNTS)
    try:
        account = await account_admin.set_account_active(
            caller,
            parse_global_id(id, "StaffAccount", "id"),
            active,
            now=info.context.now(),
            write=info.context.write_audit,
        )
    except DomainError as exc:
        return StaffAccountPayload(account=None, errors=[field_error(in_payload(exc))])
    return StaffAccountPayload(account=account, errors=[])  # type: ignore[arg-type]


@strawberry.type
class AccountMutation:
    @strawberry.mutation(description="创建工作人员账号 (县级管理员, 仅限本县)")
    async def create_staff_account(
        self, info: Info, input: CreateStaffAccountInput
    ) -> StaffAccountPayload:
        caller = require(info, Permission.MANAGE_ACCOUNTS)  # who asks comes before what they sent
        try:
            created = await account_admin.create_staff_account(
                caller,
                account_admin.NewStaffAccount(
                    username=input.username,
                    role=Role(input.role),
                    display_name=input.display_name or "",
                    password=input.password,
                    town_id=parse_global_id(input.town_id, "Town", "townId"),
                    school_id=parse_global_id(input.school_id, "School", "schoolId"),
                    class_id=parse_global_id(input.class_id, "SchoolClass", "classId"),
                ),
                now=info.context.now(),
                write=info.context.write_audit,
            )
        except DomainError as exc:
            return StaffAccountPayload(account=None, errors=[field_error(in_payload(exc))])
        reset = created.reset
        return StaffAccountPayload(
            account=created.account,  # type: ignore[arg-type]
            reset_token=reset.token if reset else None,
            reset_token_expires_at=reset.expires_at if reset else None,
            errors=[],
        )

    @strawberry.mutation(description="停用账号: 该账号的所有会话立即失效, 不能再登录")
    async def disable_staff_account(self, info: Info, id: IdArgument) -> StaffAccountPayload:
        return await _set_active(info, id, False)

    @strawberry.mutation(description="重新启用已停用的账号 (同时解除登录锁定)")
    async def enable_staff_account(self, info: Info, id: IdArgument) -> StaffAccountPayload:
        return await _set_active(info, id, True)

    @strawberry.mutation(
        description="签发一次性密码重置令牌 (县级管理员): 本人用它设置新密码, 旧令牌作废"
    )
    async def issue_password_reset(self, info: Info, id: IdArgument) -> PasswordResetPayload:
        caller = require(info, Permission.MANAGE_ACCOUNTS)
        try:
            issued = await account_admin.issue_password_reset(
                caller,
                parse_global_id(id, "StaffAccount", "id"),
                now=info.context.now(),
                write=info.context.write_audit,
            )
        except DomainError as exc:
            return PasswordResetPayload(
                account=None, token=None, expires_at=None, errors=[field_error(in_payload(exc))]
            )
        return PasswordResetPayload(
            account=issued.account,  # type: ignore[arg-type]
            token=issued.token,
            expires_at=issued.expires_at,
            errors=[],
        )

    @strawberry.mutation(
        description="用一次性重置令牌设置新密码 (无需登录); 该账号的所有会话随即失效"
    )
    async def reset_password_with_token(
        self,
        info: Info,
        token: Annotated[str, strawberry.argument(description="管理员签发的重置令牌")],
        new_password: Annotated[str, strawberry.argument(description="新密码")],
    ) -> PasswordChangePayload:
        try:
            await account_admin.reset_password_with_token(
                info.context.caller,
                token,
                new_password,
                now=info.context.now(),
                write=info.context.write_audit,
            )
        except DomainError as exc:
            return PasswordChangePayload(ok=False, errors=[field_error(in_payload(exc))])
        return PasswordChangePayload(ok=True, errors=[])

    @strawberry.mutation(description="修改自己的密码; 本账号的其他会话随即失效")
    async def change_password(
        self,
        info: Info,
        current_password: Annotated[str, strawberry.argument(description="当前密码")],
        new_password: Annotated[str, strawberry.argument(description="新密码")],
    ) -> PasswordChangePayload:
        caller = require_caller(info)
        try:
            await account_admin.change_password(
                caller,
                current_password,
                new_password,
                now=info.context.now(),
                write=info.context.write_audit,
            )
        except DomainError as exc:
            return PasswordChangePayload(ok=False, errors=[field_error(in_payload(exc))])
        return PasswordChangePayload(ok=True, errors=[])
