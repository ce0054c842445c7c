"""Import jobs left ``RUNNING`` by a server that was restarted (or a process that was killed):
the server's start-up finds them - a process of this machine that no longer exists, or no
heartbeat for ten minutes - marks them failed with the reason in Chinese and English, and the
county and format are free for the next import. A job whose process still runs is left alone."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.imports import services
from core.imports.models import ImportJob, ImportMode, ImportState
from core.server import create_app
from tests.imports.conftest import Roster, do_import
from tests.imports.files import write_csv

pytestmark = pytest.mark.asyncio


def _dead_pid() -> int:
    """The id of a process of this machine that has exited (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


async def _running(roster: Roster, format_code: str, message: str, heartbeat: datetime):
    return await ImportJob.create(
        jurisdiction=roster.jurisdiction,
        format_code=format_code,
        file_name=f"{format_code}.csv",
        checksum="0" * 64,
        mode=ImportMode.ALL,
        state=ImportState.RUNNING,
        started_at=heartbeat,
        heartbeat_at=heartbeat,
        running_key=services.running_key(roster.jurisdiction.id, format_code),
        message=message,
    )


async def test_server_start_up_fails_the_jobs_a_dead_process_left_running(
    roster: Roster, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    host = socket.gethostname()[:120]
    killed = await _running(
        roster, "STUDENT_ROSTER", f"导入进行中 / running: {host} pid {_dead_pid()}", now
    )
    # another machine's job (its process cannot be asked): its lease ran out an hour ago
    lost = await _running(
        roster,
        "DISABLED_ROSTER",
        "导入进行中 / running: another-host pid 1",
        now - timedelta(hours=1),
    )
    # another machine's job with a fresh heartbeat, and one of a process that is alive (this
    # one, as a second server on the machine would be): both still running
    elsewhere = await _running(
        roster, "KEY_GROUP_LIST", "导入进行中 / running: another-host pid 1", now
    )
    alive = await _running(roster, "HOUSEHOLD_REGISTER", services.running_message(), now)

    app = create_app(manage_database=False)
    async with app.router.lifespan_context(app):
        pass

    killed, lost, elsewhere, alive = [
        await ImportJob.get(id=j.id) for j in (killed, lost, elsewhere, alive)
    ]
    assert killed.state is ImportState.FAILED and killed.running_key is None
    assert killed.finished_at is not None
    assert "进程已退出" in killed.message and "process running the import ended" in killed.message
    assert lost.state is ImportState.FAILED and lost.running_key is None
    assert "没有进度" in lost.message and "no progress for 10 minutes" in lost.message
    assert elsewhere.state is ImportState.RUNNING and elsewhere.running_key is not None
    assert alive.state is ImportState.RUNNING and alive.running_key is not None

    # the county's 学籍 roster can be imported again at once
    path = write_csv(tmp_path / "r.csv", roster.headers, roster.rows[:3], "utf-8")
    job = await do_import(path)
    assert job.state is ImportState.SUCCEEDED, (job.message, job.issues[:3])
    assert job.counts["new"] == 3
