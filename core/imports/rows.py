"""One roster row checked: cell texts in, typed values or row issues out.

The checks a registry entry gets are the registry's own (:mod:`core.people.services`: the
resident ID's checksum and its agreement with birth date and gender, the 学籍号's shape, a
birth date within the register's span); here they are only asked per row and their refusals
turned into :class:`RowIssue` naming the row, the column's header and the value.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from core.errors import DomainError, ErrorCode
from core.imports.formats import VOCABULARIES, ImportFormat, ValueKind, vocabulary_key
from core.people import services as registry
from core.people.enums import Gender


@dataclass(frozen=True)
class RowIssue:
    """A reason a row (or the file) is refused: 行号, 列, 值, 原因."""

    row: int
    column: str
    value: str
    code: ErrorCode
    zh: str
    en: str


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")
_TIME_TAIL = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2})?(\.\d+)?$")


def parse_date(text: str) -> datetime.date | None:
    text = text.strip()
    if len(text) == 10 and text[4] == "-":  # the usual 2014-09-01: no strptime (it is slow)
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            return None
    text = _TIME_TAIL.sub("", text)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


#: Which header a registry error's field is reported against.
_FIELD_OF_ERROR = {
    "idNumber": "id_number",
    "birthDate": "birth_date",
    "studentNumber": "student_number",
    "gender": "gender",
    "name": "name",
}


def check_row(
    fmt: ImportFormat, number: int, cells: dict[str, str], today: datetime.date
) -> tuple[dict[str, Any], list[RowIssue]]:
    """The row's values by field, and its issues (the values are only to be used when there
    are none)."""
    values: dict[str, Any] = {}
    issues: list[RowIssue] = []

    def refuse(field: str, code: ErrorCode, zh: str, en: str) -> None:
        column = fmt.column(field)
        header = column.header if column else field
        issues.append(RowIssue(number, header, cells.get(field, ""), code, zh, en))

    for column in fmt.columns:
        text = cells.get(column.field, "")
        if not text:
            if column.required:
                refuse(
                    column.field,
                    ErrorCode.REQUIRED,
                    f"{column.header}不能为空",
                    f"{column.header} is required",
                )
            continue
        if len(text) > column.max_length:
            refuse(
                column.field,
                ErrorCode.INVALID,
                f"{column.header}不能超过 {column.max_length} 个字",
                f"{column.header} is longer than {column.max_length} characters",
            )
            continue
        if column.kind is ValueKind.DATE:
            day = parse_date(text)
            if day is None:
                refuse(
                    column.field,
                    ErrorCode.INVALID,
                    f"{column.header}不是有效日期 (如 2014-09-01)",
                    f"{column.header} is not a date (such as 2014-09-01)",
                )
                continue
            values[column.field] = day
        elif column.kind is ValueKind.VOCABULARY:
            vocabulary = VOCABULARIES[column.vocabulary]
            key = vocabulary_key(text)
            if key not in vocabulary:
                allowed = "、".join(k for k in list(vocabulary)[:12])
                refuse(
                    column.field,
                    ErrorCode.INVALID,
                    f"{column.header}的取值「{text}」不在代码表中 (可用: {allowed})",
                    f"{column.header}: {text!r} is not a known value",
                )
                continue
            values[column.field] = vocabulary[key]
        else:
            values[column.field] = text

    try:
        if "student_number" in values:
            values["student_number"] = registry.check_student_number(values["student_number"])
        if "birth_date" in values:
            registry.check_birth_date(values["birth_date"], today)
    except DomainError as exc:
        refuse(_FIELD_OF_ERROR.get(exc.field or "", exc.field or ""), exc.code, exc.zh, exc.en)
    if values.get("id_type", "RESIDENT_ID") == "RESIDENT_ID" and "id_number" in values:
        try:
            values["id_number"] = registry.check_resident_id(
                values["id_number"],
                today=today,
                birth_date=values.get("birth_date"),
                gender=Gender(values["gender"]) if values.get("gender") else None,
            )
        except DomainError as exc:
            refuse("id_number", exc.code, exc.zh, exc.en)
    elif "id_number" in values:
        values["id_number"] = registry.normalise_id_number(values["id_number"])
    return values, issues
