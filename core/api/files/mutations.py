"""Uploading an attachment: a GraphQL multipart request (the ``Upload`` scalar)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.file_uploads import Upload

from core.access.enums import Permission
from core.api.context import Info
from core.api.errors import FieldError, field_error, in_payload
from core.api.files.types import FileAttachment
from core.api.ids import parse_global_id
from core.api.permissions import require
from core.errors import DomainError
from core.files import services


@strawberry.input(
    description="上传附件 (转学证明、书面申请、通知书、家访照片等): 以 GraphQL multipart 请求发送, "
    "文件放在 file; 只须指明所属的一项记录"
)
class UploadAttachmentInput:
    file: Upload = strawberry.field(description="文件 (PDF、JPEG、PNG、DOCX、XLSX)")
    case_id: strawberry.ID | None = strawberry.field(default=None, description="所属个案")
    home_visit_id: strawberry.ID | None = strawberry.field(default=None, description="所属家访记录")
    support_plan_id: strawberry.ID | None = strawberry.field(
        default=None, description="所属帮扶计划/安置方案"
    )
    file_name: str | None = strawberry.field(
        default=None, description="文件名 (默认为上传时的文件名)"
    )


@strawberry.type(description="上传附件的结果")
class UploadAttachmentPayload:
    attachment: FileAttachment | None = strawberry.field(description="附件")
    already_stored: bool = strawberry.field(
        default=False, description="相同内容此前已保存过 (只保存一份)"
    )
    errors: list[FieldError] = strawberry.field(description="错误 (成功时为空)")


async def read_upload(file: Any) -> tuple[str, bytes]:
    """The file name and the bytes of an uploaded file (``Upload``)."""
    name = getattr(file, "filename", "") or ""
    reader = getattr(file, "read", None)
    if reader is None:
        return name, bytes(file or b"")
    data = reader()
    if hasattr(data, "__await__"):
        data = await data
    return name, data


@strawberry.type
class FileMutation:
    @strawberry.mutation(description="上传附件并挂到个案、家访记录或帮扶计划上")
    async def upload_attachment(
        self, info: Info, input: UploadAttachmentInput
    ) -> UploadAttachmentPayload:
        caller = require(info, Permission.WRITE_CASES, Permission.WRITE_ROSTER)
        settings = info.context.settings
        try:
            name, data = await read_upload(input.file)
            attachment, already = await services.attach(
                caller,
                services.Upload(file_name=input.file_name or name, data=data),
                store=info.context.extra["file_store"],
                max_bytes=settings.max_upload_bytes,
                now=info.context.now(),
                case_id=parse_global_id(input.case_id, "Case", "caseId"),
                home_visit_id=parse_global_id(input.home_visit_id, "HomeVisit", "homeVisitId"),
                support_plan_id=parse_global_id(
                    input.support_plan_id, "SupportPlan", "supportPlanId"
                ),
                audit_entry=info.context.write_audit,
            )
        except DomainError as exc:
            return UploadAttachmentPayload(attachment=None, errors=[field_error(in_payload(exc))])
        return UploadAttachmentPayload(attachment=attachment, already_stored=already, errors=[])


__all__ = ["FileMutation", "UploadAttachmentPayload", "read_upload"]
