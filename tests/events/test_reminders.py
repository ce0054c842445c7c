"""Reminders: ``baoxue worker`` records each passed deadline once, for the office the case is
with, however many workers run; and the command runs one round with ``--once``."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
from click.testing import CliRunner

from core.access.enums import Role
from core.events.enums import EventKind
from core.events.models import OutboxEvent
from core.events.worker import Worker
from core.settings import load_settings
from tests.cases.conftest import START, County, Workflow
from tests.conftest import graphql
from tests.events.test_inbox import _as
from tests.test_demo import scratch_url  # noqa: F401 - the fixture


class Fixed:
    def __init__(self, now) -> None:
        self.now = now

    def __call__(self):
        return self.now


async def test_each_passed_deadline_is_told_once_to_the_office_the_case_is_with(
    http: httpx.AsyncClient, head_teacher: Workflow, county: County
) -> None:
    cases = [(await head_teacher.report(child))["case"] for child in county.children[:2]]
    deadline = cases[0]["nextDeadlineAt"]
    assert deadline
    clock = Fixed(START + timedelta(hours=1))
    first, second = Worker(load_settings(), clock=clock), Worker(load_settings(), clock=clock)
    assert await first.record_deadlines() == 0  # nothing has passed yet

    clock.now = START + timedelta(days=60)
    told = await asyncio.gather(first.record_deadlines(), second.record_deadlines())
    assert sum(told) == 2
    assert await first.record_deadlines() == 0  # each deadline once
    events = await OutboxEvent.filter(kind=EventKind.CASE_DEADLINE_PASSED)
    assert len(events) == 2
    assert all(e.school_class_id == county.class_4.id for e in events)
    assert {e.payload["caseId"] for e in events} == {c["id"] for c in cases}
    assert events[0].payload["daysOverdue"] > 0 and events[0].payload["clock"]

    teacher = await _as(http, county.staff[Role.HEAD_TEACHER])
    inbox = await graphql(
        http,
        """{ myInbox(filter: {kinds: [CASE_DEADLINE_PASSED]}) {
            totalCount edges { node { summary } } } }""",
        headers=teacher,
    )
    assert inbox["data"]["myInbox"]["totalCount"] == 2
    assert "逾期" in inbox["data"]["myInbox"]["edges"][0]["node"]["summary"]


def test_the_worker_command_runs_one_round(scratch_url: str) -> None:  # noqa: F811
    from core.cli import main

    runner = CliRunner()
    demo = runner.invoke(
        main, ["demo", "--students", "80", "--database-url", scratch_url], catch_exceptions=False
    )
    assert demo.exit_code == 0, demo.output
    ran = runner.invoke(main, ["worker", "--once", "--database-url", scratch_url])
    assert ran.exit_code == 0, ran.output
    assert "baoxue worker" in ran.output
    overdue = runner.invoke(main, ["deadlines", "--json", "--database-url", scratch_url])

    async def told() -> int:
        from tortoise.context import TortoiseContext

        from core.db import tortoise_config

        async with TortoiseContext() as ctx:
            await ctx.init(config=tortoise_config(scratch_url))
            return await OutboxEvent.filter(kind=EventKind.CASE_DEADLINE_PASSED).count()

    count = asyncio.run(told())
    assert count == overdue.output.count('"overdue": true')
    again = runner.invoke(main, ["worker", "--once", "--database-url", scratch_url])
    assert again.exit_code == 0
    assert asyncio.run(told()) == count


async def test_a_target_at_risk_is_told_to_the_bureau_once(
    http: httpx.AsyncClient, head_teacher: Workflow, county: County
) -> None:
    from core.plugins import rules_for

    assert rules_for("450381").targets  # 荔浦 sets its 巩固率 and others
    worker = Worker(load_settings(), clock=Fixed(START + timedelta(days=1)))
    before = await worker.record_targets()
    cid = (await head_teacher.report(county.children[0]))["case"]["id"]
    await head_teacher.ok("verifyCase", cid)
    await head_teacher.ok("confirmCase", cid, findings="在家", reason="LEARNING_DIFFICULTY")
    told = await worker.record_targets()
    events = await OutboxEvent.filter(kind=EventKind.TARGET_AT_RISK)
    assert told >= 1 and len(events) == before + told
    assert all(e.audience_kind.value == "COUNTY" for e in events)
    assert any(e.payload["gap"] >= 1 for e in events)
    assert await worker.record_targets() == 0  # once per target, period and status
    bureau = await _as(http, county.staff[Role.BUREAU_STAFF])
    inbox = await graphql(
        http, "{ myInbox(filter: {kinds: [TARGET_AT_RISK]}) { totalCount } }", headers=bureau
    )
    assert inbox["data"]["myInbox"]["totalCount"] == len(events)
