"""Mutations of the case workflow: one per step, each returning the case and typed errors.

Resolvers are thin: they turn each global id into a row id once (:mod:`core.api.ids`), call
:mod:`core.cases.services` with the caller (the services own authorisation, the transaction,
the version check and the state machine) and turn a :class:`~core.errors.DomainError` into a
:class:`CaseError`. A refused mutation returns the case as it stands (unchanged) so the client
can show the current state and version.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import strawberry
from strawberry import relay

from core.access.caller import Caller
from core.access.enums import Permission
from core.access.scope import scoped
from core.api.cases.inputs import (
    ApproveExemptionInput,
    AttachmentInput,
    CaseCommandInput,
    CloseCaseInput,
    ConfirmCaseInput,
    DismissCaseInput,
    EscalateCaseInput,
    IssueReturnNoticeInput,
    MarkUnreachableInput,
    RecordContactInput,
    RecordFollowUpInput,
    RecordReturnInput,
    RecordTransferInput,
    RejectExemptionInput,
    ReopenCaseInput,
    ReportCaseInput,
    RequestExemptionInput,
    VerifyCaseInput,
    WithdrawExemptionInput,
)
from core.api.cases.types import Case
from core.api.context import Info
from core.api.enums import CaseAction, CaseState, ErrorCode
from core.api.errors import Localised, in_payload
from core.api.ids import parse_global_id
from core.api.permissions import require
from core.cases import models, services
from core.errors import DomainError


@strawberry.type(description="个案操作的错误: 代码、字段、说明, 以及便于客户端处理的附加信息")
class CaseError(Localised):
    code: ErrorCode = strawberry.field(description="错误代码")
    field: str | None = strawberry.field(description="出错的输入字段 (camelCase), 可空")
    allowed_actions: list[CaseAction] | None = strawberry.field(
        default=None, description="INVALID_TRANSITION 时: 当前状态允许的操作"
    )
    current_state: CaseState | None = strawberry.field(
        default=None, description="INVALID_TRANSITION / DUPLICATE 时: 个案当前状态"
    )
    current_version: int | None = strawberry.field(
        default=None, description="CONFLICT / INVALID_TRANSITION / DUPLICATE 时: 个案当前版本号"
    )
    existing_case: strawberry.ID | None = strawberry.field(
        default=None, description="DUPLICATE 时: 该儿童未结的同类个案的 ID"
    )

    @classmethod
    def from_exception(cls, exc: DomainError) -> CaseError:
        return cls(
            code=exc.code,
            field=exc.field,
            zh=exc.zh,
            en=exc.en,
            allowed_actions=exc.allowed_actions,
            current_state=exc.current_state,
            current_version=exc.current_version,
            existing_case=(
                strawberry.ID(str(relay.GlobalID("Case", str(exc.existing_id))))
                if exc.existing_id
                else None
            ),
        )


@strawberry.type(description="个案操作的结果: 个案 (出错时为操作前的个案) 与错误列表")
class CasePayload:
    case: Case | None = strawberry.field(description="个案")
    errors: list[CaseError] = strawberry.field(description="错误 (成功时为空)")


@strawberry.type(description="上报的结果")
class ReportCasePayload(CasePayload):
    replayed: bool = strawberry.field(
        default=False, description="是否为重试: 同一幂等键此前已创建该个案"
    )


# -- turning inputs into commands --------------------------------------------------------------


def attachments(items: list[AttachmentInput] | None) -> tuple[services.AttachmentRef, ...]:
    return tuple(
        services.AttachmentRef(
            file_name=a.file_name,
            sha256=a.sha256,
            size_bytes=a.size_bytes,
            uploaded_by=a.uploaded_by or "",
        )
        for a in items or ()
    )


def actor(actor_id: str | None, actor_name: str | None) -> services.Actor:
    return services.Actor(
        official_id=parse_global_id(actor_id, "Official", "actorId"), name=actor_name or ""
    )


def command(
    info: Info, caller: Caller, case_id: uuid.UUID, data: CaseCommandInput
) -> services.Command:
    return services.Command(
        caller=caller,
        case_id=case_id,
        expected_version=data.expected_version,
        now=info.context.now(),
        occurred_at=data.occurred_at,
        actor=actor(data.actor_id, data.actor_name),
        note=data.note or "",
        attachments=attachments(data.attachments),
        audit=info.context.write_audit,
    )


async def _case_as_it_stands(info: Info, case_id: uuid.UUID | None) -> models.Case | None:
    if case_id is None:
        return None
    return await scoped(models.Case, info.context.caller).get_or_none(id=case_id)


def _fresh(info: Info, case: models.Case) -> models.Case:
    info.context.loaders.by_id(models.Case).prime(str(case.pk), case, force=True)
    return case


async def run(
    info: Info,
    data: CaseCommandInput,
    call: Callable[[services.Command], Awaitable[models.Case]],
) -> CasePayload:
    caller = require(info, Permission.WRITE_CASES)  # who asks comes before what they sent
    case_id = None
    try:
        case_id = parse_global_id(data.case_id, "Case", "caseId")
        case = await call(command(info, caller, case_id, data))
    except DomainError as exc:
        return CasePayload(
            case=await _case_as_it_stands(info, case_id),
            errors=[CaseError.from_exception(in_payload(exc))],
        )
    return CasePayload(case=_fresh(info, case), errors=[])


def _text(value: str | None) -> str:
    return value or ""


# -- the mutations -----------------------------------------------------------------------------


@strawberry.type
class CaseMutation:
    @strawberry.mutation(
        description="上报疑似辍学/未入学, 立案 (一人一档); 同一儿童同类个案只能有一个未结"
    )
    async def report_case(self, info: Info, input: ReportCaseInput) -> ReportCasePayload:
        caller = require(info, Permission.WRITE_CASES)  # who asks comes before what they sent
        try:
            case, replayed = await services.report_case(
                services.ReportInput(
                    caller=caller,
                    child_id=parse_global_id(input.child_id, "Child", "childId"),
                    kind=input.kind,
                    source=input.source,
                    now=info.context.now(),
                    reason=input.reason or "UNKNOWN",
                    reason_detail=_text(input.reason_detail),
                    school_id=parse_global_id(input.school_id, "School", "schoolId"),
                    whereabouts=_text(input.whereabouts),
                    occurred_at=input.occurred_at,
                    actor=actor(input.actor_id, input.actor_name),
                    note=_text(input.note),
                    attachments=attachments(input.attachments),
                    idempotency_key=input.idempotency_key,
                    audit=info.context.write_audit,
                )
            )
        except DomainError as exc:
            existing = (
                await scoped(models.Case, info.context.caller).get_or_none(id=exc.existing_id)
                if exc.existing_id
                else None
            )
            return ReportCasePayload(
                case=existing, errors=[CaseError.from_exception(in_payload(exc))]
            )
        return ReportCasePayload(case=_fresh(info, case), errors=[], replayed=replayed)

    @strawberry.mutation(description="开始核实: 学籍管理员完成信息标注 (疑似 → 核实中)")
    async def verify_case(self, info: Info, input: VerifyCaseInput) -> CasePayload:
        return await run(info, input, services.verify_case)

    @strawberry.mutation(description="核实确认辍学/未入学 (核实中 → 已确认); 辍学记入学籍")
    async def confirm_case(self, info: Info, input: ConfirmCaseInput) -> CasePayload:
        return await run(
            info,
            input,
            lambda cmd: services.confirm_case(
                cmd,
                findings=input.findings,
                reason=input.reason,
                whereabouts=_text(input.whereabouts),
            ),
        )

    @strawberry.mutation(description="排除: 非辍学 (在外地就读且人籍一致、数据错误等), 须有证据")
    async def dismiss_case(self, info: Info, input: DismissCaseInput) -> CasePayload:
        return await run(
            info,
            input,
            lambda cmd: services.dismiss_case(
                cmd,
                grounds=input.grounds,
                evidence=_text(input.evidence),
                school_elsewhere=_text(input.school_elsewhere),
            ),
        )

    @strawberry.mutation(description="记录家访、电话或劝返谈话 (方式、人员、结果)")
    async def record_contact(self, info: Info, input: RecordContactInput) -> CasePayload:
        return await run(
            info,
            input,
            lambda cmd: services.record_contact(
                cmd,
                kind=input.kind,
                outcome=input.outcome,
                method=_text(input.method),
                participants=tuple(input.participants or ()),
            ),
        )

    @strawberry.mutation(description="下达劝返复学通知书 (编号、日期、限期)")
    async def issue_return_notice(self, info: Info, input: IssueReturnNoticeInput) -> CasePayload:
        return await run(
            info,
            input,
            lambda cmd: services.issue_return_notice(
                cmd, number=input.number, deadline=input.deadline
            ),
        )

    @strawberry.mutation(description="上报上一级 (逐级联控, 层级与时限由本地区规则决定)")
    async def escalate_case(self, info: Info, input: EscalateCaseInput) -> CasePayload:
        return await run(
            info,
            input,
            lambda cmd: services.escalate_case(
                cmd,
                to_level=input.to_level,
                to_whom=_text(input.to_whom),
                reason=_text(input.reason),
            ),
        )

    @strawberry.mutation(description="复学: 记入班级, 学籍记为复学")
    async def record_return(self, info: Info, input: RecordReturnInput) -> CasePayload:
        async def call(cmd: services.Command) -> models.Case:
            class_id = parse_global_id(input.school_class_id, "SchoolClass", "schoolClassId")
            return await services.record_return(cmd, school_class_id=class_id)

        return await run(info, input, call)

    @strawberry.mutation(description="保学跟踪回访; 发现再次辍学时个案回到劝返中")
    async def record_follow_up(self, info: Info, input: RecordFollowUpInput) -> CasePayload:
        return await run(
            info, input, lambda cmd: services.record_follow_up(cmd, attending=input.attending)
        )

    @strawberry.mutation(
        description="重新打开个案 (反弹): 已复学、跟踪中或已销号的儿童再次疑似辍学, "
        "同一个案回到疑似, 时间线保留全部历史"
    )
    async def reopen_case(self, info: Info, input: ReopenCaseInput) -> CasePayload:
        return await run(
            info,
            input,
            lambda cmd: services.reopen_case(
                cmd, source=input.source, reason_detail=input.reason_detail
            ),
        )

    @strawberry.mutation(description="销号 (复学后跟踪期满方可, 默认 30 天)")
    async def close_case(self, info: Info, input: CloseCaseInput) -> CasePayload:
        return await run(info, input, services.close_case)

    @strawberry.mutation(description="登记监护人的缓学/免学书面申请")
    async def request_exemption(self, info: Info, input: RequestExemptionInput) -> CasePayload:
        return await run(
            info,
            input,
            lambda cmd: services.request_exemption(
                cmd,
                applicant_name=input.applicant_name,
                applicant_relation=_text(input.applicant_relation),
                kind=input.exemption_kind,
                reason=input.reason or "ILLNESS",
                application_reference=_text(input.application_reference),
                until=input.until,
            ),
        )

    @strawberry.mutation(
        description="登记批准缓学/免学 (须先有书面申请; 仅本地区规则规定的批准机关, 如荔浦为乡镇); "
        "学籍记为休学"
    )
    async def approve_exemption(self, info: Info, input: ApproveExemptionInput) -> CasePayload:
        return await run(
            info,
            input,
            lambda cmd: services.approve_exemption(
                cmd,
                approving_authority=input.approving_authority,
                approver_name=_text(input.approver_name),
                document_number=_text(input.document_number),
                filed_with=_text(input.filed_with),
            ),
        )

    @strawberry.mutation(
        description="登记缓学/免学申请不予批准 (仅本地区规则规定的批准机关; 个案照常办理)"
    )
    async def reject_exemption(self, info: Info, input: RejectExemptionInput) -> CasePayload:
        return await run(
            info,
            input,
            lambda cmd: services.reject_exemption(
                cmd,
                rejecting_authority=input.rejecting_authority,
                reason=input.reason,
                document_number=_text(input.document_number),
            ),
        )

    @strawberry.mutation(description="撤回缓学/免学申请 (监护人撤回; 个案照常办理)")
    async def withdraw_exemption(self, info: Info, input: WithdrawExemptionInput) -> CasePayload:
        return await run(
            info,
            input,
            lambda cmd: services.withdraw_exemption(cmd, reason=_text(input.reason)),
        )

    @strawberry.mutation(description="联系不上: 移交乡镇/街道政府, 责成村/社区落实")
    async def mark_unreachable(self, info: Info, input: MarkUnreachableInput) -> CasePayload:
        return await run(
            info,
            input,
            lambda cmd: services.mark_unreachable(
                cmd,
                handed_to=input.handed_to,
                village=_text(input.village),
                attempts=_text(input.attempts),
            ),
        )

    @strawberry.mutation(description="转学 (人籍一致): 学籍记为转出, 个案结束")
    async def record_transfer(self, info: Info, input: RecordTransferInput) -> CasePayload:
        return await run(
            info,
            input,
            lambda cmd: services.record_transfer(
                cmd,
                to_school=input.to_school,
                transfer_document=_text(input.transfer_document),
            ),
        )
