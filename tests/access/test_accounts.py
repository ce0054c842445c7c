"""Staff accounts over GraphQL, as real callers: a county administrator creates, disables,
re-enables and resets accounts of their own county; every signed-in user changes their own
password; a disabled account's sessions end at once."""

from __future__ import annotations

from datetime import timedelta

from core.access.models import AuditEntry, PasswordResetToken, StaffAccount
from core.access.passwords import check_password, common_passwords
from tests.access.conftest import LIPU, LOGIN, code_of, gql, login, username

ME = "{ me { label role scopeKind } }"
NEW_PASSWORD = "Lijiang-bamboo-raft-77"

CLASS_ID = """{ schools(first: 1) { edges { node { id classes { id } } } } }"""

CREATE = """mutation($input: CreateStaffAccountInput!) {
  createStaffAccount(input: $input) {
    account { id username role scopeKind isActive class { id } school { id }
      jurisdiction { divisionCode } }
    resetToken resetTokenExpiresAt
    errors { code field message } } }"""
DISABLE = """mutation($id: ID!) { disableStaffAccount(id: $id) {
  account { id isActive disabledAt } errors { code field message } } }"""
ENABLE = """mutation($id: ID!) { enableStaffAccount(id: $id) {
  account { id isActive } errors { code field message } } }"""
ISSUE = """mutation($id: ID!) { issuePasswordReset(id: $id) {
  token expiresAt account { username } errors { code field message } } }"""
RESET = """mutation($t: String!, $p: String!) { resetPasswordWithToken(token: $t, newPassword: $p) {
  ok errors { code field message } } }"""
CHANGE = """mutation($c: String!, $p: String!) {
  changePassword(currentPassword: $c, newPassword: $p) {
  ok errors { code field message } } }"""


async def _admin(http, counties, which: str = "lipu") -> str:
    creds = getattr(counties, which)
    return await login(http, username(creds, "COUNTY_ADMIN"), creds.password)


async def _a_class(http, token: str) -> str:
    body = await gql(http, CLASS_ID, token=token)
    school = body["data"]["schools"]["edges"][0]["node"]
    return school["classes"][0]["id"]


async def _create_head_teacher(http, token: str, name: str = "wang.laoshi", **extra) -> dict:
    class_id = await _a_class(http, token)
    body = await gql(
        http,
        CREATE,
        {
            "input": {
                "username": name,
                "role": "HEAD_TEACHER",
                "displayName": "王老师",
                "classId": class_id,
                **extra,
            }
        },
        token=token,
    )
    return body["data"]["createStaffAccount"]


async def test_admin_creates_a_head_teacher_who_logs_in_then_is_disabled_and_refused(
    http, counties
) -> None:
    admin = await _admin(http, counties)
    created = await _create_head_teacher(http, admin, password=NEW_PASSWORD)
    assert created["errors"] == [], created
    account = created["account"]
    assert account["role"] == "HEAD_TEACHER"
    assert account["scopeKind"] == "CLASS"
    assert account["class"]["id"] and account["school"]["id"]
    assert account["jurisdiction"]["divisionCode"] == LIPU
    assert created["resetToken"] is None

    teacher = await login(http, "wang.laoshi", NEW_PASSWORD)
    teacher_on_phone = await login(http, "wang.laoshi", NEW_PASSWORD)
    me = (await gql(http, ME, token=teacher))["data"]["me"]
    assert me == {"label": "wang.laoshi", "role": "HEAD_TEACHER", "scopeKind": "CLASS"}

    disabled = (await gql(http, DISABLE, {"id": account["id"]}, token=admin))["data"]
    assert disabled["disableStaffAccount"]["errors"] == []
    assert disabled["disableStaffAccount"]["account"]["isActive"] is False
    for token in (teacher, teacher_on_phone):  # every session ends at once
        body = await gql(http, ME, token=token)
        assert code_of(body) == "UNAUTHENTICATED", body
    body = await gql(http, LOGIN, {"u": "wang.laoshi", "p": NEW_PASSWORD})
    assert body["data"]["login"]["token"] is None

    enabled = (await gql(http, ENABLE, {"id": account["id"]}, token=admin))["data"]
    assert enabled["enableStaffAccount"]["account"]["isActive"] is True
    assert await login(http, "wang.laoshi", NEW_PASSWORD)

    entries = await AuditEntry.filter(action="ACCOUNT_CHANGE", object_type="StaffAccount")
    assert sorted(e.details["change"] for e in entries) == ["created", "disabled", "enabled"]
    assert all(NEW_PASSWORD not in str(e.details) for e in await AuditEntry.all())
    mutations = await AuditEntry.filter(action="MUTATION", operation="disableStaffAccount")
    assert len(mutations) == 1 and mutations[0].object_id == account["id"]


