"""Inputs of the case workflow mutations.

Every command on an existing case extends :class:`CaseCommandInput`: the case, the version the
client read (``expectedVersion``), when the thing happened (``occurredAt``, default now), who
did it and any attachments (references only). ``reportCase`` has an ``idempotencyKey`` instead
of a version.
"""

from __future__ import annotations

import datetime

import strawberry

from core.api.enums import (
    CaseKind,
    CaseSource,
    ContactKind,
    ContactOutcome,
    DismissalGrounds,
    ExemptionKind,
)


@strawberry.input(description="附件引用: 文件保存在别处, 此处只记名称与 SHA-256")
class AttachmentInput:
    file_name: str = strawberry.field(description="文件名")
    sha256: str = strawberry.field(description="SHA-256 (64 位十六进制)")
    size_bytes: int | None = strawberry.field(default=None, description="大小 (字节)")
    uploaded_by: str | None = strawberry.field(default=None, description="上传人 (默认经办人)")


@strawberry.input(description="对已有个案的操作的公共字段")
class CaseCommandInput:
    case_id: strawberry.ID = strawberry.field(description="个案 ID")
    expected_version: int = strawberry.field(
        description="读取到的版本号; 与当前版本不符时返回 CONFLICT 且不做任何修改"
    )
    occurred_at: datetime.datetime | None = strawberry.field(
        default=None, description="发生时间 (带时区; 默认为当前时间)"
    )
    actor_id: strawberry.ID | None = strawberry.field(
        default=None, description="经办人 (Official 的 ID)"
    )
    actor_name: str | None = strawberry.field(
        default=None, description="经办人姓名 (系统外人员, 或覆盖 Official 的姓名)"
    )
    note: str | None = strawberry.field(default=None, description="备注")
    attachments: list[AttachmentInput] | None = strawberry.field(
        default=None, description="附件引用"
    )


@strawberry.input(description="上报疑似辍学/未入学 (立案)")
class ReportCaseInput:
    child_id: strawberry.ID = strawberry.field(description="儿童 ID")
    kind: CaseKind = strawberry.field(description="个案类别")
    source: CaseSource = strawberry.field(description="来源")
    reason: str | None = strawberry.field(
        default=None, description="辍学原因代码 (默认 UNKNOWN; 插件可增加代码)"
    )
    reason_detail: str | None = strawberry.field(default=None, description="原因说明")
    school_id: strawberry.ID | None = strawberry.field(
        default=None, description="学籍校 (默认为儿童当前学籍所在学校)"
    )
    whereabouts: str | None = strawberry.field(default=None, description="去向")
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="幂等键 (8–128 字符, 建议 UUID): 重试同一请求时返回第一次创建的个案",
    )
    occurred_at: datetime.datetime | None = strawberry.field(
        default=None, description="发现/上报时间 (带时区; 默认为当前时间)"
    )
    actor_id: strawberry.ID | None = strawberry.field(
        default=None, description="上报人 (Official 的 ID)"
    )
    actor_name: str | None = strawberry.field(default=None, description="上报人姓名")
    note: str | None = strawberry.field(default=None, description="备注")
    attachments: list[AttachmentInput] | None = strawberry.field(
        default=None, description="附件引用"
    )


@strawberry.input(description="开始核实 (学籍管理员完成标注)")
class VerifyCaseInput(CaseCommandInput):
    pass


@strawberry.input(description="核实确认: 辍学或未入学")
class ConfirmCaseInput(CaseCommandInput):
    findings: str = strawberry.field(description="核实情况")
    reason: str | None = strawberry.field(default=None, description="辍学原因代码 (可修正)")
    whereabouts: str | None = strawberry.field(default=None, description="去向")


@strawberry.input(description="排除: 非辍学, 须记录证据")
class DismissCaseInput(CaseCommandInput):
    grounds: DismissalGrounds = strawberry.field(description="理由")
    evidence: str | None = strawberry.field(default=None, description="证据说明 (或以附件代替)")
    school_elsewhere: str | None = strawberry.field(
        default=None, description="现就读学校 (理由为 STUDYING_ELSEWHERE 时必填)"
    )


@strawberry.input(description="家访、电话或劝返谈话")
class RecordContactInput(CaseCommandInput):
    kind: ContactKind = strawberry.field(description="联系方式")
    outcome: ContactOutcome = strawberry.field(description="结果")
    method: str | None = strawberry.field(
        default=None, description="方式说明 (如 上门、电话、微信、联合村干部)"
    )
    participants: list[str] | None = strawberry.field(
        default=None, description="参与人员 (谁去劝返)"
    )


