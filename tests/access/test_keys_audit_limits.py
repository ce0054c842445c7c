"""Agency keys through their whole life, the audit log, and the abuse limits: rate limits
(in-process and shared through Redis), query cost by caller, depth, aliases, introspection,
CORS, security headers, and filter values that carry SQL."""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from tortoise.expressions import Q, Subquery

from core.access import rate_limit
from core.access.models import ApiKey, AuditEntry
from core.enrolment.models import Enrolment
from core.jurisdictions.models import Jurisdiction, Town
from core.people.models import Child
from tests.access.conftest import LIPU, code_of, gql, login, username

CREATE = """mutation($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { secret apiKey { id prefix agency permissions }
    errors { code field message } } }"""
VERIFY = "query($n: String!) { verifyEnrolment(idNumber: $n) { found status statusLabel } }"


async def _admin(http, counties) -> str:
    return await login(http, username(counties.lipu, "COUNTY_ADMIN"), counties.lipu.password)


async def _enrolled_id_number() -> str:
    child = await Child.filter(
        jurisdiction__division_code=LIPU,
        enrolments__is_current=True,
        enrolments__status="ENROLLED",
        id_number__not_isnull=True,
    ).first()
    return child.id_number


async def test_an_agency_key_lives_created_used_rotated_revoked(http, counties, clock) -> None:
    admin = await _admin(http, counties)
    expires = (clock.moment + timedelta(days=30)).isoformat()
    made = await gql(
        http,
        CREATE,
        {
            "input": {
                "agency": "荔浦市公安局",
                "jurisdictionCode": LIPU,
                "permissions": ["VERIFY_ENROLMENT"],
                "expiresAt": expires,
            }
        },
        token=admin,
    )
    payload = made["data"]["createApiKey"]
    assert payload["errors"] == []
    secret = payload["secret"]
    assert secret.startswith(payload["apiKey"]["prefix"] + "_")
    stored = await ApiKey.get(prefix=payload["apiKey"]["prefix"])
    assert secret not in stored.key_hash and stored.key_hash.startswith("$argon2")

    listed = await gql(http, "{ apiKeys { totalCount edges { node { prefix } } } }", token=admin)
    assert secret not in str(listed)
    assert payload["apiKey"]["prefix"] in str(listed)

    number = await _enrolled_id_number()
    check = await gql(http, VERIFY, {"n": number}, key=secret)
    assert check["data"]["verifyEnrolment"]["found"] is True
    assert check["data"]["verifyEnrolment"]["status"] == "ENROLLED"
    assert set(check["data"]["verifyEnrolment"]) == {"found", "status", "statusLabel"}
    assert (await ApiKey.get(id=stored.id)).last_used_at is not None
    # status only: the key cannot list children
    assert code_of(await gql(http, "{ children { totalCount } }", key=secret)) == "FORBIDDEN"

    rotated = await gql(
        http,
        "mutation($id: ID!) { rotateApiKey(id: $id) { secret errors { code } } }",
        {"id": payload["apiKey"]["id"]},
        token=admin,
    )
    new_secret = rotated["data"]["rotateApiKey"]["secret"]
    old = await gql(http, VERIFY, {"n": number}, key=secret)
    assert code_of(old) == "UNAUTHENTICATED" and "已吊销" in old["errors"][0]["message"]
    assert (await gql(http, VERIFY, {"n": number}, key=new_secret))["data"]["verifyEnrolment"]

    new_key = await ApiKey.get(replaces__id=stored.id)
    revoked = await gql(
        http,
        "mutation($id: ID!) { revokeApiKey(id: $id) { apiKey { revokedAt } errors { code } } }",
        {"id": str(__import__("strawberry").relay.GlobalID("ApiKey", str(new_key.id)))},
        token=admin,
    )
    assert revoked["data"]["revokeApiKey"]["apiKey"]["revokedAt"]
    assert code_of(await gql(http, VERIFY, {"n": number}, key=new_secret)) == "UNAUTHENTICATED"
    # the rotated-out secret, then the revoked one: each refused once
    assert await AuditEntry.filter(action="KEY_REJECTED").count() == 2
    assert await AuditEntry.filter(action="KEY_CHANGE").count() == 3


