"""The committed SDL is the schema the server runs, and breaking changes need a review.

See :mod:`core.api.schema_compat` for how the baseline is chosen and how to update both files.
"""

from __future__ import annotations

import warnings

import pytest
from graphql import BreakingChangeType, build_schema, print_schema

from core.api import schema_compat
from core.api.sdl import export_sdl


def test_running_schema_matches_the_committed_snapshot() -> None:
    committed = (schema_compat.ROOT / schema_compat.SNAPSHOT).read_text(encoding="utf-8")
    problem = schema_compat.snapshot_diff(committed, export_sdl())
    if problem:
        pytest.fail(problem, pytrace=False)


def test_no_unreviewed_breaking_change_against_the_baseline() -> None:
    baseline = schema_compat.load_baseline()
    if baseline is None:
        pytest.skip(
            "no baseline schema: git is unavailable or schema/schema.graphql is not tracked "
            f"(set {schema_compat.BASELINE_VARIABLE} to a file to compare with)"
        )
    running = export_sdl()
    changes = schema_compat.breaking_changes(baseline.sdl, running)
    allowed = schema_compat.load_allow_list()
    problems = schema_compat.unreviewed(changes, allowed)
    if problems:
        pytest.fail(schema_compat.unreviewed_message(problems, baseline.origin), pytrace=False)
    for change in schema_compat.dangerous_changes(baseline.sdl, running):
        warnings.warn(f"dangerous schema change: {change.description}", stacklevel=1)


# -- the checks themselves catch what they should -------------------------------------------


def _without_field(sdl: str, type_name: str, field_name: str) -> str:
    """``sdl`` with one field of one object type removed."""
    schema = build_schema(sdl)
    del schema.type_map[type_name].fields[field_name]
    return print_schema(schema)


def test_removing_a_field_fails_the_snapshot_with_the_update_command() -> None:
    running = export_sdl()
    modified = _without_field(running, "Child", "birthDate")
    message = schema_compat.snapshot_diff(running, modified)
    assert message is not None
    assert "-  birthDate: Date!" in message
    assert schema_compat.UPDATE_COMMAND in message


def test_removing_a_field_is_a_breaking_change_until_allow_listed(tmp_path) -> None:
    running = export_sdl()
    modified = _without_field(running, "Child", "birthDate")

    changes = schema_compat.breaking_changes(running, modified)
    assert [(c.type, c.description) for c in changes] == [
        (BreakingChangeType.FIELD_REMOVED, "Field Child.birthDate was removed.")
    ]
    message = schema_compat.unreviewed_message(changes, "test")
    assert "Field Child.birthDate was removed." in message
    assert str(schema_compat.ALLOW_LIST) in message

    allow_list = tmp_path / "allowed.txt"
    reviewed = "# reviewed with the front-end team\n\nField Child.birthDate was removed.\n"
    allow_list.write_text(reviewed, encoding="utf-8")
    allowed = schema_compat.load_allow_list(allow_list)
    assert schema_compat.unreviewed(changes, allowed) == []
    assert schema_compat.unreviewed(changes, {"Field Child.name was removed."}) == changes


def test_adding_a_field_is_not_breaking() -> None:
    running = export_sdl()
    older = _without_field(running, "Child", "birthDate")
    assert schema_compat.breaking_changes(older, running) == []


def test_baseline_from_a_file_or_git(tmp_path) -> None:
    sdl_file = tmp_path / "release.graphql"
    sdl_file.write_text("type Query { a: Int }\n", encoding="utf-8")
    baseline = schema_compat.load_baseline(str(sdl_file))
    assert baseline is not None and baseline.sdl.startswith("type Query")
    assert schema_compat.load_baseline(str(tmp_path / "missing.graphql")) is None
    # a reference git cannot resolve gives no baseline (the check then skips), never an error
    assert schema_compat.load_baseline("git:no-such-ref-anywhere") is None


def test_allow_list_file_is_well_formed() -> None:
    path = schema_compat.ROOT / schema_compat.ALLOW_LIST
    assert path.exists(), "schema/breaking-changes-allowed.txt is the reviewed allow-list"
    for line in schema_compat.load_allow_list(path):
        assert line.endswith("."), f"not a find_breaking_changes description: {line!r}"
