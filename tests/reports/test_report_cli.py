"""``baoxue report`` (issue 13 point 8) as the operator runs it: a report stored as a snapshot
and written whole, and a ledger of children written chunk by chunk with ``--no-store``, the
same bytes as the stored one, whole or not at all, and the way out when a ledger is too large
for a snapshot."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from core.cli import main
from tests.test_demo import scratch_url  # noqa: F401 - the fixture

#: The school year 2026—2027: a ledger of it lists the children as of today.
YEAR = "2026"


def _run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _lines(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())  # Excel and WPS read it as UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _report(url: str, fmt: str, output: Path, *more: str, period: str = YEAR):
    return _run(
        "report", fmt, "-j", "369901", "-p", period, "-o", str(output), "--database-url", url, *more
    )


def test_a_ledger_of_children_is_written_in_chunks_as_the_stored_one_is_whole(
    scratch_url: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    demo = _run(
        "demo", "--students", "60", "--jurisdiction", "369901", "--database-url", scratch_url
    )
    assert demo.exit_code == 0, demo.output

    stored = _report(scratch_url, "household-register", tmp_path / "stored.csv")
    assert stored.exit_code == 0, stored.output
    assert "快照 / snapshot" in stored.output

    monkeypatch.setattr("core.reports.register.CHUNK", 7)  # several chunks for 60 pupils' county
    streamed = _report(scratch_url, "household-register", tmp_path / "streamed.csv", "--no-store")
    assert streamed.exit_code == 0, streamed.output
    assert "快照" not in streamed.output
    rows, digest = re.search(r": (\d+) 行 → .* sha256 ([0-9a-f]{64})", streamed.output).groups()
    body = (tmp_path / "streamed.csv").read_bytes()
    # the same header and children: the stream in the paged order (name, then id), the whole
    # table by town and village, each numbered 1, 2, … in its own order
    lines, whole = _lines(body), _lines((tmp_path / "stored.csv").read_bytes())
    assert lines[0] == whole[0] and len(lines) == len(whole)
    assert sorted(r[1:] for r in lines[1:]) == sorted(r[1:] for r in whole[1:])
    assert [r[0] for r in lines[1:]] == [str(n) for n in range(1, len(lines))]
    assert hashlib.sha256(body).hexdigest() == digest
    assert int(rows) == body.count(b"\r\n") - 1 > 60  # the header; children beyond the pupils

    xlsx = _report(scratch_url, "household-register", tmp_path / "streamed.xlsx", "--no-store")
    assert xlsx.exit_code == 0, xlsx.output
    sheet = load_workbook(tmp_path / "streamed.xlsx", read_only=True).active
    numbers = [r[0] for r in sheet.iter_rows(values_only=True) if isinstance(r[0], int)]
    assert numbers == list(range(1, int(rows) + 1))
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []

    # a report that is not a ledger of children is written whole, even with --no-store
    roster = _report(
        scratch_url, "dropout-roster", tmp_path / "roster.csv", "--no-store", period="2026-11-30"
    )
    assert roster.exit_code == 0, roster.output
    assert "sha256" not in roster.output and (tmp_path / "roster.csv").exists()


def test_a_ledger_too_large_for_a_snapshot_names_no_store_and_leaves_no_file(
    scratch_url: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    demo = _run(
        "demo", "--students", "40", "--jurisdiction", "369901", "--database-url", scratch_url
    )
    assert demo.exit_code == 0, demo.output
    monkeypatch.setattr("core.reports.register.SNAPSHOT_ROW_LIMIT", 10)

    refused = _report(scratch_url, "household-register", tmp_path / "big.xlsx")
    assert refused.exit_code == 1
    assert "TOO_LARGE" in refused.output or "超过" in refused.output, refused.output
    assert "--no-store" in refused.output and not (tmp_path / "big.xlsx").exists()

    written = _report(scratch_url, "household-register", tmp_path / "big.xlsx", "--no-store")
    assert written.exit_code == 0, written.output
    assert (tmp_path / "big.xlsx").stat().st_size > 0

    nowhere = _report(scratch_url, "household-register", tmp_path / "no" / "x.csv", "--no-store")
    assert nowhere.exit_code == 2 and "does not exist" in nowhere.output  # not a traceback
    wrong = _report(scratch_url, "household-register", tmp_path / "x.pdf", "--no-store")
    assert wrong.exit_code == 2 and ".xlsx or .csv" in wrong.output

    unknown = _report(scratch_url, "no-such-format", tmp_path / "x.csv", "--no-store")
    assert unknown.exit_code == 1 and "no-such-format" in unknown.output
    assert not (tmp_path / "x.csv").exists()
