"""What the write probes share: global ids, the demo accounts' tokens, and a case of one's own
driven to the state a probe needs (through the API, as the attacker's own staff would)."""

from __future__ import annotations

from typing import Any

import httpx
from strawberry import relay

from core.cases.enums import TERMINAL_STATES, CaseKind
from core.cases.models import Case
from core.enrolment.models import Enrolment
from core.people.models import Child
from tests.access.conftest import Counties, gql, login, username


def gid(type_name: str, row: Any) -> str:
    return str(relay.GlobalID(type_name, str(getattr(row, "pk", row))))


async def token(
    http: httpx.AsyncClient, counties: Counties, role: str, county: str = "lipu"
) -> str:
    creds = getattr(counties, county)
    return await login(http, username(creds, role), creds.password)


async def head_teachers_class(counties: Counties) -> Any:
    """The class the 荔浦 demo head teacher is bound to."""
    from core.access.models import StaffAccount

    account = await StaffAccount.get(username=username(counties.lipu, "HEAD_TEACHER"))
    return account.school_class_id


async def pupil_without_open_case(class_id: Any, kind: CaseKind = CaseKind.AT_RISK) -> Child:
    """A child currently in the class with no open case of ``kind``."""
    taken = (
        await Case.filter(kind=kind)
        .exclude(state__in=[s.value for s in TERMINAL_STATES])
        .values_list("child_id", flat=True)
    )
    child_ids = await Enrolment.filter(school_class_id=class_id, is_current=True).values_list(
        "child_id", flat=True
    )
    free = [c for c in child_ids if c not in set(taken)]
    assert free, "the head teacher's class has no child free for a new case"
    return await Child.get(id=sorted(free)[0])


CASE = "case { id state version } errors { code field message }"


async def reported_case(http: httpx.AsyncClient, bearer: str, child: Child) -> dict[str, Any]:
    """Report an at-risk case for ``child``; the new case."""
    report = await gql(
        http,
        f"""mutation($c: ID!) {{ reportCase(input: {{childId: $c, kind: AT_RISK,
             source: HEAD_TEACHER_REPORT}}) {{ {CASE} }} }}""",
        {"c": gid("Child", child)},
        token=bearer,
    )
    assert report["data"]["reportCase"]["errors"] == [], report
    return report["data"]["reportCase"]["case"]


async def confirmed_case(http: httpx.AsyncClient, bearer: str, child: Child) -> dict[str, Any]:
    """Report an at-risk case for ``child``, verify and confirm it; the case as it stands."""
    case = await reported_case(http, bearer, child)
    for mutation, extra in (("verifyCase", ""), ("confirmCase", ', findings: "学习困难, 厌学"')):
        body = await gql(
            http,
            f"""mutation($id: ID!, $v: Int!) {{ {mutation}(input: {{caseId: $id,
                 expectedVersion: $v{extra}}}) {{ {CASE} }} }}""",
            {"id": case["id"], "v": case["version"]},
            token=bearer,
        )
        assert body["data"][mutation]["errors"] == [], body
        case = body["data"][mutation]["case"]
    return case
