"""Webhook payloads chosen by a subscription document (as saleor's webhooks are): a GraphQL
query, checked against the schema when the endpoint is registered and run for each delivery as
the endpoint's owner, so the payload holds only what that account may see, masked as the API
masks it for them (and personal-detail reads are audited as for any request).

The document is a ``query`` operation; it may declare ``$id: ID!`` (the event's object),
``$kind: String`` and ``$eventId: String``, e.g.::

    query($id: ID!) { node(id: $id) { ... on Case { id state escalationLevel
                                                      child { name } } } }
"""

from __future__ import annotations

from typing import Any

from graphql import OperationDefinitionNode, OperationType, parse, validate
from graphql.error import GraphQLSyntaxError

from core.access.caller import Caller
from core.api.context import Context
from core.errors import DomainError, ErrorCode
from core.settings import load_settings

ALLOWED_VARIABLES = {"id", "kind", "eventId"}


def _refuse(zh: str, en: str) -> DomainError:
    return DomainError(ErrorCode.INVALID, zh, en, field="subscription")


def check_document(document: str) -> None:
    """Refuse a document that does not parse, is not one query, uses other variables or does
    not validate against the schema (each a coded error on ``subscription``)."""
    from core.api.schema import default_schema

    try:
        tree = parse(document)
    except GraphQLSyntaxError as exc:
        raise _refuse(
            f"订阅文档无法解析: {exc.message}", f"the document does not parse: {exc.message}"
        ) from None
    operations = [d for d in tree.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].operation is not OperationType.QUERY:
        raise _refuse("订阅文档须恰为一个 query 操作", "the document must be exactly one query")
    names = {v.variable.name.value for v in operations[0].variable_definitions or ()}
    if not names <= ALLOWED_VARIABLES:
        raise _refuse(
            "订阅文档只能声明 $id、$kind、$eventId 变量",
            "the document may declare only $id, $kind and $eventId",
        )
    errors = validate(default_schema()._schema, tree)
    if errors:
        raise _refuse(
            f"订阅文档不符合 schema: {errors[0].message}",
            f"the document does not validate: {errors[0].message}",
        )


async def render(document: str, variables: dict[str, Any], caller: Caller) -> dict[str, Any]:
    """Run ``document`` as ``caller``; ``{"data": …, "errors": [{message, code}]}``."""
    from core.api.schema import default_schema

    tree = parse(document)
    operation = next(d for d in tree.definitions if isinstance(d, OperationDefinitionNode))
    declared = {v.variable.name.value for v in operation.variable_definitions or ()}
    context = Context(
        request=None,
        response=None,
        settings=load_settings(),
        request_id="webhook",
        caller=caller,
    )
    result = await default_schema().execute(
        document,
        variable_values={k: v for k, v in variables.items() if k in declared},
        context_value=context,
    )
    errors = [
        {"message": e.message, "code": (e.extensions or {}).get("code")}
        for e in result.errors or ()
    ]
    return {"data": result.data, "errors": errors}
