"""Test helpers shipped with core, for plugin packages' own test suites."""

from core.testing.plugin_conformance import CHECKS, check_plugin, conformance_suite

__all__ = ["CHECKS", "check_plugin", "conformance_suite"]
