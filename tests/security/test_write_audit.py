"""Issue 10, points 5 and 6: the audit follows what executed (a mutation inside a fragment is
audited), global ids are parsed strictly, and a write's audit entry is committed with the
write or not at all."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, timedelta

import pytest

from core.access import audit
from core.access.enums import AuditAction
from core.access.models import ApiKey, AuditEntry, AuthSession, StaffAccount
from core.api.audit_extension import MAX_OBJECT_ID
from core.cases.models import CaseEvent
from core.visits.models import HomeVisit
from tests.access.conftest import gql, username
from tests.security.helpers import (
    CASE,
    gid,
    head_teachers_class,
    pupil_without_open_case,
    reported_case,
    token,
)

VISIT_FIELDS = """createHomeVisit(input: {childId: $c, visitedOn: $d, visitorName: "韦老师",
    findings: "家长在家"}) { homeVisit { id } errors { code field } }"""


@pytest.mark.parametrize(
    "document",
    [
        f"mutation($c: ID!, $d: Date!) {{ ... on Mutation {{ {VISIT_FIELDS} }} }}",
        f"""mutation($c: ID!, $d: Date!) {{ ...visit }}
            fragment visit on Mutation {{ {VISIT_FIELDS} }}""",
        f"""mutation($c: ID!, $d: Date!) {{ ... {{ ...visit }} }}
            fragment visit on Mutation {{ {VISIT_FIELDS} }}""",
    ],
    ids=["inline-fragment", "named-fragment", "nested-fragments"],
)
async def test_a_mutation_inside_a_fragment_is_audited(http, counties, document) -> None:
    bearer = await token(http, counties, "BUREAU_STAFF")
    child = await pupil_without_open_case(await head_teachers_class(counties))
    before = await AuditEntry.filter(action="MUTATION").count()

    body = await gql(
        http, document, {"c": gid("Child", child), "d": date.today().isoformat()}, token=bearer
    )

    assert body["data"]["createHomeVisit"]["errors"] == [], body
    visit = await HomeVisit.get(child_id=child.id, visitor_name="韦老师")
    entries = await AuditEntry.filter(action="MUTATION").order_by("occurred_at")
    assert len(entries) == before + 1
    assert entries[-1].operation == "createHomeVisit"
    assert entries[-1].object_id == gid("Child", child)
    assert visit.id


async def _new_case(http, counties) -> tuple[str, dict]:
    bearer = await token(http, counties, "BUREAU_STAFF")
    child = await pupil_without_open_case(await head_teachers_class(counties))
    return bearer, await reported_case(http, bearer, child)


VERIFY = f"""mutation($id: ID!) {{ verifyCase(input: {{caseId: $id, expectedVersion: 1}}) {{
    {CASE} }} }}"""


def _padded(global_id: str) -> list[str]:
    """The same case named in ways a lax base64/UUID parser accepts."""
    type_name, _, node_id = base64.b64decode(global_id).decode().partition(":")
    urn = base64.b64encode(f"{type_name}:urn:uuid:{node_id}".encode()).decode()
    braces = base64.b64encode(f"{type_name}:{{{node_id.upper()}}}".encode()).decode()
    return [
        urn,
        braces,
        "!".join(global_id),  # junk characters base64 skips
        global_id + "\n" * 40,
        global_id.rstrip("=") + "====" * 20,
    ]


async def test_padded_or_over_long_global_ids_are_refused_as_invalid(http, counties) -> None:
    bearer, case = await _new_case(http, counties)
    for variant in _padded(case["id"]):
        body = await gql(http, VERIFY, {"id": variant}, token=bearer)
        assert "errors" not in body, (variant, body)  # never data: null
        errors = body["data"]["verifyCase"]["errors"]
        assert [(e["code"], e["field"]) for e in errors] == [("INVALID", "caseId")], variant
    # An id longer than any string input may be is refused at the input boundary, before
    # anything runs: a top-level INVALID naming the input, nothing written, nothing to audit.
    body = await gql(http, VERIFY, {"id": case["id"] + "A" * 5000}, token=bearer)
    assert body["data"] is None
    assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in body["errors"]] == [
        ("INVALID", "input.caseId")
    ]
    assert await CaseEvent.filter(case_id=base64.b64decode(case["id"]).decode()[5:]).count() == 1
    refused = await AuditEntry.filter(action="MUTATION", operation="verifyCase").all()
    assert len(refused) == 5
    assert all(
        e.details["errors"] == ["INVALID"] and len(e.object_id) <= MAX_OBJECT_ID for e in refused
    )


async def test_a_write_whose_audit_entry_cannot_be_written_is_not_committed(
    http, counties, monkeypatch
) -> None:
    bearer, case = await _new_case(http, counties)
    events = await CaseEvent.all().count()
    real_record = audit.record

    async def failing(action, **kwargs):
        if kwargs.get("operation") == "verifyCase":
            raise RuntimeError("the audit table is full")
        return await real_record(action, **kwargs)

    monkeypatch.setattr(audit, "record", failing)
    body = await gql(http, VERIFY, {"id": case["id"]}, token=bearer)

    assert await CaseEvent.all().count() == events  # the verification was rolled back
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL", body
    state = await gql(http, "query($id: ID!) { node(id: $id) { ... on Case { state version } } }",
                      {"id": case["id"]}, token=bearer)  # fmt: skip
    assert state["data"]["node"] == {"state": "REPORTED", "version": 1}


# -- signing in and out, and agency keys: the same rule ----------------------------------------

LOGIN = """mutation($u: String!, $p: String!) { login(username: $u, password: $p) {
    token errors { code } } }"""
KEY_INPUT = {"agency": "荔浦市民政局", "jurisdictionCode": "450381", "permissions": ["READ_CASES"]}


def _in_a_month() -> str:
    return (datetime.now(UTC) + timedelta(days=30)).isoformat()


def _failing_audit(monkeypatch, operation: str) -> None:
    """Make writing ``operation``'s MUTATION entry fail, as a full audit table would."""
    real_record = audit.record

    async def failing(action, **kwargs):
        if action is AuditAction.MUTATION and kwargs.get("operation") == operation:
            raise RuntimeError("the audit table is full")
        return await real_record(action, **kwargs)

    monkeypatch.setattr(audit, "record", failing)


