"""Inputs that used to crash a resolver (INTERNAL) get a typed error naming the field
(issue 10, point 14): lengths and characters are checked once, at the input boundary, for every
string argument and input field."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest

from tests.security.conftest import LIPU, gql, login, username

CREATE_KEY = """mutation($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { secret errors { code field message } } }"""


def _refusal(body: dict) -> tuple[str, str | None]:
    """(code, field) of the first error, whether top-level or in a mutation payload."""
    assert "INTERNAL" not in str(body), body
    if body.get("errors"):
        ext = body["errors"][0].get("extensions", {})
        return ext.get("code"), ext.get("field")
    payload = next(iter(body["data"].values()))
    error = payload["errors"][0]
    return error["code"], error["field"]


async def _admin(http, counties) -> str:
    return await login(http, username(counties.lipu, "COUNTY_ADMIN"), counties.lipu.password)


def _key_input(clock, **changes) -> dict:
    return {
        "agency": "荔浦市公安局",
        "jurisdictionCode": LIPU,
        "permissions": ["VERIFY_ENROLMENT"],
        "expiresAt": (clock.moment + timedelta(days=30)).isoformat(),
        **changes,
    }


async def test_a_long_login_username_is_invalid_naming_the_field(http, counties) -> None:
    body = await gql(
        http,
        'mutation($u: String!) { login(username: $u, password: "whatever-1234") '
        "{ token errors { code field } } }",
        {"u": "u" * 65},
    )
    assert _refusal(body) == ("INVALID", "username")
    literal = await gql(
        http,
        'mutation { login(username: "' + "u" * 300 + '", password: "x") { token } }',
    )
    assert _refusal(literal) == ("INVALID", "username")


async def test_an_agency_name_over_128_characters_is_invalid(http, counties, clock) -> None:
    admin = await _admin(http, counties)
    body = await gql(http, CREATE_KEY, {"input": _key_input(clock, agency="局" * 129)}, token=admin)
    assert _refusal(body) == ("INVALID", "input.agency")


async def test_a_seven_digit_jurisdiction_code_is_invalid(http, counties, clock) -> None:
    admin = await _admin(http, counties)
    body = await gql(
        http, CREATE_KEY, {"input": _key_input(clock, jurisdictionCode="4503810")}, token=admin
    )
    assert _refusal(body) == ("INVALID", "input.jurisdictionCode")


@pytest.mark.parametrize(
    ("query", "variables", "field"),
    [
        (
            "query($s: String!) { children(filter: {search: $s}) { totalCount } }",
            {"s": "黄\x00明"},
            "filter.search",
        ),
        (
            "query($s: String!) { children(filter: {nameContains: $s}) { totalCount } }",
            {"s": "\x00"},
            "filter.nameContains",
        ),
        (
            "query($s: String!) { schools(filter: {nameContains: $s}) { totalCount } }",
            {"s": "小学\x00"},
            "filter.nameContains",
        ),
        (
            'query { officials(filter: {nameContains: "a\\u0000b"}) { totalCount } }',
            {},
            "filter.nameContains",
        ),
    ],
)
async def test_a_nul_character_in_any_string_is_invalid(
    http, counties, query, variables, field
) -> None:
    bureau = await login(http, username(counties.lipu, "BUREAU_STAFF"), counties.lipu.password)
    body = await gql(http, query, variables, token=bureau)
    assert _refusal(body) == ("INVALID", field)


async def test_a_nul_character_in_a_login_is_invalid(http, counties) -> None:
    body = await gql(
        http,
        'mutation($u: String!) { login(username: $u, password: "x") { token } }',
        {"u": "demo\x00admin"},
    )
    assert _refusal(body) == ("INVALID", "username")


async def test_a_lone_surrogate_in_a_query_string_is_refused(http, counties) -> None:
    bureau = await login(http, username(counties.lipu, "BUREAU_STAFF"), counties.lipu.password)
    response = await http.post(
        "/graphql",
        json={"query": 'query { children(filter: {nameContains: "\\ud800"}) { totalCount } }'},
        headers={"Authorization": f"Bearer {bureau}"},
    )
    assert response.status_code in (200, 400), response.text
    body = response.json()
    assert "INTERNAL" not in response.text, body
    assert body["errors"][0]["extensions"]["code"] in ("GRAPHQL_PARSE_FAILED", "INVALID")


async def test_a_cursor_with_a_huge_offset_is_invalid(http, counties) -> None:
    bureau = await login(http, username(counties.lipu, "BUREAU_STAFF"), counties.lipu.password)
    cursor = base64.b64encode(b"cursor:" + b"9" * 20).decode()
    body = await gql(
        http,
        "query($c: String!) { children(first: 5, after: $c) { totalCount edges { cursor } } }",
        {"c": cursor},
        token=bureau,
    )
    assert _refusal(body) == ("INVALID", "after")


def test_every_input_rule_names_a_place_in_the_schema() -> None:
    """A rule whose coordinate no longer exists would silently stop applying."""
    from core.api.input_limits import RULES
    from core.api.schema import default_schema

    schema = default_schema()._schema
    for coordinate in RULES:
        type_name, _, rest = coordinate.partition(".")
        field, _, argument = rest.partition("(")
        owner = schema.get_type(type_name)
        assert owner is not None and field in owner.fields, coordinate
        if argument:
            assert argument.rstrip(":)") in owner.fields[field].args, coordinate
