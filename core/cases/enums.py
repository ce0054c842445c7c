"""Vocabulary of cases and their timeline."""

from __future__ import annotations

from core.labelled_enum import LabelledEnum


class CaseKind(LabelledEnum):
    DROPOUT = "DROPOUT", "辍学 (含疑似辍学)"
    NEVER_ENROLLED = "NEVER_ENROLLED", "适龄未入学"
    AT_RISK = "AT_RISK", "辍学风险预警"


class CaseState(LabelledEnum):
    REPORTED = "REPORTED", "疑似 (已上报)"
    VERIFYING = "VERIFYING", "核实中"
    DISMISSED = "DISMISSED", "已排除 (非辍学)"
    CONFIRMED = "CONFIRMED", "已确认辍学/未入学"
    PERSUADING = "PERSUADING", "劝返中"
    RETURNED = "RETURNED", "已复学"
    MONITORING = "MONITORING", "保学跟踪"
    CLOSED = "CLOSED", "已销号"
    EXEMPTED = "EXEMPTED", "缓学/免学"
    UNREACHABLE = "UNREACHABLE", "联系不上 (移交乡镇/村)"
    TRANSFERRED = "TRANSFERRED", "已转学 (人籍一致)"

    @property
    def is_open(self) -> bool:
        """An open case still needs work; terminal states end it."""
        return self not in TERMINAL_STATES


TERMINAL_STATES = frozenset(
    {CaseState.DISMISSED, CaseState.CLOSED, CaseState.EXEMPTED, CaseState.TRANSFERRED}
)


class CaseSource(LabelledEnum):
    HEAD_TEACHER_REPORT = "HEAD_TEACHER_REPORT", "班主任上报"
    NATIONAL_PLATFORM = "NATIONAL_PLATFORM", "全国平台下发疑似名单"
    ROSTER_COMPARISON = "ROSTER_COMPARISON", "名册比对"
    HOUSEHOLD_SURVEY = "HOUSEHOLD_SURVEY", "入户摸排"
    REGISTRY_TRACKING = "REGISTRY_TRACKING", "户籍地追踪"
    ATTENDANCE_RULE = "ATTENDANCE_RULE", "考勤预警 (无故缺勤达到规则天数)"
    OTHER = "OTHER", "其他"


class CaseReason(LabelledEnum):
    """辍学原因 (core vocabulary; plugins may add codes of their own)."""

    FINANCIAL = "FINANCIAL", "家庭经济困难"
    LEARNING_DIFFICULTY = "LEARNING_DIFFICULTY", "学习困难/厌学"
    ILLNESS = "ILLNESS", "身体原因 (疾病)"
    DISABILITY = "DISABILITY", "残疾"
    FAMILY_CHANGE = "FAMILY_CHANGE", "家庭变故"
    WORK = "WORK", "外出打工"
    EARLY_MARRIAGE = "EARLY_MARRIAGE", "早婚早育"
    MIGRATION = "MIGRATION", "随父母外出"
    GUARDIAN_REFUSAL = "GUARDIAN_REFUSAL", "监护人不送学"
    UNKNOWN = "UNKNOWN", "原因不明"
    OTHER = "OTHER", "其他"


class CaseEventKind(LabelledEnum):
    REPORT = "REPORT", "上报"
    VERIFICATION = "VERIFICATION", "核实"
    DISMISSAL = "DISMISSAL", "排除"
    CONFIRMATION = "CONFIRMATION", "确认"
    HOME_VISIT = "HOME_VISIT", "家访"
    PHONE_CALL = "PHONE_CALL", "电话联系"
    PERSUASION = "PERSUASION", "劝返"
    RETURN_NOTICE = "RETURN_NOTICE", "下达劝返复学通知书"
    ESCALATION = "ESCALATION", "上报升级"
    RETURN = "RETURN", "复学"
    FOLLOW_UP = "FOLLOW_UP", "跟踪回访"
    CLOSURE = "CLOSURE", "销号"
    EXEMPTION_REQUEST = "EXEMPTION_REQUEST", "缓学/免学申请"
    EXEMPTION_APPROVAL = "EXEMPTION_APPROVAL", "缓学/免学批准"
    EXEMPTION_REJECTION = "EXEMPTION_REJECTION", "缓学/免学不予批准"
    EXEMPTION_WITHDRAWAL = "EXEMPTION_WITHDRAWAL", "缓学/免学申请撤回"
    UNREACHABLE = "UNREACHABLE", "联系不上"
    TRANSFER = "TRANSFER", "转学"
    REOPEN = "REOPEN", "重新打开 (复学后再次疑似辍学)"
    NOTE = "NOTE", "备注"


class DismissalGrounds(LabelledEnum):
    STUDYING_ELSEWHERE = "STUDYING_ELSEWHERE", "在外地就读 (已办转学手续, 人籍一致)"
    DATA_ERROR = "DATA_ERROR", "数据错误 (学籍/户籍信息有误)"
    NOT_OF_SCHOOL_AGE = "NOT_OF_SCHOOL_AGE", "不在义务教育年龄段或已完成义务教育"
    DECEASED = "DECEASED", "已死亡"
    OTHER = "OTHER", "其他"


class ContactKind(LabelledEnum):
    HOME_VISIT = "HOME_VISIT", "家访"
    PHONE_CALL = "PHONE_CALL", "电话联系"
    PERSUASION = "PERSUASION", "劝返谈话"

    @property
    def event_kind(self) -> CaseEventKind:
        return CaseEventKind(self.value)


class ContactOutcome(LabelledEnum):
    NOT_REACHED = "NOT_REACHED", "未联系上"
    REACHED = "REACHED", "已联系上"
    AGREED_TO_RETURN = "AGREED_TO_RETURN", "同意返校"
    REFUSED = "REFUSED", "拒绝返校"


class ExemptionKind(LabelledEnum):
    DEFERRAL = "DEFERRAL", "缓学 (延缓入学/休学)"
    EXEMPTION = "EXEMPTION", "免学"