async def _state() -> tuple:
    """Everything the five mutations change: sessions, keys and the audit log."""
    sessions = await AuthSession.all().order_by("id").values_list("id", "revoked_at")
    keys = await ApiKey.all().order_by("id").values_list("id", "revoked_at", "replaced_by_id")
    return sessions, keys, await AuditEntry.all().count()


async def test_a_login_whose_audit_entry_cannot_be_written_opens_no_session(
    http, counties, monkeypatch
) -> None:
    before = await _state()
    _failing_audit(monkeypatch, "login")
    body = await gql(
        http, LOGIN, {"u": username(counties.lipu, "BUREAU_STAFF"), "p": counties.lipu.password}
    )
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL", body
    assert await _state() == before  # no session, no LOGIN entry, no last_login_at
    account = await StaffAccount.get(username=username(counties.lipu, "BUREAU_STAFF"))
    assert account.last_login_at is None


async def test_a_logout_whose_audit_entry_cannot_be_written_keeps_the_session(
    http, counties, monkeypatch
) -> None:
    bearer = await token(http, counties, "BUREAU_STAFF")
    before = await _state()
    _failing_audit(monkeypatch, "logout")
    body = await gql(http, "mutation { logout { ok errors { code } } }", token=bearer)
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL", body
    assert await _state() == before  # not revoked, no LOGOUT entry
    monkeypatch.undo()
    still = await gql(http, "{ cases { totalCount } }", token=bearer)
    assert "errors" not in still, still


@pytest.mark.parametrize("operation", ["createApiKey", "rotateApiKey", "revokeApiKey"])
async def test_a_key_change_whose_audit_entry_cannot_be_written_changes_no_key(
    http, counties, monkeypatch, operation
) -> None:
    admin = await token(http, counties, "COUNTY_ADMIN")
    made = await gql(
        http,
        """mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) {
            apiKey { id } errors { code } } }""",
        {"input": {**KEY_INPUT, "expiresAt": _in_a_month()}},
        token=admin,
    )
    key_id = made["data"]["createApiKey"]["apiKey"]["id"]
    before = await _state()
    _failing_audit(monkeypatch, operation)
    if operation == "createApiKey":
        document = """mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) {
            secret errors { code } } }"""
        variables = {"input": {**KEY_INPUT, "expiresAt": _in_a_month()}}
    else:
        document = f"""mutation($id: ID!) {{ {operation}(id: $id) {{ errors {{ code }} }} }}"""
        variables = {"id": key_id}
    body = await gql(http, document, variables, token=admin)
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL", body
    assert await _state() == before  # no key made, rotated or revoked, no KEY_CHANGE entry
