"""The contract every county plugin passes, as reusable checks.

In a plugin's own tests, one line::

    TestLipuConformance = conformance_suite(baoxue_lipu)

gives one pytest test per check (pytest collects the class by its ``Test`` name). Outside
pytest, :func:`check_plugin` runs every check and raises :class:`AssertionError` at the first
failure. The checks load the plugin next to core defaults only (no other installed plugin), so
a plugin's result does not depend on what else is installed.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable
from dataclasses import dataclass, fields, is_dataclass
from functools import cached_property
from typing import Any

from core.hookspecs import county_hooks
from core.jurisdictions.spec import JurisdictionSpec
from core.plugins.errors import PluginError
from core.plugins.manager import ENTRY_POINT_GROUP, build_plugin_manager, plugin_name
from core.plugins.validation import call_impl, check_answer, impls
from core.rules.checks import CountyContext, Invalid
from core.rules.enums import Metric, RowKind
from core.rules.render import render_report
from core.rules.report_fields import REPORT_FIELDS, sample_row
from core.rules.specs import Clause, ReportFormat


class ConformanceSkip(Exception):
    """A check that does not apply (e.g. the plugin is not installed as a package)."""


@dataclass
class PluginUnderTest:
    """A plugin loaded on its own next to core defaults, and what it answers."""

    plugin: object
    name: str

    @cached_property
    def pm(self):
        try:
            return build_plugin_manager(extra=[(self.name, self.plugin)], entrypoints=False)
        except PluginError as exc:
            raise AssertionError(f"plugin does not start: {exc}") from exc

    @cached_property
    def spec(self) -> JurisdictionSpec:
        specs = [s for s in self.pm.registry.jurisdictions()]
        assert len(specs) == 1, (
            f"{self.name} must declare exactly one jurisdiction in baoxue_jurisdiction, "
            f"got {len(specs)}"
        )
        return specs[0]

    @property
    def code(self) -> str:
        return self.spec.division_code

    def answers(self, code: str) -> dict[str, Any]:
        """This plugin's own answer to every county hook it implements, for ``code``, by hook
        name."""
        found = {}
        for hook in county_hooks():
            for impl in impls(self.pm, hook.name):
                if impl.plugin_name == self.name:
                    found[hook.name] = call_impl(impl, hook.name, jurisdiction_code=code)
        return found

    def rows(self, fmt: ReportFormat) -> list[dict[str, Any]]:
        """A full county's rows for ``fmt``: one per town, school or group as the rows need."""
        places: list[dict[str, Any]] = []
        if fmt.row_kind is RowKind.SCHOOL_GROUP:
            groups = self.spec.school_groups or ()
            places = [{"school_group.name": g.name} for g in groups] or [{}]
        else:
            for town in self.spec.towns or ():
                schools = [s.name for s in town.schools] or [f"{town.name}中心学校"]
                if fmt.row_kind is RowKind.TOWN:
                    places.append({"town.name": town.name})
                    continue
                for school in schools:
                    places.append({"town.name": town.name, "school.name": school})
        return [sample_row(fmt.row_kind, **place) for place in places or [{}]]


# -- the checks --------------------------------------------------------------------------------


def check_starts_up(p: PluginUnderTest) -> None:
    """The plugin loads and passes every start-up check."""
    assert p.pm is not None


def check_declares_one_jurisdiction(p: PluginUnderTest) -> None:
    """baoxue_jurisdiction gives a county with a code, names, sources and towns."""
    spec = p.spec
    assert spec.province, "JurisdictionSpec.province is empty"
    assert spec.sources, "JurisdictionSpec.sources names no document"
    assert spec.towns, "JurisdictionSpec.towns is empty: list the county's towns"


def check_hooks_return_documented_shapes(p: PluginUnderTest) -> None:
    """Every county hook the plugin implements answers for its county, in the shape the hook
    declares and passing the hook's own checker."""
    answers = p.answers(p.code)
    assert answers, f"{p.name} implements no county hook besides baoxue_jurisdiction"
    ctx = CountyContext(code=p.code, spec=p.spec)
    for hook in sorted(county_hooks(), key=lambda h: h.extends is None):
        if hook.name not in answers:
            continue
        answer = answers[hook.name]
        if answer is None:
            raise AssertionError(f"{hook.name} returned None for the plugin's own code {p.code}")
        try:
            check_answer(hook, answer, ctx)
        except Invalid as exc:
            raise AssertionError(f"{hook.name}: {exc}") from exc
        if hook.extends is not None:
            hook.extends(ctx, answer)


def check_targets_use_core_metrics(p: PluginUnderTest) -> None:
    """Every target (the plugin's and the defaults it leaves) names a core Metric."""
    for target in p.pm.registry.for_jurisdiction(p.code).targets:
        assert isinstance(target.metric, Metric), f"unknown metric {target.metric!r}"


