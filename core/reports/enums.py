"""Vocabulary of stored reports."""

from __future__ import annotations

from core.labelled_enum import LabelledEnum


class SubmissionState(LabelledEnum):
    """报表报送状态."""

    DRAFT = "DRAFT", "草稿 (已生成, 未签署)"
    SIGNED = "SIGNED", "已签署 (单位负责人审核、签字、盖章)"
    SUBMITTED = "SUBMITTED", "已报送"
    ACCEPTED = "ACCEPTED", "已受理"
    RETURNED = "RETURNED", "已退回 (附退回原因)"


class SubmissionAction(LabelledEnum):
    """What can be done to a stored report."""

    SIGN = "SIGN", "审核签署"
    SUBMIT = "SUBMIT", "报送"
    ACCEPT = "ACCEPT", "受理"
    RETURN = "RETURN", "退回"


class PlaceKind(LabelledEnum):
    """The extent a report covers."""

    COUNTY = "COUNTY", "全县"
    TOWN = "TOWN", "乡镇/街道"
    SCHOOL_GROUP = "SCHOOL_GROUP", "学区/督导责任区"
    SCHOOL = "SCHOOL", "学校"
