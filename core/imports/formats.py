"""Import formats (导入格式) as data: which Chinese column headers a roster has, what field each
one fills, the other headers the same column is known by, and how its values are spelt.

Core knows the formats of the national systems every county exports from: the 学籍 system's
student roster, the 0–18 household register (学户册) from the public-security 户籍 records, the
disabled persons' federation's roster, the key-group lists of civil affairs and rural
revitalisation, and the national platform's list of suspected dropouts. A county's plugin adds
formats or replaces one of these (same ``code``) through the ``baoxue_import_formats`` hook.

Nothing here touches a file or the database: :mod:`core.imports.reading` reads rows and
:mod:`core.imports.rows` turns one row into checked values with this table.
"""

from __future__ import annotations

import re
from dataclasses import replace

from core.people.enums import DisabilityCategory, Gender, KeyGroup
from core.rules.enums import ImportKind, ValueKind
from core.rules.specs import ImportColumn, ImportFormat

__all__ = [
    "CORE_FORMATS",
    "VOCABULARIES",
    "ImportColumn",
    "ImportFormat",
    "ImportKind",
    "ValueKind",
]


# -- value vocabularies ------------------------------------------------------------------------

_YES_NO = {
    "是": True,
    "否": False,
    "Y": True,
    "N": False,
    "1": True,
    "0": False,
    "有": True,
    "无": False,
    "TRUE": True,
    "FALSE": False,
}

_GRADES: dict[str, int] = {}
for _n, (_cn, _alt) in enumerate(
    [
        ("一年级", "小学一年级"),
        ("二年级", "小学二年级"),
        ("三年级", "小学三年级"),
        ("四年级", "小学四年级"),
        ("五年级", "小学五年级"),
        ("六年级", "小学六年级"),
        ("七年级", "初一"),
        ("八年级", "初二"),
        ("九年级", "初三"),
    ],
    start=1,
):
    _GRADES.update({_cn: _n, _alt: _n, str(_n): _n, f"{_n}年级": _n})
_GRADES.update({"初中一年级": 7, "初中二年级": 8, "初中三年级": 9, "初一年级": 7})
_GRADES.update({"初二年级": 8, "初三年级": 9})

