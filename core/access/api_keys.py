"""Partner-agency API keys: created by a county administrator, shown once, stored hashed.

A key reads ``bx_<8 characters>_<secret>``; the part before the second underscore is the
visible prefix used to find the key, the whole key is verified against its Argon2 hash.
Verified keys are remembered in-process by a SHA-256 digest for a minute, so a busy agency does
not pay for Argon2 on every request; revocation and expiry are still checked on every request.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from core.access.audit import WriteAudit, record_change
from core.access.caller import Caller, Scope
from core.access.enums import ActorKind, AuditAction, Permission, ScopeKind
from core.access.hashing import hash_secret, verify_secret
from core.access.models import ApiKey
from core.errors import DomainError, ErrorCode
from core.jurisdictions.models import Jurisdiction, Town

#: Permissions an agency key may carry (account administration stays with staff).
AGENCY_PERMISSIONS = frozenset(Permission) - {
    Permission.MANAGE_ACCOUNTS,
    Permission.MANAGE_API_KEYS,
    Permission.READ_AUDIT,
    Permission.MANAGE_WEBHOOKS,
}
MAX_LIFETIME = timedelta(days=366)
#: ``last_used_at`` is written at most this often per key.
LAST_USED_RESOLUTION = timedelta(minutes=1)
_VERIFIED_TTL_SECONDS = 60.0
_verified: dict[str, tuple[uuid.UUID, float]] = {}


def forget_verified_keys() -> None:
    """Forget which keys were verified lately: the next use of each runs Argon2 again (tests
    that write the same keys back into an emptied database start from a cold process)."""
    _verified.clear()


@dataclass(frozen=True)
class IssuedKey:
    """A freshly created key: ``secret`` is shown once and never stored."""

    secret: str
    key: ApiKey


def _new_secret() -> tuple[str, str]:
    prefix = "bx_" + secrets.token_hex(4)
    return prefix, f"{prefix}_{secrets.token_urlsafe(32)}"


async def create_key(
    *,
    agency: str,
    jurisdiction_code: str,
    permissions: list[Permission],
    expires_at: datetime,
    now: datetime,
    town_names: list[str] | None = None,
    created_by: str = "",
    audit_entry: WriteAudit | None = None,
) -> IssuedKey:
    """Issue a key; the key and its KEY_CHANGE and mutation entries (``audit_entry``) are
    committed together."""
    agency = agency.strip()
    if not agency:
        raise DomainError(
            ErrorCode.REQUIRED, "须填写协作部门名称", "agency is required", field="agency"
        )
    if not permissions:
        raise DomainError(
            ErrorCode.REQUIRED,
            "至少授予一项权限",
            "grant at least one permission",
            field="permissions",
        )
    try:
        permissions = [Permission(p) for p in permissions]
    except ValueError as exc:
        raise DomainError(ErrorCode.INVALID, f"未知权限: {exc}", f"unknown permission: {exc}",
                          field="permissions") from None  # fmt: skip
    extra = set(permissions) - AGENCY_PERMISSIONS
    if extra:
        raise DomainError(
            ErrorCode.INVALID,
            "协作部门密钥不能授予: " + ", ".join(sorted(p.value for p in extra)),
            "agency keys cannot carry: " + ", ".join(sorted(p.value for p in extra)),
            field="permissions",
        )
    if expires_at <= now or expires_at - now > MAX_LIFETIME:
        raise DomainError(
            ErrorCode.INVALID,
            "有效期须在 1 秒到 366 天之间",
            "expiry must be in the future and at most 366 days away",
            field="expiresAt",
        )
    jurisdiction = await Jurisdiction.get_or_none(division_code=jurisdiction_code)
    if jurisdiction is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            f"无此行政区划 {jurisdiction_code}",
            f"no jurisdiction {jurisdiction_code}",
            field="jurisdiction",
        )
    town_ids: list[str] = []
    for name in town_names or []:
        town = await Town.get_or_none(name=name, jurisdiction=jurisdiction)
        if town is None:
            raise DomainError(
                ErrorCode.NOT_FOUND,
                f"{jurisdiction.name}无乡镇 {name}",
                f"no town {name}",
                field="towns",
            )
        town_ids.append(str(town.id))
    prefix, secret = _new_secret()
    async with in_transaction():
        key = await ApiKey.create(
            prefix=prefix,
            key_hash=hash_secret(secret),
            agency=agency,
            jurisdiction=jurisdiction,
            town_ids=town_ids,
            permissions=sorted(p.value for p in permissions),
            expires_at=expires_at,
            created_by=created_by,
        )
        await record_change(
            audit_entry,
            AuditAction.KEY_CHANGE,
            object_type="ApiKey",
            object_id=str(key.id),
            details={"agency": key.agency, "permissions": key.permissions},
        )
    return IssuedKey(secret=secret, key=key)


async def rotate_key(
    key_id: uuid.UUID,
    *,
    now: datetime,
    created_by: str = "",
    audit_entry: WriteAudit | None = None,
) -> IssuedKey:
    """Issue a replacement with the same grant and revoke the old key, in one transaction with
    the KEY_CHANGE and mutation entries (``audit_entry``)."""
    async with in_transaction():
        old = await ApiKey.get_or_none(id=key_id)
        if old is None or old.revoked_at is not None:
            raise DomainError(
                ErrorCode.NOT_FOUND, "密钥不存在或已吊销", "no such active key", field="id"
            )
        prefix, secret = _new_secret()
        new = await ApiKey.create(
            prefix=prefix,
            key_hash=hash_secret(secret),
            agency=old.agency,
            jurisdiction_id=old.jurisdiction_id,
            town_ids=old.town_ids,
            permissions=old.permissions,
            expires_at=max(old.expires_at, now + timedelta(days=1)),
            created_by=created_by,
        )
        await ApiKey.filter(id=old.id).update(revoked_at=now, replaced_by_id=new.id)
        await record_change(
            audit_entry,
            AuditAction.KEY_CHANGE,
            object_type="ApiKey",
            object_id=str(old.id),
            details={"replacedBy": str(new.id)},
        )
    return IssuedKey(secret=secret, key=new)


async def revoke_key(
    key_id: uuid.UUID, *, now: datetime, audit_entry: WriteAudit | None = None
) -> ApiKey:
    """Revoke the key (again is a no-op), in one transaction with the KEY_CHANGE and mutation
    entries (``audit_entry``)."""
    key = await ApiKey.get_or_none(id=key_id)
    if key is None:
        raise DomainError(ErrorCode.NOT_FOUND, "密钥不存在", "no such key", field="id")
    async with in_transaction():
        if key.revoked_at is None:
            await ApiKey.filter(id=key_id).update(revoked_at=now)
        await record_change(
            audit_entry, AuditAction.KEY_CHANGE, object_type="ApiKey", object_id=str(key_id)
        )
    key.revoked_at = key.revoked_at or now
    return key


def caller_for_key(key: ApiKey) -> Caller:
    towns = frozenset(uuid.UUID(t) for t in key.town_ids)
    return Caller(
        kind=ActorKind.API_KEY,
        label=f"{key.agency} ({key.prefix})",
        scope=Scope(
            kind=ScopeKind.TOWN if towns else ScopeKind.COUNTY,
            jurisdiction_id=key.jurisdiction_id,
            town_ids=towns,
        ),
        permissions=frozenset(Permission(p) for p in key.permissions),
        api_key_id=key.id,
    )


#: Asked before a key check that is not served from the cache (Argon2, or an audited refusal);
#: given the key's prefix (None when the key is malformed or unknown), False = refuse unchecked.
Admit = Callable[[str | None], Awaitable[bool]]


async def _always(prefix: str | None) -> bool:
    return True


async def authenticate_key(
    secret: str, *, now: datetime, admit: Admit = _always
) -> tuple[ApiKey | None, str]:
    """The key for ``secret``, or None with the reason it was refused.

    A key verified in the last minute is recognised by its SHA-256 digest without Argon2.
    Every other check first asks ``admit`` (the per-prefix and per-address limit on key
    checks): when it says no, the reason is ``"throttled"`` and neither Argon2 nor the caller's
    audit entry runs, so wrong secrets cannot make the server hash or write on every request.
    """
    parts = secret.strip().split("_")
    if len(parts) < 3 or parts[0] != "bx":
        return None, "malformed" if await admit(None) else "throttled"
    prefix = f"bx_{parts[1]}"
    digest = hashlib.sha256(secret.encode()).hexdigest()
    cached = _verified.get(digest)
    key = await ApiKey.get_or_none(prefix=prefix) if len(prefix) <= 16 else None
    if key is None:
        return None, "unknown" if await admit(None) else "throttled"
    if not (cached and cached[0] == key.id and cached[1] > time.monotonic()):
        if not await admit(prefix):
            return None, "throttled"
        if not verify_secret(key.key_hash, secret):
            return None, "wrong secret"
        _verified[digest] = (key.id, time.monotonic() + _VERIFIED_TTL_SECONDS)
    if key.revoked_at is not None:
        return None, "revoked"
    if key.expires_at <= now:
        return None, "expired"
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        await ApiKey.filter(id=key.id).update(last_used_at=now)
        key.last_used_at = now
    return key, ""
