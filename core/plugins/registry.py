"""The county-rules registry: hook answers merged with core defaults, once per county.

Each county's hooks are asked of its own plugin, core's defaults and the plugins that declare
no county (:mod:`core.plugins.routing`), never of another county's plugin.
"""

from __future__ import annotations

import threading

import pluggy

from core.hookspecs import county_hooks
from core.jurisdictions.spec import JurisdictionSpec
from core.plugins.routing import Routing
from core.rules.county import CountyRules


class RuleRegistry:
    """Every installed county and its resolved rules.

    Built once with the plugin manager; :meth:`for_jurisdiction` resolves a county's rules the
    first time they are asked for and keeps them (hooks return constant data).
    """

    def __init__(
        self,
        pm: pluggy.PluginManager,
        jurisdictions: dict[str, tuple[str, JurisdictionSpec]],
    ) -> None:
        self._pm = pm
        self._jurisdictions = dict(sorted(jurisdictions.items()))
        self.routing = Routing(pm, jurisdictions)
        self._cache: dict[str, CountyRules] = {}
        self._lock = threading.Lock()

    def jurisdictions(self) -> tuple[JurisdictionSpec, ...]:
        """Every declared jurisdiction, by division code."""
        return tuple(spec for _, spec in self._jurisdictions.values())

    def jurisdiction(self, code: str) -> JurisdictionSpec | None:
        entry = self._jurisdictions.get(code)
        return entry[1] if entry else None

    def jurisdiction_of(self, plugin: str) -> JurisdictionSpec | None:
        """The jurisdiction the plugin named ``plugin`` declares, or None."""
        for name, spec in self._jurisdictions.values():
            if name == plugin:
                return spec
        return None

    def plugin_for(self, code: str) -> str | None:
        """The name of the plugin that declares ``code``, or None."""
        entry = self._jurisdictions.get(code)
        return entry[0] if entry else None

    def for_jurisdiction(self, code: str) -> CountyRules:
        """The rules of county ``code``, core defaults filled in.

        A code no plugin declares gets core defaults only (``jurisdiction`` is None).
        """
        rules = self._cache.get(code)
        if rules is None:
            with self._lock:
                rules = self._cache.get(code) or self._resolve(code)
                self._cache[code] = rules
        return rules

    def _resolve(self, code: str) -> CountyRules:
        """Each county hook's answers for ``code``, combined as the hook declares."""
        values = {
            hook.fills: hook.combine(self.routing.hook(hook.name, code)(jurisdiction_code=code))
            for hook in county_hooks()
        }
        return CountyRules(
            jurisdiction_code=code,
            jurisdiction=self.jurisdiction(code),
            plugin=self.plugin_for(code),
            **values,
        )
