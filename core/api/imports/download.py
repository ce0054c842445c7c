"""``GET /imports/<job id>/report.csv`` and ``GET /imports/<job id>/report.xlsx``: an import
job's row-level report (行号、列、值、原因) as a file, CSV in UTF-8 with BOM or XLSX.

The caller authenticates as for ``/graphql`` and must be able to see the job (the county's
register keepers, the partner agency that submitted the list); anyone else gets 404, as for a
job that does not exist. The report quotes the file's cells (ID numbers among them), so each
download is written to the audit log.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response

from core.access.caller import Caller
from core.api.reports.download import (
    audit_download,
    download_caller,
    refusal,
    table_extension,
    table_file,
)
from core.errors import DomainError
from core.imports.jobs import REPORT_TYPES, find_job, report_file


def import_report_download(
    clock: Callable[[], datetime], default_caller: Caller | None = None
) -> Callable[[Request], Awaitable[Response]]:
    async def download(request: Request) -> Response:
        caller = download_caller(request, default_caller)
        try:
            extension = table_extension(request, REPORT_TYPES)
            try:
                job_id = uuid.UUID(request.path_params["job_id"])
            except ValueError:
                job_id = None
            job = await find_job(caller, job_id)
        except DomainError as exc:
            return refusal(exc)
        body, name = report_file(job, extension)
        await audit_download(
            request,
            caller,
            clock(),
            operation=f"download import report {extension}",
            object_type="ImportJob",
            object_id=str(job.id),
            jurisdiction_id=job.jurisdiction_id,
            details={"issues": len(job.issues)},
        )
        return table_file(body, extension, name, {"X-Import-Checksum": job.checksum})

    return download