async def test_keys_expire_and_bad_grants_are_refused(http, counties, clock) -> None:
    admin = await _admin(http, counties)
    base = {"agency": "荔浦市民政局", "jurisdictionCode": LIPU, "permissions": ["READ_CASES"]}
    too_long = await gql(
        http,
        CREATE,
        {"input": {**base, "expiresAt": (clock.moment + timedelta(days=400)).isoformat()}},
        token=admin,
    )
    assert too_long["data"]["createApiKey"]["errors"][0]["field"] == "expiresAt"
    not_for_agencies = await gql(
        http,
        CREATE,
        {
            "input": {
                **base,
                "permissions": ["READ_AUDIT"],
                "expiresAt": (clock.moment + timedelta(days=5)).isoformat(),
            }
        },
        token=admin,
    )
    assert not_for_agencies["data"]["createApiKey"]["errors"][0]["field"] == "permissions"
    other_county = await gql(
        http,
        CREATE,
        {
            "input": {
                **base,
                "jurisdictionCode": "500153",
                "expiresAt": (clock.moment + timedelta(days=5)).isoformat(),
            }
        },
        token=admin,
    )
    assert other_county["data"]["createApiKey"]["errors"][0]["code"] == "FORBIDDEN"

    ok = await gql(
        http,
        CREATE,
        {"input": {**base, "expiresAt": (clock.moment + timedelta(days=5)).isoformat()}},
        token=admin,
    )
    secret = ok["data"]["createApiKey"]["secret"]
    assert "errors" not in await gql(http, "{ cases { totalCount } }", key=secret)
    clock.moment += timedelta(days=6)
    expired = await gql(http, "{ cases { totalCount } }", key=secret)
    assert code_of(expired) == "UNAUTHENTICATED" and "已过期" in expired["errors"][0]["message"]

    # only an administrator manages keys
    bureau = await login(http, username(counties.lipu, "BUREAU_STAFF"), counties.lipu.password)
    forbidden = await gql(http, CREATE, {"input": {**base, "expiresAt": "2030-01-01T00:00:00Z"}},
                          token=bureau)  # fmt: skip
    assert code_of(forbidden) == "FORBIDDEN" and "MANAGE_API_KEYS" in str(forbidden)


async def test_a_township_key_sees_only_its_town(http, counties, clock) -> None:
    admin = await _admin(http, counties)
    lipu = await Jurisdiction.get(division_code=LIPU)
    town = await Town.get(jurisdiction=lipu, name="马岭镇")
    made = await gql(
        http,
        CREATE,
        {
            "input": {
                "agency": "马岭镇人民政府",
                "jurisdictionCode": LIPU,
                "permissions": ["READ_ROSTER", "READ_ESCALATED_CASES"],
                "towns": ["马岭镇"],
                "expiresAt": (clock.moment + timedelta(days=5)).isoformat(),
            }
        },
        token=admin,
    )
    secret = made["data"]["createApiKey"]["secret"]
    body = await gql(
        http,
        "{ children(first: 100) { totalCount edges { node { currentEnrolment { school { town "
        "{ name } } } household { id } } } } cases { totalCount edges { node { state "
        "escalationLevel } } } }",
        key=secret,
    )
    assert "errors" not in body, body
    # 马岭镇's children: enrolled at one of its schools, or living in one of its villages
    enrolled = Enrolment.filter(is_current=True, school__town_id=town.id).values("child_id")
    expected = await Child.filter(
        Q(id__in=Subquery(enrolled)) | Q(household__village__town_id=town.id), jurisdiction=lipu
    ).count()
    assert body["data"]["children"]["totalCount"] == expected
    whole = await Child.filter(jurisdiction=lipu).count()
    assert 0 < expected < whole
    assert body["data"]["children"]["totalCount"] < whole
    for edge in body["data"]["children"]["edges"]:
        enrolment = edge["node"]["currentEnrolment"]
        if enrolment is not None and enrolment["school"]["town"]["name"] != town.name:
            # enrolled elsewhere: reached because the household lives in the town
            assert edge["node"]["household"] is not None
    for edge in body["data"]["cases"]["edges"]:
        case = edge["node"]
        assert case["state"] == "UNREACHABLE" or case["escalationLevel"] >= 2


