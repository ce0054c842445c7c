"""Staff accounts: creation, login with lock-out, logout."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from core.access import audit
from core.access.caller import Caller, Scope
from core.access.enums import ActorKind, AuditAction, Role, ScopeKind
from core.access.hashing import hash_secret, verify_secret
from core.access.login_throttle import current_login_throttle
from core.access.models import AuthSession, StaffAccount
from core.access.passwords import MIN_PASSWORD_LENGTH, check_password
from core.access.roles import ROLE_PERMISSIONS, ROLE_SCOPES
from core.access.tokens import TOKEN_LIFETIME, encode_token
from core.errors import DomainError, ErrorCode
from core.jurisdictions.models import Jurisdiction, Town
from core.schools.models import School, SchoolClass

#: Failed logins in a row before an account is locked, and for how long.
MAX_FAILED_LOGINS = 5
LOCK_OUT_FOR = timedelta(minutes=15)
__all__ = ["MIN_PASSWORD_LENGTH", "check_password_counted", "create_account", "login", "logout"]


@dataclass(frozen=True)
class LoginResult:
    token: str
    expires_at: datetime
    account: StaffAccount


#: The account's fields :func:`caller_for_account` reads (authentication reads just these,
#: joined to the session).
CALLER_FIELDS = (
    "id",
    "username",
    "role",
    "scope_kind",
    "jurisdiction_id",
    "town_id",
    "school_id",
    "school_class_id",
)


def caller_for_account(account: StaffAccount, session_id: uuid.UUID | None = None) -> Caller:
    return Caller(
        kind=ActorKind.STAFF,
        label=account.username,
        scope=Scope(
            kind=account.scope_kind,
            jurisdiction_id=account.jurisdiction_id,
            town_ids=frozenset({account.town_id}) if account.town_id else frozenset(),
            school_id=account.school_id,
            class_id=account.school_class_id,
        ),
        permissions=ROLE_PERMISSIONS[account.role],
        account_id=account.id,
        session_id=session_id,
    )


async def create_account(
    *,
    username: str,
    password: str,
    role: Role,
    jurisdiction_code: str,
    display_name: str = "",
    town_name: str | None = None,
    school_code: str | None = None,
    class_id: uuid.UUID | None = None,
) -> StaffAccount:
    """Create an account whose scope follows from its role and the place it is bound to
    (the operator's path: places named by code and name, no caller)."""
    jurisdiction = await Jurisdiction.get_or_none(division_code=jurisdiction_code)
    if jurisdiction is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            f"无此行政区划 {jurisdiction_code}",
            f"no jurisdiction {jurisdiction_code}",
            field="jurisdiction",
        )
    town = school = school_class = None
    if class_id is not None:
        school_class = await SchoolClass.get_or_none(id=class_id, school__jurisdiction=jurisdiction)
        if school_class is None:
            raise DomainError(ErrorCode.NOT_FOUND, "班级不存在", "no such class", field="class")
    elif school_code:
        school = await School.get_or_none(code=school_code, jurisdiction=jurisdiction)
        if school is None:
            raise DomainError(
                ErrorCode.NOT_FOUND,
                f"学校 {school_code} 不存在",
                f"no school {school_code}",
                field="school",
            )
    elif town_name:
        town = await Town.get_or_none(name=town_name, jurisdiction=jurisdiction)
        if town is None:
            raise DomainError(
                ErrorCode.NOT_FOUND,
                f"乡镇 {town_name} 不存在",
                f"no town {town_name}",
                field="town",
            )
    return await insert_account(
        username=username,
        password=password,
        role=role,
        display_name=display_name,
        place=AccountPlace(jurisdiction, town=town, school=school, school_class=school_class),
    )