async def test_an_admin_of_another_county_cannot_touch_the_account(http, counties) -> None:
    lipu_admin = await _admin(http, counties)
    created = await _create_head_teacher(http, lipu_admin, password=NEW_PASSWORD)
    account_id = created["account"]["id"]
    other = await _admin(http, counties, "rongchang")
    for mutation, name in (
        (DISABLE, "disableStaffAccount"),
        (ENABLE, "enableStaffAccount"),
        (ISSUE, "issuePasswordReset"),
    ):
        payload = (await gql(http, mutation, {"id": account_id}, token=other))["data"][name]
        assert payload["errors"][0]["code"] == "NOT_FOUND", payload
        assert payload["errors"][0]["field"] == "id"
    node = await gql(
        http, "query($id: ID!) { node(id: $id) { id } }", {"id": account_id}, token=other
    )
    assert node["data"]["node"] is None
    listed = await gql(
        http, "{ staffAccounts(first: 100) { edges { node { username } } } }", token=other
    )
    names = [e["node"]["username"] for e in listed["data"]["staffAccounts"]["edges"]]
    assert "wang.laoshi" not in names and names
    # nor create one in Lipu's class
    lipu_class = await _a_class(http, lipu_admin)
    body = await gql(
        http,
        CREATE,
        {"input": {"username": "intruder", "role": "HEAD_TEACHER", "classId": lipu_class}},
        token=other,
    )
    assert body["data"]["createStaffAccount"]["errors"][0]["code"] == "NOT_FOUND"
    assert body["data"]["createStaffAccount"]["errors"][0]["field"] == "classId"
    assert await StaffAccount.get(username="wang.laoshi").values("is_active") == {"is_active": True}
    assert not await StaffAccount.exists(username="intruder")


async def test_a_head_teacher_cannot_create_or_disable_accounts(http, counties) -> None:
    token = await login(http, username(counties.lipu, "HEAD_TEACHER"), counties.lipu.password)
    body = await gql(
        http,
        CREATE,
        {"input": {"username": "mine", "role": "HEAD_TEACHER", "password": NEW_PASSWORD}},
        token=token,
    )
    assert code_of(body) == "FORBIDDEN"
    assert "MANAGE_ACCOUNTS" in body["errors"][0]["message"]
    assert not await StaffAccount.exists(username="mine")
    body = await gql(http, "{ staffAccounts { totalCount } }", token=token)
    assert code_of(body) == "FORBIDDEN"


async def test_reset_token_sets_the_password_once_and_ends_every_session(
    http, counties, clock
) -> None:
    admin = await _admin(http, counties)
    created = await _create_head_teacher(http, admin)  # no password: a first-password token
    assert created["errors"] == []
    first = created["resetToken"]
    assert first.startswith("bxr_")
    body = await gql(http, LOGIN, {"u": "wang.laoshi", "p": ""})
    assert body["data"]["login"]["token"] is None

    ok = (await gql(http, RESET, {"t": first, "p": NEW_PASSWORD}))["data"]
    assert ok["resetPasswordWithToken"] == {"ok": True, "errors": []}
    teacher = await login(http, "wang.laoshi", NEW_PASSWORD)
    again = (await gql(http, RESET, {"t": first, "p": "another-Good-passw0rd"}))["data"]
    assert again["resetPasswordWithToken"]["ok"] is False
    assert again["resetPasswordWithToken"]["errors"][0]["code"] == "INVALID"
    assert again["resetPasswordWithToken"]["errors"][0]["field"] == "token"

    # the administrator resets a forgotten password: the old sessions end when it is used
    issued = (await gql(http, ISSUE, {"id": created["account"]["id"]}, token=admin))["data"]
    token = issued["issuePasswordReset"]["token"]
    assert token and token != first
    assert (await gql(http, ME, token=teacher))["data"]["me"]  # still signed in meanwhile
    ok = (await gql(http, RESET, {"t": token, "p": "Second-bamboo-raft-88"}))["data"]
    assert ok["resetPasswordWithToken"]["ok"] is True
    assert code_of(await gql(http, ME, token=teacher)) == "UNAUTHENTICATED"
    assert await login(http, "wang.laoshi", "Second-bamboo-raft-88")

    # an expired token is refused too; only its digest is stored
    issued = (await gql(http, ISSUE, {"id": created["account"]["id"]}, token=admin))["data"]
    late = issued["issuePasswordReset"]["token"]
    assert not await PasswordResetToken.exists(token_digest=late)
    clock.moment += timedelta(hours=25)
    body = (await gql(http, RESET, {"t": late, "p": "Third-bamboo-raft-99"}))["data"]
    assert body["resetPasswordWithToken"]["errors"][0]["field"] == "token"


async def test_a_weak_password_is_refused_with_field_and_reason_and_keeps_the_token(
    http, counties
) -> None:
    admin = await _admin(http, counties)
    weak = await _create_head_teacher(http, admin, password="woaini1314")
    assert weak["account"] is None
    assert weak["errors"][0]["code"] == "INVALID"
    assert weak["errors"][0]["field"] == "password"
    assert "常见" in weak["errors"][0]["message"]
    assert not await StaffAccount.exists(username="wang.laoshi")

    created = await _create_head_teacher(http, admin)
    for bad, reason in (
        ("123456", "至少 10 位"),
        ("Password2026!", "常见"),
        ("qwertyuiop", "常见"),
        ("wang.laoshi-2026", "用户名"),
    ):
        body = (await gql(http, RESET, {"t": created["resetToken"], "p": bad}))["data"]
        error = body["resetPasswordWithToken"]["errors"][0]
        assert (error["code"], error["field"]) == ("INVALID", "newPassword"), bad
        assert reason in error["message"], (bad, error)
    # the weak attempts did not spend the token
    body = (await gql(http, RESET, {"t": created["resetToken"], "p": NEW_PASSWORD}))["data"]
    assert body["resetPasswordWithToken"]["ok"] is True


