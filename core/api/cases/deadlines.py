"""``overdueCases``: open cases past their deadline, most overdue first."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core.api.cases.types import Case
from core.api.context import Info
from core.api.filters import After, Before, First, Last, division_code
from core.api.pagination import Connection, page_of
from core.cases import queries
from core.cases.deadlines import escalation_due_q


@strawberry.type
class CaseDeadlineQuery:
    @strawberry.field(
        description="逾期个案 (未结且下一时限已过), 最逾期者在前; "
        "escalationDue: true 只列应上报上一级者"
    )
    async def overdue_cases(
        self,
        info: Info,
        jurisdiction_code: Annotated[
            str | None, strawberry.argument(description="县级行政区划代码 (6位)")
        ] = None,
        escalation_due: Annotated[
            bool | None,
            strawberry.argument(description="true: 只列劝返时限已过且未到最高一级、应上报者"),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Case]:
        now = info.context.now()
        extra = (await escalation_due_q(now),) if escalation_due else ()
        flt = queries.CaseFilter(
            jurisdiction_code=division_code(jurisdiction_code, "jurisdictionCode"),
            overdue=True,
            extra=extra,
        )
        qs = queries.cases_queryset(
            flt, now, queries.CaseOrderField.NEXT_DEADLINE_AT, descending=False
        )
        return await page_of(info, qs, first=first, after=after, last=last, before=before)
