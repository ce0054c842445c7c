"""Building the one plugin manager: core defaults, installed plugins, then every check.

Order matters: core defaults (:data:`DEFAULT_PLUGINS`) are registered first and their hook
implementations are ``trylast``, so every county plugin is asked before them. Entry points are
read with :mod:`importlib.metadata` rather than ``pm.load_setuptools_entrypoints`` because
pluggy silently skips a second entry point with a name already registered; here two
distributions using one name is an error.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import re
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pluggy

from core import hookspecs
from core.plugins.errors import PluginError
from core.plugins.registry import RuleRegistry
from core.plugins.routing import UNDECLARED
from core.plugins.validation import Invalid, check_hookimpl_names, check_resolved, validate
from core.rules.county import CountyRules

#: Entry-point group county plugins register under.
ENTRY_POINT_GROUP = hookspecs.PROJECT
#: Environment variable: comma-separated entry-point or distribution names to load (all if unset).
ALLOW_ENV = "BAOXUE_PLUGINS"
#: Core's own plugins, registered before any other.
DEFAULT_PLUGINS = ("core.default_rules",)


class BaoxuePluginManager(pluggy.PluginManager):
    """pluggy's manager with Baoxue's hook specs, the distribution each plugin came from and,
    once validated, the :class:`RuleRegistry` built from it."""

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT)
        self.add_hookspecs(hookspecs)
        self.distributions: dict[str, importlib.metadata.Distribution] = {}
        self._registry: RuleRegistry | None = None

    @property
    def registry(self) -> RuleRegistry:
        if self._registry is None:
            raise RuntimeError("plugin manager not validated yet: use build_plugin_manager()")
        return self._registry


def build_plugin_manager(
    *,
    extra: Iterable[object | tuple[str, object]] = (),
    entrypoints: bool = True,
    allow: Iterable[str] | None = None,
) -> BaoxuePluginManager:
    """Register core defaults, installed plugins and ``extra`` objects; validate everything.

    ``extra`` items are plugin objects (registered under their ``__name__``) or
    ``(name, plugin)`` pairs; tests use them to add a plugin without installing it.
    ``entrypoints=False`` loads no installed plugin. ``allow`` overrides ``BAOXUE_PLUGINS``.
    Raises :class:`PluginError` naming the plugin and the hook at the first problem.
    """
    pm = BaoxuePluginManager()
    for module_name in DEFAULT_PLUGINS:
        register(pm, importlib.import_module(module_name), module_name)
    if entrypoints:
        load_entry_points(pm, allow=allow_list() if allow is None else set(allow))
    for item in extra:
        name, plugin = item if isinstance(item, tuple) else (plugin_name(item), item)
        register(pm, plugin, name)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:  # pragma: no cover - register checks first
        raise PluginError(pm.get_name(exc.plugin) or "?", "hook", str(exc)) from exc
    jurisdictions = validate(pm)
    registry = RuleRegistry(pm, jurisdictions)
    for code in [*jurisdictions, UNDECLARED]:
        try:
            check_resolved(registry.for_jurisdiction(code))
        except Invalid as exc:
            name = registry.plugin_for(code) or DEFAULT_PLUGINS[0]
            raise PluginError(name, "resolved rules", f"{code}: {exc}") from exc
    pm._registry = registry
    return pm


def plugin_name(plugin: object) -> str:
    """The name a plugin object is registered under when none is given."""
    return getattr(plugin, "__name__", None) or type(plugin).__name__


def register(pm: BaoxuePluginManager, plugin: object, name: str) -> None:
    """Register one plugin object, turning pluggy's complaints into :class:`PluginError`."""
    check_hookimpl_names(name, plugin)
    try:
        pm.register(plugin, name=name)
    except pluggy.PluginValidationError as exc:
        match = re.search(r"for hook '(\w+)'", str(exc))
        raise PluginError(name, match.group(1) if match else "hook", str(exc)) from exc
    except ValueError as exc:
        raise PluginError(name, "register", str(exc)) from exc