async def test_the_audit_log_records_writes_logins_and_key_use(http, counties) -> None:
    admin = await _admin(http, counties)
    child = await Child.filter(jurisdiction__division_code=LIPU, cases=None).first()
    from strawberry import relay

    child_id = str(relay.GlobalID("Child", str(child.id)))
    report = await gql(
        http,
        """mutation($c: ID!) { reportCase(input: {childId: $c, kind: DROPOUT,
             source: HOUSEHOLD_SURVEY}) { case { id } errors { code } } }""",
        {"c": child_id},
        token=admin,
    )
    assert report["data"]["reportCase"]["errors"] == []
    await gql(http, "{ cases { totalCount } }", key=counties.lipu.api_key)

    log = await gql(
        http,
        """{ auditLog(first: 50) { totalCount edges { node { action operation objectId
             actorKind actorLabel requestId clientAddress } } } }""",
        token=admin,
    )
    entries = [e["node"] for e in log["data"]["auditLog"]["edges"]]
    mutation = next(e for e in entries if e["action"] == "MUTATION")
    assert mutation["operation"] == "reportCase"
    assert mutation["objectId"] == child_id
    assert mutation["actorLabel"] == username(counties.lipu, "COUNTY_ADMIN")
    assert mutation["requestId"] and mutation["clientAddress"] == "203.0.113.7"
    assert any(e["action"] == "LOGIN" for e in entries)
    assert any(e["action"] == "KEY_USE" and e["actorKind"] == "API_KEY" for e in entries)

    # append-only: the API offers no way to change or delete entries
    sdl = await gql(http, "{ __schema { mutationType { fields { name } } } }", token=admin)
    names = {f["name"] for f in sdl["data"]["__schema"]["mutationType"]["fields"]}
    assert not {n for n in names if "audit" in n.lower()}
    # and other counties' entries are not in this county's log
    other = await login(
        http, username(counties.rongchang, "COUNTY_ADMIN"), counties.rongchang.password
    )
    theirs = await gql(http, "{ auditLog(first: 100) { edges { node { objectId } } } }",
                       token=other)  # fmt: skip
    assert child_id not in str(theirs)


async def test_rate_limit_per_key(make_client, counties, monkeypatch) -> None:
    # 30.5 s into a minute: the window cannot turn between the hits, and the next one opens
    # in 29.5 s, said as 30 whole seconds
    frozen = SimpleNamespace(time=lambda: 1_800_000_030.5, monotonic=time.monotonic)
    monkeypatch.setattr(rate_limit, "time", frozen)
    http = make_client(rate_limit_key=3)
    for _ in range(3):
        assert "errors" not in await gql(
            http, "{ cases { totalCount } }", key=counties.lipu.api_key
        )
    response = await http.post(
        "/graphql",
        json={"query": "{ cases { totalCount } }"},
        headers={"X-API-Key": counties.lipu.api_key},
    )
    assert response.status_code == 429
    assert response.headers["retry-after"] == "30"
    assert response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    # another caller is not affected
    other = await gql(http, "{ cases { totalCount } }", key=counties.rongchang.api_key)
    assert "errors" not in other


def _redis_url() -> str | None:
    url = os.environ.get("BAOXUE_TEST_REDIS", "redis://127.0.0.1:6379/15")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        return None
    return url