#: Vocabularies by name: the spellings found in exports (upper-cased, spaces removed) and the
#: value each stands for (an enum's value, a bool or an int).
VOCABULARIES: dict[str, dict[str, object]] = {
    "gender": {
        "男": Gender.MALE.value,
        "女": Gender.FEMALE.value,
        "男性": Gender.MALE.value,
        "女性": Gender.FEMALE.value,
        "1": Gender.MALE.value,
        "2": Gender.FEMALE.value,
        "M": Gender.MALE.value,
        "F": Gender.FEMALE.value,
    },
    "yes_no": _YES_NO,
    "grade": _GRADES,
    "id_type": {
        "居民身份证": "RESIDENT_ID",
        "身份证": "RESIDENT_ID",
        "中华人民共和国居民身份证": "RESIDENT_ID",
        "护照": "OTHER",
        "港澳台居民居住证": "OTHER",
        "港澳居民来往内地通行证": "OTHER",
        "台湾居民来往大陆通行证": "OTHER",
        "出生医学证明": "OTHER",
        "其他": "OTHER",
    },
    "enrolment_mode": {
        "在校就读": "REGULAR",
        "走读": "REGULAR",
        "随班就读": "INCLUSIVE",
        "送教上门": "HOME_DELIVERED",
        "住校": "BOARDING",
        "寄宿": "BOARDING",
        "特殊教育学校就读": "SPECIAL_SCHOOL",
        "特教学校就读": "SPECIAL_SCHOOL",
    },
    "disability": {
        "无": None,
        "非残疾": None,
        "视力残疾": DisabilityCategory.VISUAL.value,
        "视力": DisabilityCategory.VISUAL.value,
        "听力残疾": DisabilityCategory.HEARING.value,
        "听力": DisabilityCategory.HEARING.value,
        "言语残疾": DisabilityCategory.SPEECH.value,
        "言语": DisabilityCategory.SPEECH.value,
        "肢体残疾": DisabilityCategory.PHYSICAL.value,
        "肢体": DisabilityCategory.PHYSICAL.value,
        "智力残疾": DisabilityCategory.INTELLECTUAL.value,
        "智力": DisabilityCategory.INTELLECTUAL.value,
        "精神残疾": DisabilityCategory.MENTAL.value,
        "精神": DisabilityCategory.MENTAL.value,
        "多重残疾": DisabilityCategory.MULTIPLE.value,
        "多重": DisabilityCategory.MULTIPLE.value,
    },
    #: 考勤导入: the day's status of a child (出勤, 缺勤, 迟到).
    "attendance_status": {
        "出勤": "PRESENT",
        "到": "PRESENT",
        "在校": "PRESENT",
        "正常": "PRESENT",
        "√": "PRESENT",
        "缺勤": "ABSENT",
        "缺": "ABSENT",
        "缺席": "ABSENT",
        "未到": "ABSENT",
        "迟到": "LATE",
        "迟": "LATE",
    },
    #: 缺勤原因: the attendance mark of an absence (core.attendance.models.MarkKind).
    "absence_reason": {
        "病假": "SICK",
        "病": "SICK",
        "生病": "SICK",
        "事假": "PERSONAL_LEAVE",
        "事": "PERSONAL_LEAVE",
        "请假": "PERSONAL_LEAVE",
        "无故": "UNEXPLAINED",
        "无故缺勤": "UNEXPLAINED",
        "旷课": "UNEXPLAINED",
        "未请假": "UNEXPLAINED",
        "不明": "UNEXPLAINED",
    },
    "disability_grade": {
        "一级": 1,
        "二级": 2,
        "三级": 3,
        "四级": 4,
        "1": 1,
        "2": 2,
        "3": 3,
        "4": 4,
    },
}

_SPACES = re.compile(r"\s+")


def vocabulary_key(text: str) -> str:
    """A cell's text as vocabularies are keyed: no spaces, upper-case."""
    return _SPACES.sub("", text).upper()


def header_key(text: str) -> str:
    """A header as matched: no spaces, no ``*`` (required marks), no full-width brackets."""
    text = _SPACES.sub("", text).replace("*", "").replace("（", "(").replace("）", ")")
    return text


# -- the formats -------------------------------------------------------------------------------

_ID_TYPE = ImportColumn(
    field="id_type",
    header="身份证件类型",
    synonyms=("证件类型",),
    kind=ValueKind.VOCABULARY,
    vocabulary="id_type",
    sample="居民身份证",
)
_ID_NUMBER = ImportColumn(
    field="id_number",
    header="身份证件号",
    synonyms=("身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证件号码"),
    kind=ValueKind.ID_NUMBER,
    max_length=18,
)
_NAME = ImportColumn(
    field="name", header="姓名", synonyms=("学生姓名", "儿童姓名"), required=True, max_length=32
)
_GENDER = ImportColumn(
    field="gender",
    header="性别",
    required=True,
    kind=ValueKind.VOCABULARY,
    vocabulary="gender",
)
_BIRTH = ImportColumn(
    field="birth_date",
    header="出生日期",
    synonyms=("出生年月日", "出生年月"),
    required=True,
    kind=ValueKind.DATE,
)
_ETHNICITY = ImportColumn(field="ethnicity", header="民族", max_length=16, sample="汉族")
_REGISTERED = ImportColumn(
    field="registered_address", header="户口所在地", synonyms=("户籍地址", "户籍所在地")
)
_CURRENT = ImportColumn(field="current_address", header="现住址", synonyms=("现居住地址", "住址"))
#: A list's household facts (户): who the child lives with - used to match a row whose ID
#: number is missing or disagrees with the register's (:func:`core.imports.comparison.match_rows`).
_GUARDIAN = ImportColumn(
    field="guardian_name",
    header="监护人姓名",
    synonyms=("户主姓名", "家长姓名", "父母姓名"),
    max_length=32,
)

