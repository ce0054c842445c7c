"""The import suite: the two demo counties of the access suite, and roster files built from the
schools and classes of 荔浦."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.access.caller import Caller
from core.demo.calendar import grade_birth_range
from core.imports.models import ImportMode
from core.imports.services import ImportRequest, run_import
from core.jurisdictions.models import Jurisdiction
from core.schools.models import School, SchoolClass
from tests.access.conftest import (  # noqa: F401 - fixtures re-exported for this directory
    LIPU,
    RONGCHANG,
    Clock,
    Counties,
    clock,
    counties,
    fast_argon2,
    http,
    make_client,
)
from tests.imports.files import STUDENT_HEADERS, student_row


@dataclass
class Roster:
    """A 学籍 roster of new synthetic pupils in one school of 荔浦."""

    jurisdiction: Jurisdiction
    school: School
    classes: list[SchoolClass]
    rows: list[list[str]]
    headers: tuple[str, ...] = STUDENT_HEADERS


def build_rows(
    school: School, classes: list[SchoolClass], n: int, start: int = 0
) -> list[list[str]]:
    rows = []
    for i in range(start, start + n):
        klass = classes[i % len(classes)]
        first, _ = grade_birth_range(klass.grade)
        rows.append(
            student_row(
                i,
                division=LIPU,
                school_code=school.code,
                school_name=school.name,
                grade=klass.grade,
                class_name=klass.name,
                born=first + timedelta(days=(i * 13) % 300),
            )
        )
    return rows


@pytest.fixture
async def roster(counties: Counties) -> Roster:  # noqa: F811
    jurisdiction = await Jurisdiction.get(division_code=LIPU)
    school = (
        await School.filter(jurisdiction=jurisdiction, classes__school_year=2026)
        .order_by("code")
        .distinct()
        .first()
    )
    assert school is not None
    classes = await SchoolClass.filter(school=school, school_year=2026).order_by("grade", "name")
    return Roster(jurisdiction, school, list(classes), build_rows(school, list(classes), 40))


async def do_import(
    path: Path,
    fmt: str = "STUDENT_ROSTER",
    *,
    mode: ImportMode = ImportMode.ALL,
    dry_run: bool = False,
    caller: Caller | None = None,
    jurisdiction: str | None = LIPU,
) -> Any:
    return await run_import(
        ImportRequest(
            caller=caller or Caller.system(),
            format_code=fmt,
            path=path,
            now=datetime.now(UTC),
            jurisdiction_code=jurisdiction,
            mode=mode,
            dry_run=dry_run,
        )
    )
