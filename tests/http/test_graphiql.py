"""GraphiQL works on an intranet without internet (issue 16, point 1): the page and every asset
it loads come from this server, at pinned versions, unchanged (the SRI hashes hold); the CDN is
used only when ``BAOXUE_GRAPHIQL_CDN`` asks for it. A real headless Chromium with the network
cut off renders the page, signs in with the README's first query and runs a query with the
token (skipped where Chromium is not installed)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import httpx
import pytest

from core.access.caller import Caller
from core.graphiql import ASSETS, STATIC_DIR
from core.settings import load_settings
from tests.http.browser import chromium, open_browser
from tests.http.live_server import live_server, prepare_database

_REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


async def _page(client: httpx.AsyncClient) -> httpx.Response:
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response


async def test_the_page_references_no_outside_host(client) -> None:
    response = await _page(client)
    references = _REFERENCE.findall(response.text)
    assert len(references) >= len(ASSETS) + 1, references
    for reference in references:
        assert reference.startswith(("/", "data:")), reference
    assert "http://" not in response.text and "https://" not in response.text
    policy = response.headers["content-security-policy"]
    assert "https:" not in policy and "unpkg" not in policy
    assert "script-src 'self';" in policy, "no inline script and no other host may run"


async def test_every_asset_is_served_unchanged_at_its_pinned_version(client) -> None:
    page = (await _page(client)).text
    for asset in ASSETS:
        assert re.search(r"@\d+\.\d+\.\d+/", asset.local), asset.local
        url = f"/graphiql-assets/{asset.local}"
        assert url in page
        response = await client.get(url)
        assert response.status_code == 200, url
        digest = base64.b64encode(hashlib.sha384(response.content).digest()).decode()
        assert f"sha384-{digest}" == asset.integrity, f"{asset.local} differs from its release"
        assert (STATIC_DIR / asset.local).parent.joinpath("LICENSE").is_file()
    script = await client.get("/graphiql-assets/baoxue-graphiql.js")
    assert script.status_code == 200 and "createFetcher" in script.text


async def test_the_cdn_is_used_only_when_asked_for(db) -> None:
    from core.server import create_app

    settings = load_settings(graphiql_cdn=True)
    app = create_app(settings, manage_database=False, default_caller=Caller.system())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        response = await _page(http)
        assert "https://unpkg.com/graphiql@3.8.3/graphiql.min.js" in response.text
        assert "https://unpkg.com" in response.headers["content-security-policy"]
        assert (await http.get(f"/graphiql-assets/{ASSETS[0].local}")).status_code == 404


_EDITOR = "document.querySelectorAll('.graphiql-editor .CodeMirror')"


def _response_text(page) -> str:
    return page.evaluate(
        "(() => { const cm = document.querySelector('.result-window .CodeMirror');"
        " return cm && cm.CodeMirror ? cm.CodeMirror.getValue() : ''; })()"
    )


def _run_query(page) -> dict:
    page.wait_for("!!document.querySelector('.graphiql-execute-button')")
    before = _response_text(page)
    page.evaluate("document.querySelector('.graphiql-execute-button').click()")
    page.wait_for(
        "(() => { const cm = document.querySelector('.result-window .CodeMirror');"
        f" const v = cm && cm.CodeMirror ? cm.CodeMirror.getValue() : '';"
        f" return v.trim().startsWith('{{') && v !== {json.dumps(before)}; }})()"
    )
    return json.loads(_response_text(page))


@pytest.mark.skipif(chromium() is None, reason="chromium is not installed")
def test_graphiql_renders_signs_in_and_runs_a_query_offline(tmp_path: Path) -> None:
    database = prepare_database(tmp_path)
    shots = Path(__import__("os").environ.get("BAOXUE_SCREENSHOTS", tmp_path))
    with live_server(tmp_path, database) as server:
        profile = tmp_path / "profile"
        profile.mkdir()
        with open_browser(profile) as page:
            page.navigate(f"{server.url}/graphql")
            page.wait_for("!!document.querySelector('.graphiql-container .graphiql-editors')")
            assert "demo-admin" in page.evaluate("document.body.innerText")
            login = _run_query(page)
            token = login["data"]["login"]["token"]
            assert token and login["data"]["login"]["errors"] == []
            page.screenshot(shots / "graphiql-login.png")

            # as a person does: the token into the Headers tab, the query into the editor
            page.evaluate(
                "Array.from(document.querySelectorAll('button'))"
                ".find(b => b.textContent.trim() === 'Headers').click()"
            )
            headers = json.dumps({"Authorization": f"Bearer {token}"})
            page.wait_for(f"{_EDITOR} && {_EDITOR}.length === 3")
            page.evaluate(f"{_EDITOR}[2].CodeMirror.setValue({json.dumps(headers)})")
            query = "query FirstLook { me { label role } children(first: 2) { totalCount } }"
            page.evaluate(f"{_EDITOR}[0].CodeMirror.setValue({json.dumps(query)})")
            answer = _run_query(page)
            assert "errors" not in answer, answer
            assert answer["data"]["me"]["role"] == "COUNTY_ADMIN"
            assert answer["data"]["children"]["totalCount"] > 0
            page.screenshot(shots / "graphiql-first-look.png")

            outside = [u for u in page.requests if not u.startswith((server.url, "data:"))]
            assert outside == [], f"the page asked for outside hosts: {outside}"
            assert any("/graphiql-assets/graphiql@3.8.3/" in u for u in page.requests)


@pytest.mark.skipif(chromium() is None, reason="chromium is not installed")
def test_graphiql_runs_a_subscription_over_the_websocket_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's bundled graphql-ws client subscribes at the same /graphql, signed in by the
    Headers tab (sent as connection_init's payload), within the page's content policy."""
    from tests.events.live_client import free_port
    from tests.http import live_server as live_module

    monkeypatch.setattr(live_module, "free_port", free_port)  # the tests' port range
    database = prepare_database(tmp_path)
    with live_server(tmp_path, database) as server:
        profile = tmp_path / "profile"
        profile.mkdir()
        with open_browser(profile, debugging_port=free_port()) as page:
            page.navigate(f"{server.url}/graphql")
            page.wait_for("!!document.querySelector('.graphiql-container .graphiql-editors')")
            token = _run_query(page)["data"]["login"]["token"]
            page.evaluate(
                "Array.from(document.querySelectorAll('button'))"
                ".find(b => b.textContent.trim() === 'Headers').click()"
            )
            headers = json.dumps({"Authorization": f"Bearer {token}"})
            page.wait_for(f"{_EDITOR} && {_EDITOR}.length === 3")
            page.evaluate(f"{_EDITOR}[2].CodeMirror.setValue({json.dumps(headers)})")
            # anonymous: GraphiQL 3 sends a named single operation over HTTP
            query = "subscription { inboxChanges { change counts { total unread } } }"
            page.evaluate(f"{_EDITOR}[0].CodeMirror.setValue({json.dumps(query)})")
            answer = _run_query(page)
            assert answer["data"]["inboxChanges"]["change"] == "SNAPSHOT", answer
            assert set(answer["data"]["inboxChanges"]["counts"]) == {"total", "unread"}
            socket_url = server.url.replace("http://", "ws://") + "/graphql"
            assert socket_url in page.requests, page.requests
