"""A group's ledger (铁东's 关爱台账 and 师访万家) paged in GraphQL (``childLedger``) and
streamed (``/ledgers/<format>.csv``, ``.xlsx``) by the 学户册's own mechanism, over HTTP as real
callers: paging forward by cursors equals the whole table, a town's key sees its town's rows
only, ``generateReport`` refuses a ledger above the snapshot limit with the way out, the
streamed file equals the table, and a format that is not a list of children is refused."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from tortoise.context import TortoiseContext

from core.access.accounts import create_account
from core.access.api_keys import create_key
from core.access.enums import Permission, Role
from core.access.models import AuditEntry
from core.jurisdictions.models import Town
from tests.conftest import graphql
from tests.reports.test_reports_http import NOW, PASSWORD, _county, _generate, _gid, _sign_in

TIEDONG = "210302"
GROUP_LEDGERS = ("key-group-care-ledger", "teacher-home-visits")
TERM = "2026-autumn"


@pytest.fixture
async def http(db: TortoiseContext) -> AsyncIterator[httpx.AsyncClient]:
    from core.server import create_app

    app = create_app(manage_database=False, clock=lambda: NOW)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


PAGE = """
query($format: String!, $first: Int, $after: String, $asOf: Date,
      $placeKind: ReportPlaceKind, $placeId: ID) {
  childLedger(formatCode: $format, first: $first, after: $after, asOf: $asOf,
              placeKind: $placeKind, placeId: $placeId) {
    totalCount formatCode title asOf placeKind placeName masking
    columns { key header kind source }
    headerGroups { label first span }
    downloads { xlsx csv }
    edges { cursor node { childId cells } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def _page(http, headers, **variables: Any) -> dict[str, Any]:
    body = await graphql(http, PAGE, variables, headers)
    assert "errors" not in body, body
    return body["data"]["childLedger"]


async def _walk(http, headers, size: int, **variables: Any) -> tuple[list[list[str]], list[str]]:
    rows: list[list[str]] = []
    ids: list[str] = []
    after = None
    while True:
        page = await _page(http, headers, first=size, after=after, **variables)
        assert len(page["edges"]) <= size
        rows.extend(e["node"]["cells"] for e in page["edges"])
        ids.extend(e["node"]["childId"] for e in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return rows, ids
        after = page["pageInfo"]["endCursor"]


async def _table(http, headers, code: str, **place: Any) -> dict[str, Any]:
    made = await _generate(http, headers, formatCode=code, period=TERM, **place)
    assert made["errors"] == [], made
    return made["report"]


def _body(table: dict[str, Any]) -> list[list[str]]:
    """The table's rows without the 序号."""
    assert table["columns"][0]["key"] == "number"
    return [row[1:] for row in table["rows"]]


@pytest.mark.parametrize("code", GROUP_LEDGERS)
async def test_paging_forward_equals_the_whole_table(http, code) -> None:
    county = await _county(TIEDONG, students=400)
    bureau = await _sign_in(http, county["users"]["bureau"])
    report = await _table(http, bureau, code, placeKind="COUNTY")
    expected = _body(report["table"])
    assert len(expected) > 20
    walked, ids = await _walk(http, bureau, 7, format=code, asOf=report["asOf"])
    assert sorted(walked) == sorted(expected)
    assert len(ids) == len(set(ids)) == len(expected)
    first = await _page(http, bureau, format=code, first=3, asOf=report["asOf"])
    assert first["totalCount"] == len(expected)
    assert first["formatCode"] == code and first["title"] == report["table"]["title"]
    assert first["placeKind"] == "COUNTY" and first["masking"] == "NONE"
    # the report's columns and header groups without the 序号
    table_columns = report["table"]["columns"][1:]
    assert [c["key"] for c in first["columns"]] == [c["key"] for c in table_columns]
    assert [(g["label"], g["first"] + 1, g["span"]) for g in first["headerGroups"]] == [
        (g["label"], g["first"], g["span"]) for g in report["table"]["headerGroups"]
    ]
    # by name, then id: the names never go back
    at = [c["header"] for c in first["columns"]].index("姓名")
    names = [row[at] for row in walked]
    assert names == sorted(names) and len(set(names)) > 1


async def _town_key(town: str) -> dict[str, str]:
    """A county office's key for one town's reports (personal details masked)."""
    now = datetime.now(UTC)
    issued = await create_key(
        agency="县民政局",
        jurisdiction_code=TIEDONG,
        permissions=[Permission.READ_REPORTS, Permission.READ_ROSTER],
        expires_at=now + timedelta(days=30),
        now=now,
        town_names=[town],
    )
    return {"X-API-Key": issued.secret}


async def test_a_town_sees_only_its_towns_rows(http) -> None:
    code = GROUP_LEDGERS[0]
    county = await _county(TIEDONG, students=400)
    bureau = await _sign_in(http, county["users"]["bureau"])
    whole = _body((await _table(http, bureau, code, placeKind="COUNTY"))["table"])
    town = await Town.filter(
        jurisdiction__division_code=TIEDONG, schools__id=county["school"].id
    ).first()
    key = await _town_key(town.name)
    report = await _table(http, key, code)
    assert report["placeKind"] == "TOWN" and report["placeName"] == town.name
    expected = _body(report["table"])
    walked, _ = await _walk(http, key, 5, format=code, asOf=report["asOf"])
    assert expected and sorted(walked) == sorted(expected)
    assert len(walked) < len(whole)
    page = await _page(http, key, format=code, first=2)
    assert page["placeKind"] == "TOWN" and page["placeName"] == town.name
    # the county and another town are beyond the key, in pages and in files
    body = await graphql(http, PAGE, {"format": code, "first": 5, "placeKind": "COUNTY"}, key)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN" and body["data"] is None
    other = await Town.filter(jurisdiction__division_code=TIEDONG).exclude(id=town.id).first()
    body = await graphql(
        http,
        PAGE,
        {"format": code, "first": 5, "placeKind": "TOWN", "placeId": _gid("Town", other)},
        key,
    )
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert (await http.get(f"/ledgers/{code}.csv?placeKind=COUNTY", headers=key)).status_code == 403
    own = await http.get(f"/ledgers/{code}.csv", headers=key)
    assert own.status_code == 200
    assert sorted(r[1:] for r in _csv_rows(own.content)[1:]) == sorted(expected)
    assert (await http.get(f"/ledgers/{code}.csv")).status_code == 401
    # a township official's account: the town's rows, personal details masked, nothing else
    official = await create_account(
        username="official-tiedong",
        password=PASSWORD,
        role=Role.TOWNSHIP_OFFICIAL,
        jurisdiction_code=TIEDONG,
        town_name=town.name,
    )
    signed_in = await _sign_in(http, official.username)
    walked, _ = await _walk(http, signed_in, 5, format=code, asOf=report["asOf"])
    assert sorted(walked) == sorted(expected)
    page = await _page(http, signed_in, format=code, first=2)
    assert page["placeName"] == town.name and page["masking"] == "PERSONAL"
    body = await graphql(http, PAGE, {"format": code, "first": 5, "placeKind": "COUNTY"}, signed_in)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN" and body["data"] is None
    mine = await http.get(f"/ledgers/{code}.csv", headers=signed_in)
    assert mine.status_code == 200 and mine.content == own.content
    assert (
        await http.get(f"/ledgers/{code}.csv?placeKind=COUNTY", headers=signed_in)
    ).status_code == 403


async def test_generate_refuses_a_ledger_above_the_snapshot_limit(http, monkeypatch) -> None:
    from core.reports import register

    code = GROUP_LEDGERS[0]
    county = await _county(TIEDONG, students=400)
    bureau = await _sign_in(http, county["users"]["bureau"])
    school = await _table(
        http, bureau, code, placeKind="SCHOOL", placeId=_gid("School", county["school"])
    )
    whole = await _table(http, bureau, code, placeKind="COUNTY")
    monkeypatch.setattr(register, "SNAPSHOT_ROW_LIMIT", len(whole["table"]["rows"]) - 1)
    assert len(school["table"]["rows"]) <= register.SNAPSHOT_ROW_LIMIT
    again = await _generate(
        http,
        bureau,
        formatCode=code,
        period=TERM,
        placeKind="SCHOOL",
        placeId=_gid("School", county["school"]),
    )
    assert again["errors"] == []
    refused = await _generate(http, bureau, formatCode=code, period=TERM, placeKind="COUNTY")
    assert refused["report"] is None
    error = refused["errors"][0]
    assert error["code"] == "TOO_LARGE" and error["field"] == "placeKind"
    assert f'childLedger(formatCode: "{code}")' in error["message"]
    assert f"/ledgers/{code}.xlsx" in error["message"]
    # a ledger of cases is no list of children: never refused for its size
    monkeypatch.setattr(register, "SNAPSHOT_ROW_LIMIT", 0)
    cases = await _generate(http, bureau, formatCode="case-ledger", period="2026-11-20")
    assert cases["errors"] == [], cases


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("code", GROUP_LEDGERS)
async def test_the_streamed_file_equals_the_table(http, monkeypatch, code) -> None:
    from core.reports import ledgers, register

    county = await _county(TIEDONG, students=400)
    bureau = await _sign_in(http, county["users"]["bureau"])
    report = await _table(http, bureau, code, placeKind="COUNTY")
    table = report["table"]
    page = await _page(http, bureau, format=code, first=1, asOf=report["asOf"])
    assert page["downloads"]["csv"].startswith(f"/ledgers/{code}.csv?")
    response = await http.get(page["downloads"]["csv"], headers=bureau)
    assert response.status_code == 200, response.text
    assert int(response.headers["x-report-rows"]) == len(table["rows"])
    assert response.headers["x-report-checksum"] == hashlib.sha256(response.content).hexdigest()
    lines = _csv_rows(response.content)
    assert lines[0] == [c["header"] for c in table["columns"]]
    body = lines[1:]
    assert [r[0] for r in body] == [str(n) for n in range(1, len(body) + 1)]
    assert sorted(r[1:] for r in body) == sorted(_body(table))
    walked, _ = await _walk(http, bureau, 50, format=code, asOf=report["asOf"])
    assert [r[1:] for r in body] == walked
    audit = await AuditEntry.filter(operation=f"download ledger {code} csv").first()
    assert audit is not None and audit.details["rows"] == len(body)
    assert audit.details["formatCode"] == code
    assert audit.details["sha256"] == response.headers["x-report-checksum"]
    # many chunks (each chunk's tables over its range of the order) give the same file
    monkeypatch.setattr(register, "CHUNK", 7)
    monkeypatch.setattr(ledgers, "CHUNK", 3)
    chunked = await http.get(page["downloads"]["csv"], headers=bureau)
    assert chunked.content == response.content
    response = await http.get(page["downloads"]["xlsx"], headers=bureau)
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == table["title"]
    # the body under the header, two rows where the format groups columns (帮扶措施)
    top = 4 if table["headerGroups"] else 3
    assert sheet.freeze_panes == f"A{top + 1}"
    cells = [
        ["" if v is None else (v.date().isoformat() if hasattr(v, "date") else str(v)) for v in r]
        for r in sheet.iter_rows(min_row=top + 1, max_row=top + len(body), values_only=True)
    ]
    assert cells == body


@pytest.mark.parametrize(
    ("code", "error"),
    [("case-ledger", "INVALID"), ("no-such-format", "NOT_FOUND")],
)
async def test_a_format_that_does_not_page_is_refused(http, code, error) -> None:
    county = await _county(TIEDONG)
    bureau = await _sign_in(http, county["users"]["bureau"])
    body = await graphql(http, PAGE, {"format": code, "first": 5}, bureau)
    found = body["errors"][0]["extensions"]
    assert found["code"] == error and found["field"] == "formatCode"
    assert found["messages"]["zh"] and found["messages"]["en"]
    response = await http.get(f"/ledgers/{code}.csv", headers=bureau)
    assert response.status_code == (404 if error == "NOT_FOUND" else 400)
    assert response.json()["error"]["field"] == "formatCode"
