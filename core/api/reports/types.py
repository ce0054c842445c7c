"""GraphQL types of stored reports (报表快照) and their typed tables."""

from __future__ import annotations

import datetime
from typing import Annotated, ClassVar

import strawberry
from strawberry import relay

from core.api.context import Info
from core.api.enums import (
    FieldKind,
    Masking,
    PeriodKind,
    PlaceKind,
    SubmissionAction,
    SubmissionState,
)
from core.api.node import ModelNode
from core.errors import DomainError, ErrorCode
from core.reports import models, submission
from core.reports.services import needs_signature, table_of, verify_checksum
from core.reports.table import ReportTable as Table

#: Most table rows one request may read (the file downloads have no limit).
MAX_TABLE_ROWS = 5000


@strawberry.type(description="报表的一栏")
class ReportTableColumn:
    key: str = strawberry.field(description="栏目键 (序号栏为 number)")
    header: str = strawberry.field(description="表头")
    kind: FieldKind = strawberry.field(description="数值类型 (导出 XLSX 时据此写成数字、日期)")
    source: str = strawberry.field(description="数据来源字段, 如 child.name (序号栏为空)")


@strawberry.type(description="表头分组: 合并在相邻几栏之上的表头")
class ReportTableHeaderGroup:
    label: str = strawberry.field(description="分组表头")
    first: int = strawberry.field(description="起始栏 (从 0 起, 含序号栏)")
    span: int = strawberry.field(description="所跨栏数")


@strawberry.type(description="报表内容: 标题、表头、各行、合计与签署栏 (单元格为报表上的文字)")
class ReportTable:
    table: strawberry.Private[Table]

    @strawberry.field(description="标题")
    def title(self) -> str:
        return self.table.title

    @strawberry.field(description="填报范围、期间与统计截至日")
    def subtitle(self) -> str:
        return self.table.subtitle

    @strawberry.field(description="各栏 (按表中顺序)")
    def columns(self) -> list[ReportTableColumn]:
        return [
            ReportTableColumn(key=c.key, header=c.header, kind=c.kind, source=c.source)
            for c in self.table.columns
        ]

    @strawberry.field(description="表头分组 (合并单元格)")
    def header_groups(self) -> list[ReportTableHeaderGroup]:
        return [
            ReportTableHeaderGroup(label=g.label, first=g.first, span=g.span)
            for g in self.table.header_groups
        ]

    @strawberry.field(description="行数 (不含合计行)")
    def row_count(self) -> int:
        return len(self.table.rows)

    @strawberry.field(description=f"各行 (每行与 columns 对应); 一次最多 {MAX_TABLE_ROWS} 行")
    def rows(
        self,
        offset: Annotated[int, strawberry.argument(description="跳过的行数")] = 0,
        limit: Annotated[
            int, strawberry.argument(description=f"最多返回的行数 (≤ {MAX_TABLE_ROWS})")
        ] = 100,
    ) -> list[list[str]]:
        if offset < 0 or not 0 <= limit <= MAX_TABLE_ROWS:
            raise DomainError(
                ErrorCode.PAGE_SIZE,
                f"offset 须不小于 0, limit 须在 0 到 {MAX_TABLE_ROWS} 之间",
                f"offset must be >= 0 and limit between 0 and {MAX_TABLE_ROWS}",
                field="limit",
            )
        return [list(r) for r in self.table.rows[offset : offset + limit]]

    @strawberry.field(description="合计行 (无合计时为 null)")
    def totals(self) -> list[str] | None:
        return list(self.table.totals) if self.table.totals is not None else None

    @strawberry.field(description="表下签署栏, 如 单位主要负责同志 (审核、签字、盖章)：")
    def sign_off(self) -> list[str]:
        return list(self.table.sign_off)

    @strawberry.field(description="报送单位")
    def submit_to(self) -> list[str]:
        return list(self.table.submit_to)

    @strawberry.field(description="所依据的文件条款")
    def clause(self) -> str:
        return self.table.clause

    @strawberry.field(description="打码方式")
    def masking(self) -> Masking:
        return self.table.masking


@strawberry.type(description="报表报送记录: 签署、报送、受理或退回")
class ReportSubmissionEvent:
    action: SubmissionAction = strawberry.field(description="操作")
    from_state: SubmissionState = strawberry.field(description="原状态")
    to_state: SubmissionState = strawberry.field(description="新状态")
    actor: str = strawberry.field(description="操作人")
    role: str = strawberry.field(description="签署人身份 (签署时), 如 单位主要负责同志")
    reason: str = strawberry.field(description="原因 (退回时必填)")
    occurred_at: datetime.datetime = strawberry.field(description="时间")


