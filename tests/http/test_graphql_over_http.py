"""The GraphQL-over-HTTP specification's audit (graphql-http's server audits), reproduced
request by request (issue 16, point 2): ``application/graphql-response+json`` when the client
accepts it, with HTTP 400 and no ``data`` entry for a request that fails before execution;
``application/json`` (HTTP 200 with the errors) for a client that names it; ``application/json``
for ``*/*`` and for no ``Accept`` at all."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from core.graphql_request import negotiate

GR = "application/graphql-response+json"
JSON = "application/json"
TYPENAME = {"query": "{ __typename }"}


async def _post(
    client: httpx.AsyncClient, body: Any, accept: str | None, raw: bool = False
) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if accept is not None:
        headers["accept"] = accept
    content = body if raw else json.dumps(body)
    return await client.post("/graphql", content=content, headers=headers)


def _content_type(response: httpx.Response) -> str:
    return response.headers["content-type"]


@pytest.mark.parametrize(
    ("accept", "media"),
    [(GR, GR), (JSON, JSON), ("*/*", JSON), (f"{GR}, {JSON};q=0.9", GR), (f"{JSON}, {GR}", JSON)],
)
async def test_the_accepted_media_type_is_answered(client, accept, media) -> None:
    response = await _post(client, TYPENAME, accept)
    assert response.status_code == 200
    assert _content_type(response).startswith(media)
    assert "charset=utf-8" in _content_type(response)
    answer = response.json()
    assert answer["data"] == {"__typename": "Query"} and "errors" not in answer


async def test_no_accept_header_means_application_json(client) -> None:
    response = await client.get(
        "/graphql", params={"query": "{ __typename }"}, headers={"accept": ""}
    )
    assert response.status_code == 200
    assert _content_type(response).startswith(JSON)


async def test_utf8_charset_in_the_request_is_accepted(client) -> None:
    response = await client.post(
        "/graphql",
        content=json.dumps(TYPENAME),
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 200


async def test_a_mutation_over_get_is_refused_with_4xx(client) -> None:
    response = await client.get(
        "/graphql", params={"query": "mutation { __typename }"}, headers={"accept": GR}
    )
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize(
    ("params", "code", "zh", "en"),
    [
        (
            {"query": "mutation { __typename }"},
            "METHOD_NOT_ALLOWED",
            "GET 请求不能执行变更 (mutation)",
            "mutations are not allowed when using GET",
        ),
        (
            {"query": "query A { __typename }", "operationName": "C"},
            "GRAPHQL_VALIDATION_FAILED",
            "文档中没有名为 'C' 的操作",
            'Unknown operation named "C".',
        ),
    ],
)
async def test_strawberry_s_own_refusals_are_coded_and_in_both_languages(
    client, params, code, zh, en
) -> None:
    """What strawberry refuses before graphql-core runs (its plain-text answers) is answered
    like every other request error: GraphQL-shaped, with a code, in the caller's language."""
    for language, message in (("zh-CN", zh), ("en", en)):
        response = await client.get(
            "/graphql", params=params, headers={"accept": GR, "accept-language": language}
        )
        assert response.status_code == 400
        assert _content_type(response).startswith(GR)
        (error,) = response.json()["errors"]
        assert error["message"] == message
        assert error["extensions"]["code"] == code
        assert error["extensions"]["messages"] == {"zh": zh, "en": en}


async def test_post_without_content_type_or_body_is_refused(client) -> None:
    assert 400 <= (await client.post("/graphql")).status_code < 500
    response = await client.post("/graphql", headers={"content-type": "application/json"})
    assert "errors" in response.json()


_INVALID = [{"obj": "ect"}, 0, False, ["array"]]
_BAD_BODIES = [
    pytest.param({"notquery": "{ __typename }"}, id="missing query"),
    *(pytest.param({"query": v}, id=f"query={v!r}") for v in _INVALID),
    *(
        pytest.param({"query": "{ __typename }", "operationName": v}, id=f"operationName={v!r}")
        for v in _INVALID
    ),
    *(
        pytest.param({"query": "{ __typename }", name: v}, id=f"{name}={v!r}")
        for name in ("variables", "extensions")
        for v in ["string", 0, False, ["array"]]
    ),
    pytest.param({"qeury": "{ __typename }"}, id="typo"),
    pytest.param('{ "not a JSON', id="not JSON"),
    pytest.param({"query": "{"}, id="parse error"),
    pytest.param({"query": "{ 8f31403dfe404bccbb0e835f2629c6a7 }"}, id="validation error"),
    pytest.param(
        {"query": "query($n: Int!) { __typename }", "variables": {"n": "x"}},
        id="variable coercion",
    ),
    pytest.param({"query": "query($n: Int!) { __typename }"}, id="missing variable"),
]


@pytest.mark.parametrize("body", _BAD_BODIES)
async def test_a_request_error_is_400_without_data_in_graphql_response_json(client, body) -> None:
    response = await _post(client, body, GR, raw=isinstance(body, str))
    assert response.status_code == 400, response.text
    assert _content_type(response).startswith(GR)
    answer = response.json()
    assert "data" not in answer
    assert answer["errors"] and all(e["extensions"]["code"] for e in answer["errors"])


@pytest.mark.parametrize("body", _BAD_BODIES)
async def test_a_request_error_is_200_with_errors_in_application_json(client, body) -> None:
    response = await _post(client, body, JSON, raw=isinstance(body, str))
    assert response.status_code == 200, response.text
    assert _content_type(response).startswith(JSON)
    assert response.json()["errors"]


@pytest.mark.parametrize("parameter", ["variables", "operationName", "extensions"])
@pytest.mark.parametrize("accept", [GR, JSON])
async def test_null_parameters_are_allowed(client, parameter, accept) -> None:
    response = await _post(client, {"query": "{ __typename }", parameter: None}, accept)
    assert response.status_code == 200
    assert "errors" not in response.json()


@pytest.mark.parametrize("accept", [GR, JSON])
async def test_map_parameters_and_operation_names_are_allowed(client, accept) -> None:
    for body in (
        {
            "query": "query Type($name: String!) { __type(name: $name) { name } }",
            "variables": {"name": "sometype"},
        },
        {"query": "{ __typename }", "extensions": {"some": "value"}},
        {"operationName": "Query", "query": "query Query { __typename }"},
    ):
        response = await _post(client, body, accept)
        assert response.status_code == 200, body
        assert "errors" not in response.json(), response.text
    response = await client.get(
        "/graphql",
        params={
            "query": "query Type($name: String!) { __type(name: $name) { name } }",
            "variables": json.dumps({"name": "sometype"}),
        },
        headers={"accept": accept},
    )
    assert response.status_code == 200 and "errors" not in response.json(), response.text


async def test_an_error_during_execution_keeps_data_and_200(client) -> None:
    """A field error is not a request error: the data entry stays (``null`` for a refused
    field) and the status is 200 in either media type."""
    for accept in (GR, JSON):
        response = await _post(client, {"query": '{ node(id: "bm90LWFuLWlk") { id } }'}, accept)
        assert response.status_code == 200
        assert "data" in response.json()


def test_accept_negotiation() -> None:
    assert negotiate("").media_type == JSON and not negotiate("").explicit_json
    assert negotiate("*/*").media_type == JSON and not negotiate("*/*").explicit_json
    assert negotiate("text/html").media_type == JSON
    assert negotiate(f"{JSON};q=0.5, {GR}").graphql_response
    assert negotiate(f"{GR};q=0, {JSON}").explicit_json
    assert negotiate(f"{GR}, multipart/mixed").graphql_response
