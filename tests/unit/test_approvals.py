"""Approval of tool calls, without a server: which calls need a person's yes (the team's mark, else the
orchestrator's policy), the digest a decision must quote, why a decision is refused, and what the model
reads when a call did not go ahead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import JsonValue

from orchestrator.approvals import ApprovalPolicy, Approvals, outcome_message
from orchestrator.catalog import ToolCatalog
from orchestrator.local_tools import LOCAL_TOOLS
from orchestrator.models import ApprovalRecord, PendingApproval, ToolCallDecision
from orchestrator.service_directory import TeamEndpoint
from orchestrator.settings import OrchestratorSettings
from shared.contract import DEFAULT_APPROVAL_TIMEOUT_SECONDS, ApprovalRequirement, arguments_digest
from tests.support.teams import declared_tools

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TICKET: dict[str, JsonValue] = {"title": "VPN drops", "priority": "high"}


def catalog() -> ToolCatalog:
    """The local tools and the IT and Finance teams' tools, as their teams declare them."""
    tools = ToolCatalog(LOCAL_TOOLS)
    for team in ("it", "finance"):
        tools.add_service(TeamEndpoint(team=team, endpoint=f"{team}-endpoint"), declared_tools(team))
    return tools


def requirement(policy: ApprovalPolicy, model_name: str) -> ApprovalRequirement | None:
    entry = catalog().get(model_name)
    assert entry is not None, f"no tool {model_name!r} in the catalog"
    return policy.requirement(entry)


def waiting(call_id: str = "chat-1/0.0.0", expires_in: timedelta = timedelta(minutes=5)) -> PendingApproval:
    return PendingApproval(
        call_id=call_id,
        service="it",
        tool="create_ticket",
        arguments=TICKET,
        digest=arguments_digest("it", "create_ticket", TICKET),
        requested_by="alice",
        requested_at=NOW,
        expires_at=NOW + expires_in,
    )


def approvals_with(*pending: PendingApproval) -> Approvals:
    approvals = Approvals()
    approvals.pending = {call.call_id: call for call in pending}
    return approvals


def decision_on(
    pending: PendingApproval, *, digest: str | None = None, approve: bool = True
) -> ToolCallDecision:
    return ToolCallDecision(
        call_id=pending.call_id, digest=digest or pending.digest, approve=approve, approver="bob"
    )


# --- Which calls need approval ------------------------------------------------------------------------


def test_a_tool_its_team_marks_needs_approval_even_under_an_empty_policy() -> None:
    assert requirement(ApprovalPolicy(), "it__create_ticket") == ApprovalRequirement(
        timeout_seconds=DEFAULT_APPROVAL_TIMEOUT_SECONDS,
        approver_scope="it:tickets:approve",
        self_approval=True,
    )


def test_the_teams_mark_wins_over_a_policy_that_also_names_the_tool() -> None:
    policy = ApprovalPolicy(patterns=["it/*"], timeout_seconds=2)

    marked = requirement(policy, "it__create_ticket")
    assert marked is not None
    assert marked.timeout_seconds == DEFAULT_APPROVAL_TIMEOUT_SECONDS, "the team's own timeout applies"


def test_a_tool_no_one_marks_needs_no_approval() -> None:
    assert requirement(ApprovalPolicy(), "finance__stock_price") is None
    assert requirement(ApprovalPolicy(), "calculator") is None


@pytest.mark.parametrize(
    ("pattern", "model_name"),
    [
        ("finance/stock_price", "finance__stock_price"),
        ("finance/*", "finance__calculate_roi"),
        ("*/stock_price", "finance__stock_price"),
        ("local/calculator", "calculator"),
        ("local/calc*", "calculator"),
        ("local/weathe?", "weather"),
        ("it/get_[ij]*", "it__get_ip"),
    ],
)
def test_a_policy_pattern_gates_the_tools_it_matches_with_the_policys_timeout(
    pattern: str, model_name: str
) -> None:
    policy = ApprovalPolicy(patterns=[pattern], timeout_seconds=2)

    assert requirement(policy, model_name) == ApprovalRequirement(timeout_seconds=2)


@pytest.mark.parametrize(
    ("pattern", "model_name"),
    [
        ("finance/stock_price", "finance__calculate_roi"),
        ("finance/*", "it__get_ip"),
        ("it/*", "calculator"),
        ("calculator", "calculator"),  # a pattern names `team/tool`; local tools are `local/<tool>`
        ("finance/Stock_Price", "finance__stock_price"),  # names are matched case for case
        ("finance__stock_price", "finance__stock_price"),  # the model's name for a tool is not a pattern
    ],
)
def test_a_policy_pattern_leaves_the_tools_it_does_not_match_ungated(pattern: str, model_name: str) -> None:
    assert requirement(ApprovalPolicy(patterns=[pattern]), model_name) is None


