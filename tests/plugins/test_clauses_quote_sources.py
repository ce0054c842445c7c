"""Every clause that quotes a document quotes it verbatim.

The source documents live in the project's shared folder (``shared/seeds`` beside the
repository, or ``BAOXUE_SEEDS_DIR``); the tests skip when it is not there. Whitespace is
ignored, since the documents break lines and pad names with spaces.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from core import default_rules
from core.plugins import build_plugin_manager
from core.testing.plugin_conformance import PluginUnderTest, clauses_in

from .conftest import COUNTY_PLUGINS, REPO

SEEDS = Path(os.environ.get("BAOXUE_SEEDS_DIR", REPO.parent / "shared" / "seeds"))
#: Which seed file each plugin encodes (by its number), and core defaults' county plan.
SEED_NUMBER = {"tiedong": "000", "rongchang": "001", "suining": "002", "lipu": "003"}
CORE_SEED = "004"


def _document(number: str) -> str:
    if not SEEDS.is_dir():
        pytest.skip(f"source documents not found in {SEEDS}")
    (path,) = SEEDS.glob(f"{number}_*.txt")
    return _squash(path.read_text(encoding="utf-8"))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("name", list(COUNTY_PLUGINS))
def test_county_plugin_quotes_are_verbatim(name: str, county_modules) -> None:
    document = _document(SEED_NUMBER[name])
    under_test = PluginUnderTest(county_modules[name], name)
    quotes = [
        c for answer in under_test.answers(under_test.code).values() for c in clauses_in(answer)
    ]
    assert quotes
    for clause in quotes:
        assert _squash(clause.text) in document, f"{clause.section}: {clause.text!r}"
    assert sum(1 for c in quotes if c.text) >= 5, "quote the document, not just cite it"


def test_core_default_quotes_are_verbatim() -> None:
    document = _document(CORE_SEED)
    registry = build_plugin_manager(entrypoints=False).registry
    rules = registry.for_jurisdiction("000000")
    quoted = [
        c
        for c in clauses_in([getattr(rules, f) for f in rules.__dataclass_fields__])
        if c.document == default_rules.CORE_PLAN
    ]
    assert len(quoted) >= 5
    for clause in quoted:
        assert _squash(clause.text) in document, f"{clause.section}: {clause.text!r}"
