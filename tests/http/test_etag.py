"""ETags for GraphQL queries sent by GET (issue 15, point 4): the same answer again is a 304
without a body; a changed answer is sent whole, and POST is not tagged."""

from __future__ import annotations

from core.etag import etag_of
from tests.api.test_server import _small_county

# no personal field: a GET may carry it (personal data travels only by POST)
LIST = "{ schools(first: 100) { edges { node { id name } } } }"


async def test_get_answers_carry_a_tag_and_a_repeat_is_not_modified(client) -> None:
    await _small_county()
    first = await client.get("/graphql", params={"query": LIST})
    assert first.status_code == 200 and "滨江小学" in first.text
    tag = first.headers["etag"]
    assert tag == etag_of(first.content).decode()
    assert first.headers["cache-control"] == "private, no-cache"
    again = await client.get("/graphql", params={"query": LIST}, headers={"if-none-match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag
    # a weak comparison and a list of tags match too
    weak = await client.get(
        "/graphql", params={"query": LIST}, headers={"if-none-match": f'"other", W/{tag}'}
    )
    assert weak.status_code == 304


async def test_another_answer_gets_another_tag_and_the_full_body(client) -> None:
    await _small_county()
    first = await client.get("/graphql", params={"query": LIST})
    other = await client.get(
        "/graphql",
        params={"query": "{ jurisdictions { name } }"},
        headers={"if-none-match": first.headers["etag"]},
    )
    assert other.status_code == 200 and other.json()["data"]["jurisdictions"]
    assert other.headers["etag"] != first.headers["etag"]


async def test_gzip_does_not_change_the_tag(client) -> None:
    await _small_county()
    query = (
        "{ "
        + " ".join(
            f"a{i}: schools(first: 3) {{ edges {{ node {{ id name }} }} }}" for i in range(25)
        )
        + " }"
    )
    plain = await client.get(
        "/graphql", params={"query": query}, headers={"accept-encoding": "identity"}
    )
    zipped = await client.get(
        "/graphql", params={"query": query}, headers={"accept-encoding": "gzip"}
    )
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["etag"] == plain.headers["etag"]
    cached = await client.get(
        "/graphql",
        params={"query": query},
        headers={"accept-encoding": "gzip", "if-none-match": plain.headers["etag"]},
    )
    assert cached.status_code == 304 and cached.content == b""


async def test_post_is_not_tagged(client) -> None:
    await _small_county()
    posted = await client.post("/graphql", json={"query": LIST})
    assert posted.status_code == 200 and "etag" not in posted.headers
