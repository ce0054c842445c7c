"""The lock-out holds under concurrency and says nothing about which usernames exist; logins
have their own limiter (issue 10, point 8)."""

from __future__ import annotations

import asyncio

from core.access import accounts
from core.access.hashing import verify_secret as real_verify
from core.access.models import AuditEntry, StaffAccount
from tests.security.conftest import LOGIN, gql, username


def _count_verifications(monkeypatch) -> list[str]:
    seen: list[str] = []

    def counting(stored: str, secret: str) -> bool:
        seen.append(secret)
        return real_verify(stored, secret)

    monkeypatch.setattr(accounts, "verify_secret", counting)
    return seen


async def _attempt(http, name: str, password: str) -> dict:
    response = await http.post(
        "/graphql", json={"query": LOGIN, "variables": {"u": name, "p": password}}
    )
    return response.json()


async def test_thirty_concurrent_wrong_passwords_check_only_five(
    make_client, counties, monkeypatch
) -> None:
    http = make_client(rate_limit_anonymous=1000, rate_limit_login=1000)
    name = username(counties.lipu, "BUREAU_STAFF")
    checked = _count_verifications(monkeypatch)
    answers = await asyncio.gather(*(_attempt(http, name, f"wrong-{i:04d}-x") for i in range(30)))
    assert len(checked) == 5, f"{len(checked)} of 30 concurrent guesses were checked"
    assert all(a["data"]["login"]["token"] is None for a in answers)
    account = await StaffAccount.get(username=name)
    assert account.locked_until is not None
    # now the right password is refused too
    right = await _attempt(http, name, counties.lipu.password)
    assert right["data"]["login"]["token"] is None
    assert right["data"]["login"]["errors"][0]["code"] == "RATE_LIMITED"


async def test_the_right_password_among_thirty_wrong_ones_is_at_most_one_of_five_checked(
    make_client, counties, monkeypatch
) -> None:
    http = make_client(rate_limit_anonymous=1000, rate_limit_login=1000)
    name = username(counties.lipu, "REGISTRAR")
    checked = _count_verifications(monkeypatch)
    guesses = [f"wrong-{i:04d}-x" for i in range(30)] + [counties.lipu.password]
    answers = await asyncio.gather(*(_attempt(http, name, p) for p in guesses))
    tokens = [a["data"]["login"]["token"] for a in answers]
    assert len(checked) <= 5, f"{len(checked)} of 31 concurrent guesses were checked"
    # the right one got in only if it was one of the (at most five) checked
    assert (tokens[-1] is not None) == (counties.lipu.password in checked)
    assert all(t is None for t in tokens[:-1])


async def test_the_lock_out_message_does_not_say_whether_a_username_exists(
    make_client, counties
) -> None:
    http = make_client(rate_limit_anonymous=1000, rate_limit_login=1000)
    real = username(counties.lipu, "SCHOOL_HEAD")
    answers = {}
    for name in (real, "nobody-by-this-name"):
        for _ in range(6):
            body = await _attempt(http, name, "wrong-password-123")
        answers[name] = body["data"]["login"]["errors"]
    assert answers[real] == answers["nobody-by-this-name"], answers
    assert answers[real][0]["code"] == "RATE_LIMITED"
    # and the first wrong answers are alike too
    first = [
        (await _attempt(http, n, "wrong-password-123"))["data"]["login"]["errors"]
        for n in (username(counties.lipu, "HEAD_TEACHER"), "another-nobody")
    ]
    assert first[0] == first[1]


async def test_anonymous_traffic_does_not_lock_staff_out_of_signing_in(
    make_client, counties
) -> None:
    http = make_client(rate_limit_anonymous=5)
    for _ in range(5):
        await http.post("/graphql", json={"query": "{ __typename }"})
    assert (await http.post("/graphql", json={"query": "{ __typename }"})).status_code == 429
    # the address is over its anonymous limit, but signing in has its own
    body = await gql(
        http, LOGIN, {"u": username(counties.lipu, "COUNTY_ADMIN"), "p": counties.lipu.password}
    )
    assert body["data"]["login"]["token"]


async def test_logins_are_limited_per_address_and_per_username(make_client, counties) -> None:
    http = make_client(rate_limit_login=6)
    names = [f"nobody-{i}" for i in range(8)]
    codes = []
    for name in names:
        body = await _attempt(http, name, "wrong-password-123")
        codes.append(body.get("errors", [{}])[0].get("extensions", {}).get("code")
                     or body["data"]["login"]["errors"][0]["code"])  # fmt: skip
    assert codes[:6] == ["UNAUTHENTICATED"] * 6
    assert set(codes[6:]) == {"RATE_LIMITED"}, codes
    # aliases do not multiply the attempts a request may make
    many = (
        "mutation {"
        + " ".join(
            f'a{i}: login(username: "x{i}", password: "wrong-password-1") {{ errors {{ code }} }}'
            for i in range(20)
        )
        + "}"
    )
    fresh = make_client(rate_limit_login=6)
    body = (await fresh.post("/graphql", json={"query": many})).json()
    codes = [v["errors"][0]["code"] for v in body["data"].values()]
    assert codes.count("UNAUTHENTICATED") == 6, codes
    assert codes.count("RATE_LIMITED") == 14, codes
    assert await AuditEntry.filter(action="LOGIN_FAILED").count() <= 6 + 6
