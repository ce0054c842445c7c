"""GraphQL types of import jobs (名册导入任务) and the comparisons they ran."""

from __future__ import annotations

import datetime
from typing import ClassVar

import strawberry
from strawberry import relay

from core.access.enums import Permission
from core.api.context import Info
from core.api.enums import ComparisonKind, ErrorCode, ImportMode, ImportState
from core.api.node import ModelNode
from core.imports import models


@strawberry.type(name="ImportIssue", description="导入校验问题: 某行某列的值为何未通过")
class ImportIssue:
    row: int = strawberry.field(description="行号 (与电子表格一致)")
    column: str = strawberry.field(description="列 (表头)")
    value: str = strawberry.field(description="单元格的值")
    code: ErrorCode = strawberry.field(description="错误代码")
    reason_zh: str = strawberry.field(description="原因 (中文)")
    reason_en: str = strawberry.field(description="原因 (英文)")


@strawberry.type(name="ImportCounts", description="导入计数")
class ImportCounts:
    rows: int = strawberry.field(description="读取的数据行数")
    new: int = strawberry.field(description="新增儿童")
    updated: int = strawberry.field(description="有变化的儿童")
    unchanged: int = strawberry.field(description="无变化的儿童")
    refused: int = strawberry.field(description="未通过校验的行数")
    listed: int = strawberry.field(description="名单类: 通过校验、参与比对的行数")
    enrolments: int = strawberry.field(description="所隐含的入学")
    transfers: int = strawberry.field(description="所隐含的转学")
    mode_changes: int = strawberry.field(description="所隐含的就读方式变更")
    missing_from_roster: int = strawberry.field(description="名册中不再出现的在读学生")


@strawberry.type(name="ComparisonSummary", description="一次比对的汇总 (只含计数, 不含儿童)")
class ComparisonSummary:
    kind: ComparisonKind = strawberry.field(description="比对类别")
    started_at: datetime.datetime = strawberry.field(description="开始时间")
    finished_at: datetime.datetime | None = strawberry.field(description="完成时间")
    counts: strawberry.scalars.JSON = strawberry.field(
        description="按结果的计数: CASE_OPENED、HAS_CASE、ENROLLED_HERE、NOT_FOUND、FLAG_ADDED …"
    )


@strawberry.type(
    name="ImportJob",
    description="名册导入任务: 谁、何时、导入哪个文件 (SHA-256)、按何格式与方式, 状态、进度与结果",
)
class ImportJob(ModelNode):
    model: ClassVar = models.ImportJob
    id: relay.NodeID[str]
    format_code: str = strawberry.field(description="导入格式代码, 如 STUDENT_ROSTER")
    file_name: str = strawberry.field(description="文件名")
    checksum: str = strawberry.field(description="文件的 SHA-256")
    mode: ImportMode = strawberry.field(description="导入方式")
    dry_run: bool = strawberry.field(description="是否为试导入 (只校验, 不写入)")
    state: ImportState = strawberry.field(description="状态")
    rows_read: int = strawberry.field(description="已读取的行数 (进度)")
    created_by: str = strawberry.field(description="导入人")
    started_at: datetime.datetime = strawberry.field(description="开始时间")
    finished_at: datetime.datetime | None = strawberry.field(description="完成时间")
    message: str = strawberry.field(description="说明 (失败或拒绝的原因)")

    @strawberry.field(description="计数 (完成后)")
    def counts(self) -> ImportCounts | None:
        counts = self.counts  # type: ignore[attr-defined]
        if not counts:
            return None
        return ImportCounts(
            rows=counts.get("rows", 0),
            new=counts.get("new", 0),
            updated=counts.get("updated", 0),
            unchanged=counts.get("unchanged", 0),
            refused=counts.get("refused", 0),
            listed=counts.get("listed", 0),
            enrolments=counts.get("enrolments", 0),
            transfers=counts.get("transfers", 0),
            mode_changes=counts.get("modeChanges", 0),
            missing_from_roster=counts.get("missingFromRoster", 0),
        )

    @strawberry.field(
        description="逐行校验问题 (行号、列、值、原因): 仅维护学户册者与提交该名册的协作部门可见"
    )
    def issues(self, info: Info) -> list[ImportIssue]:
        caller = info.context.caller
        own = self.api_key_id is not None and self.api_key_id == caller.api_key_id  # type: ignore[attr-defined]
        if not (caller.can(Permission.WRITE_ROSTER) or own):
            return []
        return [
            ImportIssue(
                row=i["row"],
                column=i["column"],
                value=i["value"],
                code=ErrorCode(i["code"]),
                reason_zh=i["reasonZh"],
                reason_en=i["reasonEn"],
            )
            for i in self.issues  # type: ignore[attr-defined]
        ]

    @strawberry.field(description="本次导入后运行的比对 (汇总)")
    async def comparisons(self) -> list[ComparisonSummary]:
        runs = await models.ComparisonRun.filter(job_id=self.id).order_by("started_at")
        return [
            ComparisonSummary(
                kind=ComparisonKind(r.kind),
                started_at=r.started_at,
                finished_at=r.finished_at,
                counts=r.counts,
            )
            for r in runs
        ]
