"""GraphQL types derived from the frozen dataclasses of :mod:`core.rules` (what hooks return).

A rule type names the dataclass it presents and, field by field, what the schema says about
it; the types come from the dataclass::

    @rule_type(specs.Deadline, name="Deadline", description="时限: 谁在多少天内完成什么")
    class Deadline(RuleType):
        kind: auto = strawberry.field(description="时限类别")
        days: auto = strawberry.field(description="天数 (自然日)")
        ...

``auto`` takes the dataclass field's type, turned into its GraphQL form (a tuple becomes a
list, a nested rule its rule type). A field that is not the dataclass's is filled from the
attribute of that name (a property such as ``Target.label``) or given to :meth:`of`. Every
field of the dataclass must be shown, resolved by a method of the same name, or excluded, so a
field added to a rule cannot be left out of the schema unnoticed. :meth:`RuleType.of` builds
the GraphQL object from the rule object (nested rules included) and keeps the rule in
``rule`` for resolvers that need it.
"""

from __future__ import annotations

import dataclasses
import inspect
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

import strawberry
from strawberry.types.base import get_object_definition
from strawberry.types.field import StrawberryField

R = TypeVar("R", bound="RuleType")


class RuleType:
    """Base of the types :func:`rule_type` makes; ``rule`` is the object presented."""

    rule: Any

    @classmethod
    def of(cls: type[R], rule: Any, **values: Any) -> R:
        """The GraphQL object presenting ``rule``; ``values`` give fields the rule lacks."""
        for field in get_object_definition(cls, strict=True).fields:
            if field.base_resolver is None and field.python_name not in values:
                values[field.python_name] = convert(getattr(rule, field.python_name))
        return cls(rule=rule, **values)


#: The rule type of each dataclass, in the order they were declared.
RULE_TYPES: dict[type, type[RuleType]] = {}

#: Written in place of a field's type: take it from the dataclass.
auto = strawberry.auto


def rule_type(
    rule: type,
    *,
    name: str,
    description: str,
    fields: Mapping[str, str] | None = None,
    exclude: Iterable[str] = (),
) -> Callable[[type[R]], type[R]]:
    """Make the decorated class the strawberry type presenting dataclass ``rule``.

    ``fields`` adds ``auto`` fields by name with their descriptions, after those the class
    declares (for fields that come from elsewhere, such as the hook table). ``exclude`` names
    fields of ``rule`` the schema does not show.
    """

    def wrap(cls: type[R]) -> type[R]:
        if not issubclass(cls, RuleType):
            raise TypeError(f"{cls.__name__} must be a RuleType")
        hints = get_type_hints(rule)
        annotations = dict(inspect.get_annotations(cls))
        for field_name, text in (fields or {}).items():
            annotations[field_name] = auto
            setattr(cls, field_name, strawberry.field(description=text))
        for field_name, annotation in annotations.items():
            if _is_auto(annotation):
                if field_name not in hints:
                    raise TypeError(f"{cls.__name__}.{field_name}: no such field in {rule}")
                annotations[field_name] = graphql_annotation(hints[field_name])
        resolved = {n for n, v in vars(cls).items() if isinstance(v, StrawberryField)}
        hidden = set(exclude)
        missing = [
            f.name
            for f in dataclasses.fields(rule)
            if f.name not in annotations and f.name not in resolved and f.name not in hidden
        ]
        if missing:
            raise TypeError(
                f"{cls.__name__} does not show {rule.__name__}.{', '.join(missing)}: add the "
                "field(s) with a description, or name them in exclude="
            )
        annotations["rule"] = strawberry.Private[rule]
        cls.__annotations__ = annotations
        made = strawberry.type(cls, name=name, description=description)
        RULE_TYPES[rule] = made
        return made

    return wrap


def convert(value: Any) -> Any:
    """A rule value in its GraphQL form: rules as their rule types, tuples as lists."""
    if isinstance(value, (tuple, list)):
        return [convert(item) for item in value]
    made = RULE_TYPES.get(type(value))
    if made is not None:
        return made.of(value)
    return value


def graphql_annotation(annotation: Any) -> Any:
    """The GraphQL form of a dataclass field's type."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
        (inner,) = options
        return graphql_annotation(inner) | None
    if origin in (tuple, list, Sequence):
        return list[graphql_annotation(get_args(annotation)[0])]
    if dataclasses.is_dataclass(annotation):
        if annotation not in RULE_TYPES:
            raise TypeError(f"{annotation.__name__} has no rule type: declare it first")
        return RULE_TYPES[annotation]
    return annotation


def _is_auto(annotation: Any) -> bool:
    return annotation is auto or annotation in ("auto", "strawberry.auto")