@strawberry.type(description="报表期间")
class ReportPeriod:
    kind: PeriodKind = strawberry.field(description="报送周期")
    value: str = strawberry.field(description="期间, 如 2026-09、2026-W38、2026-autumn")
    start: datetime.date = strawberry.field(description="期间首日")
    end: datetime.date = strawberry.field(description="期间末日")


@strawberry.type(description="报表的下载地址 (需同样的登录凭证)")
class ReportDownloads:
    xlsx: str = strawberry.field(description="XLSX (标题、合并表头、冻结表头、签署栏)")
    csv: str = strawberry.field(description="CSV (UTF-8 带 BOM, Excel/WPS 可直接打开)")


@strawberry.type(
    name="ReportSnapshot",
    description="报表快照: 一次生成的报表, 生成后内容不再改变 (谁、何时、按何参数生成, 校验和)",
)
class ReportSnapshot(ModelNode):
    model: ClassVar = models.ReportSnapshot
    id: relay.NodeID[str]
    format_code: str = strawberry.field(description="报表格式代码")
    title: str = strawberry.field(description="标题")
    place_kind: PlaceKind = strawberry.field(description="范围")
    place_name: str = strawberry.field(description="范围名称")
    row_count: int = strawberry.field(description="行数 (不含合计)")
    checksum: str = strawberry.field(
        description="SHA-256: parameters 与 table 的规范 JSON (键排序, UTF-8) 的摘要"
    )
    generated_by: str = strawberry.field(description="生成人")
    generated_at: datetime.datetime = strawberry.field(description="生成时间")
    state: SubmissionState = strawberry.field(description="报送状态")
    state_reason: str = strawberry.field(description="最近一次操作的原因 (退回原因)")
    version: int = strawberry.field(description="版本 (每次签署、报送、受理、退回加一)")

    @strawberry.field(description="报表期间")
    def period(self) -> ReportPeriod:
        return ReportPeriod(
            kind=PeriodKind(self.period_kind),
            value=self.period_value,
            start=self.period_start,
            end=self.period_end,
        )

    @strawberry.field(description="统计截至日")
    def as_of(self) -> datetime.date:
        return datetime.date.fromisoformat(self.parameters["asOf"])

    @strawberry.field(description="打码方式")
    def masking(self) -> Masking:
        return Masking(self.masking)

    @strawberry.field(description="生成参数 (校验和所覆盖的内容之一)")
    def parameters(self) -> strawberry.scalars.JSON:
        return self.parameters

    @strawberry.field(description="重新计算的校验和是否与存储的一致 (内容未被改动)")
    def checksum_valid(self) -> bool:
        return verify_checksum(self)

    @strawberry.field(description="报表内容")
    def table(self, info: Info) -> ReportTable:
        table = table_of(self)
        if table.masking is Masking.NONE:  # personal details shown: audited
            info.context.personal_reads.add(("ReportSnapshot", str(self.id)))
        return ReportTable(table=table)

    @strawberry.field(description="当前可做的报送操作")
    def allowed_actions(self) -> list[SubmissionAction]:
        return submission.allowed_actions(
            SubmissionState(self.state), needs_signature=needs_signature(self)
        )

    @strawberry.field(description="是否须先经单位主要负责同志签署再报送")
    def needs_signature(self) -> bool:
        return needs_signature(self)

    @strawberry.field(description="报送记录 (按时间)")
    async def submission_events(self, info: Info) -> list[ReportSubmissionEvent]:
        rows = await models.ReportSubmissionEvent.filter(snapshot_id=self.id).order_by(
            "occurred_at"
        )
        return [
            ReportSubmissionEvent(
                action=SubmissionAction(r.action),
                from_state=SubmissionState(r.from_state),
                to_state=SubmissionState(r.to_state),
                actor=r.actor,
                role=r.role,
                reason=r.reason,
                occurred_at=r.occurred_at,
            )
            for r in rows
        ]

    @strawberry.field(description="下载地址")
    def downloads(self) -> ReportDownloads:
        return ReportDownloads(xlsx=f"/reports/{self.id}.xlsx", csv=f"/reports/{self.id}.csv")
