"""GraphQL type of an attachment (附件) and the lists of them on cases, visits and plans."""

from __future__ import annotations

import datetime
from typing import ClassVar

import strawberry
from strawberry import relay

from core.api.context import Info
from core.api.node import ModelNode
from core.files import models


@strawberry.type(name="FileAttachment", description="附件: 按 SHA-256 保存的文件及其所属记录")
class FileAttachment(ModelNode):
    model: ClassVar = models.Attachment
    id: relay.NodeID[str]
    file_name: str = strawberry.field(description="文件名")
    content_type: str = strawberry.field(description="文件类型 (按内容判断)")
    size_bytes: int = strawberry.field(description="大小 (字节)")
    sha256: str = strawberry.field(description="SHA-256 (相同内容只保存一份)")
    uploaded_by: str = strawberry.field(description="上传人")
    uploaded_at: datetime.datetime = strawberry.field(description="上传时间")

    @strawberry.field(
        description="下载地址 (GET, 须带 Authorization 或 X-API-Key; 仅能查看所属记录者可下载, "
        "每次下载记入审计日志)"
    )
    def download_url(self, info: Info) -> str:
        return f"/files/{self.id}"


async def attachments_of(info: Info, column: str, owner_id: object) -> list[FileAttachment]:
    """The attachments of one record, loaded in one statement per request level."""
    return await info.context.loaders.many(models.Attachment, column).load(owner_id)
