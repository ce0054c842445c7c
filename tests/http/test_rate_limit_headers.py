"""Rate-limit headers and the query's cost (issue 16, point 8): every answer to ``/graphql``
says the caller's limit, what is left and when the window ends (``X-RateLimit-*``, as GitHub
sends them), a refusal too; an operation that runs reports its estimated cost in
``extensions``. The counters are the ``limits`` package's, in memory or in Redis."""

from __future__ import annotations

import time

from core.access.rate_limit import memory_rate_limiter
from tests.access.conftest import gql, login, username


async def test_every_answer_carries_the_rate_limit_headers(counties, make_client) -> None:
    http = make_client(rate_limit_staff=5)
    token = await login(http, username(counties.lipu, "COUNTY_ADMIN"), counties.lipu.password)
    headers = {"authorization": f"Bearer {token}"}
    seen = []
    for _ in range(5):
        response = await http.post("/graphql", json={"query": "{ me { label } }"}, headers=headers)
        assert response.status_code == 200
        seen.append(int(response.headers["x-ratelimit-remaining"]))
        assert response.headers["x-ratelimit-limit"] == "5"
        reset = int(response.headers["x-ratelimit-reset"])
        assert time.time() < reset <= time.time() + 61
    assert seen == [4, 3, 2, 1, 0]
    refused = await http.post("/graphql", json={"query": "{ me { label } }"}, headers=headers)
    assert refused.status_code == 429
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert refused.headers["x-ratelimit-limit"] == "5"
    assert int(refused.headers["retry-after"]) >= 1
    # a malformed request is counted and says so too
    bad = await make_client().post(
        "/graphql", content=b"{", headers={"content-type": "application/json"}
    )
    assert bad.status_code == 400 and bad.headers["x-ratelimit-limit"] == "60"


async def test_a_query_that_runs_reports_its_cost(counties, make_client) -> None:
    http = make_client()
    token = await login(http, username(counties.lipu, "COUNTY_ADMIN"), counties.lipu.password)
    body = await gql(http, "{ children(first: 7) { edges { node { name } } } }", token=token)
    cost = body["extensions"]["cost"]
    assert cost["limit"] == 50_000 and cost["estimated"] > 7
    agency = await gql(http, "{ cases(first: 3) { totalCount } }", key=counties.lipu.api_key)
    assert agency["extensions"]["cost"]["limit"] == 10_000
    bigger = await gql(http, "{ children(first: 70) { edges { node { name } } } }",
                       token=token)  # fmt: skip
    assert bigger["extensions"]["cost"]["estimated"] > cost["estimated"]
    too_big = make_client(max_query_cost=5)
    over = await gql(too_big, "{ children(first: 7) { edges { node { name } } } }", token=token)
    assert over["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert over["errors"][0]["extensions"]["cost"] == cost["estimated"]  # the same estimate
    assert "cost" not in (over.get("extensions") or {})


async def test_the_memory_counter_keeps_a_window() -> None:
    limiter = memory_rate_limiter()
    verdicts = [await limiter.hit("probe", 2, window=30) for _ in range(3)]
    assert [v.allowed for v in verdicts] == [True, True, False]
    assert [v.remaining for v in verdicts] == [1, 0, 0]
    assert all(1 <= v.retry_after <= 30 and v.limit == 2 for v in verdicts)
    assert len({v.reset for v in verdicts}) == 1
    assert (await limiter.hit("other", 2, window=30)).allowed
