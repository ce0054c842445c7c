"""Vocabulary of households, guardians and children."""

from __future__ import annotations

from core.labelled_enum import LabelledEnum


class Gender(LabelledEnum):
    MALE = "MALE", "男"
    FEMALE = "FEMALE", "女"


class PovertyStatus(LabelledEnum):
    """户的帮扶身份."""

    NONE = "NONE", "一般户"
    LIFTED_OUT = "LIFTED_OUT", "脱贫户 (原建档立卡贫困户)"
    MONITORED_UNSTABLE = "MONITORED_UNSTABLE", "监测户: 脱贫不稳定户"
    MONITORED_EDGE = "MONITORED_EDGE", "监测户: 边缘易致贫户"
    MONITORED_SUDDEN = "MONITORED_SUDDEN", "监测户: 突发严重困难户"

    @property
    def is_monitored(self) -> bool:
        return self.name.startswith("MONITORED_")


class MigrationStatus(LabelledEnum):
    """户的外出/流动情况."""

    NONE = "NONE", "在户籍地居住"
    WORKING_AWAY = "WORKING_AWAY", "外出务工"
    WHOLE_FAMILY_AWAY = "WHOLE_FAMILY_AWAY", "举家外出"
    MIGRANT_IN = "MIGRANT_IN", "进城务工流入"


class GuardianRelation(LabelledEnum):
    FATHER = "FATHER", "父亲"
    MOTHER = "MOTHER", "母亲"
    GRANDFATHER = "GRANDFATHER", "祖父/外祖父"
    GRANDMOTHER = "GRANDMOTHER", "祖母/外祖母"
    OTHER_RELATIVE = "OTHER_RELATIVE", "其他亲属"
    OTHER = "OTHER", "其他监护人 (含机构)"


class KeyGroup(LabelledEnum):
    """重点群体. A child may belong to several."""

    POVERTY_LIFTED = "POVERTY_LIFTED", "脱贫户家庭子女"
    MONITORED = "MONITORED", "监测户家庭子女"
    LOW_INCOME = "LOW_INCOME", "低保家庭子女"
    #: 家庭经济困难学生 (the 资助 term, 经济困难 in the documents): wider than 脱贫户, 监测户, 低保.
    FINANCIAL_HARDSHIP = "FINANCIAL_HARDSHIP", "家庭经济困难学生"
    LEFT_BEHIND = "LEFT_BEHIND", "留守儿童"
    ORPHAN = "ORPHAN", "孤儿"
    DE_FACTO_UNSUPPORTED = "DE_FACTO_UNSUPPORTED", "事实无人抚养儿童"
    IN_DIFFICULTY = "IN_DIFFICULTY", "困境儿童"
    #: 家庭突发重大变故: a death, grave illness or disaster in the family.
    FAMILY_CRISIS = "FAMILY_CRISIS", "家庭突发重大变故学生"
    DISABLED = "DISABLED", "残疾儿童少年"
    #: Children who moved *in* with parents working here (流入).
    MIGRANT = "MIGRANT", "进城务工人员随迁子女 (流入)"
    #: Children who moved *away* with their family while registered here (流出: 籍在人不在,
    #: 举家搬迁"户籍未迁出"); a document's 流动 may mean either direction, or this one.
    MOVED_AWAY = "MOVED_AWAY", "流出儿童少年 (随家庭外出, 户籍未迁出)"
    PARENT_IMPRISONED = "PARENT_IMPRISONED", "服刑人员未成年子女"
    LEARNING_DIFFICULTY = "LEARNING_DIFFICULTY", "学困生"


class DisabilityCategory(LabelledEnum):
    """残疾类别 (GB/T 26341)."""

    VISUAL = "VISUAL", "视力残疾"
    HEARING = "HEARING", "听力残疾"
    SPEECH = "SPEECH", "言语残疾"
    PHYSICAL = "PHYSICAL", "肢体残疾"
    INTELLECTUAL = "INTELLECTUAL", "智力残疾"
    MENTAL = "MENTAL", "精神残疾"
    MULTIPLE = "MULTIPLE", "多重残疾"
