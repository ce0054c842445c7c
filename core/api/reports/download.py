"""``GET /reports/<id>.xlsx`` and ``GET /reports/<id>.csv``: a stored report as a file.

The caller authenticates as for ``/graphql`` (bearer token or API key) and must be able to see
the snapshot (READ_REPORTS, in scope); anyone else gets 404 as for a report that does not
exist. The file is written from the stored table, so it is the report exactly as it was
generated; its checksum is in the ``X-Report-Checksum`` header. A download of a report with
personal details unmasked is written to the audit log.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from core.access import audit
from core.access.caller import Caller
from core.access.enums import ActorKind, AuditAction
from core.access.middleware import authentication_of
from core.access.scope import scoped
from core.cases.models import CaseAttachment
from core.errors import DomainError, ErrorCode
from core.files.storage import file_store
from core.reports.render_csv import render_csv
from core.reports.render_xlsx import render_xlsx
from core.reports.services import find_snapshot, table_of
from core.reports.table import Masking

_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_STATUS = {
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
}


def download_caller(request: Request, default_caller: Caller | None = None) -> Caller:
    """Who is downloading: the caller the credentials name (as for ``/graphql``)."""
    auth = authentication_of(request.scope)
    caller = auth.caller
    if default_caller is not None and not caller.is_authenticated and not auth.failure:
        caller = default_caller
    return caller


def refusal(exc: DomainError) -> Response:
    """A refused download: 401, 403 or 404 (400 for anything else) with the code."""
    return JSONResponse(
        {"error": {"code": exc.code.value, "message": exc.message}},
        status_code=_STATUS.get(exc.code, 400),
    )


def table_file(body: bytes, extension: str, name: str, headers: dict[str, str]) -> Response:
    """A generated table (``xlsx`` or ``csv``) as an attachment named ``name``."""
    return Response(
        body,
        media_type=_TYPES[extension],
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
            "Cache-Control": "no-store",
            **headers,
        },
    )


def table_extension(request: Request, known: Iterable[str] = ("xlsx", "csv")) -> str:
    """The download's file type from its path, or NOT_FOUND for any other."""
    extension = request.path_params["extension"].lower()
    if extension not in known:
        raise DomainError(ErrorCode.NOT_FOUND, "只能下载 .xlsx 或 .csv", "only .xlsx or .csv")
    return extension


async def audit_download(
    request: Request,
    caller: Caller,
    at: datetime,
    *,
    operation: str,
    object_type: str,
    object_id: str,
    jurisdiction_id: Any,
    details: dict[str, Any],
) -> None:
    """One PERSONAL_DATA_READ entry for a file that names children (the system caller's own
    downloads, from the CLI and tests, are not audited)."""
    if caller.kind is ActorKind.SYSTEM:
        return
    await audit.record(
        AuditAction.PERSONAL_DATA_READ,
        caller=caller,
        at=at,
        request_id=request.scope.get("state", {}).get("request_id", ""),
        client_address=request.client.host if request.client else "",
        operation=operation,
        object_type=object_type,
        object_id=object_id,
        jurisdiction_id=jurisdiction_id,
        details=details,
    )


def report_download(
    clock: Callable[[], datetime], default_caller: Caller | None = None
) -> Callable[[Request], Awaitable[Response]]:
    async def download(request: Request) -> Response:
        caller = download_caller(request, default_caller)
        try:
            extension = table_extension(request, _TYPES)
            try:
                snapshot_id = uuid.UUID(request.path_params["snapshot_id"])
            except ValueError:
                raise DomainError(
                    ErrorCode.NOT_FOUND, "报表不存在", "no such report", field="id"
                ) from None
            snapshot = await find_snapshot(caller, snapshot_id)
        except DomainError as exc:
            return refusal(exc)
        table = table_of(snapshot)
        body = render_xlsx(table) if extension == "xlsx" else render_csv(table)
        if table.masking is Masking.NONE:
            await audit_download(
                request,
                caller,
                clock(),
                operation=f"download {extension}",
                object_type="ReportSnapshot",
                object_id=str(snapshot.id),
                jurisdiction_id=snapshot.jurisdiction_id,
                details={"rows": snapshot.row_count},
            )
        name = f"{snapshot.title}_{snapshot.place_name}_{snapshot.period_value}.{extension}"
        return table_file(body, extension, name, {"X-Report-Checksum": snapshot.checksum})

    return download


def attachment_download() -> Callable[[Request], Awaitable[Response]]:
    """``GET /attachments/<id>``: a file Baoxue generated for a case (a 劝返复学通知书), for
    callers who may see the case; 404 for anyone else and for files kept elsewhere."""

    async def download(request: Request) -> Response:
        caller = authentication_of(request.scope).caller
        if not caller.is_authenticated:
            return JSONResponse(
                {"error": {"code": "UNAUTHENTICATED", "message": "请先登录 / sign in first"}},
                status_code=401,
            )
        try:
            attachment_id = uuid.UUID(request.path_params["attachment_id"])
        except ValueError:
            attachment_id = None
        attachment = None
        if attachment_id is not None:
            attachment = await scoped(CaseAttachment, caller).filter(id=attachment_id).first()
        data = file_store().get(attachment.sha256) if attachment is not None else None
        if data is None:
            return JSONResponse(
                {"error": {"code": "NOT_FOUND", "message": "附件不存在 / no such file"}},
                status_code=404,
            )
        media = _DOCX if attachment.file_name.endswith(".docx") else "application/octet-stream"
        name = quote(attachment.file_name)
        return Response(
            data,
            media_type=media,
            headers={
                "Content-Disposition": f"attachment; filename*=UTF-8''{name}",
                "X-Content-SHA256": attachment.sha256,
                "Cache-Control": "no-store",
            },
        )

    return download