STUDENT_ROSTER = ImportFormat(
    code="STUDENT_ROSTER",
    label="全国中小学生学籍信息管理系统 学生名册",
    kind=ImportKind.STUDENT_ROSTER,
    source="学籍系统",
    columns=(
        ImportColumn(
            field="student_number",
            header="全国学籍号",
            synonyms=("学籍号", "学籍辅号"),
            required=True,
            kind=ValueKind.STUDENT_NUMBER,
            max_length=24,
        ),
        _NAME,
        _GENDER,
        _BIRTH,
        _ID_TYPE,
        _ID_NUMBER,
        _ETHNICITY,
        ImportColumn(
            field="school_code",
            header="学校标识码",
            synonyms=("学校代码", "学校编码"),
            required=True,
            max_length=10,
        ),
        ImportColumn(field="school_name", header="学校名称", synonyms=("学校",), max_length=128),
        ImportColumn(
            field="grade",
            header="年级",
            required=True,
            kind=ValueKind.VOCABULARY,
            vocabulary="grade",
            sample="七年级",
        ),
        ImportColumn(field="class_name", header="班级", synonyms=("班级名称",), max_length=32),
        ImportColumn(
            field="mode",
            header="就读方式",
            kind=ValueKind.VOCABULARY,
            vocabulary="enrolment_mode",
            sample="在校就读",
        ),
        _REGISTERED,
        _CURRENT,
        ImportColumn(
            field="left_behind",
            header="是否留守儿童",
            synonyms=("留守儿童",),
            kind=ValueKind.VOCABULARY,
            vocabulary="yes_no",
            sample="否",
        ),
        ImportColumn(
            field="migrant",
            header="是否进城务工人员随迁子女",
            synonyms=("随迁子女", "是否随迁子女"),
            kind=ValueKind.VOCABULARY,
            vocabulary="yes_no",
            sample="否",
        ),
        ImportColumn(
            field="disability_category",
            header="残疾人类型",
            synonyms=("残疾类型", "残疾类别"),
            kind=ValueKind.VOCABULARY,
            vocabulary="disability",
            sample="无",
        ),
    ),
)

HOUSEHOLD_REGISTER = ImportFormat(
    code="HOUSEHOLD_REGISTER",
    label="学户册 (公安户籍 0–18 岁人口)",
    kind=ImportKind.HOUSEHOLD_REGISTER,
    source="公安户籍",
    columns=(
        _NAME,
        _GENDER,
        _BIRTH,
        replace(_ID_NUMBER, required=True),
        _ETHNICITY,
        ImportColumn(field="head_name", header="户主姓名", synonyms=("户主",), max_length=32),
        _REGISTERED,
        _CURRENT,
    ),
)

DISABLED_ROSTER = ImportFormat(
    code="DISABLED_ROSTER",
    label="残联 残疾儿童少年名册",
    kind=ImportKind.DISABLED_ROSTER,
    source="残联",
    columns=(
        _NAME,
        _GENDER,
        _BIRTH,
        replace(_ID_NUMBER, required=True),
        ImportColumn(
            field="disability_category",
            header="残疾类别",
            synonyms=("残疾类型", "残疾人类型"),
            required=True,
            kind=ValueKind.VOCABULARY,
            vocabulary="disability",
            sample="肢体残疾",
        ),
        ImportColumn(
            field="disability_grade",
            header="残疾等级",
            kind=ValueKind.VOCABULARY,
            vocabulary="disability_grade",
            sample="二级",
        ),
        ImportColumn(field="certificate", header="残疾证号", max_length=32),
        _GUARDIAN,
        _REGISTERED,
    ),
)