def allow_list() -> set[str] | None:
    """Names in ``BAOXUE_PLUGINS``, or None (load everything) when it is unset or empty."""
    raw = os.environ.get(ALLOW_ENV, "")
    names = {part.strip() for part in raw.split(",") if part.strip()}
    return names or None


def load_entry_points(pm: BaoxuePluginManager, *, allow: set[str] | None = None) -> None:
    """Import and register every plugin in the ``baoxue`` entry-point group.

    Two distributions using the same entry-point name, a plugin that fails to import, or an
    ``allow`` name matching nothing installed all raise :class:`PluginError`.
    """
    by_name: dict[str, list[importlib.metadata.EntryPoint]] = defaultdict(list)
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        by_name[ep.name].append(ep)
    for name, eps in sorted(by_name.items()):
        if len(eps) > 1:
            dists = ", ".join(sorted(_dist_name(ep) for ep in eps))
            raise PluginError(
                name,
                "entry point",
                f"the name {name!r} in entry-point group {ENTRY_POINT_GROUP!r} is used by more "
                f"than one distribution ({dists}); uninstall one or rename its entry point",
            )
    matched: set[str] = set()
    for name, (ep,) in sorted(by_name.items()):
        dist = _dist_name(ep)
        aliases = {name, dist, _normalise(dist)}
        if allow is not None:
            if not aliases & allow:
                continue
            matched |= aliases & allow
        try:
            plugin = ep.load()
        except Exception as exc:
            raise PluginError(
                name, "import", f"{ep.value} failed to import: {type(exc).__name__}: {exc}"
            ) from exc
        register(pm, plugin, name)
        if ep.dist is not None:
            pm.distributions[name] = ep.dist
    if allow is not None and allow - matched:
        missing = ", ".join(sorted(allow - matched))
        raise PluginError(missing, ALLOW_ENV, "names a plugin that is not installed")


def _dist_name(ep: importlib.metadata.EntryPoint) -> str:
    return ep.dist.name if ep.dist is not None else "?"


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# -- the one manager ---------------------------------------------------------------------------

_pm: BaoxuePluginManager | None = None
_pm_lock = threading.Lock()


def get_plugin_manager() -> BaoxuePluginManager:
    """The application's plugin manager, built and validated on first call, then kept.

    Call it at start-up (the server and the CLI do) so a broken plugin stops the process then.
    """
    global _pm
    if _pm is None:
        with _pm_lock:
            if _pm is None:
                _pm = build_plugin_manager()
    return _pm


def reset_plugin_manager() -> None:
    """Forget the cached manager (tests that change what is installed)."""
    global _pm
    with _pm_lock:
        _pm = None


def get_registry() -> RuleRegistry:
    """The registry of installed counties and their rules."""
    return get_plugin_manager().registry


def rules_for(jurisdiction_code: str) -> CountyRules:
    """One county's rules, core defaults filled in: ``rules_for("369901").escalation``."""
    return get_registry().for_jurisdiction(jurisdiction_code)


# -- what is installed -------------------------------------------------------------------------


@dataclass(frozen=True)
class PluginInfo:
    """One registered plugin, for ``baoxue plugins`` and the API."""

    name: str
    distribution: str
    version: str
    default: bool
    jurisdiction_code: str | None
    jurisdiction_name: str | None
    sources: tuple[str, ...]
    hooks: tuple[str, ...]


def plugin_infos(pm: BaoxuePluginManager) -> list[PluginInfo]:
    """Every registered plugin, core defaults first, then by name."""
    infos = []
    for name, plugin in pm.list_name_plugin():
        dist = pm.distributions.get(name)
        spec = pm.registry.jurisdiction_of(name)
        infos.append(
            PluginInfo(
                name=name,
                distribution=dist.name if dist else "",
                version=dist.version if dist else str(getattr(plugin, "__version__", "")),
                default=name in DEFAULT_PLUGINS,
                jurisdiction_code=spec.division_code if spec else None,
                jurisdiction_name=spec.name if spec else None,
                sources=spec.sources if spec else (),
                hooks=tuple(sorted(h.name for h in pm.get_hookcallers(plugin) or ())),
            )
        )
    return sorted(infos, key=lambda i: (not i.default, i.name))
