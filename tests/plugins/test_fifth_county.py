"""A fifth county (tests/plugins/fifth_county) works with no change to core."""

from __future__ import annotations

import importlib
import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

import core.plugins.manager as manager_module
from core.cli import main
from core.plugins import build_plugin_manager, reset_plugin_manager
from core.rules import DeadlineKind, Metric, render_report, sample_row
from core.testing import check_plugin

from .conftest import COUNTY_PLUGINS, FIFTH_COUNTY, REPO


@pytest.fixture
def fifth(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(FIFTH_COUNTY))
    return importlib.import_module("baoxue_fifth")


def test_fifth_county_passes_the_conformance_suite(fifth) -> None:
    check_plugin(fifth)


def test_fifth_county_rules_come_through_next_to_the_four(fifth, county_modules) -> None:
    pm = build_plugin_manager(extra=[*county_modules.items(), fifth], entrypoints=False)
    registry = pm.registry
    assert len(registry.jurisdictions()) == 5
    assert registry.plugin_for("430999") == "baoxue_fifth"
    rules = registry.for_jurisdiction("430999")
    # Its own rules:
    assert rules.target(Metric.CONSOLIDATION_RATE).threshold == Decimal("99.5")
    assert [rules.escalation_days(n) for n in (1, 2, 3)] == [3, 10, None]
    weekly = rules.report_format("weekly-return")
    rows = [sample_row(weekly.row_kind, **{"town.name": t.name}) for t in rules.jurisdiction.towns]
    assert render_report(weekly, rows)[-1] == ["合计", "", "2"]
    # Core defaults where it says nothing:
    assert rules.target(Metric.ENROLMENT_RATE).threshold == Decimal("100")
    assert rules.days(DeadlineKind.FOLLOW_UP_WINDOW) == 30
    assert rules.report_format("case-ledger").title.startswith("控辍保学工作台账")
    assert rules.leadership is None
    # The other counties are untouched.
    assert registry.for_jurisdiction("450381").escalation.return_notice_level == 2


def test_fifth_county_installed_through_its_entry_point(fifth, fake_install, monkeypatch) -> None:
    # As `pip install tests/plugins/fifth_county` would: a distribution with the entry point.
    fake_install("baoxue-fifth", {"fifth": "baoxue_fifth"})
    pm = build_plugin_manager()
    assert pm.registry.plugin_for("430999") == "fifth"
    assert {s.division_code for s in pm.registry.jurisdictions()} >= {
        "430999",
        *COUNTY_PLUGINS.values(),
    }
    monkeypatch.setattr(manager_module, "_pm", None)
    listed = json.loads(CliRunner().invoke(main, ["plugins", "--json"]).output)
    (entry,) = [p for p in listed if p["name"] == "fifth"]
    assert (entry["distribution"], entry["jurisdiction_name"]) == ("baoxue-fifth", "示例县")
    reset_plugin_manager()


def test_core_does_not_know_the_fifth_county() -> None:
    for path in (REPO / "core").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "430999" not in text and "示例县" not in text, path
