"""Every hook is documented, checked at start-up and tested (datasette's test_docs, in spirit)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from core import hookspecs
from core.hookspecs import HOOKS

ROOT = Path(__file__).resolve().parents[1]


def _firstresult(name: str) -> bool:
    return bool(getattr(hookspecs, name).baoxue_spec.get("firstresult"))


def test_there_are_hooks() -> None:
    assert len(HOOKS) >= 10
    specs = {n for n in dir(hookspecs) if hasattr(getattr(hookspecs, n), "baoxue_spec")}
    assert specs == set(HOOKS), "every pluggy spec is declared in the table"


@pytest.mark.parametrize("name", list(HOOKS))
def test_hook_has_a_docstring_saying_when_and_how(name: str) -> None:
    doc = inspect.getdoc(getattr(hookspecs, name)) or ""
    assert len(doc) > 80, f"{name} needs a docstring"
    assert "Called " in doc, f"{name}: say when it is called"
    if _firstresult(name):
        assert "Stops at first non-None result" in doc, name
    else:
        assert "collected" in doc, f"{name}: say that every answer is collected"


@pytest.mark.parametrize("name", list(HOOKS))
def test_hook_takes_the_jurisdiction_code(name: str) -> None:
    params = list(inspect.signature(getattr(hookspecs, name)).parameters)
    assert params == ([] if name == "baoxue_jurisdiction" else ["jurisdiction_code"])


@pytest.mark.parametrize("name", list(HOOKS))
def test_hook_is_mentioned_by_a_test(name: str) -> None:
    this = Path(__file__).resolve()
    for path in (ROOT / "tests").rglob("test_*.py"):
        if path.resolve() != this and name in path.read_text(encoding="utf-8"):
            return
    pytest.fail(f"no test mentions {name}")


@pytest.mark.parametrize("name", list(HOOKS))
def test_hook_has_a_section_in_the_plugin_guide(name: str) -> None:
    guide = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    assert re.search(rf"^### `?{name}\b", guide, re.M), f"docs/plugins.md lacks ### {name}"
