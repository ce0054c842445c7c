"""Start-up checks of every plugin's answers, so a broken plugin fails before first use.

Each plugin is called on its own, hook by hook, for every county it is asked about
(:mod:`core.plugins.routing`): a county plugin for its own county, core's defaults and plugins
that declare no county for every declared county and for one nobody declares. Its answer is
checked first for shape (types, against the hook's return annotation and the dataclasses in
:mod:`core.rules`) and then for meaning, by the checker the hook declares in
:mod:`core.hookspecs` (unknown metrics, report columns core cannot fill, chains that do not
end, names that refer to nothing). The first problem raises :class:`PluginError` naming the
plugin and the hook.
"""

from __future__ import annotations

import dataclasses
import inspect
import types
from collections.abc import Callable as CallableABC
from collections.abc import Sequence
from decimal import Decimal
from enum import Enum
from typing import Any, Union, get_args, get_origin, get_type_hints

import pluggy

from core.hookspecs import HOOKS, Hook, county_hooks
from core.jurisdictions.spec import JurisdictionSpec
from core.plugins.errors import PluginError
from core.plugins.routing import UNDECLARED, Routing
from core.rules.checks import CountyContext, Invalid
from core.rules.county import CountyRules

# -- shapes ------------------------------------------------------------------------------------


def check_shape(value: Any, annotation: Any, path: str) -> None:
    """Raise :class:`Invalid` unless ``value`` fits ``annotation``.

    Understands the annotations :mod:`core.rules` uses: ``str``, ``int``, ``bool``,
    :class:`~decimal.Decimal`, enums, ``X | None``, ``tuple[X, ...]``, ``Sequence[X]`` and
    frozen dataclasses (checked field by field).
    """
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        options = get_args(annotation)
        if value is None and type(None) in options:
            return
        problems = []
        for option in options:
            if option is type(None):
                continue
            try:
                check_shape(value, option, path)
                return
            except Invalid as exc:
                problems.append(exc)
        raise (
            problems[-1]
            if len(problems) == 1
            else Invalid(f"{path}: expected {_name(annotation)}, got {_describe(value)}")
        )
    if origin is tuple:
        if not isinstance(value, tuple):
            raise Invalid(f"{path}: expected a tuple, got {_describe(value)}")
        item_type = get_args(annotation)[0]
        for index, item in enumerate(value):
            check_shape(item, item_type, f"{path}[{index}]")
        return
    if origin in (Sequence, list):
        if not isinstance(value, (list, tuple)):
            raise Invalid(f"{path}: expected a list or tuple, got {_describe(value)}")
        item_type = get_args(annotation)[0]
        for index, item in enumerate(value):
            check_shape(item, item_type, f"{path}[{index}]")
        return
    if annotation is type(None):
        if value is not None:
            raise Invalid(f"{path}: expected None, got {_describe(value)}")
        return
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        if not isinstance(value, annotation):
            known = ", ".join(m.value for m in annotation)
            if isinstance(value, str) and value in known.split(", "):
                raise Invalid(
                    f"{path}: write {annotation.__name__}.{value}, not the string {value!r}"
                )
            raise Invalid(
                f"{path}: unknown {annotation.__name__} {_describe(value)} (known: {known})"
            )
        return
    if dataclasses.is_dataclass(annotation):
        if not isinstance(value, annotation):
            raise Invalid(f"{path}: expected {annotation.__name__}, got {_describe(value)}")
        hints = _hints(annotation)
        for f in dataclasses.fields(annotation):
            check_shape(getattr(value, f.name), hints[f.name], f"{path}.{f.name}")
        return
    if get_origin(annotation) is CallableABC:  # a plain function (an event channel's render)
        if not callable(value):
            raise Invalid(f"{path}: expected a function, got {_describe(value)}")
        return
    if annotation is bool:
        ok = isinstance(value, bool)
    elif annotation is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif annotation is Decimal:
        ok = isinstance(value, Decimal) and value.is_finite()
    elif annotation is Any:
        ok = True
    else:
        ok = isinstance(value, annotation)
    if not ok:
        hint = ' (write Decimal("97.3"), not a float)' if annotation is Decimal else ""
        raise Invalid(f"{path}: expected {_name(annotation)}, got {_describe(value)}{hint}")


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = get_type_hints(cls)
    return _HINTS[cls]


def _name(annotation: Any) -> str:
    return getattr(annotation, "__name__", None) or str(annotation)


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


