"""Vocabulary of access control: roles, scopes, permissions, audit actions."""

from __future__ import annotations

from core.labelled_enum import LabelledEnum


class Role(LabelledEnum):
    """Staff roles."""

    COUNTY_ADMIN = "COUNTY_ADMIN", "县级管理员"
    BUREAU_STAFF = "BUREAU_STAFF", "教育局工作人员"
    REGISTRAR = "REGISTRAR", "学籍管理员"
    SCHOOL_HEAD = "SCHOOL_HEAD", "校长"
    HEAD_TEACHER = "HEAD_TEACHER", "班主任"
    SUBJECT_TEACHER = "SUBJECT_TEACHER", "科任教师"
    TOWNSHIP_OFFICIAL = "TOWNSHIP_OFFICIAL", "乡镇干部"


class ScopeKind(LabelledEnum):
    """How far an account or key reaches inside its jurisdiction."""

    COUNTY = "COUNTY", "全县"
    TOWN = "TOWN", "乡镇/街道"
    SCHOOL = "SCHOOL", "学校"
    CLASS = "CLASS", "班级"


class Permission(LabelledEnum):
    READ_ROSTER = "READ_ROSTER", "查看儿童名册 (敏感信息打码)"
    READ_PERSONAL_DETAILS = (
        "READ_PERSONAL_DETAILS",
        "查看个人敏感信息 (身份证号、电话、住址、监护人)",
    )
    VERIFY_ENROLMENT = "VERIFY_ENROLMENT", "按身份证号核验学籍状态 (仅返回状态)"
    READ_CASES = "READ_CASES", "查看控辍保学个案"
    READ_ESCALATED_CASES = "READ_ESCALATED_CASES", "查看移交乡镇/村的个案"
    WRITE_CASES = "WRITE_CASES", "办理个案 (上报、劝返、销号等)"
    WRITE_ROSTER = "WRITE_ROSTER", "维护学户册 (登记、更正儿童、户与监护人)"
    WRITE_ENROLMENT = "WRITE_ENROLMENT", "办理学籍异动 (入学、转入转出、休学复学、毕业等)"
    SUBMIT_ROSTER = "SUBMIT_ROSTER", "提交名册用于比对"
    RECORD_ATTENDANCE = "RECORD_ATTENDANCE", "登记考勤、缺勤跟踪与学校停课"
    READ_REPORTS = "READ_REPORTS", "查看目标与报表"
    SIGN_REPORTS = "SIGN_REPORTS", "生成、签署并报送本单位报表"
    REVIEW_REPORTS = "REVIEW_REPORTS", "受理或退回下级报送的报表"
    MANAGE_ACCOUNTS = "MANAGE_ACCOUNTS", "管理工作人员账号"
    MANAGE_API_KEYS = "MANAGE_API_KEYS", "管理协作部门 API 密钥"
    READ_AUDIT = "READ_AUDIT", "查看审计日志"
    MANAGE_WEBHOOKS = "MANAGE_WEBHOOKS", "管理 Webhook (向协作系统推送事件)"


class ActorKind(LabelledEnum):
    ANONYMOUS = "ANONYMOUS", "未登录"
    STAFF = "STAFF", "工作人员"
    API_KEY = "API_KEY", "协作部门 API 密钥"
    SYSTEM = "SYSTEM", "系统 (命令行)"


class AuditAction(LabelledEnum):
    LOGIN = "LOGIN", "登录成功"
    LOGIN_FAILED = "LOGIN_FAILED", "登录失败"
    LOCKED_OUT = "LOCKED_OUT", "账号锁定"
    LOGOUT = "LOGOUT", "退出登录"
    KEY_USE = "KEY_USE", "使用 API 密钥"
    KEY_REJECTED = "KEY_REJECTED", "API 密钥被拒绝"
    MUTATION = "MUTATION", "写操作"
    PERSONAL_DATA_READ = "PERSONAL_DATA_READ", "读取个人敏感信息"
    FILE_DOWNLOAD = "FILE_DOWNLOAD", "下载附件"
    ACCOUNT_CHANGE = "ACCOUNT_CHANGE", "账号变更"
    KEY_CHANGE = "KEY_CHANGE", "密钥变更"
