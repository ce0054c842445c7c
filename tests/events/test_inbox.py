"""The inbox over HTTP: a head teacher, a school head, a township official and the bureau each
see what is addressed to them, newest first, with read and acknowledged state and counts."""

from __future__ import annotations

from typing import Any

import httpx

from core.access.accounts import create_account
from core.access.enums import AuditAction, Role
from core.access.models import AuditEntry
from core.events.models import InboxReceipt
from tests.cases.conftest import PASSWORD, County, Workflow
from tests.conftest import graphql
from tests.events.test_outbox import _escalated_to_township

INBOX = """query($filter: InboxFilterInput) {
  myInbox(filter: $filter, first: 20) { totalCount edges { node {
    id kind summary audienceKind audienceOffice responsibleName objectType objectId payload
    readAt acknowledgedAt } } }
  myInboxCounts { total unread }
}"""


async def _as(http: httpx.AsyncClient, username: str) -> dict[str, str]:
    body = await graphql(
        http,
        """mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }""",
        {"u": username, "p": PASSWORD},
    )
    return {"Authorization": f"Bearer {body['data']['login']['token']}"}


async def _inbox(http, headers, **flt: Any) -> dict[str, Any]:
    body = await graphql(http, INBOX, {"filter": flt or None}, headers=headers)
    assert "errors" not in body, body
    return body["data"]


async def _school_head(county: County) -> str:
    account = await create_account(
        username="school-head-450381",
        password=PASSWORD,
        role=Role.SCHOOL_HEAD,
        jurisdiction_code="450381",
        school_code=county.school.code,
    )
    return account.username


async def _submit_report(http, headers) -> str:
    made = await graphql(
        http,
        """mutation { generateReport(input: {formatCode: "dropout-roster",
            period: "2026-03-01", periodKind: ON_DEMAND}) {
            report { id allowedActions } errors { code message } } }""",
        headers=headers,
    )
    report = made["data"]["generateReport"]["report"]
    assert report, made
    for action in ("signReport", "submitReport"):
        if action == "signReport" and "SIGN" not in report["allowedActions"]:
            continue
        done = await graphql(
            http,
            f"""mutation($id: ID!) {{ {action}(input: {{id: $id}}) {{
                report {{ state }} errors {{ code message }} }} }}""",
            {"id": report["id"]},
            headers=headers,
        )
        assert done["data"][action]["errors"] == [], done
    return report["id"]


async def test_each_level_sees_its_own_and_acknowledges_it(
    http: httpx.AsyncClient, workflow: Workflow, county: County
) -> None:
    cid = await _escalated_to_township(workflow, county)
    head_teacher = await _as(http, county.staff[Role.HEAD_TEACHER])
    school_head = await _as(http, await _school_head(county))
    township = await _as(http, county.staff[Role.TOWNSHIP_OFFICIAL])
    bureau = await _as(http, county.staff[Role.BUREAU_STAFF])
    report_id = await _submit_report(http, school_head)

    teacher_box = await _inbox(http, head_teacher)
    kinds = [e["node"]["kind"] for e in teacher_box["myInbox"]["edges"]]
    assert kinds == ["CASE_STEP", "CASE_STEP", "CASE_OPENED"]  # newest first, level 0 only
    assert {e["node"]["audienceKind"] for e in teacher_box["myInbox"]["edges"]} == {"CLASS"}
    assert teacher_box["myInboxCounts"] == {"total": 3, "unread": 3}
    assert teacher_box["myInbox"]["edges"][0]["node"]["responsibleName"] == "张老师"

    school_box = await _inbox(http, school_head)
    (to_school,) = [e["node"] for e in school_box["myInbox"]["edges"]]
    assert to_school["kind"] == "CASE_ESCALATED" and to_school["audienceKind"] == "SCHOOL"
    assert to_school["objectId"] == cid and to_school["payload"]["level"] == 1

    town_box = await _inbox(http, township)
    (to_town,) = [e["node"] for e in town_box["myInbox"]["edges"]]
    assert to_town["kind"] == "CASE_ESCALATED" and to_town["audienceKind"] == "TOWN"
    assert to_town["payload"]["fromLevel"] == 1 and to_town["payload"]["level"] == 2
    # The township official can open the case the item names.
    node = await graphql(
        http, "query($id: ID!) { node(id: $id) { id } }", {"id": cid}, headers=township
    )
    assert node["data"]["node"] == {"id": cid}

    bureau_box = await _inbox(http, bureau)
    (submitted,) = [e["node"] for e in bureau_box["myInbox"]["edges"]]
    assert submitted["kind"] == "REPORT_SUBMITTED" and submitted["objectId"] == report_id
    assert submitted["objectType"] == "ReportSnapshot"

    # Acknowledging is the township's own, audited in the same request.
    done = await graphql(
        http,
        """mutation($id: ID!) { acknowledgeInboxItem(input: {id: $id}) {
            item { id readAt acknowledgedAt } errors { code } } }""",
        {"id": to_town["id"]},
        headers=township,
    )
    item = done["data"]["acknowledgeInboxItem"]["item"]
    assert item["readAt"] and item["acknowledgedAt"]
    assert await AuditEntry.filter(
        action=AuditAction.MUTATION, operation="acknowledgeInboxItem"
    ).exists()
    after = await _inbox(http, township)
    assert after["myInboxCounts"] == {"total": 1, "unread": 0}
    assert (await _inbox(http, township, unread=True))["myInbox"]["totalCount"] == 0
    assert (await _inbox(http, township, acknowledged=False))["myInbox"]["totalCount"] == 0
    # Someone else's item is not in your inbox: NOT_FOUND, nothing written.
    refused = await graphql(
        http,
        """mutation($id: ID!) { markInboxItemRead(input: {id: $id}) { item { id }
            errors { code field } } }""",
        {"id": to_town["id"]},
        headers=head_teacher,
    )
    assert refused["data"]["markInboxItemRead"]["errors"] == [{"code": "NOT_FOUND", "field": "id"}]
    assert await InboxReceipt.all().count() == 1
    filtered = await _inbox(http, head_teacher, kinds=["CASE_OPENED"])
    assert filtered["myInbox"]["totalCount"] == 1


async def test_without_signing_in_there_is_no_inbox(
    http: httpx.AsyncClient, county: County
) -> None:
    body = await graphql(http, INBOX)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
