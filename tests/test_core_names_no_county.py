"""Core knows no county: whatever it needs to know about one comes from the county's plugin.

A county's division code or name may appear in core only in documentation (docstrings, the
descriptions and help texts written for people), never as data core acts on: a mix of
minorities keyed by division code, a bureau's name, a town list.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "core"
#: The four counties the plugins serve, by division code and name.
COUNTIES = {"210302": "铁东", "500153": "荣昌", "430527": "绥宁", "450381": "荔浦"}
#: Keyword arguments whose strings are written for people (GraphQL descriptions, CLI help).
PROSE = {"description", "help"}


def _data_strings(tree: ast.AST) -> list[ast.Constant]:
    """String constants that are neither docstrings nor prose arguments."""
    prose: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                prose.add(id(value))
        if isinstance(node, ast.keyword) and node.arg in PROSE:
            for inner in ast.walk(node.value):
                prose.add(id(inner))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose
    ]


def _modules() -> list[Path]:
    return sorted(p for p in CORE.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_module_holds_no_county_as_data(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in _data_strings(tree):
        for code, name in COUNTIES.items():
            assert code not in node.value, f"{path.name}:{node.lineno}: {code} ({name})"
            assert name not in node.value, f"{path.name}:{node.lineno}: {name}"


def test_the_check_finds_county_data() -> None:
    tree = ast.parse('MIX = {"450381": (("壮族", 100),)}\nNAME = "荣昌区教育委员会"\n')
    found = {n.value for n in _data_strings(tree)}
    assert {"450381", "荣昌区教育委员会"} <= found
    prose = ast.parse('def f():\n    """荔浦."""\nx = field(description="如 荔浦")\n')
    assert not [n for n in _data_strings(prose) if "荔浦" in n.value]
