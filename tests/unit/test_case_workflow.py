"""The case state machine as data: every transition, every refusal, and its documented diagram."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.cases.enums import TERMINAL_STATES, CaseState
from core.cases.workflow import (
    CREATING_ACTIONS,
    TRANSITIONS,
    CaseAction,
    InvalidTransition,
    allowed_actions,
    edges,
    is_allowed,
    markdown_table,
    mermaid,
    next_state,
    reachable_states,
)

S = CaseState
A = CaseAction
DOC = Path(__file__).resolve().parents[2] / "docs" / "case-workflow.md"

#: The issue's paths, spelt out independently of the table.
EXPECTED = {
    (A.REPORT, None): S.REPORTED,
    (A.VERIFY, S.REPORTED): S.VERIFYING,
    (A.DISMISS, S.VERIFYING): S.DISMISSED,
    (A.CONFIRM, S.VERIFYING): S.CONFIRMED,
    (A.RECORD_CONTACT, S.REPORTED): S.REPORTED,
    (A.RECORD_CONTACT, S.VERIFYING): S.VERIFYING,
    (A.RECORD_CONTACT, S.CONFIRMED): S.PERSUADING,
    (A.RECORD_CONTACT, S.PERSUADING): S.PERSUADING,
    (A.RECORD_CONTACT, S.UNREACHABLE): S.UNREACHABLE,
    (A.RECORD_CONTACT, S.RETURNED): S.RETURNED,
    (A.RECORD_CONTACT, S.MONITORING): S.MONITORING,
    (A.RESUME_CONTACT, S.UNREACHABLE): S.PERSUADING,
    (A.ISSUE_RETURN_NOTICE, S.CONFIRMED): S.PERSUADING,
    (A.ISSUE_RETURN_NOTICE, S.PERSUADING): S.PERSUADING,
    (A.ESCALATE, S.CONFIRMED): S.PERSUADING,
    (A.ESCALATE, S.PERSUADING): S.PERSUADING,
    (A.ESCALATE, S.UNREACHABLE): S.UNREACHABLE,
    (A.RECORD_RETURN, S.CONFIRMED): S.RETURNED,
    (A.RECORD_RETURN, S.PERSUADING): S.RETURNED,
    (A.RECORD_RETURN, S.UNREACHABLE): S.RETURNED,
    (A.RECORD_FOLLOW_UP, S.RETURNED): S.MONITORING,
    (A.RECORD_FOLLOW_UP, S.MONITORING): S.MONITORING,
    (A.RECORD_RELAPSE, S.RETURNED): S.PERSUADING,
    (A.RECORD_RELAPSE, S.MONITORING): S.PERSUADING,
    (A.CLOSE, S.MONITORING): S.CLOSED,
    (A.REQUEST_EXEMPTION, S.VERIFYING): S.VERIFYING,
    (A.REQUEST_EXEMPTION, S.CONFIRMED): S.CONFIRMED,
    (A.REQUEST_EXEMPTION, S.PERSUADING): S.PERSUADING,
    (A.APPROVE_EXEMPTION, S.VERIFYING): S.EXEMPTED,
    (A.APPROVE_EXEMPTION, S.CONFIRMED): S.EXEMPTED,
    (A.APPROVE_EXEMPTION, S.PERSUADING): S.EXEMPTED,
    (A.REJECT_EXEMPTION, S.VERIFYING): S.VERIFYING,
    (A.REJECT_EXEMPTION, S.CONFIRMED): S.CONFIRMED,
    (A.REJECT_EXEMPTION, S.PERSUADING): S.PERSUADING,
    (A.WITHDRAW_EXEMPTION, S.VERIFYING): S.VERIFYING,
    (A.WITHDRAW_EXEMPTION, S.CONFIRMED): S.CONFIRMED,
    (A.WITHDRAW_EXEMPTION, S.PERSUADING): S.PERSUADING,
    (A.MARK_UNREACHABLE, S.VERIFYING): S.UNREACHABLE,
    (A.MARK_UNREACHABLE, S.CONFIRMED): S.UNREACHABLE,
    (A.MARK_UNREACHABLE, S.PERSUADING): S.UNREACHABLE,
    (A.RECORD_TRANSFER, S.VERIFYING): S.TRANSFERRED,
    (A.RECORD_TRANSFER, S.CONFIRMED): S.TRANSFERRED,
    (A.RECORD_TRANSFER, S.PERSUADING): S.TRANSFERRED,
    (A.RECORD_TRANSFER, S.UNREACHABLE): S.TRANSFERRED,
    # 反弹: the same case opened again, back to 疑似
    (A.REOPEN, S.RETURNED): S.REPORTED,
    (A.REOPEN, S.MONITORING): S.REPORTED,
    (A.REOPEN, S.CLOSED): S.REPORTED,
}

ALL_PAIRS = [(a, s) for a in CaseAction for s in [None, *CaseState]]


def test_the_table_is_exactly_the_expected_transitions() -> None:
    actual = {(a, s): t for a, table in TRANSITIONS.items() for s, t in table.items()}
    assert actual == EXPECTED


def test_every_action_has_an_entry() -> None:
    assert set(TRANSITIONS) == set(CaseAction)
    assert all(TRANSITIONS[a] for a in CaseAction)


@pytest.mark.parametrize(("action", "state"), ALL_PAIRS, ids=lambda v: getattr(v, "value", "-"))
def test_next_state_agrees_with_the_table_for_every_pair(
    action: CaseAction, state: CaseState | None
) -> None:
    expected = EXPECTED.get((action, state))
    assert is_allowed(action, state) is (expected is not None)
    if expected is None:
        with pytest.raises(InvalidTransition) as info:
            next_state(action, state)
        assert info.value.action is action
        assert info.value.state is state
        assert info.value.allowed == allowed_actions(state)
        assert action not in info.value.allowed
        assert action.value in str(info.value)
    else:
        assert next_state(action, state) is expected


@pytest.mark.parametrize("state", sorted(TERMINAL_STATES - {S.CLOSED}))
def test_terminal_states_allow_nothing(state: CaseState) -> None:
    assert allowed_actions(state) == []
    assert reachable_states(state) == set()


def test_a_closed_case_can_only_be_reopened() -> None:
    assert allowed_actions(S.CLOSED) == [A.REOPEN]
    assert next_state(A.REOPEN, S.CLOSED) is S.REPORTED


@pytest.mark.parametrize("state", [s for s in CaseState if s.is_open])
def test_every_open_state_can_still_end(state: CaseState) -> None:
    assert allowed_actions(state)
    assert reachable_states(state) & TERMINAL_STATES


def test_every_state_is_reachable_from_a_report() -> None:
    assert reachable_states() == set(CaseState)


def test_only_report_creates_a_case() -> None:
    assert CREATING_ACTIONS == {A.REPORT}
    assert allowed_actions(None) == [A.REPORT]
    assert all(None not in TRANSITIONS[a] for a in CaseAction if a is not A.REPORT)


def test_nothing_leads_back_to_reported_or_verifying() -> None:
    for (action, source), target in EXPECTED.items():
        if target in (S.REPORTED, S.VERIFYING):
            assert source == target or action in (A.REPORT, A.VERIFY, A.REOPEN)


def test_closing_only_after_monitoring_and_monitoring_only_after_a_return() -> None:
    assert {s for s, t in edges() if t is S.CLOSED} == {S.MONITORING}
    assert {s for s, t in edges() if t is S.MONITORING} == {S.RETURNED, S.MONITORING}
    assert {s for s, t in edges() if t is S.RETURNED} == {
        S.CONFIRMED,
        S.PERSUADING,
        S.UNREACHABLE,
        S.RETURNED,
    }


def test_exemption_needs_a_request_state_and_never_after_return() -> None:
    assert set(TRANSITIONS[A.APPROVE_EXEMPTION]) == set(TRANSITIONS[A.REQUEST_EXEMPTION])
    assert S.RETURNED not in TRANSITIONS[A.APPROVE_EXEMPTION]


def test_allowed_actions_keep_declaration_order() -> None:
    assert allowed_actions(S.REPORTED) == [A.VERIFY, A.RECORD_CONTACT]
    assert allowed_actions(S.MONITORING) == [
        A.RECORD_CONTACT,
        A.RECORD_FOLLOW_UP,
        A.RECORD_RELAPSE,
        A.CLOSE,
        A.REOPEN,
    ]


def test_every_action_and_state_has_a_chinese_label() -> None:
    for member in [*CaseAction, *CaseState]:
        assert member.label and member.label != member.value


def test_mermaid_has_one_line_per_edge_and_marks_the_ends() -> None:
    text = mermaid()
    assert text.startswith("stateDiagram-v2\n")
    assert "    [*] --> REPORTED: REPORT\n" in text
    assert "    MONITORING --> CLOSED: CLOSE\n" in text
    assert "    PERSUADING --> PERSUADING: RECORD_CONTACT, ISSUE_RETURN_NOTICE, ESCALATE," in text
    arrows = [line for line in text.splitlines() if "-->" in line and "[*]" not in line[-4:]]
    assert len(arrows) == len(edges())
    for state in TERMINAL_STATES:
        assert f"    {state.value} --> [*]\n" in text


def test_the_documented_diagram_and_table_are_generated_from_the_table() -> None:
    doc = DOC.read_text(encoding="utf-8")
    assert "```mermaid\n" + mermaid() + "```" in doc, (
        "docs/case-workflow.md is out of date: paste core.cases.workflow.mermaid()"
    )
    assert markdown_table() in doc, (
        "docs/case-workflow.md is out of date: paste core.cases.workflow.markdown_table()"
    )


@pytest.mark.parametrize(
    ("action", "state", "message"),
    [
        (A.CLOSE, None, "CLOSE is not allowed from no case; allowed: REPORT"),
        (A.REPORT, S.DISMISSED, "REPORT is not allowed from DISMISSED; allowed: none"),
        (
            A.CLOSE,
            S.RETURNED,
            "CLOSE is not allowed from RETURNED; "
            "allowed: RECORD_CONTACT, RECORD_FOLLOW_UP, RECORD_RELAPSE, REOPEN",
        ),
    ],
)
def test_a_refusal_names_the_action_the_state_and_what_is_allowed(
    action: CaseAction, state: CaseState | None, message: str
) -> None:
    with pytest.raises(InvalidTransition) as refused:
        next_state(action, state)
    assert str(refused.value) == message
    assert (refused.value.action, refused.value.state) == (action, state)
