"""The fast path (快速通道): hot list queries answered without per-field execution.

Issue 15: the page of 50 children spent most of its time in graphql-core's per-field
execution, strawberry's resolver wrappers, a task per awaitable field and ORM objects. The
fast path answers the documents it covers entirely:

1. the document is parsed and validated once per query text (strawberry's ``ParserCache``
   and ``ValidationCache``), and planned once per query text and operation name
   (:mod:`core.api.fastpath.plan`, a bounded cache); a document it does not cover entirely
   is remembered as such and goes to normal execution;
2. depth, alias, token, cost, input and GET limits run exactly as before: they are the other
   extensions, and :class:`FastPath` comes after them, in ``on_execute``, only when none of
   them has answered (refused) the request;
3. the root field's page is what its resolver answers (the same filter checks, permission
   check, row scope, order and window), its page and total sent as statements built once per
   shape (:mod:`core.api.fastpath.roots`); then each level below it is loaded for all its rows
   in one statement from the rows the caller may see, and written out by
   :mod:`core.api.fastpath.run`: masking and the unmasked-read audit through
   :func:`core.api.masking.reveal`, leaves serialised by their GraphQL types;
4. anything it meets that it does not expect (a refusal, a typed error, a null where the
   schema says non-null) makes it step aside: normal execution then answers the request and
   reports the error as it always does.

``BAOXUE_FAST_PATH=false`` turns it off (``Settings.fast_path``). Its tests
(``tests/api/test_fastpath.py``) compare its answers with normal execution's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from graphql import ExecutionResult
from strawberry.extensions import SchemaExtension

from core.api.fastpath.plan import PlanCache
from core.api.fastpath.run import Fallback, answer

PLANS = PlanCache()


class FastPath(SchemaExtension):
    """Answers, in ``on_execute``, the documents the fast path covers (see the module)."""

    async def on_execute(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        if ctx.result or ctx.graphql_document is None or ctx.query is None:
            yield
            return
        plan = PLANS.get(ctx.schema._schema, ctx.query, ctx.graphql_document, ctx.operation_name)
        if plan is not None:
            try:
                data = await answer(ctx.schema, plan, ctx.context, ctx.variables)
            except Fallback:
                pass
            else:
                ctx.result = ExecutionResult(data=data)
        yield


__all__ = ["PLANS", "FastPath"]
