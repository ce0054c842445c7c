"""GraphQL enums of the case workflow (the state machine's actions and the commands' choices)."""

from __future__ import annotations

from core.api.enums import graphql_enum
from core.cases.services import ContactKind, ContactOutcome, DismissalGrounds, ExemptionKind
from core.cases.workflow import CaseAction

graphql_enum(CaseAction, "个案操作 (状态机中的动作, 见 docs/case-workflow.md)")
graphql_enum(DismissalGrounds, "排除 (非辍学) 的理由")
graphql_enum(ContactKind, "联系方式: 家访、电话或劝返谈话")
graphql_enum(ContactOutcome, "联系结果")
graphql_enum(ExemptionKind, "缓学或免学")

__all__ = ["CaseAction", "ContactKind", "ContactOutcome", "DismissalGrounds", "ExemptionKind"]
