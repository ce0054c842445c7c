"""Mutations of reports: generate one (stored as a snapshot), then sign, submit, accept or
return it."""

from __future__ import annotations

import strawberry

from core.api.context import Info
from core.api.enums import PeriodKind, Permission, PlaceKind, SubmissionAction
from core.api.errors import FieldError, field_error, in_payload
from core.api.ids import parse_global_id
from core.api.permissions import require
from core.api.reports.types import ReportSnapshot
from core.errors import DomainError
from core.reports import services

_PLACE_TYPES = {
    PlaceKind.TOWN: "Town",
    PlaceKind.SCHOOL: "School",
    PlaceKind.SCHOOL_GROUP: "SchoolGroup",
}


@strawberry.input(description="生成报表: 格式、期间与范围; 生成后存为不可更改的快照")
class GenerateReportInput:
    format_code: str = strawberry.field(description="报表格式代码 (CountyRules.reportFormats)")
    period: str = strawberry.field(
        description="期间: 2026-09 (月报)、2026-09 (双月报起始月)、2026-W38 (周报)、"
        "2026-09-14 (日报/截至某日)、2026-autumn (开学/学期)、2026 (学年)"
    )
    period_kind: PeriodKind | None = strawberry.field(
        default=None, description="报送周期 (省略时取该格式的第一种); ON_DEMAND 为截至某日"
    )
    place_kind: PlaceKind | None = strawberry.field(
        default=None, description="范围 (省略时为调用者本人的范围: 学校、乡镇或全县)"
    )
    place_id: strawberry.ID | None = strawberry.field(
        default=None, description="乡镇、学区/督导责任区或学校的 ID"
    )
    public: bool = strawberry.field(
        default=False, description="公示版: 姓名 (张*三)、身份证号等个人信息打码"
    )


@strawberry.input(description="报表报送操作")
class ReportSubmissionInput:
    id: strawberry.ID = strawberry.field(description="报表快照 ID")
    reason: str | None = strawberry.field(default=None, description="原因 (退回时必填)")
    expected_version: int | None = strawberry.field(
        default=None, description="读取到的 version; 已被他人处理时返回 CONFLICT"
    )


@strawberry.type(description="报表操作的结果")
class ReportPayload:
    report: ReportSnapshot | None = strawberry.field(description="报表快照")
    errors: list[FieldError] = strawberry.field(description="错误 (成功时为空)")


async def _act(info: Info, input: ReportSubmissionInput, action: SubmissionAction) -> ReportPayload:
    needed = (
        Permission.SIGN_REPORTS
        if action in (SubmissionAction.SIGN, SubmissionAction.SUBMIT)
        else Permission.REVIEW_REPORTS
    )
    caller = require(info, needed)
    try:
        snapshot = await services.act_on_report(
            caller,
            parse_global_id(input.id, "ReportSnapshot", "id"),
            action,
            info.context.now(),
            reason=input.reason or "",
            expected_version=input.expected_version,
        )
    except DomainError as exc:
        return ReportPayload(report=None, errors=[field_error(in_payload(exc))])
    return ReportPayload(report=snapshot, errors=[])


@strawberry.type
class ReportMutation:
    @strawberry.mutation(description="生成报表或台账, 存为快照 (草稿); 内容此后不再改变")
    async def generate_report(self, info: Info, input: GenerateReportInput) -> ReportPayload:
        caller = require(info, Permission.READ_REPORTS)
        try:
            place_id = None
            if input.place_id is not None:
                kind = input.place_kind or PlaceKind.SCHOOL
                place_id = parse_global_id(input.place_id, _PLACE_TYPES.get(kind, ""), "placeId")
            snapshot = await services.generate_report(
                caller,
                services.ReportRequest(
                    format_code=input.format_code,
                    period_value=input.period,
                    period_kind=input.period_kind,
                    place_kind=input.place_kind,
                    place_id=place_id,
                    public=input.public,
                ),
                info.context.now(),
            )
        except DomainError as exc:
            return ReportPayload(report=None, errors=[field_error(in_payload(exc))])
        return ReportPayload(report=snapshot, errors=[])

    @strawberry.mutation(description="审核签署 (单位主要负责同志): 草稿 → 已签署")
    async def sign_report(self, info: Info, input: ReportSubmissionInput) -> ReportPayload:
        return await _act(info, input, SubmissionAction.SIGN)

    @strawberry.mutation(description="报送: 已签署 (或无需签署的草稿) → 已报送")
    async def submit_report(self, info: Info, input: ReportSubmissionInput) -> ReportPayload:
        return await _act(info, input, SubmissionAction.SUBMIT)

    @strawberry.mutation(description="受理 (县教育局): 已报送 → 已受理")
    async def accept_report(self, info: Info, input: ReportSubmissionInput) -> ReportPayload:
        return await _act(info, input, SubmissionAction.ACCEPT)

    @strawberry.mutation(description="退回 (县教育局, 须写明原因): 已报送 → 已退回")
    async def return_report(self, info: Info, input: ReportSubmissionInput) -> ReportPayload:
        return await _act(info, input, SubmissionAction.RETURN)


__all__ = ["ReportMutation", "ReportPayload"]
