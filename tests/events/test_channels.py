"""Plugin channels (``baoxue_event_channels``): a county's SMS gateway or messaging robot hears
the event kinds it names; its plain ``render`` says what to send and the worker sends it."""

from __future__ import annotations

import json
from datetime import date

import pytest
from strawberry import relay

from core.events.enums import DeliveryState
from core.events.models import ChannelDelivery
from core.events.worker import Worker
from core.hookspecs import check_event_channels
from core.people.enums import Gender
from core.people.models import Child
from core.rules.checks import Invalid
from core.rules.specs import ChannelMessage, ChannelRequest, EventChannel
from core.settings import load_settings
from tests.conftest import graphql
from tests.events.receiver import Receiver
from tests.events.test_webhooks import receiver  # noqa: F401 - fixture
from tests.plugins.test_hooks import county, county_plugin, install, rules  # noqa: F401


def _robot(url: str):
    def render(message: ChannelMessage) -> ChannelRequest | None:
        if message.kind != "CASE_OPENED":
            return None
        text = f"【控辍保学】{message.summary} ({message.office})"
        return ChannelRequest(
            url=url,
            body=json.dumps({"msgtype": "text", "text": {"content": text}}).encode(),
            headers=(("Content-Type", "application/json"),),
        )

    return render


async def test_hook_baoxue_event_channels(
    install,  # noqa: F811
    client,
    county,  # noqa: F811
    receiver: Receiver,  # noqa: F811
) -> None:
    robot = EventChannel(
        name="WORK_ROBOT", label="工作群机器人", event_kinds=("CASE_OPENED", "CASE_STEP"),
        render=_robot(receiver.url + "?robot"),
    )  # fmt: skip
    install(county_plugin(event_channels=(robot,)))
    got = await rules(client, "eventChannels { name label eventKinds }")
    assert got["eventChannels"] == [
        {"name": "WORK_ROBOT", "label": "工作群机器人", "eventKinds": ["CASE_OPENED", "CASE_STEP"]}
    ]
    child = await Child.create(
        jurisdiction=county, name="甲", gender=Gender.MALE, birth_date=date(2015, 3, 1)
    )
    body = await graphql(
        client,
        """mutation($c: ID!) { reportCase(input: {childId: $c, kind: DROPOUT,
            source: HEAD_TEACHER_REPORT}) { case { id } errors { code message } } }""",
        {"c": str(relay.GlobalID("Child", str(child.id)))},
    )
    assert body["data"]["reportCase"]["errors"] == [], body
    (queued,) = await ChannelDelivery.all()
    assert queued.channel == "WORK_ROBOT" and queued.state is DeliveryState.PENDING

    worker = Worker(load_settings())
    assert await worker.deliver_channels() == 1
    (sent,) = receiver.received
    assert "新个案" in sent.json["text"]["content"]
    assert (await ChannelDelivery.get()).state is DeliveryState.DELIVERED
    assert await worker.deliver_channels() == 0  # once
    assert len(receiver.received) == 1
    await worker.close()


def test_a_channel_must_be_a_plain_function_of_known_kinds() -> None:
    async def awaiting(message):  # pluggy cannot await: refused at start-up
        return None

    good = EventChannel(
        name="SMS", label="短信", event_kinds=("CASE_ESCALATED",), render=_robot("")
    )
    check_event_channels([good], None)
    for bad in (
        EventChannel(name="SMS", label="短信", event_kinds=("CASE_ESCALATED",), render=awaiting),
        EventChannel(name="SMS", label="短信", event_kinds=("NO_SUCH_KIND",), render=_robot("")),
        EventChannel(name="SMS", label="短信", event_kinds=(), render=_robot("")),
        EventChannel(name="sms", label="短信", event_kinds=("CASE_STEP",), render=_robot("")),
    ):
        with pytest.raises(Invalid):
            check_event_channels([bad], None)
    with pytest.raises(Invalid):
        check_event_channels([good, good], None)
