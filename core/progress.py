"""Progress of long commands (demo generation, migrations), on a terminal or in a log.

On a terminal a click progress bar redraws in place; anywhere else (a pipe, ``make``'s log,
cron, a CI job) the same progress is a plain line at most every :data:`INTERVAL` seconds and
one at the end, so a long command never looks hung. :func:`heartbeat` prints a line every
:data:`INTERVAL` seconds while a step with no progress of its own runs (a migration).
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import click

#: Seconds between two progress lines when not on a terminal.
INTERVAL = 5.0


def _on_terminal() -> bool:
    stream = click.get_text_stream("stdout")
    return bool(getattr(stream, "isatty", lambda: False)())


class Progress:
    """A reporter fed by ``progress(done, total)`` calls, closed with :meth:`close`."""

    def __init__(
        self,
        label: str,
        *,
        interval: float = INTERVAL,
        terminal: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.interval = interval
        self.terminal = _on_terminal() if terminal is None else terminal
        self.clock = clock
        self.started = clock()
        self.bar: Any = None
        self.shown = 0
        self.done = 0
        self.total = 0
        self.last_line: float | None = None
        self.printed = -1

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        if self.terminal:
            if self.bar is None:
                self.bar = click.progressbar(length=max(total, 1), label=self.label, show_pos=True)
                self.bar.__enter__()
            self.bar.update(done - self.shown)
            self.shown = done
            return
        now = self.clock()
        if self.last_line is None or now - self.last_line >= self.interval:
            self._line(now)

    def _line(self, now: float) -> None:
        self.last_line = now
        self.printed = self.done
        share = f" ({100 * self.done / self.total:.0f}%)" if self.total else ""
        click.echo(f"{self.label}: {self.done:,}/{self.total:,}{share}, {now - self.started:.0f} s")
        sys.stdout.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
        elif not self.terminal and self.total and self.printed != self.done:
            self._line(self.clock())  # the last state, if not already printed


@asynccontextmanager
async def heartbeat(
    describe: Callable[[], str], *, interval: float = INTERVAL
) -> AsyncIterator[None]:
    """While the body runs, print ``describe()`` and the seconds elapsed every ``interval``."""
    started = time.monotonic()

    async def beat() -> None:
        while True:
            await asyncio.sleep(interval)
            click.echo(f"  {describe()} … {time.monotonic() - started:.0f} s")

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()


async def migrations_with_progress(database_url: str) -> None:
    """Apply pending migrations, a line as each starts and ends and a heartbeat in between."""
    from core.db import run_migrations

    current = ["connecting / 连接数据库"]
    started = [time.monotonic()]

    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_start":
            current[0] = f"applying / 正在应用 {app_label}.{name}"
            started[0] = time.monotonic()
            click.echo(f"  {current[0]}")
        elif event == "apply_done":
            click.echo(
                f"  applied / 已应用 {app_label}.{name} ({time.monotonic() - started[0]:.1f} s)"
            )
            current[0] = "checking / 检查迁移"
        elif event == "derive_start":
            current[0] = "deriving / 正在计算 the stored child facts (学生统计事实)"
            started[0] = time.monotonic()
        elif event == "derive_done":
            click.echo(f"  derived / 已计算 {name} ({time.monotonic() - started[0]:.1f} s)")

    async with heartbeat(lambda: current[0]):
        await run_migrations(database_url, progress=progress)
