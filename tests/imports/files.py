"""Roster files for the import tests: synthetic children with valid ID numbers, written the
ways Excel and WPS save them (XLSX, CSV in UTF-8 with BOM, CSV in GBK)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from core.people.resident_id import make_resident_id

#: The 学籍 export's headers, as the national system writes them.
STUDENT_HEADERS = (
    "全国学籍号",
    "姓名",
    "性别",
    "出生日期",
    "身份证件类型",
    "身份证件号",
    "民族",
    "学校标识码",
    "学校名称",
    "年级",
    "班级",
    "就读方式",
    "户口所在地",
    "现住址",
    "是否留守儿童",
    "是否进城务工人员随迁子女",
    "残疾人类型",
)

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "子涵浩然欣怡梓轩雨桐宇航思琪俊杰诗雨嘉怡"


def synthetic_name(i: int) -> str:
    return _SURNAMES[i % len(_SURNAMES)] + _GIVEN[(i * 7) % len(_GIVEN)] + _GIVEN[(i * 3) % 16]


def student_row(
    i: int,
    *,
    division: str,
    school_code: str,
    school_name: str,
    grade: int,
    class_name: str,
    born: date,
) -> list[str]:
    sequence = 100 + (i % 800)
    number = make_resident_id(division, born, sequence)
    gender = "男" if int(number[16]) % 2 == 1 else "女"
    grade_names = [
        "一年级",
        "二年级",
        "三年级",
        "四年级",
        "五年级",
        "六年级",
        "初一",
        "初二",
        "初三",
    ]
    return [
        "G" + number,
        synthetic_name(i),
        gender,
        born.isoformat(),
        "居民身份证",
        number,
        "汉族",
        school_code,
        school_name,
        grade_names[grade - 1],
        class_name,
        "在校就读",
        "某县某镇某村",
        "某县某镇某村",
        "是" if i % 5 == 0 else "否",
        "否",
        "无",
    ]


def write_csv(path: Path, headers: Sequence[str], rows: Sequence[Sequence[str]], encoding: str):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path
