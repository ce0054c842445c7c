"""Several workers on one SQLite file lock each other out (``database is locked``, as INTERNAL
errors): ``baoxue serve`` refuses them with a clear message (issue 10, point 16)."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from core.cli import main


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    # serve points the metrics of several workers at a directory: not this test process's
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "unset-after-the-test")
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    return calls


def test_serve_refuses_several_workers_on_sqlite(started, tmp_path) -> None:
    result = CliRunner().invoke(
        main, ["serve", "--workers", "2", "--database-url", f"sqlite://{tmp_path}/b.db"]
    )
    assert started == [], f"uvicorn was started with {started}"
    assert result.exit_code != 0
    assert "SQLite" in result.output and "PostgreSQL" in result.output
    assert "--workers" in result.output


def test_serve_refuses_several_workers_from_the_environment(started, tmp_path) -> None:
    result = CliRunner().invoke(
        main,
        ["serve", "--database-url", f"{tmp_path}/b.db"],
        env={"BAOXUE_WORKERS": "4"},
    )
    assert started == []
    assert result.exit_code != 0


def test_one_sqlite_worker_and_several_postgres_workers_start(started, tmp_path) -> None:
    one = CliRunner().invoke(main, ["serve", "--database-url", f"sqlite://{tmp_path}/b.db"])
    assert one.exit_code == 0, one.output
    many = CliRunner().invoke(
        main, ["serve", "--workers", "3", "--database-url", "postgres://u@127.0.0.1:5432/x"]
    )
    assert many.exit_code == 0, many.output
    assert [c["workers"] for c in started] == [1, 3]
