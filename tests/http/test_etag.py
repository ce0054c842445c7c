"""ETags on GraphQL GET answers (issue 15, point 4): a repeated query whose answer has not
changed is answered ``304 Not Modified`` with no body; a changed answer gets a new tag."""

from __future__ import annotations

from core.http_etag import _matches, entity_tag
from core.schools.models import School
from tests.api.test_server import _small_county

LIST = "{ schools(first: 10) { edges { node { id name } } } }"


async def _get(client, headers: dict[str, str] | None = None):
    return await client.get("/graphql", params={"query": LIST}, headers=headers or {})


async def test_get_answer_carries_a_weak_etag_and_revalidation_headers(client) -> None:
    await _small_county()
    first, second = await _get(client), await _get(client)
    assert first.status_code == 200 and "滨江小学" in first.text
    tag = first.headers["etag"]
    assert tag.startswith('W/"') and tag == second.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    vary = first.headers["vary"].lower()
    assert "authorization" in vary and "x-api-key" in vary


async def test_if_none_match_gives_304_without_body(client) -> None:
    await _small_county()
    tag = (await _get(client)).headers["etag"]
    again = await _get(client, {"if-none-match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    # a list of tags, one of them current, also matches; a stale one does not
    listed = await _get(client, {"if-none-match": f'W/"stale", {tag}'})
    assert listed.status_code == 304
    stale = await _get(client, {"if-none-match": 'W/"0000"'})
    assert stale.status_code == 200 and stale.headers["etag"] == tag


async def test_changed_data_changes_the_tag(client) -> None:
    await _small_county()
    tag = (await _get(client)).headers["etag"]
    await School.filter(name="滨江小学").update(name="滨江第一小学")
    changed = await _get(client, {"if-none-match": tag})
    assert changed.status_code == 200
    assert "滨江第一小学" in changed.text and changed.headers["etag"] != tag


async def test_tag_is_the_same_with_and_without_gzip(client) -> None:
    await _small_county()
    plain = await _get(client, {"accept-encoding": "identity"})
    zipped = await _get(client, {"accept-encoding": "gzip"})
    assert plain.headers["etag"] == zipped.headers["etag"]
    again = await _get(client, {"accept-encoding": "gzip", "if-none-match": plain.headers["etag"]})
    assert again.status_code == 304


async def test_post_is_not_tagged(client) -> None:
    """Personal data is POST only (core.api.get_policy); a POST is never answered 304."""
    await _small_county()
    posted = await client.post("/graphql", json={"query": LIST})
    assert posted.status_code == 200 and "滨江小学" in posted.text
    assert "etag" not in posted.headers


async def test_refused_get_is_not_tagged(client) -> None:
    """A request refused before it runs (HTTP 4xx for a graphql-response+json client)."""
    bad = await client.get(
        "/graphql",
        params={"query": "{ children("},
        headers={"accept": "application/graphql-response+json"},
    )
    assert bad.status_code == 400 and "etag" not in bad.headers


def test_weak_comparison() -> None:
    tag = entity_tag(b"{}")
    assert _matches(tag, tag)
    assert _matches(tag.removeprefix("W/"), tag)  # a strong form of the same tag
    assert _matches("*", tag)
    assert not _matches('W/"other"', tag)
    assert entity_tag(b"{}") != entity_tag(b"{ }")