def test_the_approval_settings_become_the_policy_the_workflow_reads() -> None:
    settings = OrchestratorSettings.from_env(
        {"AGENT_APPROVAL_REQUIRED": "finance/stock_price, local/calculator", "AGENT_APPROVAL_TIMEOUT": "2"}
    )

    assert settings.approval_policy() == ApprovalPolicy(
        patterns=["finance/stock_price", "local/calculator"], timeout_seconds=2
    )


# --- The digest a decision quotes ---------------------------------------------------------------------


def test_the_digest_does_not_depend_on_the_order_of_the_arguments() -> None:
    one = arguments_digest(
        "it", "create_ticket", {"title": "VPN", "priority": "high", "meta": {"a": 1, "b": 2}}
    )
    other = arguments_digest(
        "it", "create_ticket", {"meta": {"b": 2, "a": 1}, "priority": "high", "title": "VPN"}
    )

    assert one == other
    assert one.startswith("sha256:")


@pytest.mark.parametrize(
    ("service", "tool", "arguments"),
    [
        ("it", "create_ticket", {"title": "VPN drops", "priority": "low"}),  # another value
        ("it", "create_ticket", {"title": "VPN drops "}),  # one more space
        (
            "it",
            "create_ticket",
            {"title": "VPN drops", "priority": "high", "description": ""},
        ),  # one more key
        ("it", "create_ticket", {"title": "VPN drops"}),  # one key fewer
        ("it", "create_ticket", {"title": ["VPN drops"], "priority": "high"}),  # another type
        ("it", "list_tickets", TICKET),  # another tool
        ("finance", "create_ticket", TICKET),  # another team
    ],
)
def test_the_digest_changes_with_any_change_to_what_would_run(
    service: str, tool: str, arguments: dict[str, object]
) -> None:
    assert arguments_digest(service, tool, arguments) != arguments_digest("it", "create_ticket", TICKET)


# --- Refused decisions ---------------------------------------------------------------------------------


def test_a_decision_quoting_the_waiting_calls_digest_is_taken() -> None:
    pending = waiting()

    assert approvals_with(pending).refusal(decision_on(pending), NOW) is None


def test_a_decision_on_a_call_that_does_not_wait_is_refused_pointing_to_the_waiting_calls() -> None:
    approvals = approvals_with(waiting("chat-1/0.0.0"))

    refusal = approvals.refusal(decision_on(waiting("chat-1/9.9.9")), NOW)

    assert refusal == "No call 'chat-1/9.9.9' waits for approval; see the pending_approvals query."


def test_a_second_decision_on_a_call_is_refused() -> None:
    pending = waiting()
    approvals = approvals_with(pending)
    approvals.decide(decision_on(pending, approve=False), NOW)

    refusal = approvals.refusal(decision_on(pending, approve=True), NOW + timedelta(seconds=1))

    assert refusal == "The call 'chat-1/0.0.0' has been decided already."


def test_a_decision_after_the_call_expired_is_refused_saying_when_it_expired() -> None:
    pending = waiting(expires_in=timedelta(seconds=30))

    refusal = approvals_with(pending).refusal(decision_on(pending), NOW + timedelta(seconds=30))

    assert refusal == "The approval of 'chat-1/0.0.0' expired at 2026-11-20T12:00:30+00:00."


def test_a_decision_quoting_another_digest_is_refused_as_not_what_was_shown() -> None:
    pending = waiting()
    other = arguments_digest("it", "create_ticket", {**TICKET, "priority": "low"})

    refusal = approvals_with(pending).refusal(decision_on(pending, digest=other), NOW)

    assert refusal == (
        "The digest does not match the arguments of 'chat-1/0.0.0': a decision is for exactly what "
        "pending_approvals shows."
    )


# --- What the model reads when a call did not go ahead --------------------------------------------------


def record(outcome: str, approver: str | None = None, reason: str | None = None) -> ApprovalRecord:
    return ApprovalRecord.model_validate(
        {
            "outcome": outcome,
            "digest": "sha256:0",
            "requested_by": "alice",
            "requested_at": NOW,
            "decided_at": NOW,
            "approver": approver,
            "reason": reason,
        }
    )


def test_an_approved_call_leaves_the_model_the_tools_own_result() -> None:
    assert outcome_message(record("approved", "bob"), 300) is None


def test_the_model_reads_who_denied_a_call_and_why() -> None:
    message = outcome_message(record("denied", "bob", "not in this quarter's budget"), 300)

    assert message == (
        "The call was denied by bob: not in this quarter's budget. Do not retry it; tell the user."
    )


def test_the_model_reads_that_a_denial_came_without_a_reason() -> None:
    message = outcome_message(record("denied", "bob"), 300)

    assert message == "The call was denied by bob (no reason given). Do not retry it; tell the user."


def test_the_model_reads_that_no_decision_came_in_time_and_the_call_did_not_run() -> None:
    message = outcome_message(record("expired"), 2)

    assert message is not None
    assert message.startswith("No decision on the call in 2 s, so it did not run.")
