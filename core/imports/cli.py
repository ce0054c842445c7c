"""``baoxue import FORMAT FILE`` and ``baoxue compare KIND``: a roster imported (or checked with
``--dry-run``) and a comparison run from the command line.

The operator reaches every county, so ``--jurisdiction`` names the one. Progress goes to stderr:
a bar redrawn in place on a terminal, a line every few seconds otherwise (a log file, cron).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from core.settings import normalise_database_url

_DATABASE = click.option(
    "--database-url",
    envvar="DATABASE_URL",
    default="sqlite://baoxue.db",
    show_default=True,
    help="Database to use: sqlite://FILE or postgres://USER@HOST:PORT/DB.",
)

#: Seconds between progress lines when stderr is not a terminal.
PROGRESS_INTERVAL = 3.0


class Progress:
    """Rows read so far, on stderr."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.started = time.monotonic()
        self.last = 0.0

    def __call__(self, rows: int) -> None:
        now = time.monotonic()
        elapsed = now - self.started
        if self.tty:
            click.echo(
                f"\r已读取 {rows} 行 / {rows} rows read ({elapsed:.0f} s)", nl=False, err=True
            )
        elif now - self.last >= PROGRESS_INTERVAL:
            click.echo(f"已读取 {rows} 行 / {rows} rows read ({elapsed:.0f} s)", err=True)
        self.last = now

    def done(self) -> None:
        if self.tty:
            click.echo("", err=True)


async def _with_database(database_url: str, work: Any) -> Any:
    from tortoise.context import TortoiseContext

    from core.db import tortoise_config

    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(database_url))
        return await work()


def _summary(job: Any) -> dict[str, Any]:
    return {
        "job": str(job.id),
        "format": job.format_code,
        "state": job.state.value,
        "checksum": job.checksum,
        "counts": job.counts,
        "issues": len(job.issues),
        "changes": job.changes[:20],
        "message": job.message,
    }


@click.command("import")
@click.argument("format_code", metavar="FORMAT")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--jurisdiction", "-j", required=True, help="6-digit division code of the county.")
@click.option("--dry-run", is_flag=True, help="Check and report what would change; write nothing.")
@click.option(
    "--mode",
    type=click.Choice(["all", "valid"], case_sensitive=False),
    default="all",
    show_default=True,
    help="all: write only if every row is valid; valid: write the valid rows.",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write the row-level report to this .xlsx or .csv (UTF-8 with BOM).",
)
@click.option("--compare", is_flag=True, help="Run the format's comparison after the import.")
@click.option(
    "--verification",
    "verification_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Platform list: write each entry's 核查结果 to this CSV (UTF-8 with BOM).",
)
@_DATABASE
def import_command(
    format_code: str,
    file: Path,
    jurisdiction: str,
    dry_run: bool,
    mode: str,
    report_path: Path | None,
    compare: bool,
    verification_path: Path | None,
    database_url: str,
) -> None:
    """Import a roster (导入名册: 学籍名册、学户册、残疾儿童名册、重点群体名单、平台疑似名单)."""
    from core.access.caller import Caller
    from core.errors import DomainError
    from core.imports.models import ImportMode, ImportState
    from core.imports.report import render_issues
    from core.imports.services import ImportRequest, run_import

    if report_path is not None and report_path.suffix.lower() not in (".xlsx", ".csv"):
        raise click.BadParameter(
            "须以 .xlsx 或 .csv 结尾 / must end in .xlsx or .csv", param_hint="--report"
        )
    progress = Progress()
    url = normalise_database_url(database_url)
    store = _store(url)

    def keep_file(job: Any) -> None:
        # kept by its SHA-256 (the job's checksum) once the job is recorded, as an upload is:
        # the list's comparison can be run again on it (``baoxue compare --job``, the API)
        store.put(file.read_bytes())

    request = ImportRequest(
        caller=Caller.system(),
        format_code=format_code,
        path=file,
        now=datetime.now(UTC),
        jurisdiction_code=jurisdiction,
        file_name=file.name,
        mode=ImportMode(mode.upper()),
        dry_run=dry_run,
        progress=progress,
        compare=compare,
        started=keep_file,
    )

    async def work() -> Any:
        job = await run_import(request)
        comparison = getattr(job, "comparison", None)
        if verification_path is not None and comparison is not None:
            from core.imports.comparison import platform_verification_rows

            job.verification = await platform_verification_rows(comparison)  # type: ignore[attr-defined]
        return job, comparison

    try:
        job, comparison = asyncio.run(_with_database(url, work))
    except DomainError as exc:
        progress.done()
        raise click.ClickException(exc.message) from None
    progress.done()
    if report_path is not None:
        report_path.write_bytes(render_issues(job.issues, report_path.suffix))
    verification = getattr(job, "verification", None)
    if verification_path is not None and verification is not None:
        import csv
        import io

        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(verification)
        verification_path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    summary = _summary(job)
    if comparison is not None:
        summary["comparison"] = {"run": str(comparison.id), "counts": comparison.counts}
    click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    if job.state in (ImportState.REFUSED, ImportState.FAILED):
        sys.exit(1)


def _store(database_url: str) -> Any:
    """The file store of the deployment this database belongs to (``BAOXUE_FILES_DIR``, or
    next to the SQLite file), as the server opens it."""
    from core.files.storage import LocalFileStore, files_dir_for
    from core.settings import load_settings

    return LocalFileStore(files_dir_for(load_settings().files_dir, database_url))


@click.command("compare")
@click.option("--jurisdiction", "-j", required=True, help="6-digit division code of the county.")
@click.option(
    "--job",
    "job_id",
    default=None,
    help="Run a list's comparison again on the file an earlier import job kept (its id).",
)
@_DATABASE
def compare_command(jurisdiction: str, job_id: str | None, database_url: str) -> None:
    """Compare the register with enrolment (学户册与学籍比对): school-age children enrolled nowhere,
    not exempted and not placed get a suspected case (source ROSTER_COMPARISON). With ``--job``:
    compare a list imported before (disabled roster, key-group list, platform list) again, read
    anew from the file that import kept, with the register as it is now."""
    import uuid

    from core.access.caller import Caller
    from core.errors import DomainError
    from core.imports.comparison import compare_registry_enrolment
    from core.imports.jobs import KIND_OF_LIST, run_comparison
    from core.imports.models import ImportJob
    from core.imports.services import formats_for
    from core.jurisdictions.models import Jurisdiction

    url = normalise_database_url(database_url)

    async def work() -> Any:
        county = await Jurisdiction.get_or_none(division_code=jurisdiction)
        if county is None:
            raise click.ClickException(f"没有县级行政区 {jurisdiction} / no such jurisdiction")
        if job_id is None:
            return await compare_registry_enrolment(Caller.system(), county.id, datetime.now(UTC))
        try:
            job = await ImportJob.get_or_none(id=uuid.UUID(job_id), jurisdiction_id=county.id)
        except ValueError:
            job = None
        fmt = formats_for(jurisdiction).get(job.format_code) if job is not None else None
        if job is None or fmt is None or fmt.kind not in KIND_OF_LIST:
            raise click.ClickException(
                f"本县没有名单导入任务 {job_id} / no list import job {job_id} in this county"
            )
        return await run_comparison(
            Caller.system(),
            KIND_OF_LIST[fmt.kind],
            now=datetime.now(UTC),
            store=_store(url),
            job_id=job.id,
            jurisdiction_code=jurisdiction,
        )

    try:
        run = asyncio.run(_with_database(url, work))
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(json.dumps({"run": str(run.id), "counts": run.counts}, ensure_ascii=False, indent=2))
