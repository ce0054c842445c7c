"""Settings are checked (issue 16, point 4): a bad value stops ``baoxue serve`` with one line
naming the variable, no traceback; every setting and every permission is in the README."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from core.access.enums import Permission
from core.access.roles import ROLE_PERMISSIONS
from core.settings import Settings, environment_variable, load_settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BAOXUE = Path(sys.executable).parent / "baoxue"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BAOXUE_LOG_LEVEL", "loud"),
        ("BAOXUE_GRAPHIQL", "maybe"),
        ("BAOXUE_INTROSPECTION", "nein"),
        ("BAOXUE_MAX_QUERY_COST", "lots"),
        ("BAOXUE_RATE_LIMIT_STAFF", "-1"),
        ("BAOXUE_TRUSTED_PROXIES", "127.0.0.1,proxy.local"),
    ],
)
def test_a_bad_value_stops_start_up_with_one_line(tmp_path, variable, value) -> None:
    env = {**os.environ, variable: value, "DATABASE_URL": f"sqlite://{tmp_path}/b.db"}
    result = subprocess.run(
        [str(BAOXUE), "serve", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0] and repr(value) in lines[0]
    assert "Traceback" not in result.stderr and "Uvicorn running" not in result.stderr


@pytest.mark.parametrize(
    ("word", "expected"),
    [("true", True), ("1", True), ("yes", True), ("FALSE", False), ("0", False), ("no", False)],
)
def test_boolean_words(monkeypatch, word, expected) -> None:
    monkeypatch.setenv("BAOXUE_GRAPHIQL", word)
    assert load_settings().graphiql is expected


def test_values_are_parsed(monkeypatch) -> None:
    monkeypatch.setenv("BAOXUE_LOG_LEVEL", "WARNING")
    monkeypatch.setenv("BAOXUE_CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("BAOXUE_TRUSTED_PROXIES", "10.0.0.0/8")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@127.0.0.1:5432/x")
    monkeypatch.setenv("REDIS_URL", "")
    monkeypatch.setenv("BAOXUE_PORT", "")
    settings = load_settings()
    assert settings.log_level == "warning"
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    assert settings.trusted_proxies == ("10.0.0.0/8",)
    assert settings.database_url == "postgres://u@127.0.0.1:5432/x" and settings.is_postgres
    assert settings.redis_url is None and settings.port == 8000


def _configuration_table() -> str:
    section = README.split("## Configuration", 1)[1]
    return section.split("\n## ", 1)[0]


def test_every_setting_is_in_the_readme_table() -> None:
    table = _configuration_table()
    missing = [
        environment_variable(f)
        for f in Settings.model_fields
        if f"`{environment_variable(f)}`" not in table and not _in_grouped_row(table, f)
    ]
    assert missing == [], f"README's configuration table lacks {missing}"


def _in_grouped_row(table: str, field: str) -> bool:
    """Rows such as `BAOXUE_RATE_LIMIT_STAFF` / `_KEY` / `_ANONYMOUS` name several."""
    name = environment_variable(field)
    for row in table.splitlines():
        first = row.split("|")[1] if row.startswith("|") else ""
        heads = re.findall(r"`(BAOXUE_[A-Z_]+)`", first)
        tails = re.findall(r"`(_[A-Z_]+)`", first)
        for head in heads:
            stem = head.rsplit("_", 1)[0]
            if name == head or any(name == stem + tail for tail in tails):
                return True
    return False


def test_every_variable_core_reads_is_in_the_readme() -> None:
    names = set()
    for path in (ROOT / "core").rglob("*.py"):
        names |= set(re.findall(r"\"(BAOXUE_[A-Z_]+)\"", path.read_text(encoding="utf-8")))
    names -= {"BAOXUE_SCHEMA_BASELINE"}  # a switch of the schema-compatibility test (docs/api.md)
    missing = sorted(n for n in names if n not in README)
    assert missing == []


def test_every_permission_is_in_the_readme_with_its_roles() -> None:
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^\| `([A-Z_]+)` \| [^|]+ \| ([^|]*) \|", README, re.M)
    }
    for permission in Permission:
        assert permission.value in rows, f"README lacks permission {permission.value}"
        listed = {r.strip() for r in rows[permission.value].split(",") if r.strip()}
        holders = {r.value for r, perms in ROLE_PERMISSIONS.items() if permission in perms}
        assert listed == holders, permission
