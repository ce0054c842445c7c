"""A real ``baoxue serve`` (uvicorn) in a subprocess on 127.0.0.1 and a free port, on a fresh
SQLite file with a small demo county: for tests that need what only a real server shows (its
stderr, a browser talking to it)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    stderr_path: Path

    def stderr_lines(self) -> list[str]:
        return self.stderr_path.read_text(encoding="utf-8").splitlines()


def prepare_database(directory: Path, students: int = 30) -> str:
    """A migrated SQLite database holding the demo county (accounts with the demo password)."""
    url = f"sqlite://{directory / 'live.db'}"
    env = {**os.environ, "DATABASE_URL": url}
    for args in (["migrate"], ["demo", "--students", str(students)]):
        subprocess.run(
            [str(BIN / "baoxue"), *args], env=env, check=True, capture_output=True, cwd=directory
        )
    return url


@contextmanager
def live_server(
    directory: Path, database_url: str, env: dict[str, str] | None = None
) -> Iterator[LiveServer]:
    port = free_port()
    stderr_path = directory / f"server-{port}.stderr"
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "BAOXUE_LOG_LEVEL": "info",
        **(env or {}),
    }
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [str(BIN / "baoxue"), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            cwd=directory,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"server exited with {process.returncode}: {stderr_path.read_text()}"
                )
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not answer: {stderr_path.read_text()}")
            time.sleep(0.2)
        yield LiveServer(url, process, stderr_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
