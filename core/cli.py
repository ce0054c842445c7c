"""The ``baoxue`` command: serve, migrate, demo, schema and the other operator tasks."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine
from typing import Any

import click

from core import __version__
from core.settings import load_settings, normalise_database_url


def run_async(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run one coroutine to completion for a CLI command."""
    return asyncio.run(coro)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="baoxue")
def main() -> None:
    """保学 Baoxue: a GraphQL API for 控辍保学 (keeping every school-age child in school)."""


def _database_option(func: Any) -> Any:
    return click.option(
        "--database-url",
        envvar="DATABASE_URL",
        default="sqlite://baoxue.db",
        show_default=True,
        help="Database to use: sqlite://FILE or postgres://USER@HOST:PORT/DB.",
    )(func)


@main.command()
@_database_option
def migrate(database_url: str) -> None:
    """Apply every pending schema migration (创建/升级数据库表)."""
    from core.progress import migrations_with_progress

    url = normalise_database_url(database_url)
    run_async(migrations_with_progress(url))
    click.echo("migrations up to date / 数据库已是最新")


@main.command()
@click.option("--host", envvar="BAOXUE_HOST", default="127.0.0.1", show_default=True)
@click.option("--port", envvar="BAOXUE_PORT", default=8000, show_default=True, type=int)
@click.option(
    "--workers", envvar="BAOXUE_WORKERS", default=1, show_default=True, type=click.IntRange(1, 64)
)
@click.option("--reload", is_flag=True, help="Restart on code changes (development only).")
@_database_option
def serve(host: str, port: int, workers: int, reload: bool, database_url: str) -> None:
    """Serve the GraphQL API (uvicorn) at http://HOST:PORT/graphql."""
    import os

    import uvicorn

    os.environ["DATABASE_URL"] = normalise_database_url(database_url)
    settings = load_settings()
    if workers > 1 and not settings.is_postgres:
        raise click.UsageError(
            f"SQLite 只能由一个进程写入, 不能使用 --workers {workers}; 多个工作进程请使用 "
            "PostgreSQL (DATABASE_URL=postgres://...) / SQLite allows one writing process: "
            f"--workers {workers} would fail with 'database is locked'; use --workers 1, or "
            "PostgreSQL (DATABASE_URL=postgres://...) for several workers"
        )
    metrics_dir = settings.metrics_dir
    if metrics_dir is None and workers > 1:
        import tempfile

        metrics_dir = tempfile.mkdtemp(prefix="baoxue-metrics-")
    if metrics_dir is not None:
        from core.observability import prepare_multiprocess

        prepare_multiprocess(metrics_dir)
    click.echo(f"Baoxue on http://{host}:{port}/graphql  (database: {settings.database_url})")
    uvicorn.run(
        "core.server:create_app",
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        **uvicorn_options(settings),
    )


def uvicorn_options(settings: Any) -> dict[str, Any]:
    """How ``baoxue serve`` runs uvicorn. Its own proxy-header handling is off: it would
    believe X-Forwarded-For from 127.0.0.1 by default; the application trusts only
    ``BAOXUE_TRUSTED_PROXIES`` (see core.server). Its log goes through the application's JSON
    handler from its first line (:func:`core.request_log.logging_config`); its access log is
    off, since the application writes one richer line per request."""
    from core.request_log import logging_config

    return {
        "factory": True,
        "log_level": settings.log_level,
        "log_config": logging_config(settings.log_level),
        "access_log": False,
        "proxy_headers": False,
        "server_header": False,
    }


@main.command()
@click.option("--students", default=3000, show_default=True, type=click.IntRange(1, 2_000_000))
@click.option("--seed", default=2026, show_default=True, type=int)
@click.option("--reset", is_flag=True, help="Delete the county's existing data first.")
@click.option(
    "--if-empty", is_flag=True, help="Do nothing when the database already holds a county."
)
@click.option(
    "--jurisdiction",
    default=None,
    metavar="CODE_OR_NAME",
    help="County to build: an installed plugin's division code or name (e.g. 369901, 示范县); "
    "default: the installed plugin's county that is the README's demo county (荔浦市 450381), "
    "else the fictional 示范县 (369901).",
)
@_database_option
def demo(
    students: int,
    seed: int,
    reset: bool,
    if_empty: bool,
    jurisdiction: str | None,
    database_url: str,
) -> None:
    """Load a deterministic synthetic demo county (演示数据) with demo accounts."""
    from core.demo.command import run_demo

    ok = run_async(
        run_demo(
            normalise_database_url(database_url),
            students=students,
            seed=seed,
            reset=reset,
            if_empty=if_empty,
            jurisdiction=jurisdiction,
        )
    )
    sys.exit(0 if ok else 1)


@main.group()
def schema() -> None:
    """The GraphQL schema snapshot (schema/schema.graphql)."""


@schema.command("export")
@click.option(
    "--output",
    "-o",
    default="schema/schema.graphql",
    show_default=True,
    help="Where to write the SDL; '-' for standard output.",
)
def schema_export(output: str) -> None:
    """Print the running schema as SDL and write it to the snapshot file."""
    from core.api.sdl import export_sdl

    sdl = export_sdl()
    if output == "-":
        click.echo(sdl, nl=False)
        return
    with open(output, "w", encoding="utf-8") as fh:
        fh.write(sdl)
    click.echo(f"wrote {output}")


from core.plugins.cli import plugins_command  # noqa: E402

main.add_command(plugins_command)

from core.cases.cli import deadlines  # noqa: E402

main.add_command(deadlines)

from core.access.cli import account, apikey  # noqa: E402
from core.metrics.cli import metrics_command  # noqa: E402

main.add_command(apikey)
main.add_command(account)
main.add_command(metrics_command)

from core.reports.cli import report_command  # noqa: E402

main.add_command(report_command)

from core.notices.cli import notices  # noqa: E402

main.add_command(notices)

from core.attendance.cli import attendance  # noqa: E402
from core.imports.cli import compare_command, import_command  # noqa: E402

main.add_command(import_command)
main.add_command(compare_command)
main.add_command(attendance)


@main.command()
@click.option(
    "--once", is_flag=True, help="One round (record deadlines, deliver what is due), then exit."
)
@_database_option
def worker(once: bool, database_url: str) -> None:
    """Deliver webhooks and record passed deadlines, until stopped (投递 Webhook、逾期提醒).

    Several may run at once against PostgreSQL; SQLite allows one writing process.
    """
    import signal

    from core.api.events.subscription import render
    from core.events.worker import Worker

    url = normalise_database_url(database_url)
    settings = load_settings(database_url=url)

    async def run() -> None:
        from tortoise.context import TortoiseContext

        from core.db import tortoise_config

        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        async with TortoiseContext() as ctx:
            await ctx.init(config=tortoise_config(url))
            process = Worker(settings, render=render)
            click.echo(f"baoxue worker {process.name} (database: {url})")
            await process.run(once=once, stop=stop)

    run_async(run())


if __name__ == "__main__":  # pragma: no cover
    main()
