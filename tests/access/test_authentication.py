"""Signing in and out: anonymous calls, tokens (tampered, forged, expired, revoked), lock-out."""

from __future__ import annotations

from datetime import timedelta

import jwt

from core.access.models import AuditEntry
from tests.access.conftest import LIPU, LOGIN, code_of, gql, login, username

ME = "{ me { kind label role scopeKind jurisdictionCode permissions } }"


async def test_anonymous_calls_get_a_clear_unauthenticated_error(http, counties) -> None:
    for query in (
        "{ children(first: 1) { totalCount } }",
        "{ jurisdictions { name } }",
        "{ cases { totalCount } }",
        '{ node(id: "Q2hpbGQ6eA==") { id } }',
        ME,
    ):
        body = await gql(http, query)
        assert code_of(body) == "UNAUTHENTICATED", (query, body)
        assert "请先登录" in body["errors"][0]["message"]
        assert "authentication required" in body["errors"][0]["extensions"]["messages"]["en"]
    body = await gql(
        http,
        'mutation { reportCase(input: {childId: "Q2hpbGQ6eA==", kind: DROPOUT, '
        "source: OTHER}) { errors { code } } }",
    )
    assert code_of(body) == "UNAUTHENTICATED"


async def test_login_me_and_logout(http, counties) -> None:
    token = await login(http, username(counties.lipu, "COUNTY_ADMIN"), counties.lipu.password)
    me = (await gql(http, ME, token=token))["data"]["me"]
    assert me["kind"] == "STAFF"
    assert me["role"] == "COUNTY_ADMIN"
    assert me["jurisdictionCode"] == LIPU
    assert "MANAGE_API_KEYS" in me["permissions"]

    body = await gql(http, "mutation { logout { ok errors { code } } }", token=token)
    assert body["data"]["logout"] == {"ok": True, "errors": []}
    after = await gql(http, ME, token=token)
    assert code_of(after) == "UNAUTHENTICATED"
    assert "会话已结束" in after["errors"][0]["message"]


async def test_wrong_password_is_refused_without_saying_which_part_was_wrong(
    http, counties
) -> None:
    for name in (username(counties.lipu, "COUNTY_ADMIN"), "nobody-at-all"):
        body = await gql(http, LOGIN, {"u": name, "p": "not the password"})
        payload = body["data"]["login"]
        assert payload["token"] is None
        assert payload["errors"][0]["code"] == "UNAUTHENTICATED"
        assert "用户名或密码错误" in payload["errors"][0]["message"]


async def test_tampered_and_forged_tokens_are_refused(http, counties) -> None:
    token = await login(http, username(counties.lipu, "REGISTRAR"), counties.lipu.password)
    header, payload, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.encode(claims, "a key the attacker made up", algorithm="HS256")
    none_alg = jwt.encode(claims, None, algorithm="none")
    for bad in (f"{header}.{payload}.{flipped}", forged, none_alg, "garbage", token + "x"):
        body = await gql(http, ME, token=bad)
        assert code_of(body) == "UNAUTHENTICATED", bad
        assert "令牌无效" in body["errors"][0]["message"]


async def test_tokens_expire(http, counties, clock) -> None:
    token = await login(http, username(counties.lipu, "REGISTRAR"), counties.lipu.password)
    assert "errors" not in await gql(http, ME, token=token)
    clock.moment += timedelta(hours=8, minutes=1)
    body = await gql(http, ME, token=token)
    assert code_of(body) == "UNAUTHENTICATED"


async def test_brute_force_locks_the_account_and_the_audit_log_shows_it(
    http, counties, clock
) -> None:
    name = username(counties.lipu, "BUREAU_STAFF")
    for _ in range(5):
        body = await gql(http, LOGIN, {"u": name, "p": "guess-guess-guess"})
        assert body["data"]["login"]["token"] is None
    # Now even the right password is refused until the lock runs out.
    body = await gql(http, LOGIN, {"u": name, "p": counties.lipu.password})
    payload = body["data"]["login"]
    assert payload["token"] is None
    assert "锁定" in payload["errors"][0]["message"]
    assert await AuditEntry.filter(action="LOCKED_OUT", actor_label=name).count() == 1
    assert await AuditEntry.filter(action="LOGIN_FAILED", actor_label=name).count() == 5

    clock.moment += timedelta(minutes=16)
    assert await login(http, name, counties.lipu.password)
    assert await AuditEntry.filter(action="LOGIN", actor_label=name).count() == 1
