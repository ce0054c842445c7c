"""The one error a broken plugin raises."""

from __future__ import annotations


class PluginError(Exception):
    """A plugin cannot be loaded or answered a hook wrongly.

    ``plugin`` is the plugin's registered name (its entry-point name), ``hook`` the hook or
    stage (``"entry point"``, ``"import"``) where it went wrong.
    """

    def __init__(self, plugin: str, hook: str, message: str) -> None:
        self.plugin = plugin
        self.hook = hook
        self.message = message
        super().__init__(f"plugin {plugin!r}, {hook}: {message}")