# -- checks of the merged view ----------------------------------------------------------------


def check_resolved(rules: CountyRules) -> None:
    """Checks that need a county's merged rules: every required hook has an answer (core's
    defaults, at least), and each hook's own ``check_resolved``."""
    for hook in county_hooks():
        if hook.required and getattr(rules, hook.fills) is None:
            raise Invalid(f"no answer to {hook.name} (not even core's default)")
        if hook.check_resolved is not None:
            hook.check_resolved(rules)


# -- running the checks ------------------------------------------------------------------------


def call_impl(impl: pluggy.HookImpl, hook: str, **kwargs: Any) -> Any:
    """Call one plugin's implementation of ``hook``; its exceptions become PluginError."""
    try:
        return impl.function(*[kwargs[name] for name in impl.argnames])
    except Exception as exc:
        raise PluginError(impl.plugin_name, hook, f"raised {type(exc).__name__}: {exc}") from exc


def impls(pm: pluggy.PluginManager, hook: str) -> list[pluggy.HookImpl]:
    return getattr(pm.hook, hook).get_hookimpls()


def check_hookimpl_names(name: str, plugin: object) -> None:
    """Fail on a ``baoxue_*`` function that is no hook, or that asks for arguments the hook
    does not give (a typo would otherwise be silently ignored or fail late)."""
    for attr in dir(plugin):
        if not attr.startswith("baoxue_"):
            continue
        function = getattr(plugin, attr)
        if not callable(function):
            continue
        if attr not in HOOKS:
            raise PluginError(name, attr, f"no such hook (known: {', '.join(HOOKS)})")
        expected = set(HOOKS[attr].arguments)
        given = set(inspect.signature(function).parameters) - {"self"}
        if given - expected:
            raise PluginError(
                name,
                attr,
                f"takes {', '.join(sorted(given - expected))}, which the hook does not give "
                f"(it gives: {', '.join(sorted(expected)) or 'nothing'})",
            )


def check_answer(hook: Hook, answer: Any, ctx: CountyContext) -> None:
    """One plugin's answer to ``hook``: its shape, then its meaning; :class:`Invalid`."""
    check_shape(answer, hook.returns, hook.name.removeprefix("baoxue_"))
    hook.check(answer, ctx)


def collect_jurisdictions(pm: pluggy.PluginManager) -> dict[str, tuple[str, JurisdictionSpec]]:
    """``{division code: (plugin name, spec)}``; PluginError on a bad spec or a second plugin
    declaring a code already taken."""
    found: dict[str, tuple[str, JurisdictionSpec]] = {}
    hook = HOOKS["baoxue_jurisdiction"]
    for impl in impls(pm, hook.name):  # registration order, so the later plugin is blamed
        spec = call_impl(impl, hook.name)
        if spec is None:
            continue
        try:
            check_shape(spec, hook.returns, "jurisdiction")
            hook.check(spec, CountyContext(code=spec.division_code, spec=spec))
        except Invalid as exc:
            raise PluginError(impl.plugin_name, hook.name, str(exc)) from exc
        code = spec.division_code
        if code in found:
            raise PluginError(
                impl.plugin_name,
                hook.name,
                f"duplicate division code {code}: already served by plugin {found[code][0]!r}",
            )
        found[code] = (impl.plugin_name, spec)
    return found


def validate(pm: pluggy.PluginManager) -> dict[str, tuple[str, JurisdictionSpec]]:
    """Check every plugin's answer to every hook it is asked; return the declared jurisdictions."""
    jurisdictions = collect_jurisdictions(pm)
    routing = Routing(pm, jurisdictions)
    # Hooks whose answers extend what later checks know (the vocabulary) are checked first.
    in_order = sorted(county_hooks(), key=lambda h: h.extends is None)
    for code, (_, spec) in [*jurisdictions.items(), (UNDECLARED, (None, None))]:
        ctx = CountyContext(code=code, spec=spec)
        for hook in in_order:
            for impl in impls(pm, hook.name):
                if not routing.asks(impl.plugin_name, code):
                    continue
                answer = call_impl(impl, hook.name, jurisdiction_code=code)
                if answer is None:
                    continue
                try:
                    check_answer(hook, answer, ctx)
                except Invalid as exc:
                    raise PluginError(impl.plugin_name, hook.name, f"{code}: {exc}") from exc
                if hook.extends is not None:
                    hook.extends(ctx, answer)
    return jurisdictions
