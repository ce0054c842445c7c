"""The vocabulary of events: their kinds, who they are addressed to, and delivery states."""

from __future__ import annotations

from core.labelled_enum import LabelledEnum


class EventKind(LabelledEnum):
    """事件类型: what happened (one kind per thing a level above must hear of)."""

    CASE_OPENED = "CASE_OPENED", "个案上报 (新建)"
    CASE_STEP = "CASE_STEP", "个案办理 (一个步骤)"
    CASE_ESCALATED = "CASE_ESCALATED", "个案上报上一级"
    CASE_CLOSED = "CASE_CLOSED", "个案办结 (销号、转学、核实排除等)"
    CASE_DEADLINE_PASSED = "CASE_DEADLINE_PASSED", "个案逾期 (时限已过)"
    REPORT_SUBMITTED = "REPORT_SUBMITTED", "报表已报送 (待受理)"
    REPORT_RETURNED = "REPORT_RETURNED", "报表被退回"
    REPORT_ACCEPTED = "REPORT_ACCEPTED", "报表已受理"
    COMPARISON_FINISHED = "COMPARISON_FINISHED", "比对完成"
    TARGET_AT_RISK = "TARGET_AT_RISK", "目标有风险"
    WEBHOOK_DISABLED = "WEBHOOK_DISABLED", "Webhook 因连续失败已停用"


class DeliveryState(LabelledEnum):
    """Webhook 投递状态."""

    PENDING = "PENDING", "待投递 (含等待重试)"
    DELIVERED = "DELIVERED", "已送达 (2xx)"
    FAILED = "FAILED", "已放弃 (重试用尽或端点已停用)"


class InboxChangeKind(LabelledEnum):
    """收件箱变化类别 (实时订阅 inboxChanges)."""

    SNAPSHOT = "SNAPSHOT", "订阅开始: 当前计数"
    NEW = "NEW", "新条目"
    READ = "READ", "本人已读 (可能在另一设备上)"
    ACKNOWLEDGED = "ACKNOWLEDGED", "本人已签收"
    RESYNC = "RESYNC", "可能漏收了变化 (积压或连接中断): 请重新读取 myInbox"
