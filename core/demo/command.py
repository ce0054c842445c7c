"""``baoxue demo``: migrate, (re)generate a demo county, create its demo credentials, report.

:func:`run_demo` is what the CLI calls. The county is the one ``--jurisdiction`` names (an
installed plugin's county by division code or name); without it, the installed plugin's county
that declares itself the demo county (``JurisdictionSpec.demo_default``, the README's demo
county), else the fictional 示范县 (369901). The plugin's
organisation and rules then shape the data (its named leaders and responsibility table, its
escalation chain and deadlines, the stages its documents cover).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click

from core.demo.organisation import DEFAULT_DEMO_JURISDICTION
from core.jurisdictions.spec import JurisdictionSpec
from core.progress import Progress, migrations_with_progress


class UnknownJurisdiction(LookupError):
    """``--jurisdiction`` names no county the demo can build."""


def available_jurisdictions() -> list[JurisdictionSpec]:
    """The fictional default county, then every installed plugin's county by division code."""
    from core.plugins import get_registry

    plugins = sorted(get_registry().jurisdictions(), key=lambda s: s.division_code)
    return [DEFAULT_DEMO_JURISDICTION, *plugins]


def _describe(spec: JurisdictionSpec) -> str:
    note = " (虚构 fictional)" if spec is DEFAULT_DEMO_JURISDICTION else ""
    place = f"{spec.province}{spec.city}" if spec.province or spec.city else ""
    return f"{spec.division_code} {spec.name}{note} {place}".rstrip()


def default_jurisdiction() -> JurisdictionSpec:
    """The county built without ``--jurisdiction``: the installed plugin's county that declares
    itself the demo county (the lowest division code if several do), else the fictional one."""
    choices = [s for s in available_jurisdictions() if s.demo_default]
    return choices[0] if choices else DEFAULT_DEMO_JURISDICTION


def resolve_jurisdiction(text: str | None) -> JurisdictionSpec:
    """The county ``text`` names: a division code or a name (示范县 or 示范); None means the
    default demo county (:func:`default_jurisdiction`). :class:`UnknownJurisdiction` lists the
    choices otherwise."""
    wanted = (text or "").strip()
    if not wanted:
        return default_jurisdiction()
    choices = available_jurisdictions()
    for spec in choices:
        if wanted in (spec.division_code, spec.name):
            return spec
    for spec in choices:
        if len(wanted) >= 2 and spec.name[:-1] == wanted:
            return spec
    listing = "\n".join(f"  {_describe(s)}" for s in choices)
    raise UnknownJurisdiction(
        f"没有可生成的县区 {wanted!r}; 可选 / no county {wanted!r} to build; choose one of:\n"
        f"{listing}"
    )


def _summary_lines(summary: Any) -> list[str]:
    rows = summary.rows
    rate = rows / summary.seconds if summary.seconds else 0.0
    lines = [
        f"{summary.name} ({summary.division_code}): {summary.students} 名在读学生 / enrolled "
        f"pupils, seed {summary.seed}",
        f"  {rows:,} rows in {summary.seconds:.1f} s ({rate:,.0f} rows/s)",
    ]
    width = max(len(k) for k in summary.counts)
    for name, count in summary.counts.items():
        lines.append(f"    {name:<{width}}  {count:>9,}")
    return lines


async def _refresh_planner_statistics() -> None:
    """``ANALYZE`` after the bulk load: without statistics SQLite picks the jurisdiction index
    over the key index for scoped batch loads (2.4x slower at 100,000 pupils, bench/README.md),
    and PostgreSQL would wait for autovacuum to find out.

    On PostgreSQL ``VACUUM (ANALYZE)``: the load leaves a dead version of every enrolled child
    (the enrolment trigger of migration 0015 sets ``child.ever_enrolled`` after the child was
    written), and until a vacuum every index read of ``child`` visits both versions and no
    index-only scan can skip the table (the visibility map is empty). Autovacuum would do it,
    but later, and not at all where it is turned off."""
    from tortoise import connections

    conn = connections.get("default")
    postgres = conn.capabilities.dialect == "postgres"
    await conn.execute_script("VACUUM (ANALYZE)" if postgres else "ANALYZE")


async def _rebuild_child_facts() -> None:
    """The stored child facts of every child derived again in one statement: the generator's
    writes marked each child (triggers of migration 0016_child_fact), and the metrics would
    otherwise derive them all at their first statement, in a request."""
    from core.metrics.store import rebuild_child_facts

    await rebuild_child_facts()


async def run_demo(
    database_url: str,
    *,
    students: int,
    seed: int,
    reset: bool,
    if_empty: bool,
    jurisdiction: str | None = None,
) -> bool:
    """Load a demo county into ``database_url``; return False when nothing could be done.

    Pending migrations run first. With ``if_empty``, a database that already holds any county
    is left alone (its stored demo credentials are printed again). A county that exists
    already is only replaced with ``reset``, which deletes its data (accounts and API keys
    included) in one transaction before generating it again.
    """
    from core.db import close_database, open_database
    from core.demo import credentials as demo_credentials
    from core.demo.generator import generate_demo
    from core.demo.reset import delete_jurisdiction
    from core.jurisdictions.models import Jurisdiction

    try:
        spec = resolve_jurisdiction(jurisdiction)
    except UnknownJurisdiction as exc:
        click.echo(str(exc), err=True)
        return False
    path = demo_credentials.credentials_path(database_url)
    await migrations_with_progress(database_url)
    ctx = await open_database(database_url)
    try:
        if if_empty and await Jurisdiction.all().exists():
            click.echo(
                "数据库中已有县区数据, 不再生成演示数据 / "
                "the database already holds a county; the demo is not loaded again."
            )
            stored = demo_credentials.load(path)
            if stored:
                click.echo(f"\n{stored}")
            return True
        name = f"{spec.name} ({spec.division_code})"
        if await Jurisdiction.filter(division_code=spec.division_code).exists():
            if not reset:
                click.echo(
                    f"{name} 已存在。如需删除其全部数据并重新生成, 请加 --reset。\n"
                    f"{name} already exists; run again with --reset to delete its data "
                    "and generate it afresh.",
                    err=True,
                )
                return False
            deleted = await delete_jurisdiction(spec.division_code)
            demo_credentials.forget(path, spec.division_code)
            click.echo(f"已删除 {name} 的 {deleted:,} 行数据 / deleted {deleted:,} rows of {name}")
        bar = Progress(f"生成 {spec.name} / generating")
        try:
            summary = await generate_demo(spec, students=students, seed=seed, progress=bar)
        finally:
            bar.close()
        credentials = await demo_credentials.create_demo_credentials(
            spec.division_code, now=datetime.now(UTC)
        )
        await _rebuild_child_facts()
        await _refresh_planner_statistics()
        for line in _summary_lines(summary):
            click.echo(line)
        demo_credentials.save(path, credentials)
        click.echo("")
        click.secho(demo_credentials.WARNING, fg="yellow", err=False)
        click.echo(demo_credentials.render(credentials))
        click.echo(f"(也已保存到 / also saved to {path})")
        return True
    finally:
        await close_database(ctx)
