"""Relay ``Node`` support for types backed by Tortoise models.

A GraphQL type declares the model it presents (``model: ClassVar = Child``); resolvers may then
return model instances directly. Global ids are ``base64("Child:<uuid>")``, stable for the life
of the row. ``node(id:)`` and ``nodes(ids:)`` go through :func:`load_node`, the one place where
a future access check decides what a caller may see.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from strawberry import relay
from tortoise.models import Model

from core.api.context import Info


class ModelNode(relay.Node):
    """Base of every GraphQL type that presents one Tortoise model."""

    model: ClassVar[type[Model]]

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, cls.model)

    @classmethod
    def resolve_id(cls, root: Any, *, info: Info) -> str:
        return str(root.pk)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        return await load_nodes(info, cls.model, list(node_ids))


async def load_nodes(info: Info, model: type[Model], ids: list[str]) -> list[Model | None]:
    """Load rows of ``model`` by id through the request's DataLoader; unknown ids give None."""
    return list(await info.context.loaders.by_id(model).load_many(ids))


def _node_type(info: Info, global_id: relay.GlobalID) -> type[ModelNode] | None:
    try:
        node_type = global_id.resolve_type(info)
    except Exception:  # an unknown type name is "not found", never an internal error
        return None
    if not (isinstance(node_type, type) and issubclass(node_type, ModelNode)):
        return None
    return node_type


async def resolve_global_ids(info: Info, ids: list[relay.GlobalID]) -> list[Any]:
    """Objects for global ids, in order; None where the id names nothing the caller can see."""
    results: list[Any] = [None] * len(ids)
    wanted: dict[type[ModelNode], list[tuple[int, str]]] = {}
    for position, global_id in enumerate(ids):
        node_type = _node_type(info, global_id)
        if node_type is not None:
            wanted.setdefault(node_type, []).append((position, global_id.node_id))
    for node_type, entries in wanted.items():
        rows = await node_type.resolve_nodes(info=info, node_ids=[i for _, i in entries])
        for (position, _), row in zip(entries, rows, strict=True):
            results[position] = row
    return results