def key_group_list(code: str, label: str, source: str, group: KeyGroup) -> ImportFormat:
    """A list naming the children of one 重点群体 (the list is the statement: who is on it is
    in the group, from the list's date; who has left it since the last list is not)."""
    return ImportFormat(
        code=code,
        label=label,
        kind=ImportKind.KEY_GROUP_LIST,
        source=source,
        key_group=group,
        columns=(
            _NAME,
            _GENDER,
            _BIRTH,
            replace(_ID_NUMBER, required=True),
            ImportColumn(
                field="since", header="认定日期", synonyms=("纳入日期",), kind=ValueKind.DATE
            ),
            _GUARDIAN,
            _REGISTERED,
        ),
    )


PLATFORM_SUSPECTED = ImportFormat(
    code="PLATFORM_SUSPECTED",
    label="全国控辍保学工作台账管理平台 疑似辍学名单",
    kind=ImportKind.PLATFORM_SUSPECTED,
    source="全国平台",
    columns=(
        ImportColumn(field="platform_ref", header="序号", synonyms=("编号",), max_length=32),
        _NAME,
        _GENDER,
        _BIRTH,
        _ID_NUMBER,
        ImportColumn(
            field="student_number",
            header="全国学籍号",
            synonyms=("学籍号",),
            kind=ValueKind.STUDENT_NUMBER,
            max_length=24,
        ),
        _REGISTERED,
        _GUARDIAN,
        ImportColumn(field="note", header="备注", synonyms=("疑似原因",)),
    ),
)

#: 考勤导入: one row per child and school day (usually only the children not simply present:
#: a class's day found in the file is recorded with everyone else of the class present).
ATTENDANCE = ImportFormat(
    code="ATTENDANCE",
    label="考勤导入 (班级考勤记录)",
    kind=ImportKind.ATTENDANCE,
    source="学校考勤",
    columns=(
        ImportColumn(
            field="student_number",
            header="全国学籍号",
            synonyms=("学籍号", "学籍辅号"),
            kind=ValueKind.STUDENT_NUMBER,
            max_length=24,
        ),
        _ID_NUMBER,
        _NAME,
        ImportColumn(
            field="day",
            header="日期",
            synonyms=("考勤日期", "缺勤日期"),
            required=True,
            kind=ValueKind.DATE,
        ),
        ImportColumn(
            field="status",
            header="状态",
            synonyms=("考勤状态", "出勤情况", "考勤情况"),
            required=True,
            kind=ValueKind.VOCABULARY,
            vocabulary="attendance_status",
            sample="缺勤",
        ),
        ImportColumn(
            field="reason",
            header="缺勤原因",
            synonyms=("缺勤类型", "请假类型", "原因"),
            kind=ValueKind.VOCABULARY,
            vocabulary="absence_reason",
            sample="病假",
        ),
        ImportColumn(field="note", header="备注", synonyms=("说明",), max_length=255),
    ),
)

#: Core's formats, by code (a county plugin's format with the same code replaces one).
CORE_FORMATS: dict[str, ImportFormat] = {
    f.code: f
    for f in (
        STUDENT_ROSTER,
        HOUSEHOLD_REGISTER,
        DISABLED_ROSTER,
        key_group_list(
            "POVERTY_LIFTED_LIST", "脱贫户家庭子女名单", "乡村振兴部门", KeyGroup.POVERTY_LIFTED
        ),
        key_group_list("MONITORED_LIST", "监测户家庭子女名单", "乡村振兴部门", KeyGroup.MONITORED),
        key_group_list("LOW_INCOME_LIST", "低保家庭子女名单", "民政部门", KeyGroup.LOW_INCOME),
        key_group_list("ORPHAN_LIST", "孤儿名单", "民政部门", KeyGroup.ORPHAN),
        key_group_list(
            "DE_FACTO_UNSUPPORTED_LIST",
            "事实无人抚养儿童名单",
            "民政部门",
            KeyGroup.DE_FACTO_UNSUPPORTED,
        ),
        key_group_list("IN_DIFFICULTY_LIST", "困境儿童名单", "民政部门", KeyGroup.IN_DIFFICULTY),
        PLATFORM_SUSPECTED,
        ATTENDANCE,
    )
}
