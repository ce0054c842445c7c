"""Guarding the published schema: the committed SDL snapshot and breaking-change review.

Two checks, both run by the test suite (``tests/api/test_schema_snapshot.py``):

1. **Snapshot.** ``schema/schema.graphql`` must equal the running schema's SDL. When it does
   not, the failure shows the diff and the command that rewrites the file:
   ``baoxue schema export`` (``make schema``).
2. **Breaking changes.** graphql-core's ``find_breaking_changes`` compares a *baseline* SDL
   with the running schema. Every breaking change must be listed, word for word, in
   ``schema/breaking-changes-allowed.txt`` (one description per line, reviewed in the pull
   request that adds it). The baseline is chosen by ``BAOXUE_SCHEMA_BASELINE``:

   * ``git:<ref>`` (default ``git:HEAD``): the snapshot as committed at ``<ref>``. Locally this
     catches a change before it is committed; CI sets ``git:origin/main`` (the merge base) so
     that a pull request is compared with the branch it goes into.
   * a file path: that SDL file (e.g. the schema of the last release).

   When git is unavailable or the snapshot is not tracked at ``<ref>`` the check is skipped,
   and says so.
"""

from __future__ import annotations

import difflib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from graphql import (
    BreakingChange,
    DangerousChange,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
)

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = Path("schema/schema.graphql")
ALLOW_LIST = Path("schema/breaking-changes-allowed.txt")
UPDATE_COMMAND = "baoxue schema export"
BASELINE_VARIABLE = "BAOXUE_SCHEMA_BASELINE"


@dataclass(frozen=True)
class Baseline:
    """The SDL breaking changes are measured against, and where it came from."""

    sdl: str
    origin: str


def snapshot_diff(committed: str, running: str) -> str | None:
    """None when the snapshot is current, else a message with the diff and the fix."""
    if committed == running:
        return None
    diff = "".join(
        difflib.unified_diff(
            committed.splitlines(keepends=True),
            running.splitlines(keepends=True),
            f"{SNAPSHOT} (committed)",
            "running schema",
        )
    )
    return (
        "The GraphQL schema differs from the committed snapshot. Review the diff, then update "
        f"the snapshot with:\n\n    {UPDATE_COMMAND}\n\n"
        "and commit schema/schema.graphql with your change.\n\n" + diff
    )


def load_baseline(spec: str | None = None, root: Path = ROOT) -> Baseline | None:
    """The baseline named by ``spec`` (default: ``$BAOXUE_SCHEMA_BASELINE`` or ``git:HEAD``);
    None when it cannot be read (no git, not a repository, snapshot not tracked)."""
    spec = spec or os.environ.get(BASELINE_VARIABLE) or "git:HEAD"
    if not spec.startswith("git:"):
        path = Path(spec)
        path = path if path.is_absolute() else root / path
        return Baseline(path.read_text(encoding="utf-8"), str(spec)) if path.exists() else None
    ref = spec[len("git:") :] or "HEAD"
    try:
        shown = subprocess.run(
            ["git", "show", f"{ref}:{SNAPSHOT.as_posix()}"],
            cwd=root,
            capture_output=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if shown.returncode != 0:
        return None
    return Baseline(shown.stdout.decode("utf-8"), f"{SNAPSHOT} at {ref}")


def breaking_changes(old_sdl: str, new_sdl: str) -> list[BreakingChange]:
    return find_breaking_changes(build_schema(old_sdl), build_schema(new_sdl))


def dangerous_changes(old_sdl: str, new_sdl: str) -> list[DangerousChange]:
    return find_dangerous_changes(build_schema(old_sdl), build_schema(new_sdl))


def load_allow_list(path: Path | None = None) -> set[str]:
    """The reviewed change descriptions: one per line; ``#`` comments and blanks ignored."""
    path = path or ROOT / ALLOW_LIST
    if not path.exists():
        return set()
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return {line for line in lines if line and not line.startswith("#")}


def unreviewed(changes: list[BreakingChange], allowed: set[str]) -> list[BreakingChange]:
    """The breaking changes whose description is not in ``allowed``."""
    return [c for c in changes if c.description not in allowed]


def unreviewed_message(changes: list[BreakingChange], origin: str) -> str:
    lines = "\n".join(c.description for c in changes)
    kinds = "\n".join(f"  {c.type.name}: {c.description}" for c in changes)
    return (
        f"Breaking GraphQL schema changes against {origin}:\n{kinds}\n\n"
        "Clients built on the old schema will break. If the change is intended and has been "
        f"agreed with the front-end teams, add these lines to {ALLOW_LIST} (one per line, "
        f"exactly as written) in the same commit:\n\n{lines}\n"
    )
