"""Every query in docs/api.md runs, word for word, against the documentation's test county."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.api.county import build_county
from tests.conftest import graphql

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
BLOCK = re.compile(r"```(graphql|json)\n(.*?)```", re.S)
OPERATION = re.compile(r"^(?:query|mutation)\s+(\w+)", re.M)


def documented_queries() -> list[tuple[str, str, dict[str, Any]]]:
    """(operation name, query text, variables) for every ```graphql block, with the ```json
    block that follows it as its variables."""
    blocks = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    found = []
    for i, (kind, text) in enumerate(blocks):
        if kind != "graphql":
            continue
        variables: dict[str, Any] = {}
        if i + 1 < len(blocks) and blocks[i + 1][0] == "json":
            variables = json.loads(blocks[i + 1][1])
        match = OPERATION.search(text)
        assert match, f"every documented query is named: {text[:60]!r}"
        found.append((match.group(1), text, variables))
    return found


QUERIES = documented_queries()


def test_the_five_screens_are_documented() -> None:
    assert [name for name, _, _ in QUERIES] == [
        "SchoolChildrenAtRisk",
        "ChildFile",
        "TownOpenCases",
        "CountyCaseCounts",
        "HeadTeacherClass",
        "RegisterHousehold",
        "RegisterNewborn",
        "CorrectIdNumber",
        "RecordTransferIn",
        "SetUpHomeDelivery",
        "CompareRegisterWithEnrolment",
        "CountyRules",
    ]


def _names(edges: list[dict[str, Any]], *path: str) -> list[str]:
    out = []
    for edge in edges:
        node = edge["node"]
        for key in path:
            node = node[key]
        out.append(node["name"])
    return out


def _check(name: str, data: dict[str, Any]) -> None:
    if name == "SchoolChildrenAtRisk":
        page = data["children"]
        assert page["totalCount"] == 2
        assert _names(page["edges"]) == sorted(["黄小梅", "韦一"])
        xiaomei = next(e["node"] for e in page["edges"] if e["node"]["name"] == "黄小梅")
        assert xiaomei["openCases"][0]["lastEvent"]["kind"] == "PERSUASION"
        assert xiaomei["household"]["guardians"][0]["isPrimary"] is True
    elif name == "ChildFile":
        child = data["node"]
        assert child["name"] == "黄小梅"
        assert child["enrolments"][0]["changes"][0]["kind"] == "ENROL"
        assert [e["kind"] for e in child["cases"][0]["events"]][-1] == "PERSUASION"
        assert child["assistance"] and child["homeVisits"] and child["supportPlans"]
        assert child["responsibilities"][0]["official"]["name"] == "覃丽"
    elif name == "TownOpenCases":
        page = data["cases"]
        assert _names(page["edges"], "child") == ["莫二", "蒙三"]
        assert [e["node"]["daysOverdue"] for e in page["edges"]] == [3, None]
    elif name == "CountyCaseCounts":
        stats = data["caseStatistics"]
        assert (stats["total"], stats["open"], stats["overdue"]) == (5, 4, 2)
        by_state = {s["state"]: s["count"] for s in stats["byState"]}
        assert by_state["PERSUADING"] == 2 and by_state["CLOSED"] == 1
    elif name == "HeadTeacherClass":
        [klass] = data["node"]["headOfClasses"]
        assert (klass["grade"], klass["school"]["name"]) == (4, "滨江小学")
        assert [c["name"] for c in klass["children"]] == sorted(["黄小梅", "黄小军"])
    elif name == "CountyRules":
        rules = data["jurisdiction"]["rules"]
        assert rules["plugin"]["name"] == "lipu"
        assert rules["leadership"]["leader"]["name"] == "吴朝春"
        assert rules["leadership"]["office"]["location"] == "市教育局基教股"
        chain = [(c["tier"], c["name"]) for c in data["node"]["responsibilityChain"]]
        assert chain[:2] == [("CHILD", "覃丽"), ("CLASS", "覃丽")]
        assert ("SCHOOL_HEAD", "陆校长") in chain
        assert [n for t, n in chain if t == "TOWN"] == ["徐有助", "黄琳玲"]
        assert chain[-2:] == [("AREA", "钟星子"), ("OVERALL", "吴朝春")]
    elif name == "RegisterHousehold":
        payload = data["createHousehold"]
        assert payload["errors"] == [], payload
        assert payload["household"]["village"]["name"] == "新村"
    elif name == "RegisterNewborn":
        payload = data["createChild"]
        assert payload["errors"] == [], payload
        assert payload["child"]["household"]["headName"] == "韦国"
        assert payload["child"]["keyGroups"] == ["LOW_INCOME"]
    elif name == "CorrectIdNumber":
        payload = data["updateChild"]
        assert payload["errors"] == [], payload
        assert (payload["child"]["idNumber"], payload["child"]["version"]) == (
            "450381201705120037",
            2,
        )
    elif name == "RecordTransferIn":
        payload = data["recordEnrolmentChange"]
        assert payload["errors"] == [], payload
        assert payload["enrolment"]["status"] == "ENROLLED"
        assert [c["kind"] for c in payload["child"]["enrolmentChanges"]] == ["TRANSFER_IN"]
    elif name == "SetUpHomeDelivery":
        payload = data["recordPlacementAssessment"]
        assert payload["errors"] == [], payload
        assert payload["assessment"]["plan"]["kind"] == "PLACEMENT"
        assert payload["assessment"]["child"]["name"] == "蒙三"
    elif name == "CompareRegisterWithEnrolment":
        payload = data["runComparison"]
        assert payload["errors"] == [], payload
        run = payload["comparisonRun"]
        opened = run["counts"].get("CASE_OPENED", 0)
        assert run["kind"] == "REGISTRY_ENROLMENT" and run["counts"]["schoolAge"] > 0
        results = run["results"]["edges"]
        assert run["results"]["totalCount"] == opened + run["counts"].get("HAS_CASE", 0)
        assert all(e["node"]["child"]["name"] for e in results)
        opened_here = [e["node"] for e in results if e["node"]["outcome"] == "CASE_OPENED"]
        assert all(n["case"]["source"] == "ROSTER_COMPARISON" for n in opened_here)
    else:  # pragma: no cover - a new documented query needs its own check
        raise AssertionError(f"add a check for {name}")


@pytest.mark.parametrize(("name", "query", "variables"), QUERIES, ids=[q[0] for q in QUERIES])
async def test_documented_query_runs(client, name, query, variables) -> None:
    await build_county()
    body = await graphql(client, query, variables)
    assert "errors" not in body, body
    _check(name, body["data"])
