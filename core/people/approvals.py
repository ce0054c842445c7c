"""Approvals as the county names them: 休学 and a placement (一人一案) taking effect are decided
only by the authority its rule names, exactly as a 缓学/免学 is.

The authority comes from the county's exemption rules (``ExemptionRule.also_approves``: 荔浦
四.(一), the township, filed with 基教股), else 义务教育法 第十一条 (the township or the county's
education department). A caller who does not act for it gets ``FORBIDDEN`` naming who does.
"""

from __future__ import annotations

from core.access.authorise import require_authority
from core.access.caller import Caller
from core.cases.policy import rules_for
from core.jurisdictions.models import Jurisdiction
from core.people.models import Child
from core.rules.enums import ApprovalKind

_WHAT = {
    ApprovalKind.SUSPENSION: ("休学", "a suspension (SUSPEND)"),
    ApprovalKind.PLACEMENT: ("一人一案安置 (监护人同意后生效)", "a placement taking effect"),
}


async def require_approver(caller: Caller, child: Child, kind: ApprovalKind) -> None:
    """``FORBIDDEN`` unless ``caller`` acts for the authority that approves ``kind`` in the
    child's county."""
    code = await Jurisdiction.filter(id=child.jurisdiction_id).values_list(
        "division_code", flat=True
    )
    allowed, source = rules_for(code[0] if code else None).approvers(kind)
    require_authority(caller, allowed, _WHAT[kind], source)
