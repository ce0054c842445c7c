"""Every hook of the table (core.hookspecs.HOOKS) is documented and tested (datasette's
test_docs and test_plugin_hooks_have_tests, in spirit)."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from core import hookspecs
from core.hookspecs import HOOKS

ROOT = Path(__file__).resolve().parents[1]
GUIDE = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")


def test_there_are_hooks() -> None:
    # Exactly the hooks the guide documents (12 sections today), no more, no fewer: adding a
    # hook means its table entry and its section, not a figure here.
    assert sorted(re.findall(r"^### `?(baoxue_\w+)", GUIDE, re.M)) == sorted(HOOKS)
    specs = {n for n in dir(hookspecs) if hasattr(getattr(hookspecs, n), "baoxue_spec")}
    assert specs == set(HOOKS), "every pluggy spec is declared in the table"


@pytest.mark.parametrize("name", list(HOOKS))
def test_hook_has_a_docstring_saying_when_and_how(name: str) -> None:
    hook = HOOKS[name]
    doc = inspect.getdoc(hook.spec) or ""
    assert len(doc) > 80, f"{name} needs a docstring"
    assert "Called " in doc, f"{name}: say when it is called"
    assert bool(hook.spec.baoxue_spec.get("firstresult")) is hook.first_result
    if hook.first_result:
        assert "Stops at first non-None result" in doc, name
    else:
        assert "collected" in doc, f"{name}: say that every answer is collected"


@pytest.mark.parametrize("name", list(HOOKS))
def test_hook_takes_the_jurisdiction_code(name: str) -> None:
    params = list(inspect.signature(HOOKS[name].spec).parameters)
    assert params == ([] if name == "baoxue_jurisdiction" else ["jurisdiction_code"])


def _test_function_names() -> set[str]:
    """Names of the test functions of the suite and of every plugin's tests."""
    names: set[str] = set()
    for folder in (ROOT / "tests", *sorted((ROOT / "plugins").glob("*/tests"))):
        for path in folder.rglob("test_*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    if node.name.startswith("test_"):
                        names.add(node.name)
    return names


TEST_NAMES = _test_function_names()


@pytest.mark.parametrize("name", list(HOOKS))
def test_hook_has_a_test_named_after_it(name: str) -> None:
    # test_hook_<name>, as datasette asks: a name that merely contains the hook's could be a
    # test of something else (the `baoxue deadlines` command's tests are test_baoxue_deadlines_…).
    named = [test for test in TEST_NAMES if test.startswith(f"test_hook_{name}")]
    assert named, f"no test function is named after {name}: write test_hook_{name}"


def _section(name: str) -> str:
    match = re.search(rf"^### `?{name}\b.*?(?=^##)", GUIDE + "\n##", re.M | re.S)
    assert match, f"docs/plugins.md lacks ### {name}"
    return match.group(0)


@pytest.mark.parametrize("name", list(HOOKS))
def test_hook_has_a_section_in_the_plugin_guide(name: str) -> None:
    hook, section = HOOKS[name], _section(name)
    if hook.first_result:
        assert "First result" in section, f"docs/plugins.md, {name}: say it is first result"
    elif hook.merged_by is not None:
        assert "Merged by" in section, f"docs/plugins.md, {name}: say what it is merged by"
    else:
        assert "collected" in section, f"docs/plugins.md, {name}: say every answer is collected"
