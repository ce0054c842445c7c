"""The 学户册 paged in GraphQL and streamed as CSV/XLSX, over HTTP as real callers: every row
once and the same rows as the built report, a town's key its town only, masked as the report
is, statements per page flat in its size, coded refusals, and the streamed files equal to the
in-memory table."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from tortoise.context import TortoiseContext

from core.access.api_keys import create_key
from core.access.enums import Permission
from core.access.models import AuditEntry
from core.jurisdictions.models import Town
from tests.api.statements import count_statements
from tests.conftest import graphql
from tests.reports.test_reports_http import (
    NOW,
    SUINING,
    _county,
    _generate,
    _gid,
    _sign_in,
)


@pytest.fixture
async def http(db: TortoiseContext) -> AsyncIterator[httpx.AsyncClient]:
    from core.server import create_app

    app = create_app(manage_database=False, clock=lambda: NOW)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


PAGE = """
query($first: Int, $after: String, $last: Int, $before: String, $asOf: Date,
      $placeKind: ReportPlaceKind, $placeId: ID, $public: Boolean! = false) {
  householdRegister(first: $first, after: $after, last: $last, before: $before, asOf: $asOf,
                    placeKind: $placeKind, placeId: $placeId, public: $public) {
    title subtitle asOf placeKind placeName masking
    columns { key header kind source }
    downloads { xlsx csv }
    edges { cursor node { childId cells } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""
COUNTED = PAGE.replace("title subtitle", "totalCount title subtitle")


async def _page(http, headers, **variables: Any) -> dict[str, Any]:
    body = await graphql(http, PAGE, variables, headers)
    assert "errors" not in body, body
    return body["data"]["householdRegister"]


async def _walk(http, headers, size: int, **variables: Any) -> list[list[str]]:
    rows: list[list[str]] = []
    after = None
    while True:
        page = await _page(http, headers, first=size, after=after, **variables)
        rows.extend(e["node"]["cells"] for e in page["edges"])
        assert len(page["edges"]) <= size
        if not page["pageInfo"]["hasNextPage"]:
            return rows
        after = page["pageInfo"]["endCursor"]


def _without_number(table: dict[str, Any]) -> list[list[str]]:
    assert table["columns"][0]["key"] == "number"
    return [row[1:] for row in table["rows"]]


async def _report(http, headers, **place: Any) -> dict[str, Any]:
    made = await _generate(http, headers, formatCode="household-register", period="2026", **place)
    assert made["errors"] == [], made
    return made["report"]


async def test_paging_walks_every_row_once_and_equals_the_report(http) -> None:
    county = await _county(SUINING)
    bureau = await _sign_in(http, county["users"]["bureau"])
    report = await _report(http, bureau, placeKind="COUNTY")
    expected = _without_number(report["table"])
    assert len(expected) > 100
    as_of = report["asOf"]
    first = await _page(http, bureau, first=5, asOf=as_of)
    assert first["placeKind"] == "COUNTY" and first["masking"] == "NONE"
    assert first["asOf"] == as_of and first["title"] == report["table"]["title"]
    # the report's own columns, without the 序号
    assert first["columns"] == [
        {k: c[k] for k in ("key", "header", "kind")} | {"source": c["source"]}
        for c in (await _columns(http, bureau, report))
    ]
    walked = await _walk(http, bureau, 13, asOf=as_of)
    assert len(walked) == len(expected)
    assert sorted(walked) == sorted(expected)
    # by name, then id: the names never go back
    at = [c["header"] for c in first["columns"]].index("姓名")
    assert len({row[at] for row in walked}) > 1
    # ids once each, and totalCount only when asked for
    ids = []
    after = None
    while True:
        body = await graphql(http, COUNTED, {"first": 50, "after": after, "asOf": as_of}, bureau)
        page = body["data"]["householdRegister"]
        assert page["totalCount"] == len(expected)
        ids.extend(e["node"]["childId"] for e in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(ids) == len(set(ids)) == len(expected)
    # backwards: the last rows, the same as the forward walk's end
    tail = await _page(http, bureau, last=4, asOf=as_of)
    assert [e["node"]["cells"] for e in tail["edges"]] == walked[-4:]
    before = await _page(http, bureau, last=3, before=tail["edges"][0]["cursor"], asOf=as_of)
    assert [e["node"]["cells"] for e in before["edges"]] == walked[-7:-4]


async def _columns(http, headers, report) -> list[dict[str, Any]]:
    body = await graphql(
        http,
        "query($id: ID!) { node(id: $id) { ... on ReportSnapshot { table { columns {"
        " key header kind source } } } } }",
        {"id": report["id"]},
        headers,
    )
    return body["data"]["node"]["table"]["columns"][1:]


async def test_cursors_stay_put_when_a_child_is_registered(http) -> None:
    """A child registered before the cursor (by name) neither repeats nor shifts a row."""
    from core.people.models import Child

    county = await _county(SUINING)
    bureau = await _sign_in(http, county["users"]["bureau"])
    page = await _page(http, bureau, first=20)
    cursor = page["edges"][9]["cursor"]
    expected = [e["node"]["childId"] for e in page["edges"][10:]]
    some = await Child.filter(jurisdiction__division_code=SUINING).order_by("name").first()
    await Child.create(
        jurisdiction_id=some.jurisdiction_id,
        household_id=some.household_id,
        name="一" + some.name,
        gender=some.gender,
        birth_date=some.birth_date,
    )
    later = await _page(http, bureau, first=10, after=cursor)
    assert [e["node"]["childId"] for e in later["edges"]] == expected


async def test_statements_per_page_do_not_grow_with_its_size(http) -> None:
    county = await _county(SUINING)
    bureau = await _sign_in(http, county["users"]["bureau"])
    cursor = (await _page(http, bureau, first=3))["pageInfo"]["endCursor"]
    counts = {}
    for size in (5, 20, 100):
        for after in (None, cursor):
            with count_statements() as statements:
                page = await _page(http, bureau, first=size, after=after)
            assert len(page["edges"]) == size
            counts[size, after is None] = len(statements)
    assert counts[5, True] == counts[20, True] == counts[100, True], counts
    assert counts[5, False] == counts[20, False] == counts[100, False], counts


async def _town_key(town: str) -> dict[str, str]:
    """A county statistics office's key for one town: reports and the roster (masked)."""
    now = datetime.now(UTC)
    issued = await create_key(
        agency="县统计局",
        jurisdiction_code=SUINING,
        permissions=[Permission.READ_REPORTS, Permission.READ_ROSTER],
        expires_at=now + timedelta(days=30),
        now=now,
        town_names=[town],
    )
    return {"X-API-Key": issued.secret}


async def test_a_town_key_sees_its_town_masked(http) -> None:
    county = await _county(SUINING)
    town = await Town.filter(
        jurisdiction__division_code=SUINING, schools__id=county["school"].id
    ).first()
    key = await _town_key(town.name)
    report = await _report(http, key)
    assert report["placeKind"] == "TOWN" and report["placeName"] == town.name
    expected = _without_number(report["table"])
    walked = await _walk(http, key, 17, asOf=report["asOf"])
    assert expected and sorted(walked) == sorted(expected)
    page = await _page(http, key, first=5)
    assert page["placeKind"] == "TOWN" and page["masking"] == "PERSONAL"
    headers = [c["header"] for c in page["columns"]]
    id_numbers = [e["node"]["cells"][headers.index("身份证号")] for e in page["edges"]]
    assert any(id_numbers) and all("*" in n for n in id_numbers if n)
    # the whole county is beyond a town's key
    body = await graphql(http, PAGE, {"first": 5, "placeKind": "COUNTY"}, key)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["data"] is None
    # so is a town it was not given
    other = await Town.filter(jurisdiction__division_code=SUINING).exclude(id=town.id).first()
    body = await graphql(
        http, PAGE, {"first": 5, "placeKind": "TOWN", "placeId": _gid("Town", other)}, key
    )
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_the_published_variant_masks_names(http) -> None:
    county = await _county(SUINING)
    bureau = await _sign_in(http, county["users"]["bureau"])
    plain = await _page(http, bureau, first=10)
    public = await _page(http, bureau, first=10, public=True)
    assert public["masking"] == "PUBLIC" and "public=true" in public["downloads"]["csv"]
    at = [c["header"] for c in plain["columns"]].index("姓名")
    for a, b in zip(plain["edges"], public["edges"], strict=True):
        assert a["node"]["childId"] == b["node"]["childId"]
        assert "*" in b["node"]["cells"][at] and "*" not in a["node"]["cells"][at]


@pytest.mark.parametrize(
    ("variables", "code", "field"),
    [
        ({"first": 5, "after": "not-a-cursor"}, "INVALID", "after"),
        ({"first": 500}, "PAGE_SIZE", "first"),
        ({"first": 5, "placeKind": "TOWN", "placeId": "VG93bjpub3Q="}, "INVALID", "placeId"),
        ({"first": 5, "placeKind": "TOWN"}, "REQUIRED", "placeId"),
        ({"first": 5, "asOf": "2099-01-01"}, "INVALID", "asOf"),
    ],
)
async def test_bad_arguments_are_coded_errors(http, variables, code, field) -> None:
    county = await _county(SUINING)
    bureau = await _sign_in(http, county["users"]["bureau"])
    body = await graphql(http, PAGE, variables, bureau)
    error = body["errors"][0]
    assert error["extensions"]["code"] == code, error
    assert error["extensions"]["field"] == field
    messages = error["extensions"]["messages"]
    assert messages["zh"] and messages["en"] and messages["zh"] != messages["en"]


async def test_a_cursor_of_another_list_is_refused(http) -> None:
    county = await _county(SUINING)
    bureau = await _sign_in(http, county["users"]["bureau"])
    await _report(http, bureau, placeKind="COUNTY")
    body = await graphql(
        http, "{ reportSnapshots(first: 1) { pageInfo { endCursor } } }", {}, bureau
    )
    other = body["data"]["reportSnapshots"]["pageInfo"]["endCursor"]
    body = await graphql(http, PAGE, {"first": 5, "after": other}, bureau)
    assert body["errors"][0]["extensions"]["code"] == "INVALID"
    assert body["errors"][0]["extensions"]["field"] == "after"


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


async def test_streamed_files_equal_the_in_memory_table(http) -> None:
    county = await _county(SUINING)
    bureau = await _sign_in(http, county["users"]["bureau"])
    report = await _report(http, bureau, placeKind="COUNTY")
    table = report["table"]
    page = await _page(http, bureau, first=1, asOf=report["asOf"])
    response = await http.get(page["downloads"]["csv"], headers=bureau)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert int(response.headers["x-report-rows"]) == len(table["rows"])
    lines = _csv_rows(response.content)
    header = [c["header"] for c in table["columns"]]
    assert lines[0] == header
    body = lines[1:]
    assert [r[0] for r in body] == [str(n) for n in range(1, len(body) + 1)]
    assert sorted(r[1:] for r in body) == sorted(_without_number(table))
    # the order is the GraphQL pages' order
    walked = await _walk(http, bureau, 50, asOf=report["asOf"])
    assert [r[1:] for r in body] == walked
    import hashlib

    assert response.headers["x-report-checksum"] == hashlib.sha256(response.content).hexdigest()
    audit = await AuditEntry.filter(operation="download household register csv").first()
    assert audit is not None and audit.details["rows"] == len(body)
    assert audit.details["sha256"] == response.headers["x-report-checksum"]

    response = await http.get(page["downloads"]["xlsx"], headers=bureau)
    assert response.status_code == 200, response.text
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet["A1"].value == table["title"]
    assert "A1:" in " ".join(str(r) for r in sheet.merged_cells.ranges)
    assert [c.value for c in sheet[3]] == header
    assert sheet.freeze_panes == "A4"
    assert sheet["A3"].font.b and sheet["A3"].fill.fgColor.rgb.endswith("D9E1F2")
    assert sheet.column_dimensions["C"].width > 6
    cells = [
        ["" if v is None else (v.date().isoformat() if hasattr(v, "date") else str(v)) for v in r]
        for r in sheet.iter_rows(min_row=4, max_row=3 + len(body), values_only=True)
    ]
    assert cells == body
    # every row keeps its height (wrapped addresses are taller)
    heights = {sheet.row_dimensions[r].height for r in range(4, 4 + len(body))}
    assert None not in heights and len(heights) > 1
    footer = [r[0] for r in sheet.iter_rows(min_row=4 + len(body), values_only=True) if r[0]]
    assert footer and footer[-1].startswith("依据：")


async def test_downloads_are_scoped_and_refused_with_codes(http) -> None:
    county = await _county(SUINING)
    town = await Town.filter(
        jurisdiction__division_code=SUINING, schools__id=county["school"].id
    ).first()
    key = await _town_key(town.name)
    report = await _report(http, key)
    response = await http.get("/registers/household.csv", headers=key)
    assert response.status_code == 200
    body = _csv_rows(response.content)[1:]
    assert sorted(r[1:] for r in body) == sorted(_without_number(report["table"]))
    # masked (PERSONAL): no audit entry of an unmasked read
    assert not await AuditEntry.filter(operation__startswith="download household").exists()
    assert (await http.get("/registers/household.csv")).status_code == 401
    county_wide = await http.get("/registers/household.xlsx?placeKind=COUNTY", headers=key)
    assert county_wide.status_code == 403
    bad = await http.get("/registers/household.csv?asOf=yesterday", headers=key)
    assert bad.status_code == 400
    error = bad.json()["error"]
    assert error["code"] == "INVALID" and error["field"] == "asOf"
    assert error["messages"]["zh"] and error["messages"]["en"]
    bad = await http.get("/registers/household.csv?placeKind=PROVINCE", headers=key)
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "placeKind"
    assert (await http.get("/registers/household.pdf", headers=key)).status_code == 404


async def test_a_register_above_the_snapshot_limit_is_refused_as_a_snapshot(
    http, monkeypatch
) -> None:
    from core.reports import register

    county = await _county(SUINING)
    bureau = await _sign_in(http, county["users"]["bureau"])
    school = await _report(
        http, bureau, placeKind="SCHOOL", placeId=_gid("School", county["school"])
    )
    limit = len(school["table"]["rows"])
    monkeypatch.setattr(register, "SNAPSHOT_ROW_LIMIT", limit)
    # the school's register still fits; the county's does not
    again = await _generate(
        http,
        bureau,
        formatCode="household-register",
        period="2026",
        placeKind="SCHOOL",
        placeId=_gid("School", county["school"]),
    )
    assert again["errors"] == []
    refused = await _generate(
        http, bureau, formatCode="household-register", period="2026", placeKind="COUNTY"
    )
    assert refused["report"] is None
    assert refused["errors"][0]["code"] == "TOO_LARGE"
    assert "householdRegister" in refused["errors"][0]["message"]


async def test_a_file_streamed_in_many_chunks_equals_the_table(http, monkeypatch) -> None:
    """Chunks of 37 children, each chunk's tables read over its range of the order (the
    ledgers' sub-select path, taken here above 5 ids), give the same file as one chunk."""
    from core.reports import ledgers, register

    county = await _county(SUINING)
    bureau = await _sign_in(http, county["users"]["bureau"])
    report = await _report(http, bureau, placeKind="COUNTY")
    whole = await http.get(f"/registers/household.csv?asOf={report['asOf']}", headers=bureau)
    monkeypatch.setattr(register, "CHUNK", 37)
    monkeypatch.setattr(ledgers, "CHUNK", 5)
    chunked = await http.get(f"/registers/household.csv?asOf={report['asOf']}", headers=bureau)
    assert chunked.status_code == 200
    assert chunked.content == whole.content
    body = _csv_rows(chunked.content)[1:]
    assert len(body) > 37 * 3
    assert sorted(r[1:] for r in body) == sorted(_without_number(report["table"]))


async def test_a_register_longer_than_a_worksheet_is_refused_as_xlsx(http, monkeypatch) -> None:
    """A county of a million pupils has more children than a worksheet has rows: its XLSX is
    refused with the way out (a town's, or CSV) before anything is written; CSV still comes."""
    from core.reports import register

    county = await _county(SUINING)
    bureau = await _sign_in(http, county["users"]["bureau"])
    report = await _report(http, bureau, placeKind="COUNTY")
    monkeypatch.setattr(register, "XLSX_ROW_LIMIT", len(report["table"]["rows"]) - 1)
    refused = await http.get(f"/registers/household.xlsx?asOf={report['asOf']}", headers=bureau)
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "TOO_LARGE" and error["field"] == "placeKind"
    assert "CSV" in error["messages"]["zh"] and "CSV" in error["messages"]["en"]
    csv = await http.get(f"/registers/household.csv?asOf={report['asOf']}", headers=bureau)
    assert csv.status_code == 200
    monkeypatch.setattr(register, "XLSX_ROW_LIMIT", len(report["table"]["rows"]))
    fits = await http.get(f"/registers/household.xlsx?asOf={report['asOf']}", headers=bureau)
    assert fits.status_code == 200
