"""Compression and encoding (issue 16, point 10): JSON is raw UTF-8 (Chinese as it is, no
``\\uXXXX``) and a large answer is gzip-compressed when the client accepts it."""

from __future__ import annotations

from tests.api.test_server import _small_county

LIST = "{ children(first: 100) { edges { node { id name gender birthDate } } } }"


async def test_json_is_raw_utf8(client) -> None:
    await _small_county()
    response = await client.post(
        "/graphql", json={"query": LIST}, headers={"accept-encoding": "identity"}
    )
    assert response.status_code == 200
    assert "黄小梅".encode() in response.content
    assert b"\\u" not in response.content
    assert response.headers["content-type"].endswith("charset=utf-8")


async def test_large_answers_are_gzipped_when_accepted(client) -> None:
    await _small_county()
    # a page of many ids and names is the typical large answer of a dashboard
    query = (
        "{ "
        + " ".join(
            f"a{i}: children(first: 3) {{ edges {{ node {{ id name }} }} }}" for i in range(25)
        )
        + " }"
    )
    plain = await client.post(
        "/graphql", json={"query": query}, headers={"accept-encoding": "identity"}
    )
    assert "content-encoding" not in plain.headers and len(plain.content) > 1024
    zipped = await client.post(
        "/graphql", json={"query": query}, headers={"accept-encoding": "gzip"}
    )
    assert zipped.headers["content-encoding"] == "gzip"
    assert int(zipped.headers["content-length"]) * 4 < len(plain.content)
    assert zipped.json() == plain.json()  # httpx decodes it
    assert "accept-encoding" in zipped.headers.get("vary", "").lower()


async def test_small_answers_are_not_compressed(client) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"accept-encoding": "gzip"}
    )
    assert "content-encoding" not in response.headers


async def test_graphiql_assets_are_compressed(client) -> None:
    response = await client.get(
        "/graphiql-assets/graphiql@3.8.3/graphiql.min.js", headers={"accept-encoding": "gzip"}
    )
    assert response.status_code == 200 and response.headers["content-encoding"] == "gzip"
    assert len(response.content) > 3_000_000  # httpx decoded it
    assert response.num_bytes_downloaded < 1_000_000
