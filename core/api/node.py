"""Relay ``Node`` support for types backed by Tortoise models.

A GraphQL type declares the model it presents (``model: ClassVar = Child``); resolvers may then
return model instances directly. Global ids are ``base64("Child:<uuid>")``, stable for the life
of the row. ``node(id:)`` and ``nodes(ids:)`` (:class:`NodeQuery`) go through
:func:`resolve_global_ids`, the one place where an access check decides what a caller may see.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, ClassVar

import strawberry
from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLScalarType, GraphQLSchema
from strawberry import relay
from tortoise.models import Model

from core.api.context import Info
from core.api.ids import decode_global_id
from core.api.permissions import require_caller
from core.errors import DomainError, ErrorCode


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


async def resolve_global_ids(info: Info, ids: list[relay.GlobalID | None]) -> list[Any]:
    """Objects for global ids, in order; None where the id names nothing the caller can see."""
    results: list[Any] = [None] * len(ids)
    wanted: dict[type[ModelNode], list[tuple[int, str]]] = {}
    for position, global_id in enumerate(ids):
        node_type = _node_type(info, global_id) if global_id is not None else None
        if node_type is not None:
            wanted.setdefault(node_type, []).append((position, global_id.node_id))
    for node_type, entries in wanted.items():
        rows = await node_type.resolve_nodes(info=info, node_ids=[i for _, i in entries])
        for (position, _), row in zip(entries, rows, strict=True):
            results[position] = row
    return results


#: Most ids one ``nodes(ids:)`` call may ask for.
MAX_NODES = 100

#: Chinese descriptions of the parts of the schema strawberry writes in English.
NODE_DESCRIPTION = "具有全局唯一 ID 的对象 (Relay Node); 可用 node(id:) 按 ID 重新获取"
ID_DESCRIPTION = "全局唯一 ID (不透明字符串, 长期不变; 可用于 node(id:) 及筛选条件中的 ID)"
SCALAR_DESCRIPTIONS = {
    "Date": "日期, ISO 8601 格式, 如 2026-09-01",
    "DateTime": "带时区的日期时间, ISO 8601 格式, 如 2026-09-01T08:00:00+00:00",
    "Decimal": '十进制定点数, 以字符串表示, 如 "1250.00"',
    "JSON": "任意 JSON 值 (对象、数组、字符串、数字、布尔或 null)",
    "Upload": "上传的文件: 按 GraphQL multipart request 规范以 multipart/form-data 发送",
}


@strawberry.type
class NodeQuery:
    @strawberry.field(description="按全局 ID 取任一对象 (不存在或无权查看时为 null)")
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="全局 ID")],
    ) -> relay.Node | None:
        require_caller(info)
        return (await resolve_global_ids(info, [parse_node_id(id, "id")]))[0]

    @strawberry.field(description=f"按全局 ID 批量取对象, 顺序与输入一致; 一次最多 {MAX_NODES} 个")
    async def nodes(
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="全局 ID 列表")],
    ) -> list[relay.Node | None]:
        require_caller(info)
        if len(ids) > MAX_NODES:
            raise DomainError(
                ErrorCode.PAGE_SIZE,
                f"一次最多取 {MAX_NODES} 个对象",
                f"at most {MAX_NODES} ids per request",
                field="ids",
            )
        return await resolve_global_ids(info, [parse_node_id(i, "ids") for i in ids])


def parse_node_id(value: str, argument: str) -> relay.GlobalID | None:
    """``value`` as a global id (:func:`core.api.ids.decode_global_id`); a string that is not
    one is a coded ``INVALID`` error. A well-formed id that cannot name a row (an unknown type,
    a node id that is not a canonical UUID) is not an error: it names nothing, so gives null."""
    decoded = decode_global_id(value)
    if decoded is None:
        shown = value if len(value) <= 40 else value[:40] + "…"
        raise DomainError(
            ErrorCode.INVALID,
            f"{argument}: {shown!r} 不是有效的全局 ID",
            f"{argument}: {shown!r} is not a global id (use the 'id' of a node)",
            field=argument,
        )
    if decoded.row_id is None:
        return None
    return relay.GlobalID(decoded.type_name, decoded.node_id)


def localise_descriptions(schema: GraphQLSchema) -> GraphQLSchema:
    """Replace the English descriptions strawberry gives the Node interface, every ``id``
    field and the date/JSON scalars with Chinese ones (in place; returns ``schema``)."""
    for named_type in schema.type_map.values():
        if named_type.name.startswith("__"):
            continue
        if named_type.name == "Node" and isinstance(named_type, GraphQLInterfaceType):
            named_type.description = NODE_DESCRIPTION
            named_type.fields["id"].description = ID_DESCRIPTION
        elif isinstance(named_type, GraphQLObjectType) and any(
            i.name == "Node" for i in named_type.interfaces
        ):
            named_type.fields["id"].description = ID_DESCRIPTION
        elif isinstance(named_type, GraphQLScalarType) and named_type.name in SCALAR_DESCRIPTIONS:
            named_type.description = SCALAR_DESCRIPTIONS[named_type.name]
    return schema
