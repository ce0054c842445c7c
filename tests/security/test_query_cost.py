"""The query-cost estimate cannot be lowered by arguments that never run (issue 10, point 9):
a skipped field with ``first: -100000000`` used to subtract its "cost" from the rest."""

from __future__ import annotations

from tests.security.conftest import code_of, gql, login, username

#: Five pages of 100 children with their households: about 66,000 objects (limit 50,000), plus a
#: skipped field that used to cancel them out.
_PAGE = """children(first: 100) { edges { node { name household { guardians { name phone }
    children { name household { guardians { phone } } } } } } }"""
LOWERED = (
    "query($n: Int!) { "
    + " ".join(f"p{i}: {_PAGE}" for i in range(5))
    + " lowered: schools(first: $n) @skip(if: true) { edges { node { name } } } }"
)


async def test_a_skipped_negative_page_does_not_lower_the_cost(http, counties) -> None:
    bureau = await login(http, username(counties.lipu, "BUREAU_STAFF"), counties.lipu.password)
    for n in (-100_000_000, -1):
        body = await gql(http, LOWERED, {"n": n}, token=bureau)
        assert code_of(body) == "QUERY_TOO_COMPLEX", body
        assert body["errors"][0]["extensions"]["cost"] > 50_000
    literal = LOWERED.replace("query($n: Int!)", "query").replace("$n", "-100000000")
    body = await gql(http, literal, token=bureau)
    assert code_of(body) == "QUERY_TOO_COMPLEX", body


async def test_the_agency_budget_cannot_be_lowered_either(http, counties) -> None:
    # 11,000 objects: under the staff limit, over the agency one (10,000)
    pages = " ".join(
        f"p{i}: cases(first: 100) {{ edges {{ node {{ events {{ kind }} }} }} }}" for i in range(10)
    )
    query = f"""query($n: Int!) {{ {pages}
      n: cases(first: $n) @include(if: false) {{ edges {{ node {{ state }} }} }}
    }}"""
    body = await gql(http, query, {"n": -100_000_000}, key=counties.lipu.api_key)
    assert code_of(body) == "QUERY_TOO_COMPLEX", body
    assert body["errors"][0]["extensions"]["maxCost"] == 10_000
