"""The events tests run on the case tests' county (荔浦's rules: 班主任 → 学校 → 乡镇), its staff
and its movable clock."""

from __future__ import annotations

from tests.cases.conftest import (  # noqa: F401 - fixtures
    api,
    clock,
    county,
    fast_argon2,
    head_teacher,
    http,
    township,
    workflow,
)
