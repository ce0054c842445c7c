"""An import killed for real (SIGKILL) half-way through writing: ``baoxue import`` runs as its own
process on a roster big enough to be caught mid-write, is killed once it reports progress (by
then several chunks are written inside its transaction), and the database keeps nothing of it;
the next import finds the dead job, marks it failed and runs."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import timedelta
from pathlib import Path

from core.demo.calendar import grade_birth_range
from core.enrolment.models import EnrolmentChange
from core.imports.models import ImportJob, ImportState
from core.people.models import Child
from core.people.resident_id import make_resident_id
from tests.imports.conftest import LIPU, Roster, do_import
from tests.imports.files import student_row, write_csv

ROWS = 20_000


def big_roster(roster: Roster) -> list[list[str]]:
    """``ROWS`` pupils with distinct ID numbers, spread over the school's classes."""
    classes = roster.classes
    rows = []
    for i in range(ROWS):
        klass = classes[i % len(classes)]
        first, _ = grade_birth_range(klass.grade)
        born = first + timedelta(days=(i // len(classes)) % 300)
        sequence = 100 + i % len(classes) + len(classes) * (i // (len(classes) * 300))
        row = student_row(
            i,
            division=LIPU,
            school_code=roster.school.code,
            school_name=roster.school.name,
            grade=klass.grade,
            class_name=klass.name,
            born=born,
        )
        number = make_resident_id(LIPU, born, sequence)
        row[0], row[5] = "G" + number, number
        row[2] = "男" if int(number[16]) % 2 == 1 else "女"
        rows.append(row)
    return rows


async def test_an_import_killed_mid_write_leaves_nothing_and_the_next_one_runs(
    roster: Roster, tmp_path: Path, database_url: str
) -> None:
    rows = big_roster(roster)
    path = write_csv(tmp_path / "big.csv", roster.headers, rows, "gbk")
    baoxue = Path(sys.executable).parent / "baoxue"
    process = await asyncio.create_subprocess_exec(
        str(baoxue),
        "import",
        "STUDENT_ROSTER",
        str(path),
        "--jurisdiction",
        LIPU,
        "--mode",
        "valid",
        env={**os.environ, "DATABASE_URL": database_url},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    try:
        # the first progress line comes at 5,000 rows: two chunks of 2,000 are written by then
        line = await asyncio.wait_for(process.stderr.readline(), timeout=300)
        assert "rows read" in line.decode(), line
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    assert process.returncode == -signal.SIGKILL  # killed, not finished

    numbers = [r[0] for r in rows]
    assert await Child.filter(student_number__in=numbers[:1000]).count() == 0
    killed = await ImportJob.get(format_code="STUDENT_ROSTER")
    assert killed.state is ImportState.RUNNING  # as the dead process left it
    assert f"pid {process.pid}" in killed.message
    assert not await EnrolmentChange.filter(reason__contains=str(killed.id)).exists()

    # the next import (this process) sees the job's process is gone and runs at once
    small = write_csv(tmp_path / "small.csv", roster.headers, rows[:30], "utf-8")
    job = await do_import(small)
    assert job.state is ImportState.SUCCEEDED, (job.message, job.issues[:3])
    assert job.counts["new"] == 30
    killed = await ImportJob.get(id=killed.id)
    assert killed.state is ImportState.FAILED and killed.running_key is None
    assert await Child.filter(student_number__in=numbers).count() == 30