def check_escalation_chain_ends(p: PluginUnderTest) -> None:
    """The county's chain climbs 1..n, has a time at every level below the top, and ends."""
    rules = p.pm.registry.for_jurisdiction(p.code)
    chain = rules.escalation
    assert chain.levels, "escalation chain has no levels"
    assert [lv.level for lv in chain.levels] == list(range(1, len(chain.levels) + 1))
    assert len({lv.name for lv in chain.levels}) == len(chain.levels), "a level repeats"
    for level in chain.levels[:-1]:
        days = rules.escalation_days(level.level)
        assert days and days > 0, f"level {level.level} ({level.name}) has no time limit"
    assert rules.escalation_days(len(chain.levels)) is None
    assert chain.next_level(chain.final_level.level) is None


def check_report_formats_render_empty_county(p: PluginUnderTest) -> None:
    """Every report format of the county renders with no rows: a header (and zero totals)."""
    for fmt in p.pm.registry.for_jurisdiction(p.code).report_formats:
        table = render_report(fmt, [])
        width = len(fmt.columns) + (1 if fmt.numbered else 0)
        assert len(table[0]) == width, f"{fmt.code}: header has {len(table[0])} cells"
        assert len(table) == (2 if fmt.totals else 1), f"{fmt.code}: rows with no data"


def check_report_formats_render_full_county(p: PluginUnderTest) -> None:
    """Every report format renders a row per town or school, all cells filled in as text."""
    for fmt in p.pm.registry.for_jurisdiction(p.code).report_formats:
        rows = p.rows(fmt)
        table = render_report(fmt, rows)
        width = len(table[0])
        assert len(table) == 1 + len(rows) + (1 if fmt.totals else 0), fmt.code
        for line in table:
            assert len(line) == width, f"{fmt.code}: ragged row {line}"
            assert all(isinstance(cell, str) and cell != "None" for cell in line), line
        if fmt.privacy:
            body = {cell for line in table[1:] for cell in line}
            for col in fmt.columns:
                field = REPORT_FIELDS[col.source]
                if field.mask and isinstance(field.sample, str):
                    assert field.sample not in body, f"{fmt.code}: {col.header} is not masked"
        for key in fmt.group_by:
            index = [c.key for c in fmt.columns].index(key) + (1 if fmt.numbered else 0)
            values = [line[index] for line in table[1 : 1 + len(rows)]]
            runs = [v for i, v in enumerate(values) if i == 0 or values[i - 1] != v]
            assert len(runs) == len(set(runs)), f"{fmt.code}: rows not grouped by {key}"
            break  # only the outermost grouping is contiguous by itself


def check_rules_cite_declared_sources(p: PluginUnderTest) -> None:
    """Every rule the plugin returns cites a section of one of its declared source documents
    (and is not marked as one of core's defaults)."""
    sources = set(p.spec.sources)
    for hook, answer in p.answers(p.code).items():
        for clause in clauses_in(answer):
            assert clause.document in sources, (
                f"{hook}: clause cites {clause.document!r}, which is not in the plugin's "
                f"sources {sorted(sources)}"
            )
            assert clause.section.strip(), f"{hook}: a clause has no section"
            assert not clause.core_default, f"{hook}: only core's defaults are core_default"


def check_installed_as_entry_point(p: PluginUnderTest) -> None:
    """When the plugin is installed, an entry point in the ``baoxue`` group loads this module."""
    module = getattr(p.plugin, "__name__", None)
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if ep.value.split(":")[0] == module:
            return
    raise ConformanceSkip(f"{module} is not installed: no entry point in {ENTRY_POINT_GROUP!r}")


def clauses_in(value: Any):
    if isinstance(value, Clause):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from clauses_in(item)
    elif is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            yield from clauses_in(getattr(value, f.name))


#: Every check, by name; each takes a :class:`PluginUnderTest`.
CHECKS: dict[str, Callable[[PluginUnderTest], None]] = {
    name.removeprefix("check_"): func
    for name, func in dict(globals()).items()
    if name.startswith("check_")
    and callable(func)
    and name != "check_plugin"
    and func.__module__ == __name__
}


def check_plugin(plugin: object, *, name: str | None = None) -> None:
    """Run every conformance check on ``plugin``; AssertionError at the first failure."""
    under_test = PluginUnderTest(plugin, name or plugin_name(plugin))
    for check in CHECKS.values():
        try:
            check(under_test)
        except ConformanceSkip:
            continue


def conformance_suite(plugin: object, *, name: str | None = None) -> type:
    """A test class with one ``test_<check>`` per conformance check, for pytest to collect."""
    under_test = PluginUnderTest(plugin, name or plugin_name(plugin))

    def make(check: Callable[[PluginUnderTest], None]):
        def test(self) -> None:
            try:
                check(under_test)
            except ConformanceSkip as exc:
                import pytest

                pytest.skip(str(exc))

        test.__doc__ = check.__doc__
        return test

    namespace = {f"test_{name}": make(check) for name, check in CHECKS.items()}
    namespace["plugin"] = plugin
    return type(f"Test{under_test.name.title().replace('_', '')}Conformance", (), namespace)
