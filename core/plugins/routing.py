"""Which plugins are asked about which county.

A plugin that declares a county (``baoxue_jurisdiction``) is asked about that county only, so
its hooks need no ``jurisdiction_code`` at all. Plugins that declare no county are asked about
every county: core's defaults (:mod:`core.default_rules`) and adjusters, which change some rule
of other counties and look at ``jurisdiction_code`` themselves. Validation and resolution both
go through :class:`Routing`, so a plugin is checked on exactly the answers it gives.
"""

from __future__ import annotations

import pluggy

from core.jurisdictions.spec import JurisdictionSpec

#: A well-formed division code no plugin declares: what a county without a plugin of its own
#: gets (core's defaults and the adjusters' answers) is resolved and checked like any other.
UNDECLARED = "000000"


class Routing:
    """The plugins asked about each county, from the jurisdictions the plugins declare."""

    def __init__(
        self, pm: pluggy.PluginManager, jurisdictions: dict[str, tuple[str, JurisdictionSpec]]
    ) -> None:
        self._pm = pm
        self._owner = {code: name for code, (name, _) in jurisdictions.items()}
        self._county_plugins = frozenset(self._owner.values())

    def asks(self, plugin: str, code: str) -> bool:
        """Whether the plugin named ``plugin`` is asked about county ``code``."""
        return plugin not in self._county_plugins or self._owner.get(code) == plugin

    def hook(self, name: str, code: str) -> pluggy.HookCaller:
        """The hook ``name`` as it is called for county ``code``: without the plugins that
        declare other counties (pluggy's ``subset_hook_caller``)."""
        others = [
            self._pm.get_plugin(plugin)
            for plugin in self._county_plugins
            if plugin != self._owner.get(code)
        ]
        return self._pm.subset_hook_caller(name, remove_plugins=others)
