"""Attaching files to records and handing them out again, for callers who may see the record.

:func:`attach` checks the caller may write the record the file belongs to (a case or a home
visit: ``WRITE_CASES``; a support plan: ``WRITE_ROSTER``; each looked up in the caller's scope),
the size (``BAOXUE_MAX_UPLOAD_BYTES``) and the kind by the file's first bytes (PDF, JPEG, PNG,
DOCX, XLSX), stores the bytes once by SHA-256 and records the attachment with the request's
audit entry in one transaction. :func:`open_attachment` returns a file to a caller who may see
the record it belongs to (anyone else learns nothing: ``NOT_FOUND``) and audits the download.

The bytes are stored after every check and before the row is written, so there is never a row
whose bytes are missing; if the row's transaction fails, bytes this call newly stored are
removed again (not bytes that were stored already, nor ones another record now names).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.access import audit
from core.access.audit import WriteAudit, record_write
from core.access.authorise import find_in_scope, require_permission
from core.access.caller import Caller
from core.access.enums import AuditAction, Permission
from core.access.scope import scoped
from core.cases.models import Case
from core.errors import DomainError, ErrorCode
from core.files.content import ACCEPTED, detect_content_type
from core.files.models import Attachment
from core.files.storage import FileStore
from core.people.models import Child
from core.visits.models import HomeVisit, SupportPlan

#: What a file may belong to: the model, the attachment's column, the permission to write it,
#: the input field naming it and its name in Chinese and English.
OWNERS: dict[str, tuple[type[Model], str, Permission, str, tuple[str, str]]] = {
    "case": (Case, "case_id", Permission.WRITE_CASES, "caseId", ("个案", "case")),
    "home_visit": (
        HomeVisit,
        "home_visit_id",
        Permission.WRITE_CASES,
        "homeVisitId",
        ("家访记录", "home visit"),
    ),
    "support_plan": (
        SupportPlan,
        "support_plan_id",
        Permission.WRITE_ROSTER,
        "supportPlanId",
        ("帮扶计划", "support plan"),
    ),
}


@dataclass(frozen=True)
class Upload:
    """A file as it arrived."""

    file_name: str
    data: bytes


def _owner(case_id, home_visit_id, support_plan_id) -> tuple[str, uuid.UUID]:
    given = [
        (kind, value)
        for kind, value in (
            ("case", case_id),
            ("home_visit", home_visit_id),
            ("support_plan", support_plan_id),
        )
        if value is not None
    ]
    if len(given) != 1:
        raise DomainError(
            ErrorCode.REQUIRED,
            "须且只须指明附件所属的一项记录 (caseId、homeVisitId 或 supportPlanId)",
            "name exactly one record the file belongs to (caseId, homeVisitId or supportPlanId)",
            field="caseId",
        )
    return given[0]


async def _jurisdiction_of(kind: str, row: Model) -> uuid.UUID:
    if kind == "case":
        return row.jurisdiction_id  # type: ignore[attr-defined]
    child = await Child.filter(id=row.child_id).values_list("jurisdiction_id", flat=True)  # type: ignore[attr-defined]
    return child[0]


def check_upload(upload: Upload, max_bytes: int) -> tuple[str, str]:
    """``(file name, content type)`` of an acceptable upload; ``INVALID`` on ``file``."""
    size = len(upload.data)
    if size == 0:
        raise DomainError(ErrorCode.INVALID, "文件为空", "the file is empty", field="file")
    if size > max_bytes:
        raise DomainError(
            ErrorCode.INVALID,
            f"文件过大: 最大 {max_bytes} 字节 (BAOXUE_MAX_UPLOAD_BYTES)",
            f"the file is too large: at most {max_bytes} bytes (BAOXUE_MAX_UPLOAD_BYTES)",
            field="file",
        )
    content_type = detect_content_type(upload.data)
    if content_type is None:
        raise DomainError(
            ErrorCode.INVALID,
            "只接受 PDF、JPEG、PNG、DOCX、XLSX 文件 (按文件内容判断, 不看扩展名)",
            "only PDF, JPEG, PNG, DOCX and XLSX files are accepted (judged by content)",
            field="file",
        )
    name = (upload.file_name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = name or f"附件.{ACCEPTED[content_type]}"
    return name[:255], content_type


async def attach(
    caller: Caller,
    upload: Upload,
    *,
    store: FileStore,
    max_bytes: int,
    now: datetime,
    case_id: uuid.UUID | None = None,
    home_visit_id: uuid.UUID | None = None,
    support_plan_id: uuid.UUID | None = None,
    audit_entry: WriteAudit | None = None,
) -> tuple[Attachment, bool]:
    """Attach ``upload`` to one record; ``(attachment, already_stored)``."""
    kind, owner_id = _owner(case_id, home_visit_id, support_plan_id)
    model, column, permission, field, what = OWNERS[kind]
    require_permission(caller, permission)
    row = await find_in_scope(model, caller, owner_id, field, what)
    file_name, content_type = check_upload(upload, max_bytes)
    jurisdiction_id = await _jurisdiction_of(kind, row)
    digest, already = store.put(upload.data)
    try:
        async with in_transaction():
            attachment = await Attachment.create(
                jurisdiction_id=jurisdiction_id,
                sha256=digest,
                file_name=file_name,
                content_type=content_type,
                size_bytes=len(upload.data),
                uploaded_by=caller.label[:64],
                uploaded_at=now,
                **{column: row.pk},
            )
            await record_write(audit_entry)
    except Exception:
        # the row was not written: take back bytes this call stored, unless a record (another
        # upload of the same file that committed meanwhile) uses them
        if not already and not await Attachment.filter(sha256=digest).exists():
            store.discard(digest)
        raise
    return attachment, already


async def visible_attachment(caller: Caller, attachment_id: uuid.UUID | None) -> Attachment:
    """The attachment, if the caller may see the record it belongs to; ``NOT_FOUND`` else."""
    attachment = await Attachment.get_or_none(id=attachment_id) if attachment_id else None
    if attachment is not None:
        for model, column, _, _, _ in OWNERS.values():
            owner = getattr(attachment, column)
            if owner is not None:
                if await scoped(model, caller).filter(id=owner).exists():
                    return attachment
                break
    raise DomainError(
        ErrorCode.NOT_FOUND,
        "附件不存在或不在您的工作范围内",
        "no such attachment within your scope",
        field="id",
    )


async def open_attachment(
    caller: Caller,
    attachment_id: uuid.UUID | None,
    *,
    store: FileStore,
    now: datetime,
    request_id: str = "",
    client_address: str = "",
) -> tuple[Attachment, bytes]:
    """The attachment and its bytes, for a caller who may see its record; audited."""
    require_permission(caller)
    attachment = await visible_attachment(caller, attachment_id)
    data = store.get(attachment.sha256)
    if data is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            "附件文件已丢失, 请联系管理员",
            "the attachment's file is missing from the store; tell the administrator",
            field="id",
        )
    await audit.record(
        AuditAction.FILE_DOWNLOAD,
        caller=caller,
        at=now,
        request_id=request_id,
        client_address=client_address,
        operation="downloadAttachment",
        object_type="Attachment",
        object_id=str(attachment.id),
        jurisdiction_id=attachment.jurisdiction_id,
        details={"sha256": attachment.sha256, "fileName": attachment.file_name},
    )
    return attachment, data
