"""The operator's command line, through click's runner: the API's global ids in and out,
progress without a terminal, and the README's curl example failing cleanly."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.cli import main
from core.global_ids import decode_global_id, encode_global_id
from core.progress import Progress
from tests.test_demo import scratch_url  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Lijiang-bamboo-raft-77"


def _run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _first_row(url: str, sql: str) -> str:
    if not url.startswith("sqlite://"):
        pytest.skip("reads the scratch SQLite file directly")
    with sqlite3.connect(url.removeprefix("sqlite://")) as conn:
        return conn.execute(sql).fetchone()[0]


def test_the_cli_takes_and_prints_global_ids(scratch_url: str) -> None:  # noqa: F811
    demo = _run(
        "demo", "--students", "60", "--jurisdiction", "369901", "--database-url", scratch_url
    )
    assert demo.exit_code == 0, demo.output
    class_row = _first_row(scratch_url, "SELECT id FROM school_class ORDER BY id LIMIT 1")
    school_row = _first_row(scratch_url, "SELECT id FROM school ORDER BY id LIMIT 1")

    def create(name: str, class_id: str):
        return _run(
            "account", "create", "--username", name, "--password", PASSWORD, "--role",
            "HEAD_TEACHER", "--jurisdiction", "369901", "--class-id", class_id,
            "--database-url", scratch_url,
        )  # fmt: skip

    made = create("wang.laoshi", encode_global_id("SchoolClass", class_row))
    assert made.exit_code == 0, made.output
    printed = re.search(r"id (\S+)", made.output).group(1)
    decoded = decode_global_id(printed)
    assert decoded is not None and decoded.type_name == "StaffAccount"
    assert create("li.laoshi", str(class_row)).exit_code == 0  # a bare UUID still works

    wrong = create("zhao.laoshi", encode_global_id("School", school_row))
    assert wrong.exit_code == 2
    assert "SchoolClass" in wrong.output and "Traceback" not in wrong.output
    garbage = create("zhao.laoshi", "not-an-id")
    assert garbage.exit_code == 2 and "not-an-id" in garbage.output

    weak = _run(
        "account", "create", "--username", "zhao.laoshi", "--password", "woaini1314", "--role",
        "COUNTY_ADMIN", "--jurisdiction", "369901", "--database-url", scratch_url,
    )  # fmt: skip
    assert weak.exit_code == 1 and "常见" in weak.output

    # the operator's way back in for an administrator who forgot the password, and disabling
    reset = _run(
        "account", "reset-password", "--username", "wang.laoshi", "--database-url", scratch_url
    )
    assert reset.exit_code == 0, reset.output
    assert re.search(r"\(shown once, 只显示一次\): bxr_\S{40,}", reset.output)
    off = _run("account", "disable", "--username", "wang.laoshi", "--database-url", scratch_url)
    assert off.exit_code == 0 and "disabled" in off.output
    active = "SELECT is_active FROM staff_account WHERE username = 'wang.laoshi'"
    assert not _first_row(scratch_url, active)
    on = _run("account", "enable", "--username", "wang.laoshi", "--database-url", scratch_url)
    assert on.exit_code == 0 and _first_row(scratch_url, active)
    nobody = _run("account", "disable", "--username", "nobody", "--database-url", scratch_url)
    assert nobody.exit_code == 1 and "no account nobody" in nobody.output

    due = _run("deadlines", "--json", "--within", "366", "--database-url", scratch_url)
    groups = json.loads(due.output)["groups"]
    ids = [case["caseId"] for group in groups for case in group["cases"]]
    assert ids, due.output
    assert all(decode_global_id(i).type_name == "Case" for i in ids)
    text = _run("deadlines", "--within", "366", "--database-url", scratch_url).output
    assert f"({ids[0]})" in text


def test_the_migrate_command_reports_each_migration_without_a_terminal(tmp_path: Path) -> None:
    result = _run("migrate", "--database-url", f"sqlite://{tmp_path / 'fresh.db'}")
    assert result.exit_code == 0, result.output
    assert "applying / 正在应用 baoxue.0001_initial" in result.output
    assert re.search(r"applied / 已应用 baoxue\.0001_initial \(\d+\.\d s\)", result.output)


def test_progress_without_a_terminal_is_a_line_every_few_seconds(capsys) -> None:
    moments = iter([0.0, 1.0, 2.0, 6.0, 7.0, 13.0, 14.0])
    progress = Progress(
        "生成 / generating", interval=5, terminal=False, clock=lambda: next(moments)
    )
    for done in (10, 20, 30, 40, 50):
        progress(done, 100)
    progress.close()
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "生成 / generating: 10/100 (10%), 1 s",
        "生成 / generating: 30/100 (30%), 6 s",
        "生成 / generating: 50/100 (50%), 13 s",
    ]


def _readme_login_script() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.search(r"\| python3 -c '\n(.*?)\n'\)", readme, re.S).group(1)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (
            {"data": {"login": {"token": None, "errors": [{"message": "用户名或密码错误"}]}}},
            "login refused: 用户名或密码错误",
        ),
        (
            {"errors": [{"message": "请求过于频繁", "extensions": {"code": "RATE_LIMITED"}}]},
            "login refused: 请求过于频繁",
        ),
        ({"data": None}, "login refused: no token"),
        ("<html>502 Bad Gateway</html>", "no JSON answer"),
        ("", "no JSON answer"),
    ],
)
def test_the_readme_curl_example_fails_with_one_clear_line(answer, expected) -> None:
    text = answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)
    run = subprocess.run(
        [sys.executable, "-c", _readme_login_script()],
        input=text,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert run.stdout == ""
    assert run.stderr.strip() == expected or run.stderr.startswith(expected)
    assert "Traceback" not in run.stderr


def test_the_readme_curl_example_prints_the_token() -> None:
    answer = json.dumps({"data": {"login": {"token": "abc.def.ghi", "errors": []}}})
    run = subprocess.run(
        [sys.executable, "-c", _readme_login_script()],
        input=answer,
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout == "abc.def.ghi\n"


def test_metrics_rebuild_finds_a_wrong_stored_fact_then_puts_it_right(
    scratch_url: str,  # noqa: F811
) -> None:
    demo = _run(
        "demo", "--students", "40", "--jurisdiction", "369901", "--database-url", scratch_url
    )
    assert demo.exit_code == 0, demo.output
    clean = _run("metrics", "--rebuild", "--database-url", scratch_url)
    assert clean.exit_code == 0, clean.output
    assert "0 stored child facts differed" in clean.output

    child = _first_row(scratch_url, "SELECT child_id FROM child_fact ORDER BY child_id LIMIT 1")
    with sqlite3.connect(scratch_url.removeprefix("sqlite://")) as conn:
        conn.execute("UPDATE child_fact SET birth_date = '1990-01-01' WHERE child_id = ?", [child])
    wrong = _run("metrics", "--rebuild", "--database-url", scratch_url)
    assert wrong.exit_code == 1, wrong.output
    assert "1 stored child facts differed" in wrong.output
    assert "0 differ after the rebuild" in wrong.output
    again = _run("metrics", "--rebuild", "--database-url", scratch_url)
    assert again.exit_code == 0, again.output
