"""Accounts, sessions, API keys and the append-only audit log."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.access.enums import ActorKind, AuditAction, Role, ScopeKind


class StaffAccount(Model):
    """工作人员账号: a role and a scope (county, town, school or class)."""

    id = fields.UUIDField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    display_name = fields.CharField(max_length=64, default="")
    password_hash = fields.CharField(max_length=255)
    role = fields.CharEnumField(Role, max_length=24)
    jurisdiction = fields.ForeignKeyField(
        "baoxue.Jurisdiction", related_name="accounts", on_delete=fields.CASCADE, db_index=True
    )
    scope_kind = fields.CharEnumField(ScopeKind, max_length=16)
    town = fields.ForeignKeyField(
        "baoxue.Town", related_name="accounts", null=True, on_delete=fields.SET_NULL, db_index=True
    )
    school = fields.ForeignKeyField(
        "baoxue.School",
        related_name="accounts",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    school_class = fields.ForeignKeyField(
        "baoxue.SchoolClass",
        related_name="accounts",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    official = fields.ForeignKeyField(
        "baoxue.Official",
        related_name="accounts",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    is_active = fields.BooleanField(default=True)
    failed_logins = fields.IntField(default=0)
    locked_until = fields.DatetimeField(null=True)
    last_login_at = fields.DatetimeField(null=True)
    password_changed_at = fields.DatetimeField(null=True)
    disabled_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "staff_account"


class AuthSession(Model):
    """One issued bearer token (by its jti). Revoking it ends the session."""

    id = fields.UUIDField(primary_key=True)
    account = fields.ForeignKeyField(
        "baoxue.StaffAccount", related_name="sessions", on_delete=fields.CASCADE, db_index=True
    )
    issued_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)
    revoked_at = fields.DatetimeField(null=True)
    client_address = fields.CharField(max_length=64, default="")

    class Meta:
        table = "auth_session"


class PasswordResetToken(Model):
    """一次性密码重置令牌: issued by a county administrator, used once, expiring.

    Only the SHA-256 of the token is stored (the token is 256 random bits, so a fast hash is
    enough and lets it be found by its digest); ``used_at`` is set by the one UPDATE that
    consumes it.
    """

    id = fields.UUIDField(primary_key=True)
    account = fields.ForeignKeyField(
        "baoxue.StaffAccount", related_name="reset_tokens", on_delete=fields.CASCADE, db_index=True
    )
    token_digest = fields.CharField(max_length=64, unique=True)
    issued_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    issued_by = fields.CharField(max_length=128, default="")

    class Meta:
        table = "password_reset_token"


class ApiKey(Model):
    """协作部门 API 密钥. Only a hash is stored, the prefix is shown to identify the key."""

    id = fields.UUIDField(primary_key=True)
    prefix = fields.CharField(max_length=16, unique=True)
    key_hash = fields.CharField(max_length=255)
    agency = fields.CharField(max_length=128, description="协作部门名称")
    jurisdiction = fields.ForeignKeyField(
        "baoxue.Jurisdiction", related_name="api_keys", on_delete=fields.CASCADE, db_index=True
    )
    town_ids = fields.JSONField(default=list, description="限定的乡镇 (空 = 全县)")
    permissions = fields.JSONField(default=list)
    expires_at = fields.DatetimeField()
    created_by = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    revoked_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)
    replaced_by = fields.ForeignKeyField(
        "baoxue.ApiKey", related_name="replaces", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "api_key"


class AuditEntry(Model):
    """审计日志: append-only. Nothing in the API updates or deletes a row."""

    id = fields.UUIDField(primary_key=True)
    occurred_at = fields.DatetimeField(db_index=True)
    actor_kind = fields.CharEnumField(ActorKind, max_length=16)
    actor_label = fields.CharField(max_length=128, default="")
    account = fields.ForeignKeyField(
        "baoxue.StaffAccount", related_name="audit_entries", null=True, on_delete=fields.SET_NULL
    )
    api_key = fields.ForeignKeyField(
        "baoxue.ApiKey", related_name="audit_entries", null=True, on_delete=fields.SET_NULL
    )
    jurisdiction = fields.ForeignKeyField(
        "baoxue.Jurisdiction",
        related_name="audit_entries",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    action = fields.CharEnumField(AuditAction, max_length=24, db_index=True)
    operation = fields.CharField(max_length=64, default="", description="GraphQL 操作/字段")
    object_type = fields.CharField(max_length=32, default="")
    object_id = fields.CharField(max_length=128, default="", db_index=True)
    request_id = fields.CharField(max_length=64, default="")
    client_address = fields.CharField(max_length=64, default="")
    details = fields.JSONField(default=dict)

    class Meta:
        table = "audit_entry"
        ordering = ["-occurred_at"]


class ServerSecret(Model):
    """Secrets every worker must share (the token signing key), created on first use."""

    name = fields.CharField(max_length=32, primary_key=True)
    value = fields.CharField(max_length=128)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "server_secret"
