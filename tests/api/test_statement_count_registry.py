"""No N+1 in the registry's list fields: a children page with each child's support plans (and
their mentor and files), placement assessments (and the plan each became), home visits (and
their files) and open cases (and their files) issues the same number of statements for 3
children as for 40 - each level is one batched DataLoader statement."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from core.cases.models import Case
from core.files.models import Attachment
from core.people.models import Child
from core.visits.models import (
    HomeVisit,
    PlacementAssessment,
    PlacementRecommendation,
    SupportPlan,
    SupportPlanKind,
)
from tests.api.statements import count_statements
from tests.api.test_statement_count import _hundred_children
from tests.conftest import graphql

#: children page, support plans, their files, assessments, the plans they became, home visits,
#: their files, open cases, their files: one statement per level (no mentor is set here).
EXPECTED_STATEMENTS = 9

QUERY = """
query Registry($first: Int!) {
  children(filter: {jurisdictionCode: "430527"}, first: $first) {
    edges { node {
      id
      supportPlans { kind measures mentor { name } files { sha256 fileName } }
      placementAssessments { recommendation plan { kind } }
      homeVisits { visitedOn files { sha256 } }
      openCases { state files { sha256 } }
    } }
  }
}
"""


async def _plans_visits_and_files() -> None:
    """For every child: a 一生一策 plan and a placement plan from an assessment, a home visit,
    and one file on the plan, the visit and the open case."""
    now = datetime.now(UTC)
    county_children = await Child.filter(jurisdiction__division_code="430527").all()
    plans, assessments, visits, files = [], [], [], []
    for child in county_children:
        policy = SupportPlan(
            id=uuid.uuid4(),
            child_id=child.id,
            kind=SupportPlanKind.ONE_STUDENT_ONE_POLICY,
            started_on=date(2026, 3, 1),
            measures=["结对帮扶"],
        )
        placement = SupportPlan(
            id=uuid.uuid4(),
            child_id=child.id,
            kind=SupportPlanKind.PLACEMENT,
            started_on=date(2026, 3, 2),
        )
        plans += [policy, placement]
        assessments.append(
            PlacementAssessment(
                id=uuid.uuid4(),
                child_id=child.id,
                assessed_on=date(2026, 3, 1),
                committee="专家委员会",
                recommendation=PlacementRecommendation.INCLUSIVE,
                guardian_consent=True,
                consent_on=date(2026, 3, 2),
                plan_id=placement.id,
            )
        )
        visit = HomeVisit(id=uuid.uuid4(), child_id=child.id, visited_on=date(2026, 3, 3))
        visits.append(visit)
        for owner in ({"support_plan_id": policy.id}, {"home_visit_id": visit.id}):
            files.append(_file(child.jurisdiction_id, now, **owner))
    for case in await Case.filter(child_id__in=[c.id for c in county_children]).all():
        files.append(_file(case.jurisdiction_id, now, case_id=case.id))
    for model, rows in (
        (SupportPlan, plans),
        (PlacementAssessment, assessments),
        (HomeVisit, visits),
        (Attachment, files),
    ):
        await model.bulk_create(rows, batch_size=500)


def _file(jurisdiction_id, now, **owner) -> Attachment:
    return Attachment(
        id=uuid.uuid4(),
        jurisdiction_id=jurisdiction_id,
        sha256="0" * 64,
        file_name="证明.pdf",
        content_type="application/pdf",
        size_bytes=10,
        uploaded_at=now,
        **owner,
    )


async def _statements_for(client, first: int) -> tuple[int, list[dict]]:
    with count_statements() as statements:
        body = await graphql(client, QUERY, {"first": first})
    assert "errors" not in body, body
    return len(statements), [e["node"] for e in body["data"]["children"]["edges"]]


async def test_registry_lists_cost_the_same_for_3_and_40_children(client) -> None:
    await _hundred_children()
    await _plans_visits_and_files()

    few, few_nodes = await _statements_for(client, 3)
    many, nodes = await _statements_for(client, 40)

    assert (len(few_nodes), len(nodes)) == (3, 40)
    for node in nodes:
        assert sorted(p["kind"] for p in node["supportPlans"]) == [
            "ONE_STUDENT_ONE_POLICY",
            "PLACEMENT",
        ]
        assert [len(p["files"]) for p in node["supportPlans"] if p["measures"]] == [1]
        assert [a["plan"]["kind"] for a in node["placementAssessments"]] == ["PLACEMENT"]
        assert [len(v["files"]) for v in node["homeVisits"]] == [1]
        assert [len(c["files"]) for c in node["openCases"]] == [1]
    assert few == many == EXPECTED_STATEMENTS, (few, many)
