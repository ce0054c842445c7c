"""Mutations of roster imports: ``startImport`` (a GraphQL multipart upload that starts an import
job) and ``runComparison`` (比对)."""

from __future__ import annotations

import strawberry
from strawberry.file_uploads import Upload

from core.access.enums import Permission
from core.api.context import Info
from core.api.enums import ComparisonKind, ImportMode
from core.api.errors import FieldError, field_error, in_payload
from core.api.files.mutations import read_upload
from core.api.ids import parse_global_id
from core.api.imports.types import ComparisonRun, ImportJob
from core.api.permissions import require
from core.errors import DomainError
from core.global_ids import encode_global_id
from core.imports import jobs


@strawberry.input(
    description="开始一次名册导入: 以 GraphQL multipart 请求发送, 文件放在 file "
    "(XLSX, 或 UTF-8/GBK 编码的 CSV); 导入在后台进行, 用返回的任务 id 轮询进度"
)
class StartImportInput:
    format: str = strawberry.field(
        description="导入格式代码, 如 STUDENT_ROSTER、HOUSEHOLD_REGISTER、DISABLED_ROSTER"
    )
    file: Upload = strawberry.field(description="名册文件")
    mode: ImportMode = strawberry.field(
        default=ImportMode.ALL, description="ALL: 全部通过才写入; VALID: 写入校验通过的行"
    )
    dry_run: bool = strawberry.field(
        default=False, description="试导入: 只校验并报告将会如何变化, 不写入"
    )
    jurisdiction_code: str | None = strawberry.field(
        default=None, description="县级行政区划代码 (默认为调用者所在县; 只能是该县)"
    )


@strawberry.type(description="开始导入的结果")
class StartImportPayload:
    import_job: ImportJob | None = strawberry.field(
        description="导入任务 (RUNNING; 轮询 node(id:) 查看进度与结果)"
    )
    errors: list[FieldError] = strawberry.field(
        description="错误: 格式不存在 (NOT_FOUND)、文件无法读取 (INVALID)、缺少必填列 (REQUIRED)、"
        "文件过大 (TOO_LARGE)、本县同一格式的导入正在进行 (CONFLICT)"
    )


@strawberry.input(
    description="运行一次比对: 学户册与学籍比对针对全县; 名单比对 (残联名册、重点群体名单、"
    "全国平台疑似名单) 按此前导入该名单的任务重新读取其文件"
)
class RunComparisonInput:
    kind: ComparisonKind = strawberry.field(description="比对类别")
    import_job: strawberry.ID | None = strawberry.field(
        default=None, description="名单比对: 导入该名单的任务"
    )
    jurisdiction_code: str | None = strawberry.field(
        default=None, description="县级行政区划代码 (默认为调用者所在县; 只能是该县)"
    )


@strawberry.type(description="运行比对的结果")
class RunComparisonPayload:
    comparison_run: ComparisonRun | None = strawberry.field(description="比对记录")
    errors: list[FieldError] = strawberry.field(description="错误 (成功时为空)")


@strawberry.type
class ImportMutation:
    @strawberry.mutation(
        description="上传名册并开始导入 (学籍名册、学户册、残联名册、重点群体名单、平台疑似名单、"
        "考勤记录 ATTENDANCE); 名单类在导入后自动比对"
    )
    async def start_import(self, info: Info, input: StartImportInput) -> StartImportPayload:
        caller = require(
            info, Permission.WRITE_ROSTER, Permission.SUBMIT_ROSTER, Permission.RECORD_ATTENDANCE
        )
        settings = info.context.settings
        try:
            name, data = await read_upload(input.file)
            job = await jobs.start_uploaded_import(
                caller,
                format_code=input.format,
                file_name=name,
                data=data,
                now=info.context.now(),
                store=info.context.extra["file_store"],
                max_bytes=settings.max_import_bytes,
                mode=input.mode,
                dry_run=input.dry_run,
                jurisdiction_code=input.jurisdiction_code,
            )
        except DomainError as exc:
            return StartImportPayload(import_job=None, errors=[field_error(in_payload(exc))])
        if info.context.write_audit is not None:
            info.context.write_audit.object_id = encode_global_id("ImportJob", job.id)
        return StartImportPayload(import_job=job, errors=[])

    @strawberry.mutation(
        description="运行比对: 未在任何学校在读、未缓学免学、未安置的适龄儿童立为疑似个案 "
        "(重复运行不重复立案)"
    )
    async def run_comparison(self, info: Info, input: RunComparisonInput) -> RunComparisonPayload:
        caller = require(info, Permission.WRITE_ROSTER, Permission.SUBMIT_ROSTER)
        try:
            run = await jobs.run_comparison(
                caller,
                input.kind,
                now=info.context.now(),
                store=info.context.extra["file_store"],
                job_id=parse_global_id(input.import_job, "ImportJob", "importJob"),
                jurisdiction_code=input.jurisdiction_code,
            )
        except DomainError as exc:
            return RunComparisonPayload(comparison_run=None, errors=[field_error(in_payload(exc))])
        if info.context.write_audit is not None:
            info.context.write_audit.object_id = encode_global_id("ComparisonRun", run.id)
        return RunComparisonPayload(comparison_run=run, errors=[])


__all__ = ["ImportMutation"]
