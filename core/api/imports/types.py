"""GraphQL types of import jobs (名册导入任务) and the comparisons they ran."""

from __future__ import annotations

import datetime
from typing import Annotated, ClassVar

import strawberry
from strawberry import relay

from core.access.enums import Permission
from core.api.cases.types import Case
from core.api.context import Info
from core.api.enums import ComparisonKind, ErrorCode, ImportMode, ImportState, MatchOutcome
from core.api.filters import After, Before, First, Last
from core.api.node import ModelNode
from core.api.pagination import Connection, page_of
from core.api.people.types import Child
from core.cases import models as case_models
from core.imports import models
from core.people import models as people_models


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
    valid: int = strawberry.field(description="通过校验的行数")
    written: int = strawberry.field(
        description="写入学户册的儿童 (新增与更新; 试导入、被拒绝或失败时为 0)"
    )
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
        written = bool(counts.get("written"))
        return ImportCounts(
            rows=counts.get("rows", 0),
            valid=counts.get("rows", 0) - counts.get("refused", 0),
            written=counts.get("new", 0) + counts.get("updated", 0) if written else 0,
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
        own = (self.api_key_id is not None and self.api_key_id == caller.api_key_id) or (  # type: ignore[attr-defined]
            self.account_id is not None and self.account_id == caller.account_id  # type: ignore[attr-defined]
        )
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

    @strawberry.field(description="进度: 已读取并校验的行数, 是否已结束 (前端可轮询本字段)")
    async def progress(self, info: Info) -> ImportProgress:
        state = models.ImportState(self.state)  # type: ignore[attr-defined]
        comparing = False
        if state is models.ImportState.SUCCEEDED and self.counts.get("listed") and not self.message:  # type: ignore[attr-defined]
            # a list is compared once imported: the job is done when its comparison is
            runs = await info.context.loaders.many(models.ComparisonRun, "job_id").load(self.id)
            comparing = not any(r.finished_at is not None for r in runs)
        return ImportProgress(
            rows_read=self.rows_read,  # type: ignore[attr-defined]
            finished=state is not models.ImportState.RUNNING and not comparing,
            written=state is models.ImportState.SUCCEEDED,
            comparing=comparing,
        )

    @strawberry.field(
        description="逐行校验报告的下载地址 (CSV, UTF-8 带 BOM): 以与 /graphql 相同的凭证 GET"
    )
    def report_csv_url(self) -> str:
        return f"/imports/{self.id}/report.csv"

    @strawberry.field(description="逐行校验报告的下载地址 (XLSX): 以与 /graphql 相同的凭证 GET")
    def report_xlsx_url(self) -> str:
        return f"/imports/{self.id}/report.xlsx"

    @strawberry.field(
        description="名册所隐含的学籍异动: 入学、转学、就读方式变更, 以及名册中不再出现的在读学生"
        " (须人工办理转出、辍学等)"
    )
    def implied_changes(self, info: Info) -> list[ImpliedEnrolmentChange]:
        if not info.context.caller.can(Permission.WRITE_ROSTER):
            return []
        return [
            ImpliedEnrolmentChange(
                kind=c.get("kind", ""),
                row=c.get("row"),
                student_number=c.get("studentNumber", ""),
            )
            for c in self.changes  # type: ignore[attr-defined]
        ]

    @strawberry.field(description="本次导入后运行的比对 (可用 node(id:) 重新获取)")
    async def comparison_runs(self, info: Info) -> list[ComparisonRun]:
        runs = await info.context.loaders.many(models.ComparisonRun, "job_id").load(self.id)
        return sorted(runs, key=lambda r: (r.started_at, str(r.id)))


@strawberry.type(name="ImportProgress", description="导入任务的进度")
class ImportProgress:
    rows_read: int = strawberry.field(description="已读取并校验的数据行数")
    finished: bool = strawberry.field(description="是否已结束 (成功、被拒绝、失败或试导入完成)")
    written: bool = strawberry.field(description="是否已写入 (一次事务; 失败时什么也不写)")
    comparing: bool = strawberry.field(description="名单已导入, 比对正在进行")


@strawberry.type(name="ImpliedEnrolmentChange", description="名册所隐含的一项学籍异动")
class ImpliedEnrolmentChange:
    kind: str = strawberry.field(
        description="ENROL 入学、TRANSFER 转学、CHANGE_MODE 变更就读方式、"
        "MISSING_FROM_ROSTER 名册中不再出现的在读学生"
    )
    row: int | None = strawberry.field(description="名册行号 (名册中不再出现者为空)")
    student_number: str = strawberry.field(description="全国学籍号")


@strawberry.type(name="OutcomeCount", description="一种比对结果的人数")
class OutcomeCount:
    outcome: MatchOutcome = strawberry.field(description="比对结果")
    count: int = strawberry.field(description="人数 (行数)")


@strawberry.input(description="比对结果的筛选条件")
class ComparisonResultFilterInput:
    outcomes: list[MatchOutcome] | None = strawberry.field(
        default=None, description="比对结果 (任一)"
    )


@strawberry.type(
    name="ComparisonRun",
    description="一次比对: 类别、所用名册 (导入任务)、谁何时运行, 按结果的计数与逐人结果",
)
class ComparisonRun(ModelNode):
    model: ClassVar = models.ComparisonRun
    id: relay.NodeID[str]
    kind: ComparisonKind = strawberry.field(description="比对类别")
    created_by: str = strawberry.field(description="运行者")
    started_at: datetime.datetime = strawberry.field(description="开始时间")
    finished_at: datetime.datetime | None = strawberry.field(description="完成时间")
    counts: strawberry.scalars.JSON = strawberry.field(
        description="全部计数: 按结果, 以及 schoolAge 适龄人数、"
        "disabilityRecorded 记录残疾信息的人数等"
    )

    @strawberry.field(description="按结果的计数")
    def outcomes(self) -> list[OutcomeCount]:
        known = {o.value for o in models.MatchOutcome}
        return [
            OutcomeCount(outcome=models.MatchOutcome(k), count=v)
            for k, v in sorted(self.counts.items())  # type: ignore[attr-defined]
            if k in known
        ]

    @strawberry.field(description="所比对的名册的导入任务 (学户册与学籍比对为空)")
    async def import_job(self, info: Info) -> ImportJob | None:
        job_id = self.job_id  # type: ignore[attr-defined]
        if job_id is None:
            return None
        return await info.context.loaders.by_id(models.ImportJob).load(job_id)

    @strawberry.field(
        description="逐人 (逐行) 结果: 匹配依据、匹配到的儿童、所立个案; 需 READ_ROSTER "
        "(协作部门密钥只见汇总计数)"
    )
    async def results(
        self,
        info: Info,
        filter: Annotated[
            ComparisonResultFilterInput | None, strawberry.argument(description="筛选条件")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ComparisonResult]:
        qs = models.ComparisonResult.filter(run_id=self.id)
        if filter is not None and filter.outcomes:
            qs = qs.filter(outcome__in=[o.value for o in filter.outcomes])
        qs = qs.order_by("row_number", "id")
        return await page_of(info, qs, first=first, after=after, last=last, before=before)


@strawberry.type(
    name="ComparisonResult",
    description="一名儿童 (或名单一行) 的比对结果: 匹配依据、结果、所立或已有的个案",
)
class ComparisonResult(ModelNode):
    model: ClassVar = models.ComparisonResult
    id: relay.NodeID[str]
    row_number: int | None = strawberry.field(description="名册行号 (学户册比对为空)")
    outcome: MatchOutcome = strawberry.field(description="比对结果")
    match_reason: str = strawberry.field(
        description="匹配依据 (身份证件号一致、姓名与出生日期一致…)"
    )
    detail: str = strawberry.field(description="说明 (名单的备注等)")

    @strawberry.field(description="匹配到的儿童 (未匹配或不在您的范围内时为空)")
    async def child(self, info: Info) -> Child | None:
        child_id = self.child_id  # type: ignore[attr-defined]
        if child_id is None:
            return None
        return await info.context.loaders.by_id(people_models.Child).load(child_id)

    @strawberry.field(description="所立 (或已有) 的个案 (无个案或无权查看个案时为空)")
    async def case(self, info: Info) -> Case | None:
        case_id = self.case_id  # type: ignore[attr-defined]
        if case_id is None:
            return None
        return await info.context.loaders.by_id(case_models.Case).load(case_id)