@dataclass(frozen=True)
class AccountPlace:
    """Where an account is bound: its county, and at most one of a town, school or class."""

    jurisdiction: Jurisdiction
    town: Town | None = None
    school: School | None = None
    school_class: SchoolClass | None = None

    @property
    def kind(self) -> ScopeKind:
        if self.school_class is not None:
            return ScopeKind.CLASS
        if self.school is not None:
            return ScopeKind.SCHOOL
        if self.town is not None:
            return ScopeKind.TOWN
        return ScopeKind.COUNTY


def check_username(username: str, field: str = "username") -> str:
    """The username stripped, if it is 1-64 characters."""
    username = username.strip()
    if not username or len(username) > 64:
        raise DomainError(
            ErrorCode.INVALID,
            "用户名须为 1–64 个字符",
            "username must be 1-64 characters",
            field=field,
        )
    return username


def check_role_scope(role: Role, kind: ScopeKind, field: str = "scope") -> None:
    """Refuse a scope the role cannot have (a head teacher is bound to a class, ...)."""
    if kind not in ROLE_SCOPES[role]:
        allowed = ", ".join(k.label for k in ROLE_SCOPES[role])
        raise DomainError(
            ErrorCode.INVALID,
            f"{role.label} 的范围须为: {allowed}",
            f"a {role.value} account must be scoped to: "
            + ", ".join(k.value for k in ROLE_SCOPES[role]),
            field=field,
        )


async def insert_account(
    *,
    username: str,
    password: str | None,
    role: Role,
    place: AccountPlace,
    display_name: str = "",
    username_field: str = "username",
    password_field: str = "password",
    scope_field: str = "scope",
) -> StaffAccount:
    """Check and insert one account. Without a password the account cannot sign in until its
    first password is set with a reset token."""
    username = check_username(username, username_field)
    if password is not None:
        check_password(password, username=username, field=password_field)
    check_role_scope(role, place.kind, scope_field)
    if await StaffAccount.exists(username=username):
        raise DomainError(
            ErrorCode.DUPLICATE,
            f"用户名 {username} 已存在",
            f"username {username} is taken",
            field=username_field,
        )
    school = place.school
    if place.school_class is not None and school is None:
        school = await School.get(id=place.school_class.school_id)
    return await StaffAccount.create(
        username=username,
        display_name=display_name.strip() or username,
        # no usable password: a hash no password verifies against
        password_hash=hash_secret(password) if password is not None else "!",
        role=role,
        jurisdiction=place.jurisdiction,
        scope_kind=place.kind,
        town=place.town,
        school=school,
        school_class=place.school_class,
    )


_BAD_LOGIN = DomainError(
    ErrorCode.UNAUTHENTICATED, "用户名或密码错误", "wrong username or password", field="password"
)
#: The one answer to an attempt on a locked account, and to a username without an account that
#: has failed as often: it must not tell the two apart (no unlock time, no other wording).
_LOCKED_OUT = DomainError(
    ErrorCode.RATE_LIMITED,
    f"登录失败次数过多, 账号已暂时锁定, 请 {LOCK_OUT_FOR.seconds // 60} 分钟后再试",
    f"too many failed sign-ins: locked for {LOCK_OUT_FOR.seconds // 60} minutes, try again later",
)
_dummy_hash: list[str] = []


def _verify_nothing(password: str) -> None:
    """Spend the time of a real password check, so that unknown usernames answer as slowly."""
    if not _dummy_hash:
        _dummy_hash.append(hash_secret("no account has this password"))
    verify_secret(_dummy_hash[0], password)


