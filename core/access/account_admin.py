"""Administering staff accounts (账号管理) and changing one's own password.

County administrators (``MANAGE_ACCOUNTS``) create, disable and re-enable the accounts of their
own county and reset a password by issuing a one-time token (:func:`issue_password_reset`),
which the account's owner spends once with a new password (:func:`reset_password_with_token`).
Every signed-in staff member changes their own password (:func:`change_password`, current
password required). Each function takes the caller, checks permission and scope (an account of
another county is reported as not found), runs in one transaction and writes its audit entries
with its change.

Sessions end at once where they must: disabling an account revokes all its sessions, a reset
revokes all of them, a change of one's own password revokes every session but the caller's.
Bearer tokens are checked against their session on every request
(:mod:`core.access.authentication`), so the next request with an old token is refused.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from core.access import audit
from core.access.accounts import AccountPlace, check_password_counted, insert_account
from core.access.audit import WriteAudit, record_write
from core.access.authorise import find_in_scope, require_permission
from core.access.caller import Caller
from core.access.enums import AuditAction, Permission, Role
from core.access.hashing import hash_secret
from core.access.models import AuthSession, PasswordResetToken, StaffAccount
from core.access.passwords import check_password
from core.access.scope import scoped
from core.errors import DomainError, ErrorCode
from core.jurisdictions.models import Jurisdiction, Town
from core.schools.models import School, SchoolClass

#: How long a password-reset token may be used.
RESET_TOKEN_LIFETIME = timedelta(hours=24)
RESET_TOKEN_PREFIX = "bxr_"


@dataclass(frozen=True)
class NewStaffAccount:
    """What a county administrator gives to create an account. At most one of ``town_id``,
    ``school_id`` and ``class_id`` binds it (none: the whole county). Without ``password`` a
    reset token is issued, with which the owner sets the first password."""

    username: str
    role: Role
    display_name: str = ""
    password: str | None = None
    town_id: uuid.UUID | None = None
    school_id: uuid.UUID | None = None
    class_id: uuid.UUID | None = None


@dataclass(frozen=True)
class IssuedReset:
    """A freshly issued reset token: ``token`` is shown once and stored only as a digest."""

    token: str
    expires_at: datetime
    account: StaffAccount


@dataclass(frozen=True)
class CreatedAccount:
    account: StaffAccount
    reset: IssuedReset | None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _record_change(
    caller: Caller,
    account: StaffAccount,
    change: str,
    *,
    now: datetime,
    write: WriteAudit | None,
    details: dict[str, Any] | None = None,
) -> None:
    """The mutation's entry and an ``ACCOUNT_CHANGE`` entry naming the account (no secrets)."""
    await record_write(write)
    await audit.record(
        AuditAction.ACCOUNT_CHANGE,
        caller=caller,
        at=now,
        request_id=write.request_id if write else "",
        client_address=write.client_address if write else "",
        operation=write.operation if write else change,
        object_type="StaffAccount",
        object_id=str(account.id),
        jurisdiction_id=account.jurisdiction_id,
        details={"change": change, "username": account.username, **(details or {})},
    )


async def _end_sessions(
    account_id: uuid.UUID, now: datetime, *, keep: uuid.UUID | None = None
) -> int:
    query = AuthSession.filter(account_id=account_id, revoked_at=None)
    if keep is not None:
        query = query.exclude(id=keep)
    return await query.update(revoked_at=now)


async def _void_reset_tokens(account_id: uuid.UUID, now: datetime) -> None:
    await PasswordResetToken.filter(account_id=account_id, used_at=None).update(used_at=now)


async def _new_reset(caller: Caller, account: StaffAccount, now: datetime) -> IssuedReset:
    await _void_reset_tokens(account.id, now)
    token = RESET_TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = now + RESET_TOKEN_LIFETIME
    await PasswordResetToken.create(
        account_id=account.id,
        token_digest=_digest(token),
        issued_at=now,
        expires_at=expires_at,
        issued_by=caller.label[:128],
    )
    return IssuedReset(token=token, expires_at=expires_at, account=account)


def _caller_jurisdiction(caller: Caller) -> uuid.UUID | None:
    return caller.scope.jurisdiction_id if caller.scope is not None else None


