"""The formats as data: the sample files of docs/samples read cleanly with their format, the
documentation names every format and column, header synonyms and vocabularies work."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from core.errors import DomainError
from core.imports.formats import CORE_FORMATS, STUDENT_ROSTER
from core.imports.reading import match_header, read_rows
from core.imports.rows import check_row, parse_date

DOCS = Path(__file__).resolve().parents[2] / "docs"
SAMPLES = {
    "student_roster.csv": "STUDENT_ROSTER",
    "student_roster.xlsx": "STUDENT_ROSTER",
    "household_register.csv": "HOUSEHOLD_REGISTER",
    "disabled_roster.csv": "DISABLED_ROSTER",
    "monitored_list.csv": "MONITORED_LIST",
    "platform_suspected.csv": "PLATFORM_SUSPECTED",
    "attendance.csv": "ATTENDANCE",
}


@pytest.mark.parametrize(("name", "code"), sorted(SAMPLES.items()))
def test_each_sample_reads_without_a_refused_cell(name: str, code: str) -> None:
    fmt = CORE_FORMATS[code]
    rows = list(read_rows(fmt, DOCS / "samples" / name))
    assert rows
    for number, cells in rows:
        values, issues = check_row(fmt, number, cells, date(2026, 12, 2))
        assert issues == [], issues
        assert values["name"].startswith("示例")


def test_the_csv_and_xlsx_samples_read_the_same() -> None:
    csv_rows = list(read_rows(STUDENT_ROSTER, DOCS / "samples" / "student_roster.csv"))
    xlsx_rows = list(read_rows(STUDENT_ROSTER, DOCS / "samples" / "student_roster.xlsx"))
    assert csv_rows == xlsx_rows


def test_docs_name_every_format_and_header() -> None:
    text = (DOCS / "import.md").read_text(encoding="utf-8")
    for fmt in CORE_FORMATS.values():
        assert f"`{fmt.code}`" in text, fmt.code
        for column in fmt.columns:
            assert f"| {column.header} |" in text, (fmt.code, column.header)


def test_headers_by_synonym_and_missing_required_columns() -> None:
    header = match_header(
        STUDENT_ROSTER, ["学籍号", "学生姓名", "性别", "出生年月日", "学校代码", "年级"], 1
    )
    assert header.positions == {
        "student_number": 0,
        "name": 1,
        "gender": 2,
        "birth_date": 3,
        "school_code": 4,
        "grade": 5,
    }
    with pytest.raises(DomainError) as missing:
        match_header(STUDENT_ROSTER, ["姓名", "性别"], 1)
    assert "全国学籍号" in missing.value.zh and "出生日期" in missing.value.zh


def test_vocabularies_and_dates() -> None:
    cells = {"grade": "初一", "gender": "女", "left_behind": "是", "mode": "送教上门"}
    values, _ = check_row(STUDENT_ROSTER, 2, cells, date(2026, 12, 2))
    assert (values["grade"], values["gender"], values["left_behind"], values["mode"]) == (
        7,
        "FEMALE",
        True,
        "HOME_DELIVERED",
    )
    for text in ("2014-09-01", "2014/9/1", "20140901", "2014年9月1日", "2014-09-01 00:00:00"):
        assert parse_date(text) == date(2014, 9, 1), text
    assert parse_date("2014-13-01") is None