async def test_two_workers_share_one_limit_through_redis(make_client, counties) -> None:
    url = _redis_url()
    if url is None:
        pytest.skip("no Redis answers on 127.0.0.1:6379")
    # a fresh key so that counts from other runs do not interfere
    from core.access.api_keys import create_key

    now = datetime.now(UTC)
    issued = await create_key(
        agency=f"共享限流 {uuid.uuid4().hex[:6]}",
        jurisdiction_code=LIPU,
        permissions=["READ_CASES"],
        expires_at=now + timedelta(days=1),
        now=now,
    )
    one, two = (
        make_client(rate_limit_key=4, redis_url=url),
        make_client(rate_limit_key=4, redis_url=url),
    )
    statuses = []
    for http in (one, two, one, two, one):
        response = await http.post(
            "/graphql", json={"query": "{ cases { totalCount } }"},
            headers={"X-API-Key": issued.secret},
        )  # fmt: skip
        statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 200, 429]


async def test_deep_wide_and_costly_queries_are_refused(http, counties) -> None:
    admin = await _admin(http, counties)
    deep = "{ children { edges { node { household { children { household { children { household {"
    deep += " children { household { children { household { children { name } } } } } } } } } } }"
    deep += " } } }"
    assert "errors" in await gql(http, deep, token=admin)
    aliases = "{ " + " ".join(f"a{i}: jurisdictions {{ name }}" for i in range(40)) + " }"
    assert "errors" in await gql(http, aliases, token=admin)
    assert code_of(await gql(http, "{ children(first: 1000) { totalCount } }", token=admin)) == (
        "PAGE_SIZE"
    )
    # the same query costs within a staff member's budget but over an agency's
    costly = (
        "{ cases(first: 100) { edges { node { events { kind } child { enrolments { changes "
        "{ kind } } } } } } }"
    )
    assert "errors" not in await gql(http, costly, token=admin)
    agency = await gql(http, costly, key=counties.lipu.api_key)
    assert code_of(agency) == "QUERY_TOO_COMPLEX"


async def test_sql_in_filter_values_is_only_text(http, counties) -> None:
    admin = await _admin(http, counties)
    before = await Child.all().count()
    for text in ("'; DROP TABLE child; --", "x' OR '1'='1", '" OR 1=1 --'):
        body = await gql(
            http,
            "query($t: String!) { children(filter: {nameContains: $t}) { totalCount } }",
            {"t": text},
            token=admin,
        )
        assert body["data"]["children"]["totalCount"] == 0
    assert await Child.all().count() == before


async def test_introspection_can_be_switched_off(make_client, counties) -> None:
    http = make_client(introspection=False)
    token = await login(http, username(counties.lipu, "COUNTY_ADMIN"), counties.lipu.password)
    body = await gql(http, "{ __schema { types { name } } }", token=token)
    assert "errors" in body and "introspection" in str(body).lower()


async def test_cors_and_security_headers(make_client, counties) -> None:
    http = make_client(cors_origins=("https://dashboard.lipu.example",))
    preflight = await http.options(
        "/graphql",
        headers={
            "Origin": "https://dashboard.lipu.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert preflight.headers["access-control-allow-origin"] == "https://dashboard.lipu.example"
    stranger = await http.options(
        "/graphql",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in stranger.headers
    response = await http.post("/graphql", json={"query": "{ jurisdictions { name } }"})
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in response.headers["content-security-policy"]


async def test_a_bad_id_number_is_refused_with_the_reason(http, counties) -> None:
    registrar = await login(http, username(counties.lipu, "REGISTRAR"), counties.lipu.password)
    good = await _enrolled_id_number()
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    for number, reason in (
        (wrong_check, "校验码错误"),
        (good[:6] + "20150230" + good[14:], "不是真实日期"),
        (good[:17], "应为 18 位"),
    ):
        body = await gql(http, VERIFY, {"n": number}, token=registrar)
        error = body["errors"][0]
        assert error["extensions"]["code"] == "INVALID"
        assert error["extensions"]["field"] == "idNumber"
        assert reason in error["message"]  # Chinese by default, English beside it
        assert error["extensions"]["messages"]["zh"] == error["message"]
        assert error["extensions"]["messages"]["en"]