async def _place(caller: Caller, data: NewStaffAccount) -> AccountPlace:
    """The county and place the new account is bound to, all within the caller's scope."""
    named = [f for f in (data.town_id, data.school_id, data.class_id) if f is not None]
    if len(named) > 1:
        raise DomainError(
            ErrorCode.INVALID,
            "乡镇、学校、班级至多指定一项",
            "give at most one of townId, schoolId and classId",
            field="scope",
        )
    town = school = school_class = None
    if data.class_id is not None:
        school_class = await find_in_scope(
            SchoolClass, caller, data.class_id, "classId", ("班级", "class")
        )
        school = await School.get(id=school_class.school_id)
        jurisdiction_id = school.jurisdiction_id
    elif data.school_id is not None:
        school = await find_in_scope(School, caller, data.school_id, "schoolId", ("学校", "school"))
        jurisdiction_id = school.jurisdiction_id
    elif data.town_id is not None:
        town = await find_in_scope(Town, caller, data.town_id, "townId", ("乡镇", "town"))
        jurisdiction_id = town.jurisdiction_id
    else:
        jurisdiction_id = _caller_jurisdiction(caller)
        if jurisdiction_id is None:
            raise DomainError(
                ErrorCode.REQUIRED,
                "请指定账号所属的乡镇、学校或班级",
                "name the town, school or class the account belongs to",
                field="scope",
            )
    jurisdiction = await scoped(Jurisdiction, caller).get(id=jurisdiction_id)
    return AccountPlace(jurisdiction, town=town, school=school, school_class=school_class)


async def create_staff_account(
    caller: Caller, data: NewStaffAccount, *, now: datetime, write: WriteAudit | None = None
) -> CreatedAccount:
    """Create an account in the caller's county; a reset token when no password is given."""
    require_permission(caller, Permission.MANAGE_ACCOUNTS)
    place = await _place(caller, data)
    async with in_transaction():
        account = await insert_account(
            username=data.username,
            password=data.password,
            role=data.role,
            place=place,
            display_name=data.display_name,
        )
        account.password_changed_at = now if data.password is not None else None
        await account.save(update_fields=["password_changed_at"])
        reset = await _new_reset(caller, account, now) if data.password is None else None
        await _record_change(
            caller,
            account,
            "created",
            now=now,
            write=write,
            details={"role": data.role.value, "scope": place.kind.value},
        )
    return CreatedAccount(account=account, reset=reset)


async def _account_in_scope(caller: Caller, account_id: uuid.UUID | None) -> StaffAccount:
    require_permission(caller, Permission.MANAGE_ACCOUNTS)
    return await find_in_scope(StaffAccount, caller, account_id, "id", ("账号", "account"))


async def set_account_active(
    caller: Caller,
    account_id: uuid.UUID | None,
    active: bool,
    *,
    now: datetime,
    write: WriteAudit | None = None,
) -> StaffAccount:
    """Disable (停用: every session ends at once, reset tokens are void) or re-enable an
    account. Doing what is already done changes nothing and is not an error."""
    account = await _account_in_scope(caller, account_id)
    if not active and account.id == caller.account_id:
        raise DomainError(
            ErrorCode.INVALID,
            "不能停用自己的账号",
            "you cannot disable your own account",
            field="id",
        )
    async with in_transaction():
        if active:
            changed = await StaffAccount.filter(id=account.id, is_active=False).update(
                is_active=True, disabled_at=None, failed_logins=0, locked_until=None
            )
            ended = 0
        else:
            changed = await StaffAccount.filter(id=account.id, is_active=True).update(
                is_active=False, disabled_at=now
            )
            ended = await _end_sessions(account.id, now)
            await _void_reset_tokens(account.id, now)
        if changed or ended:
            await _record_change(
                caller,
                account,
                "enabled" if active else "disabled",
                now=now,
                write=write,
                details={"sessionsEnded": ended},
            )
        else:
            await record_write(write)
    await account.refresh_from_db()
    return account


