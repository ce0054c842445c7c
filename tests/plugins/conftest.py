"""Fixtures for the plugin tests.

The four county plugins are installed in editable mode by ``make``; when one is not (a bare
checkout), its directory is put on ``sys.path`` so its module still imports. Entry-point tests
then tell the two apart.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

from core.plugins import build_plugin_manager, hookimpl
from core.rules import JurisdictionSpec

REPO = Path(__file__).resolve().parents[2]
COUNTY_PLUGINS = {
    "tiedong": "210302",
    "rongchang": "500153",
    "suining": "430527",
    "lipu": "450381",
}
FIFTH_COUNTY = Path(__file__).resolve().parent / "fifth_county"

for _name in COUNTY_PLUGINS:
    if importlib.util.find_spec(f"baoxue_{_name}") is None:  # pragma: no cover
        sys.path.append(str(REPO / "plugins" / _name))


@pytest.fixture(scope="session")
def county_modules() -> dict[str, object]:
    """The four county plugin modules, by entry-point name, loaded through their entry points
    (``test_installed_under_the_baoxue_entry_point_group`` fails when one is missing)."""
    installed = {
        ep.name: ep
        for ep in importlib.metadata.entry_points(group="baoxue")
        if ep.name in COUNTY_PLUGINS
    }
    return {
        name: installed[name].load()
        if name in installed
        else importlib.import_module(f"baoxue_{name}")
        for name in COUNTY_PLUGINS
    }


@pytest.fixture(scope="session")
def four_counties(county_modules):
    """A manager with core defaults and exactly the four county plugins."""
    return build_plugin_manager(extra=list(county_modules.items()), entrypoints=False)


@pytest.fixture(scope="session")
def registry(four_counties):
    return four_counties.registry


@pytest.fixture
def fake_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Install a distribution without pip: a ``.dist-info`` with entry points, on sys.path.

    ``fake_install("baoxue-x", {"x": "mod_x"}, {"mod_x": source})`` makes
    ``importlib.metadata`` see distribution ``baoxue-x`` with entry point ``x = mod_x`` in the
    ``baoxue`` group, and writes ``mod_x.py`` next to it.
    """
    monkeypatch.syspath_prepend(str(tmp_path))

    def install(dist: str, entry_points: dict[str, str], modules: dict[str, str] | None = None):
        info = tmp_path / f"{dist.replace('-', '_')}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n", encoding="utf-8"
        )
        lines = "".join(f"{name} = {target}\n" for name, target in entry_points.items())
        (info / "entry_points.txt").write_text(f"[baoxue]\n{lines}", encoding="utf-8")
        for module, source in (modules or {}).items():
            (tmp_path / f"{module}.py").write_text(source, encoding="utf-8")
        importlib.invalidate_caches()

    return install


def serving(spec: JurisdictionSpec, **answers: Any) -> object:
    """A throwaway plugin declaring ``spec`` whose hooks give ``answers`` (values by hook name
    without ``baoxue_``). Its hooks take no argument: they are asked about its county only."""

    class Plugin:
        @hookimpl
        def baoxue_jurisdiction(self):
            return spec

    def answering(answer: Any):
        def impl(self):
            return answer

        return impl

    for hook, answer in answers.items():
        impl = answering(answer)
        impl.__name__ = f"baoxue_{hook}"
        setattr(Plugin, impl.__name__, hookimpl(impl))
    return Plugin()