async def test_everyone_changes_their_own_password_and_other_sessions_end(http, counties) -> None:
    name = username(counties.lipu, "HEAD_TEACHER")
    here = await login(http, name, counties.lipu.password)
    elsewhere = await login(http, name, counties.lipu.password)

    wrong = await gql(http, CHANGE, {"c": "not-my-password", "p": NEW_PASSWORD}, token=here)
    error = wrong["data"]["changePassword"]["errors"][0]
    assert (error["code"], error["field"]) == ("INVALID", "currentPassword")
    weak = await gql(http, CHANGE, {"c": counties.lipu.password, "p": "password"}, token=here)
    error = weak["data"]["changePassword"]["errors"][0]
    assert (error["code"], error["field"]) == ("INVALID", "newPassword")

    ok = await gql(http, CHANGE, {"c": counties.lipu.password, "p": NEW_PASSWORD}, token=here)
    assert ok["data"]["changePassword"] == {"ok": True, "errors": []}
    assert (await gql(http, ME, token=here))["data"]["me"]["label"] == name
    assert code_of(await gql(http, ME, token=elsewhere)) == "UNAUTHENTICATED"
    assert await login(http, name, NEW_PASSWORD)
    body = await gql(http, LOGIN, {"u": name, "p": counties.lipu.password})
    assert body["data"]["login"]["token"] is None

    anonymous = await gql(http, CHANGE, {"c": "x", "p": NEW_PASSWORD})
    assert code_of(anonymous) == "UNAUTHENTICATED"


async def test_an_admin_cannot_disable_their_own_account(http, counties) -> None:
    admin = await _admin(http, counties)
    body = await gql(
        http,
        "{ staffAccounts(filter: {role: COUNTY_ADMIN}) { edges { node { id } } } }",
        token=admin,
    )
    own = body["data"]["staffAccounts"]["edges"][0]["node"]["id"]
    payload = (await gql(http, DISABLE, {"id": own}, token=admin))["data"]["disableStaffAccount"]
    assert payload["errors"][0]["field"] == "id"
    assert (await gql(http, ME, token=admin))["data"]["me"]


def test_the_common_password_list_ships_with_the_package() -> None:
    words = common_passwords()
    assert {"123456", "password", "woaini1314", "qwerty", "5201314"} <= words
    check_password("Lijiang-bamboo-raft-77", username="wang")


async def test_guessing_the_current_password_locks_the_account_as_a_failed_login_does(
    http, counties
) -> None:
    """A stolen session cannot guess the current password without limit: each wrong guess in
    changePassword takes one of the account's sign-in attempts, the fifth locks it, and then
    even the right password is refused, in changePassword and at login alike."""
    name = username(counties.lipu, "HEAD_TEACHER")
    token = await login(http, name, counties.lipu.password)
    for guess in range(4):
        body = await gql(http, CHANGE, {"c": f"guess-{guess}", "p": NEW_PASSWORD}, token=token)
        assert body["data"]["changePassword"]["errors"][0]["code"] == "INVALID"
    account = await StaffAccount.get(username=name)
    assert (account.failed_logins, account.locked_until) == (4, None)

    fifth = await gql(http, CHANGE, {"c": "guess-4", "p": NEW_PASSWORD}, token=token)
    assert fifth["data"]["changePassword"]["errors"][0]["code"] == "INVALID"
    account = await StaffAccount.get(username=name)
    assert account.locked_until is not None

    right = await gql(http, CHANGE, {"c": counties.lipu.password, "p": NEW_PASSWORD}, token=token)
    assert right["data"]["changePassword"]["errors"][0]["code"] == "RATE_LIMITED"
    body = await gql(http, LOGIN, {"u": name, "p": counties.lipu.password})
    assert body["data"]["login"]["token"] is None
    actions = await AuditEntry.filter(actor_label=name).values_list("action", flat=True)
    assert sorted(str(a) for a in actions).count("LOCKED_OUT") == 1


async def test_a_right_current_password_gives_the_attempts_back(http, counties) -> None:
    name = username(counties.lipu, "HEAD_TEACHER")
    token = await login(http, name, counties.lipu.password)
    for guess in range(3):
        await gql(http, CHANGE, {"c": f"guess-{guess}", "p": NEW_PASSWORD}, token=token)
    assert (await StaffAccount.get(username=name)).failed_logins == 3
    ok = await gql(http, CHANGE, {"c": counties.lipu.password, "p": NEW_PASSWORD}, token=token)
    assert ok["data"]["changePassword"] == {"ok": True, "errors": []}
    assert (await StaffAccount.get(username=name)).failed_logins == 0