async def issue_password_reset(
    caller: Caller, account_id: uuid.UUID | None, *, now: datetime, write: WriteAudit | None = None
) -> IssuedReset:
    """A one-time token with which the account's owner sets a new password (earlier unused
    tokens of the account are void). The current password keeps working until it is used."""
    account = await _account_in_scope(caller, account_id)
    if not account.is_active:
        raise DomainError(
            ErrorCode.INVALID_TRANSITION,
            "账号已停用, 请先启用",
            "the account is disabled: enable it first",
            field="id",
        )
    async with in_transaction():
        reset = await _new_reset(caller, account, now)
        await _record_change(
            caller,
            account,
            "reset issued",
            now=now,
            write=write,
            details={"expiresAt": reset.expires_at.isoformat()},
        )
    return reset


_BAD_TOKEN = DomainError(
    ErrorCode.INVALID,
    "重置令牌无效、已使用或已过期, 请联系管理员重新签发",
    "the reset token is invalid, used or expired; ask an administrator for a new one",
    field="token",
)


async def reset_password_with_token(
    caller: Caller,
    token: str,
    new_password: str,
    *,
    now: datetime,
    write: WriteAudit | None = None,
) -> StaffAccount:
    """Spend a reset token once: set the new password, end every session of the account,
    lift a lock-out. Needs no sign-in (the token is the credential)."""
    token = token.strip()
    if not token.startswith(RESET_TOKEN_PREFIX) or len(token) > 128:
        raise _BAD_TOKEN
    row = await PasswordResetToken.get_or_none(token_digest=_digest(token))
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise _BAD_TOKEN
    account = await StaffAccount.get(id=row.account_id)
    if not account.is_active:
        raise _BAD_TOKEN
    # the password is checked before the token is spent: a weak one does not waste it
    check_password(new_password, username=account.username, field="newPassword")
    async with in_transaction():
        spent = await PasswordResetToken.filter(id=row.id, used_at=None, expires_at__gt=now).update(
            used_at=now
        )
        if not spent:  # used by a concurrent request a moment ago
            raise _BAD_TOKEN
        await StaffAccount.filter(id=account.id).update(
            password_hash=hash_secret(new_password),
            password_changed_at=now,
            failed_logins=0,
            locked_until=None,
        )
        ended = await _end_sessions(account.id, now)
        await _void_reset_tokens(account.id, now)
        await _record_change(
            caller,
            account,
            "password reset",
            now=now,
            write=write,
            details={"sessionsEnded": ended},
        )
    return account


#: A wrong current password in :func:`change_password`; it counts towards the lock-out.
_WRONG_CURRENT = DomainError(
    ErrorCode.INVALID, "当前密码错误", "the current password is wrong", field="currentPassword"
)


async def change_password(
    caller: Caller,
    current_password: str,
    new_password: str,
    *,
    now: datetime,
    write: WriteAudit | None = None,
) -> StaffAccount:
    """Change the caller's own password; every other session of the account ends."""
    require_permission(caller)
    if caller.account_id is None:
        raise DomainError(
            ErrorCode.FORBIDDEN,
            "只有工作人员账号有密码 (API 密钥请轮换)",
            "only staff accounts have a password (rotate an API key instead)",
        )
    account = await StaffAccount.get(id=caller.account_id)

    async def record_failure(reason: str, action: AuditAction) -> None:
        await audit.record(action, caller=caller, at=now, details={"reason": reason})

    await check_password_counted(
        account, current_password, now=now, wrong=_WRONG_CURRENT, record_failure=record_failure
    )
    if new_password == current_password:
        raise DomainError(
            ErrorCode.INVALID,
            "新密码不能与当前密码相同",
            "the new password must differ from the current one",
            field="newPassword",
        )
    check_password(new_password, username=account.username, field="newPassword")
    async with in_transaction():
        await StaffAccount.filter(id=account.id).update(
            password_hash=hash_secret(new_password), password_changed_at=now, failed_logins=0
        )
        ended = await _end_sessions(account.id, now, keep=caller.session_id)
        await _void_reset_tokens(account.id, now)
        await _record_change(
            caller,
            account,
            "password changed",
            now=now,
            write=write,
            details={"sessionsEnded": ended},
        )
    return account
