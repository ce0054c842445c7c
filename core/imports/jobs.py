"""Import jobs as a front end drives them: a roster uploaded, checked at once, then imported in
the background while the job is polled; a comparison (比对) started by hand; a job's row-level
report as a file.

:func:`start_uploaded_import` answers as soon as the job is recorded. Before that it refuses,
with nothing recorded: a county or format the caller may not import (``NOT_FOUND``,
``FORBIDDEN``), an empty file or one that is not a spreadsheet (``INVALID`` on ``file``), a
file over the limit (``TOO_LARGE``), a file whose header lacks a required column
(``REQUIRED``), and a second import of the same format in the same county while one runs
(``CONFLICT`` on ``format``). The import itself is :func:`core.imports.services.run_import`,
the one the command line runs, with its single transaction: a run that fails (or a process
that dies) leaves the job ``FAILED`` and nothing written.

The uploaded bytes are kept in the file store under their SHA-256 (the job's ``checksum``), so
a list's comparison can be run again on the same file (:func:`compare_again`).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from core.access.authorise import require_permission
from core.access.caller import Caller
from core.access.enums import Permission
from core.access.scope import scoped
from core.errors import DomainError, ErrorCode
from core.events.live import publishing
from core.files.storage import FileStore
from core.imports.formats import ImportFormat, ImportKind
from core.imports.models import ComparisonKind, ComparisonRun, ImportJob, ImportMode, ImportState
from core.imports.reading import read_rows
from core.imports.report import render_issues_csv, render_issues_xlsx
from core.imports.services import (
    ImportRequest,
    import_county,
    import_target,
    run_import,
)

log = logging.getLogger("baoxue.imports")

#: The suffix a file is read by, from its name or (without one) its first bytes.
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT_SUFFIXES = (".csv", ".txt")
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # .xls

#: Imports running in this process (kept referenced until they finish).
_running: set[asyncio.Task[Any]] = set()


def _suffix(file_name: str, data: bytes) -> str:
    suffix = Path(file_name).suffix.lower()
    workbook = data.startswith(_ZIP) or data.startswith(_OLE)
    if suffix in SPREADSHEET_SUFFIXES:
        if not workbook:
            raise DomainError(
                ErrorCode.INVALID,
                f"文件扩展名为 {suffix}, 内容却不是 Excel 工作簿",
                f"the file is named {suffix} but is not a workbook",
                field="file",
            )
        return suffix
    if suffix in TEXT_SUFFIXES or not suffix:
        return ".xlsx" if data.startswith(_ZIP) else ".xls" if data.startswith(_OLE) else ".csv"
    raise DomainError(
        ErrorCode.INVALID,
        f"文件须为 .xlsx 或 .csv (收到 {suffix})",
        f"the file must be .xlsx or .csv (got {suffix})",
        field="file",
    )


def check_size(data: bytes, max_bytes: int) -> None:
    if not data:
        raise DomainError(ErrorCode.INVALID, "文件为空", "the file is empty", field="file")
    if len(data) > max_bytes:
        raise DomainError(
            ErrorCode.TOO_LARGE,
            f"文件过大: {len(data)} 字节, 最大 {max_bytes} 字节 (BAOXUE_MAX_IMPORT_BYTES)",
            f"the file is too large: {len(data)} bytes, at most {max_bytes} "
            "(BAOXUE_MAX_IMPORT_BYTES)",
            field="file",
        )


def _check_readable(fmt: ImportFormat, path: Path) -> None:
    """Read up to the header (and the first row): the encoding, the workbook, the columns."""
    for _ in read_rows(fmt, path):
        break


def _spill(data: bytes, suffix: str) -> Path:
    """The bytes in a file of their own (``run_import`` reads a path), in a directory that is
    removed when the import is done."""
    folder = Path(tempfile.mkdtemp(prefix="baoxue-import-"))
    path = folder / f"roster{suffix}"
    path.write_bytes(data)
    return path


def _discard(path: Path) -> None:
    shutil.rmtree(path.parent, ignore_errors=True)


async def _prepared(fmt: ImportFormat, file_name: str, data: bytes) -> Path:
    path = _spill(data, _suffix(file_name, data))
    try:
        await asyncio.to_thread(_check_readable, fmt, path)
    except BaseException:
        _discard(path)
        raise
    return path


def _finished(job_id: Callable[[], uuid.UUID | None], path: Path) -> Callable[[Any], None]:
    def done(task: asyncio.Task[Any]) -> None:
        _running.discard(task)
        _discard(path)
        if task.cancelled():
            log.warning("import cancelled", extra={"job": str(job_id())})
            return
        exc = task.exception()
        if isinstance(exc, DomainError):
            log.info("import refused", extra={"job": str(job_id()), "code": exc.code.value})
        elif exc is not None:
            log.error(
                "import failed: nothing was written",
                exc_info=(type(exc), exc, exc.__traceback__),
                extra={"job": str(job_id())},
            )
        else:
            job = task.result()
            log.info(
                "import finished",
                extra={"job": str(job.id), "state": job.state.value, "counts": job.counts},
            )

    return done


async def _run(request: ImportRequest, started: asyncio.Future[ImportJob]) -> ImportJob:
    """The import; if it fails after it was committed (a list's comparison), the job says so.
    Its own unit of the live feed: the cases and comparison it records are published when it
    ends (with the broker of the request that started it)."""
    try:
        async with publishing():
            return await run_import(request)
    except Exception as exc:
        if started.done():
            job = started.result()
            if job.state is ImportState.SUCCEEDED:
                await ImportJob.filter(id=job.id).update(
                    message=f"已导入, 比对失败: {exc} / imported, the comparison failed"[:255]
                )
        raise


async def start_uploaded_import(
    caller: Caller,
    *,
    format_code: str,
    file_name: str,
    data: bytes,
    now: datetime,
    store: FileStore,
    max_bytes: int,
    mode: ImportMode = ImportMode.ALL,
    dry_run: bool = False,
    jurisdiction_code: str | None = None,
) -> ImportJob:
    """Check the upload, record the job and import it in the background; the job (``RUNNING``)
    as soon as it is recorded. See the module docstring for the refusals."""
    jurisdiction, fmt = await import_target(caller, format_code, jurisdiction_code)
    check_size(data, max_bytes)
    path = await _prepared(fmt, file_name, data)
    store.put(data)
    loop = asyncio.get_running_loop()
    started: asyncio.Future[ImportJob] = loop.create_future()

    def on_started(job: ImportJob) -> None:
        if not started.done():
            started.set_result(job)

    request = ImportRequest(
        caller=caller,
        format_code=fmt.code,
        path=path,
        now=now,
        jurisdiction_code=jurisdiction.division_code,
        file_name=Path(file_name.replace("\\", "/")).name or path.name,
        mode=mode,
        dry_run=dry_run,
        started=on_started,
    )
    task = asyncio.create_task(_run(request, started), name=f"import {fmt.code}")
    _running.add(task)
    task.add_done_callback(_finished(lambda: started.result().id if started.done() else None, path))
    await asyncio.wait({started, task}, return_when=asyncio.FIRST_COMPLETED)
    if started.done():
        return started.result()
    return task.result()  # refused before the job was recorded: raises its DomainError


async def wait_for_imports() -> None:
    """Wait until every import this process started has finished (shutdown, tests)."""
    while _running:
        await asyncio.gather(*list(_running), return_exceptions=True)


# -- finding jobs and their reports ------------------------------------------------------------


async def find_job(caller: Caller, job_id: uuid.UUID | None) -> ImportJob:
    """The job, if the caller may see it (the county's register keepers, the agency key that
    submitted it); ``NOT_FOUND`` otherwise."""
    require_permission(
        caller, Permission.WRITE_ROSTER, Permission.SUBMIT_ROSTER, Permission.RECORD_ATTENDANCE
    )
    job = None
    if job_id is not None:
        job = await scoped(ImportJob, caller).filter(id=job_id).first()
    if job is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            "导入任务不存在或不在您的工作范围内",
            "no such import job within your scope",
            field="importJob",
        )
    return job


REPORT_TYPES = ("csv", "xlsx")


def report_file(job: ImportJob, extension: str) -> tuple[bytes, str]:
    """The job's row-level report (行号、列、值、原因) as CSV (UTF-8 with BOM) or XLSX, and the
    file name to save it as."""
    stem = Path(job.file_name).stem or job.format_code
    title = f"导入校验报告 {job.file_name} ({job.format_code}, {job.started_at:%Y-%m-%d %H:%M})"
    if extension == "csv":
        body = render_issues_csv(job.issues)
    else:
        body = render_issues_xlsx(job.issues, title=title)
    return body, f"导入校验报告_{stem}.{extension}"


# -- comparisons started by hand ------------------------------------------------------------------

#: The comparison each list format's rows are compared by.
KIND_OF_LIST = {
    ImportKind.DISABLED_ROSTER: ComparisonKind.DISABLED_ROSTER,
    ImportKind.KEY_GROUP_LIST: ComparisonKind.KEY_GROUP_LIST,
    ImportKind.PLATFORM_SUSPECTED: ComparisonKind.PLATFORM_SUSPECTED,
}


async def run_comparison(
    caller: Caller,
    kind: ComparisonKind,
    *,
    now: datetime,
    store: FileStore,
    job_id: uuid.UUID | None = None,
    jurisdiction_code: str | None = None,
) -> ComparisonRun:
    """Run one comparison in the caller's county and return it.

    * ``REGISTRY_ENROLMENT`` compares the county's whole register with enrolment and opens the
      cases it finds; it is the register keepers' (``WRITE_ROSTER``).
    * A list's comparison (disabled roster, key-group list, platform list) runs again on the
      file of an earlier import of that list (``job_id``): the file is read anew from the store
      and compared with the register as it is now; a partner agency runs it on the lists it
      submitted (``SUBMIT_ROSTER``). The re-reading is recorded as an import job of its own.
    """
    from core.imports.comparison import compare_registry_enrolment

    if kind is ComparisonKind.REGISTRY_ENROLMENT:
        require_permission(caller, Permission.WRITE_ROSTER)
        county = await import_county(caller, jurisdiction_code)
        return await compare_registry_enrolment(caller, county.id, now)
    if job_id is None:
        raise DomainError(
            ErrorCode.REQUIRED,
            "名单比对须指明此前导入该名单的任务 (importJob)",
            "a list's comparison needs the import job of that list (importJob)",
            field="importJob",
        )
    job = await find_job(caller, job_id)
    county = await import_county(caller, jurisdiction_code)
    if job.jurisdiction_id != county.id:
        await find_job(caller, None)  # NOT_FOUND, as for any job outside the county
    _, fmt = await import_target(caller, job.format_code, county.division_code)
    if KIND_OF_LIST.get(fmt.kind) is not kind:
        raise DomainError(
            ErrorCode.INVALID,
            f"任务 {job.id} 导入的是「{fmt.label}」, 不能用于{kind.label}",
            f"job {job.id} imported {fmt.code}, which is not compared by {kind.value}",
            field="kind",
        )
    if job.state not in (ImportState.SUCCEEDED, ImportState.DRY_RUN):
        raise DomainError(
            ErrorCode.INVALID_TRANSITION,
            f"任务 {job.id} 未完成导入 ({job.state.label}), 不能据此比对",
            f"job {job.id} did not complete ({job.state.value})",
            field="importJob",
            current_state=job.state,
        )
    data = store.get(job.checksum)
    if data is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            "该任务的文件未保存 (已被清理, 或由旧版本的命令行导入), 请重新上传名单",
            "the job's file was not kept (removed, or imported by an older command line): "
            "upload it again",
            field="importJob",
        )
    path = _spill(data, _suffix(job.file_name, data))
    try:
        again = await run_import(
            ImportRequest(
                caller=caller,
                format_code=fmt.code,
                path=path,
                now=now,
                jurisdiction_code=county.division_code,
                file_name=job.file_name,
                mode=ImportMode.VALID,
            )
        )
    finally:
        _discard(path)
    comparison = getattr(again, "comparison", None)
    if comparison is None:  # pragma: no cover - a list import always compares
        raise DomainError(ErrorCode.INTERNAL, "比对未运行", "the comparison did not run")
    return comparison
