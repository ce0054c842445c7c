"""Mutations of sessions and API keys."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated

import strawberry
from strawberry import relay

from core.access import api_keys as keys_service
from core.access.accounts import caller_for_account
from core.access.accounts import login as login_service
from core.access.accounts import logout as logout_service
from core.access.scope import scoped
from core.api.access.query import viewer_for
from core.api.access.types import ApiKey, Viewer
from core.api.context import Info
from core.api.enums import Permission
from core.api.errors import ErrorCode, FieldError, field_error
from core.api.ids import DecodedId
from core.api.permissions import require, require_caller
from core.errors import DomainError
from core.jurisdictions.models import Jurisdiction


@strawberry.type(description="登录结果")
class LoginPayload:
    token: str | None = strawberry.field(description="Bearer 令牌 (放入 Authorization 头)")
    expires_at: datetime.datetime | None = strawberry.field(description="令牌到期时间")
    viewer: Viewer | None = strawberry.field(description="登录后的调用者")
    errors: list[FieldError] = strawberry.field(description="错误")


@strawberry.type(description="退出登录结果")
class LogoutPayload:
    ok: bool = strawberry.field(description="是否成功")
    errors: list[FieldError] = strawberry.field(description="错误")


@strawberry.input(description="创建协作部门 API 密钥")
class CreateApiKeyInput:
    agency: str = strawberry.field(description="协作部门名称, 如 荔浦市公安局")
    jurisdiction_code: str = strawberry.field(description="县级行政区代码")
    permissions: list[Permission] = strawberry.field(description="授予的权限")
    towns: list[str] | None = strawberry.field(default=None, description="限定的乡镇名称")
    expires_at: datetime.datetime = strawberry.field(description="到期时间 (最长 366 天)")


@strawberry.type(description="密钥创建/轮换结果: secret 只显示这一次")
class ApiKeyPayload:
    api_key: ApiKey | None = strawberry.field(description="密钥 (不含明文)")
    secret: str | None = strawberry.field(description="密钥明文, 只显示一次, 请妥善保存")
    errors: list[FieldError] = strawberry.field(description="错误")


async def _key_in_scope(info: Info, key_id: relay.GlobalID) -> uuid.UUID | None:
    caller = require(info, Permission.MANAGE_API_KEYS)
    row_id = DecodedId(key_id.type_name, key_id.node_id).row_id
    if key_id.type_name != "ApiKey" or row_id is None:
        return None
    row = await scoped(keys_service.ApiKey, caller).get_or_none(id=row_id)
    return row.id if row else None


def _not_found() -> list[FieldError]:
    return [FieldError(code=ErrorCode.NOT_FOUND, field="id", zh="密钥不存在", en="no such key")]


@strawberry.type
class AccessMutation:
    @strawberry.mutation(description="工作人员登录, 返回短期有效的 Bearer 令牌")
    async def login(
        self,
        info: Info,
        username: Annotated[str, strawberry.argument(description="用户名")],
        password: Annotated[str, strawberry.argument(description="密码")],
    ) -> LoginPayload:
        try:
            result = await login_service(
                username,
                password,
                now=info.context.now(),
                client_address=info.context.client_address,
                request_id=info.context.request_id,
                audit_entry=info.context.write_audit,
            )
        except DomainError as exc:
            return LoginPayload(token=None, expires_at=None, viewer=None, errors=[field_error(exc)])
        viewer = await viewer_for(caller_for_account(result.account))
        return LoginPayload(
            token=result.token, expires_at=result.expires_at, viewer=viewer, errors=[]
        )

    @strawberry.mutation(description="退出登录: 当前令牌立即失效")
    async def logout(self, info: Info) -> LogoutPayload:
        caller = require_caller(info)
        if caller.session_id is None:
            return LogoutPayload(
                ok=False,
                errors=[
                    FieldError(
                        code=ErrorCode.INVALID,
                        field=None,
                        zh="API 密钥无需退出",
                        en="API keys do not log out",
                    )
                ],
            )
        await logout_service(
            caller.session_id, now=info.context.now(), audit_entry=info.context.write_audit
        )
        return LogoutPayload(ok=True, errors=[])

    @strawberry.mutation(description="创建协作部门 API 密钥 (县级管理员)")
    async def create_api_key(
        self,
        info: Info,
        input: Annotated[CreateApiKeyInput, strawberry.argument(description="密钥的授权内容")],
    ) -> ApiKeyPayload:
        caller = require(info, Permission.MANAGE_API_KEYS)
        allowed = await scoped(Jurisdiction, caller).filter(division_code=input.jurisdiction_code)
        if not allowed:
            return ApiKeyPayload(
                api_key=None,
                secret=None,
                errors=[
                    FieldError(
                        code=ErrorCode.FORBIDDEN,
                        field="jurisdictionCode",
                        zh="只能为本县创建密钥",
                        en="keys can only be created for your jurisdiction",
                    )
                ],
            )
        try:
            issued = await keys_service.create_key(
                agency=input.agency,
                jurisdiction_code=input.jurisdiction_code,
                permissions=list(input.permissions),
                expires_at=input.expires_at,
                now=info.context.now(),
                town_names=list(input.towns or []),
                created_by=caller.label,
                audit_entry=info.context.write_audit,
            )
        except DomainError as exc:
            return ApiKeyPayload(api_key=None, secret=None, errors=[field_error(exc)])
        return ApiKeyPayload(api_key=issued.key, secret=issued.secret, errors=[])

    @strawberry.mutation(description="轮换密钥: 生成新密钥 (权限不变) 并吊销旧密钥")
    async def rotate_api_key(
        self,
        info: Info,
        id: Annotated[relay.GlobalID, strawberry.argument(description="密钥的全局 ID")],
    ) -> ApiKeyPayload:
        key_id = await _key_in_scope(info, id)
        if key_id is None:
            return ApiKeyPayload(api_key=None, secret=None, errors=_not_found())
        try:
            issued = await keys_service.rotate_key(
                key_id,
                now=info.context.now(),
                created_by=info.context.caller.label,
                audit_entry=info.context.write_audit,
            )
        except DomainError as exc:
            return ApiKeyPayload(api_key=None, secret=None, errors=[field_error(exc)])
        return ApiKeyPayload(api_key=issued.key, secret=issued.secret, errors=[])

    @strawberry.mutation(description="吊销密钥, 立即生效")
    async def revoke_api_key(
        self,
        info: Info,
        id: Annotated[relay.GlobalID, strawberry.argument(description="密钥的全局 ID")],
    ) -> ApiKeyPayload:
        key_id = await _key_in_scope(info, id)
        if key_id is None:
            return ApiKeyPayload(api_key=None, secret=None, errors=_not_found())
        key = await keys_service.revoke_key(
            key_id, now=info.context.now(), audit_entry=info.context.write_audit
        )
        return ApiKeyPayload(api_key=key, secret=None, errors=[])
