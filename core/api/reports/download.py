"""``GET /reports/<id>.xlsx`` and ``GET /reports/<id>.csv``: a stored report as a file;
``GET /registers/household.xlsx`` and ``.csv``: a place's 学户册 as of a day, streamed, and
``GET /ledgers/<format code>.xlsx`` and ``.csv`` any other ledger of children that pages
(:func:`register_download`).

The caller authenticates as for ``/graphql`` (bearer token or API key) and must be able to see
the snapshot (READ_REPORTS, in scope); anyone else gets 404 as for a report that does not
exist. The file is written from the stored table, so it is the report exactly as it was
generated; its checksum is in the ``X-Report-Checksum`` header. A download of a report with
personal details unmasked is written to the audit log.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator
from datetime import date, datetime
from typing import Any, BinaryIO
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from core.access import audit
from core.access.caller import Caller
from core.access.enums import ActorKind, AuditAction
from core.access.middleware import authentication_of
from core.access.scope import scoped
from core.api.reports.register import place_id_of
from core.cases.models import CaseAttachment
from core.errors import DomainError, ErrorCode
from core.files.storage import file_store
from core.reports.enums import PlaceKind
from core.reports.register import (
    REGISTER_FORMAT,
    RegisterRequest,
    open_register,
    write_register,
)
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
    """A refused download: 401, 403 or 404 (400 for anything else) with the code, the
    argument it is about (if any) and the message in both languages."""
    error: dict[str, Any] = {
        "code": exc.code.value,
        "message": exc.message,
        "messages": {"zh": exc.zh, "en": exc.en},
    }
    if exc.field:
        error["field"] = exc.field
    return JSONResponse({"error": error}, status_code=_STATUS.get(exc.code, 400))


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


def _register_request(request: Request) -> RegisterRequest:
    """The ledger a download's path (``/ledgers/<format code>``, else the 学户册) and query
    string name (``asOf``, ``placeKind``, ``placeId``, ``public``), or a coded error naming
    the argument."""
    params = request.query_params
    as_of = None
    if params.get("asOf"):
        try:
            as_of = date.fromisoformat(params["asOf"])
        except ValueError:
            raise DomainError(
                ErrorCode.INVALID,
                f"统计截至日 {params['asOf']!r} 无效, 应写作 2026-09-01",
                f"asOf {params['asOf']!r} is not a date like 2026-09-01",
                field="asOf",
            ) from None
    kind = None
    if params.get("placeKind"):
        try:
            kind = PlaceKind(params["placeKind"])
        except ValueError:
            known = "、".join(k.value for k in PlaceKind)
            raise DomainError(
                ErrorCode.INVALID,
                f"范围 {params['placeKind']!r} 无效 (可选: {known})",
                f"placeKind {params['placeKind']!r} is not one of {known}",
                field="placeKind",
            ) from None
    return RegisterRequest(
        as_of=as_of,
        place_kind=kind,
        place_id=place_id_of(kind, params.get("placeId") or None),
        public=params.get("public", "").lower() in ("1", "true"),
        format_code=request.path_params.get("format_code", REGISTER_FORMAT),
    )


def _audited_name(format_code: str) -> str:
    """What the audit entry calls the file: ``household register`` (as since the first
    streamed 学户册), else ``ledger <format code>``."""
    return "household register" if format_code == REGISTER_FORMAT else f"ledger {format_code}"


def _blocks(spool: BinaryIO, size: int = 1 << 16) -> Iterator[bytes]:
    """The file's bytes a block at a time; the (temporary) file is closed at the end."""
    try:
        while block := spool.read(size):
            yield block
    finally:
        spool.close()


def register_download(
    clock: Callable[[], datetime], default_caller: Caller | None = None
) -> Callable[[Request], Awaitable[Response]]:
    """``GET /registers/household.xlsx`` and ``.csv`` (``?asOf=&placeKind=&placeId=&public=``):
    the 学户册 of a place as of a day, whole, as the caller may see it (READ_REPORTS, the place
    in scope; masked as the report is); ``GET /ledgers/<format code>.xlsx`` (``.csv``) the same
    for any ledger of children that pages (:func:`core.reports.register.pages`). It is written
    a chunk of rows at a time to a temporary file and streamed from it
    (:mod:`core.reports.register`): memory stays flat in the row count, a failure is an error
    rather than a cut-off file, and the file's SHA-256 and row count are known before its
    first byte (``X-Report-Checksum``, ``X-Report-Rows``). It is a live view, not a stored
    snapshot: an unmasked download is written to the audit log with the format, the place,
    the day, the row count and the checksum."""

    async def download(request: Request) -> Response:
        caller = download_caller(request, default_caller)
        try:
            extension = table_extension(request, _TYPES)
            register = await open_register(caller, _register_request(request), clock())
        except DomainError as exc:
            return refusal(exc)
        spool = tempfile.TemporaryFile()
        try:
            written = await write_register(register, extension, spool)
        except DomainError as exc:
            spool.close()
            return refusal(exc)
        except BaseException:
            spool.close()
            raise
        place = register.place
        if register.masking is Masking.NONE:
            await audit_download(
                request,
                caller,
                clock(),
                operation=f"download {_audited_name(register.fmt.code)} {extension}",
                object_type=place.kind.value.title().replace("_", ""),
                object_id=str(place.id or place.jurisdiction_id),
                jurisdiction_id=place.jurisdiction_id,
                details={
                    "rows": written.rows,
                    "formatCode": register.fmt.code,
                    "asOf": register.as_of.isoformat(),
                    "placeKind": place.kind.value,
                    "placeName": place.name,
                    "sha256": written.sha256,
                },
            )
        name = f"{register.frame.title}_{place.name}_{register.as_of.isoformat()}.{extension}"
        return StreamingResponse(
            _blocks(spool),
            media_type=_TYPES[extension],
            headers={
                "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
                "Content-Length": str(written.size),
                "Cache-Control": "no-store",
                "X-Report-Checksum": written.sha256,
                "X-Report-Rows": str(written.rows),
            },
        )

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
