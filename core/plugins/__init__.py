"""County plugins: discovery, validation and the registry the rest of core reads.

For plugin authors::

    from core.plugins import hookimpl

For the rest of core::

    from core.plugins import rules_for

    rules = rules_for("369901")          # CountyRules, core defaults filled in
    rules.escalation.levels              # the chain, level by level
    rules.escalation_days(2)             # days a case may stay at level 2
    rules.days(DeadlineKind.FOLLOW_UP_WINDOW)
    rules.target(Metric.CONSOLIDATION_RATE)

``get_plugin_manager()`` builds and validates the one manager on first call; call it at
start-up so a broken plugin stops the process there.
"""

from core.hookspecs import hookimpl
from core.plugins.errors import PluginError
from core.plugins.manager import (
    ALLOW_ENV,
    DEFAULT_PLUGINS,
    ENTRY_POINT_GROUP,
    BaoxuePluginManager,
    PluginInfo,
    build_plugin_manager,
    get_plugin_manager,
    get_registry,
    plugin_infos,
    reset_plugin_manager,
    rules_for,
)
from core.plugins.registry import RuleRegistry

__all__ = [
    "ALLOW_ENV",
    "DEFAULT_PLUGINS",
    "ENTRY_POINT_GROUP",
    "BaoxuePluginManager",
    "PluginError",
    "PluginInfo",
    "RuleRegistry",
    "build_plugin_manager",
    "get_plugin_manager",
    "get_registry",
    "hookimpl",
    "plugin_infos",
    "reset_plugin_manager",
    "rules_for",
]
