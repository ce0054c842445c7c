"""The server answers over HTTP: health check, GraphiQL, a first query, masked errors."""

from datetime import date

from core.enrolment.models import Enrolment, EnrolmentStatus
from core.jurisdictions.models import Jurisdiction
from core.people.enums import Gender
from core.people.models import Child, Guardian, Household
from core.people.resident_id import make_resident_id
from core.schools.models import School, SchoolKind
from tests.conftest import graphql


async def _small_county() -> Jurisdiction:
    county = await Jurisdiction.create(division_code="450381", name="荔浦市", city="桂林市")
    school = await School.create(
        jurisdiction=county, code="2145038101", name="滨江小学", kind=SchoolKind.PRIMARY
    )
    home = await Household.create(jurisdiction=county, head_name="黄大明")
    await Guardian.create(household=home, name="黄大明", relation="FATHER", is_primary=True)
    for i, name in enumerate(["黄小梅", "黄小军", "韦一"]):
        child = await Child.create(
            jurisdiction=county,
            household=home,
            name=name,
            gender=Gender.FEMALE if i % 2 == 0 else Gender.MALE,
            birth_date=date(2016, 3, 1 + i),
            id_number=make_resident_id("450381", date(2016, 3, 1 + i), 2 * i + 2),
        )
        await Enrolment.create(
            child=child,
            school=school,
            grade=4,
            status=EnrolmentStatus.ENROLLED,
            started_on=date(2022, 9, 1),
        )
    return county


async def test_healthz_reports_database_ok(client) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "not configured"}
    assert response.headers["x-request-id"]


async def test_graphiql_is_served_to_browsers(client) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_first_query_lists_children_with_household(client) -> None:
    await _small_county()
    body = await graphql(
        client,
        """
        query { children(filter: {jurisdictionCode: "450381"}, first: 2) {
            totalCount
            pageInfo { hasNextPage endCursor }
            edges { node { id name gender household { headName guardians { name } }
                           currentEnrolment { grade status school { name } } } }
        } }
        """,
    )
    assert "errors" not in body, body
    page = body["data"]["children"]
    assert page["totalCount"] == 3
    assert page["pageInfo"]["hasNextPage"] is True
    first = page["edges"][0]["node"]
    assert first["household"]["guardians"] == [{"name": "黄大明"}]
    assert first["currentEnrolment"]["school"]["name"] == "滨江小学"
    assert first["currentEnrolment"]["status"] == "ENROLLED"

    rest = await graphql(
        client,
        "query($after: String) { children(first: 5, after: $after) { edges { node { name } } "
        "pageInfo { hasNextPage } } }",
        {"after": page["pageInfo"]["endCursor"]},
    )
    assert len(rest["data"]["children"]["edges"]) == 1
    assert rest["data"]["children"]["pageInfo"]["hasNextPage"] is False

    node = await graphql(
        client,
        "query($id: ID!) { node(id: $id) { __typename ... on Child { name } } }",
        {"id": first["id"]},
    )
    assert node["data"]["node"] == {"__typename": "Child", "name": first["name"]}


async def test_page_size_over_the_limit_is_a_coded_error(client) -> None:
    body = await graphql(client, "{ children(first: 101) { totalCount } }")
    error = body["errors"][0]
    assert error["extensions"]["code"] == "PAGE_SIZE"
    assert "100" in error["message"]


async def test_bad_cursor_is_a_coded_error_not_a_500(client) -> None:
    body = await graphql(client, '{ children(after: "not-a-cursor") { totalCount } }')
    assert body["errors"][0]["extensions"]["code"] == "INVALID"


async def test_unknown_node_id_gives_null(client) -> None:
    body = await graphql(client, '{ node(id: "Q2hpbGQ6bm9wZQ==") { id } }')
    assert body["data"]["node"] is None