async def check_password_counted(
    account: StaffAccount,
    password: str,
    *,
    now: datetime,
    wrong: DomainError,
    record_failure: Callable[..., Awaitable[None]],
) -> None:
    """Check ``password`` against the account, counting the attempt towards its lock-out.

    One of the account's :data:`MAX_FAILED_LOGINS` attempts is taken in a single conditional
    UPDATE *before* the password is checked, so that concurrent guesses cannot all be checked:
    once the attempts are taken (or the account is locked) the rest are refused unchecked
    (:data:`_LOCKED_OUT`). A wrong password raises ``wrong``, and the failure that uses the
    last attempt locks the account for :data:`LOCK_OUT_FOR`. Signing in and changing one's own
    password both go through here, so a stolen session cannot guess the current password
    without limit. ``record_failure(reason, action)`` audits each failure. The caller gives
    the attempts back on success (``failed_logins=0`` in its own transaction).
    """
    attempt_taken = await StaffAccount.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lte=now),
        id=account.id,
        failed_logins__lt=MAX_FAILED_LOGINS,
    ).update(failed_logins=F("failed_logins") + 1)
    if not attempt_taken:
        await record_failure("locked", AuditAction.LOGIN_FAILED)
        raise _LOCKED_OUT
    if not verify_secret(account.password_hash, password):
        async with in_transaction():
            locked = await StaffAccount.filter(
                id=account.id, failed_logins__gte=MAX_FAILED_LOGINS
            ).update(failed_logins=0, locked_until=now + LOCK_OUT_FOR)
            await record_failure(
                "locked out" if locked else "wrong password",
                AuditAction.LOCKED_OUT if locked else AuditAction.LOGIN_FAILED,
            )
        raise wrong


async def login(
    username: str,
    password: str,
    *,
    now: datetime,
    client_address: str = "",
    request_id: str = "",
    audit_entry: audit.WriteAudit | None = None,
) -> LoginResult:
    """Check the password, count failures, lock after too many, and open a session.

    The session, the LOGIN entry and the mutation's own entry (``audit_entry``) are committed
    together or not at all.

    Each attempt first passes the login throttle (per address and per username, see
    :mod:`core.access.login_throttle`), then :func:`check_password_counted`; a success gives
    the attempts back.
    """
    name = username.strip()
    throttle = current_login_throttle()
    if throttle is not None:
        await throttle.admit(name, client_address)

    async def audit_failure(caller: Caller, reason: str, action=AuditAction.LOGIN_FAILED) -> None:
        await audit.record(
            action,
            caller=caller,
            at=now,
            client_address=client_address,
            request_id=request_id,
            details={"reason": reason},
        )

    account = await StaffAccount.get_or_none(username=name) if 0 < len(name) <= 64 else None
    if account is None or not account.is_active:
        unknown = Caller(kind=ActorKind.ANONYMOUS, label=name[:64], scope=None)
        if throttle is not None and not await throttle.unknown_user_failures(
            name, MAX_FAILED_LOGINS
        ):
            await audit_failure(unknown, "unknown or inactive account, too many failures")
            raise _LOCKED_OUT
        _verify_nothing(password)
        await audit_failure(unknown, "unknown or inactive account")
        raise _BAD_LOGIN
    caller = caller_for_account(account)

    async def record_failure(reason: str, action: AuditAction) -> None:
        await audit_failure(caller, reason, action)

    await check_password_counted(
        account, password, now=now, wrong=_BAD_LOGIN, record_failure=record_failure
    )
    session_id = uuid.uuid4()
    expires_at = now + TOKEN_LIFETIME
    async with in_transaction():
        await AuthSession.create(
            id=session_id,
            account=account,
            issued_at=now,
            expires_at=expires_at,
            client_address=client_address,
        )
        await StaffAccount.filter(id=account.id).update(
            failed_logins=0, locked_until=None, last_login_at=now
        )
        await audit.record(
            AuditAction.LOGIN,
            caller=caller_for_account(account, session_id),
            at=now,
            client_address=client_address,
            request_id=request_id,
        )
        await audit.record_write(audit_entry)
    token = await encode_token(account.id, session_id, expires_at)
    return LoginResult(token=token, expires_at=expires_at, account=account)


async def logout(
    session_id: uuid.UUID, *, now: datetime, audit_entry: audit.WriteAudit | None = None
) -> None:
    """End the session; its LOGOUT and mutation entries are committed with the revocation."""
    async with in_transaction():
        await AuthSession.filter(id=session_id, revoked_at=None).update(revoked_at=now)
        await audit.record_change(audit_entry, AuditAction.LOGOUT)
