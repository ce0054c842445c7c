"""``baoxue apikey`` and ``baoxue account``: the operator's tools for credentials."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from core.access.enums import Permission, Role
from core.cli_ids import GlobalId, global_id
from core.errors import DomainError
from core.settings import normalise_database_url

_db_option = click.option(
    "--database-url",
    envvar="DATABASE_URL",
    default="sqlite://baoxue.db",
    show_default=True,
    help="Database to use.",
)


def _run(database_url: str, work: Any) -> Any:
    """Open the database, run ``work()``, close; a DomainError becomes a clean CLI error."""
    import asyncio

    from core.db import close_database, open_database

    async def go() -> Any:
        ctx = await open_database(normalise_database_url(database_url))
        try:
            return await work()
        finally:
            await close_database(ctx)

    try:
        return asyncio.run(go())
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None


def _now() -> datetime:
    return datetime.now(UTC)


@click.group("apikey")
def apikey() -> None:
    """Partner-agency API keys (协作部门 API 密钥)."""


@apikey.command("create")
@click.option("--agency", required=True, help="Agency name, e.g. 示范县公安局.")
@click.option("--jurisdiction", "jurisdiction_code", required=True, help="Division code.")
@click.option(
    "--permission",
    "permissions",
    multiple=True,
    required=True,
    type=click.Choice([p.value for p in Permission]),
    help="Repeat for each permission granted.",
)
@click.option("--town", "towns", multiple=True, help="Limit to these towns (repeatable).")
@click.option("--days", default=90, show_default=True, type=click.IntRange(1, 366))
@_db_option
def apikey_create(
    agency: str,
    jurisdiction_code: str,
    permissions: tuple[str, ...],
    towns: tuple[str, ...],
    days: int,
    database_url: str,
) -> None:
    """Create a key and print it once: it is stored only as a hash."""
    from core.access.api_keys import create_key

    now = _now()
    issued = _run(
        database_url,
        lambda: create_key(
            agency=agency,
            jurisdiction_code=jurisdiction_code,
            permissions=[Permission(p) for p in permissions],
            expires_at=now + timedelta(days=days),
            now=now,
            town_names=list(towns),
            created_by="cli",
        ),
    )
    click.echo(f"key id:   {global_id('ApiKey', issued.key.id)}")
    click.echo(f"prefix:   {issued.key.prefix}")
    click.echo(f"expires:  {issued.key.expires_at:%Y-%m-%d %H:%M} UTC")
    click.echo(f"API key (shown once, 只显示一次): {issued.secret}")


@apikey.command("list")
@click.option("--json", "as_json", is_flag=True)
@_db_option
def apikey_list(as_json: bool, database_url: str) -> None:
    """List keys (prefix, agency, permissions, expiry, last use, revoked)."""
    from core.access.models import ApiKey

    async def rows() -> list[dict[str, Any]]:
        keys = await ApiKey.all().order_by("created_at").prefetch_related("jurisdiction")
        return [
            {
                "id": global_id("ApiKey", k.id),
                "prefix": k.prefix,
                "agency": k.agency,
                "jurisdiction": k.jurisdiction.division_code,
                "permissions": k.permissions,
                "expiresAt": k.expires_at.isoformat(),
                "lastUsedAt": k.last_used_at.isoformat() if k.last_used_at else None,
                "revoked": k.revoked_at is not None,
            }
            for k in keys
        ]

    data = _run(database_url, rows)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for k in data:
        state = "revoked" if k["revoked"] else "active"
        click.echo(
            f"{k['prefix']}  {state:7}  {k['jurisdiction']}  {k['agency']}  "
            f"{','.join(k['permissions'])}  expires {k['expiresAt'][:10]}"
        )


@apikey.command("rotate")
@click.argument("key_id", type=GlobalId("ApiKey"))
@_db_option
def apikey_rotate(key_id: uuid.UUID, database_url: str) -> None:
    """Replace a key with a new secret (same grant) and revoke the old one."""
    from core.access.api_keys import rotate_key

    issued = _run(database_url, lambda: rotate_key(key_id, now=_now(), created_by="cli"))
    click.echo(f"new key id: {global_id('ApiKey', issued.key.id)}")
    click.echo(f"API key (shown once, 只显示一次): {issued.secret}")


@apikey.command("revoke")
@click.argument("key_id", type=GlobalId("ApiKey"))
@_db_option
def apikey_revoke(key_id: uuid.UUID, database_url: str) -> None:
    """Revoke a key at once."""
    from core.access.api_keys import revoke_key

    key = _run(database_url, lambda: revoke_key(key_id, now=_now()))
    click.echo(f"revoked {key.prefix} ({key.agency})")


@click.group("account")
def account() -> None:
    """Staff accounts (工作人员账号)."""


@account.command("create")
@click.option("--username", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--jurisdiction", "jurisdiction_code", required=True)
@click.option("--name", "display_name", default="")
@click.option("--town", default=None, help="Town name (township officials).")
@click.option("--school", "school_code", default=None, help="10-digit school code.")
@click.option(
    "--class-id",
    default=None,
    type=GlobalId("SchoolClass"),
    help="Class (head teachers): its id as the API returns it (a SchoolClass id) or UUID.",
)
@_db_option
def account_create(
    username: str,
    password: str,
    role: str,
    jurisdiction_code: str,
    display_name: str,
    town: str | None,
    school_code: str | None,
    class_id: uuid.UUID | None,
    database_url: str,
) -> None:
    """Create a staff account with a role and a scope."""
    from core.access.accounts import create_account

    created = _run(
        database_url,
        lambda: create_account(
            username=username,
            password=password,
            role=Role(role),
            jurisdiction_code=jurisdiction_code,
            display_name=display_name,
            town_name=town,
            school_code=school_code,
            class_id=class_id,
        ),
    )
    click.echo(
        f"created {created.username} ({Role(role).label}, scope {created.scope_kind.label}), "
        f"id {global_id('StaffAccount', created.id)}"
    )