@strawberry.input(description="下达劝返复学通知书")
class IssueReturnNoticeInput(CaseCommandInput):
    number: str = strawberry.field(description="通知书编号")
    deadline: datetime.date | None = strawberry.field(
        default=None, description="限期复学日期 (默认为下达日期加本地区规定天数)"
    )


@strawberry.input(description="上报上一级 (逐级联控)")
class EscalateCaseInput(CaseCommandInput):
    to_level: int | None = strawberry.field(
        default=None, description="上报到的层级 (0 为第一级; 默认上一级)"
    )
    to_whom: str | None = strawberry.field(
        default=None, description="报告对象 (人员或单位; 默认为该层级的责任单位)"
    )
    reason: str | None = strawberry.field(default=None, description="上报理由")


@strawberry.input(description="复学: 学籍记为复学")
class RecordReturnInput(CaseCommandInput):
    school_class_id: strawberry.ID = strawberry.field(description="复学所在班级 (SchoolClass)")


@strawberry.input(description="保学跟踪回访")
class RecordFollowUpInput(CaseCommandInput):
    attending: bool = strawberry.field(
        description="是否仍在校就读; false 表示再次辍学, 个案回到劝返中"
    )


@strawberry.input(description="重新打开个案 (反弹: 已复学、跟踪中或已销号的儿童再次疑似辍学)")
class ReopenCaseInput(CaseCommandInput):
    reason_detail: str = strawberry.field(description="再次疑似辍学的情况 (必填)")
    source: CaseSource = strawberry.field(
        default=CaseSource.HEAD_TEACHER_REPORT, description="发现途径 (默认班主任上报)"
    )


@strawberry.input(description="销号 (须在复学后跟踪期满之后)")
class CloseCaseInput(CaseCommandInput):
    pass


@strawberry.input(description="登记监护人的缓学/免学书面申请")
class RequestExemptionInput(CaseCommandInput):
    applicant_name: str = strawberry.field(description="申请人 (法定监护人) 姓名")
    applicant_relation: str | None = strawberry.field(default=None, description="与儿童关系")
    exemption_kind: ExemptionKind = strawberry.field(
        default=ExemptionKind.DEFERRAL, description="缓学或免学"
    )
    reason: str | None = strawberry.field(default=None, description="原因代码 (默认 ILLNESS)")
    application_reference: str | None = strawberry.field(
        default=None, description="书面申请的档案编号 (或以附件代替)"
    )
    until: datetime.date | None = strawberry.field(default=None, description="缓学至")


@strawberry.input(description="登记乡镇 (或县教育局) 对缓学/免学的批准")
class ApproveExemptionInput(CaseCommandInput):
    approving_authority: str = strawberry.field(description="批准机关 (如 某某镇人民政府)")
    approver_name: str | None = strawberry.field(default=None, description="批准人")
    document_number: str | None = strawberry.field(default=None, description="批准文号")
    filed_with: str | None = strawberry.field(
        default=None, description="备案单位 (如 市教育局基教股; 默认为本地区规则规定的备案部门)"
    )


@strawberry.input(description="缓学/免学申请不予批准 (由本地区规则规定的批准机关登记)")
class RejectExemptionInput(CaseCommandInput):
    rejecting_authority: str = strawberry.field(description="决定机关 (如 某某镇人民政府)")
    reason: str = strawberry.field(description="不予批准的理由")
    document_number: str | None = strawberry.field(default=None, description="文号")


@strawberry.input(description="撤回缓学/免学申请 (监护人撤回)")
class WithdrawExemptionInput(CaseCommandInput):
    reason: str | None = strawberry.field(default=None, description="撤回原因")


@strawberry.input(description="联系不上: 移交乡镇/街道, 责成村/社区落实")
class MarkUnreachableInput(CaseCommandInput):
    handed_to: str = strawberry.field(description="移交的乡镇/街道政府")
    village: str | None = strawberry.field(default=None, description="责成落实的村/社区")
    attempts: str | None = strawberry.field(default=None, description="已尝试的联系方式")


@strawberry.input(description="转学 (人籍一致): 学籍记为转出, 个案结束")
class RecordTransferInput(CaseCommandInput):
    to_school: str = strawberry.field(description="转入学校 (可在县外)")
    transfer_document: str | None = strawberry.field(
        default=None, description="转学手续 (证明编号; 或以附件代替)"
    )
