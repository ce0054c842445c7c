"""The GraphQL types of county rules are derived from the rule dataclasses (core.api.rules.derive):
their objects are real strawberry objects, and a rule field cannot be left out unnoticed."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import strawberry

from core.api.rules import types
from core.api.rules.derive import RuleType, auto, rule_type
from core.hookspecs import county_hooks
from core.plugins import get_registry
from core.rules import specs


def test_a_countys_rules_are_presented_by_their_rule_types() -> None:
    rules = get_registry().for_jurisdiction("450381")
    presented = types.county_rules(rules)
    assert isinstance(presented, types.CountyRules)
    assert presented is types.county_rules(rules), "built once per resolved rules"
    (lipu_target,) = [t for t in presented.targets if t.rule.key == rules.targets[0].key]
    assert isinstance(lipu_target, types.Target) and isinstance(lipu_target.clause, types.Clause)
    assert lipu_target.label == rules.targets[0].label
    assert isinstance(presented.leadership, types.LeadershipGroup)
    assert presented.leadership.leader.name == "吴朝春"
    assert isinstance(presented.report_formats[0].columns, list)
    chain = presented.escalation_chain()
    assert [level.days for level in chain.levels] == [
        (rules.level_clock(level.level) or (None, None))[1] for level in rules.escalation.levels
    ]


def test_county_rules_has_one_field_per_county_hook() -> None:
    names = {
        f.python_name for f in strawberry.types.get_object_definition(types.CountyRules).fields
    }
    for hook in county_hooks():
        exposed = "escalation_chain" if hook.fills == "escalation" else hook.fills
        assert exposed in names, hook.name


@dataclass(frozen=True, kw_only=True)
class Note:
    text: str
    clause: specs.Clause
    tags: tuple[str, ...] = ()


def test_a_rule_field_left_out_stops_the_type() -> None:
    with pytest.raises(TypeError, match=r"does not show Note\.tags"):

        @rule_type(Note, name="NoteA", description="x")
        class NoteA(RuleType):
            text: auto = strawberry.field(description="文字")
            clause: auto = strawberry.field(description="出处")


def test_a_field_the_rule_does_not_have_cannot_be_auto() -> None:
    with pytest.raises(TypeError, match="no such field"):

        @rule_type(Note, name="NoteB", description="x", exclude=("tags", "clause"))
        class NoteB(RuleType):
            text: auto = strawberry.field(description="文字")
            texts: auto = strawberry.field(description="文字")


def test_a_derived_type_converts_nested_rules_and_tuples() -> None:
    @rule_type(Note, name="NoteC", description="x")
    class NoteC(RuleType):
        text: auto = strawberry.field(description="文字")
        clause: auto = strawberry.field(description="出处")
        tags: auto = strawberry.field(description="标签")

    clause = specs.Clause(document="文件", section="一", text="原文")
    note = NoteC.of(Note(text="字", clause=clause, tags=("a", "b")))
    assert note.tags == ["a", "b"]
    assert isinstance(note.clause, types.Clause)
    assert (note.clause.text, note.clause.label, note.clause.rule) == ("原文", "文件 一", clause)

    # A query type with the annotation as an object: NoteC is local to this test.
    query = strawberry.type(type("Query", (), {"__annotations__": {"note": NoteC}}))
    sdl = str(strawberry.Schema(query=query))
    assert "tags: [String!]!" in sdl and "clause: Clause!" in sdl
