"""The committed SDL in schema/schema.graphql is the schema the server runs."""

import difflib
from pathlib import Path

from core.api.sdl import export_sdl

SNAPSHOT = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"


def test_running_schema_matches_the_committed_snapshot() -> None:
    committed = SNAPSHOT.read_text(encoding="utf-8")
    running = export_sdl()
    if committed != running:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                running.splitlines(keepends=True),
                "schema/schema.graphql (committed)",
                "running schema",
            )
        )
        raise AssertionError(
            "The GraphQL schema changed. Review the diff, then update the snapshot with "
            "`make schema` (or `baoxue schema export`) and commit it.\n\n" + diff
        )
