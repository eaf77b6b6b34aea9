"""How a reply is shown to a person: the answer, then each tool used and whether it worked."""

from __future__ import annotations

from orchestrator.models import AgentReply, ToolCallRecord
from orchestrator.presentation import describe_call, format_reply

QUOTE = ToolCallRecord(
    tool="stock_price",
    service="finance",
    arguments={"ticker": "TSLA"},
    ok=True,
    result={"ticker": "TSLA", "price": 402.15},
)
MISSING_PROJECT = ToolCallRecord(
    tool="get_jira_metrics",
    service="it",
    arguments={"project": "NOPE"},
    ok=False,
    error="No Jira project 'NOPE'",
)


def test_a_reply_without_tools_is_just_its_text() -> None:
    assert format_reply(AgentReply(text="Hello there.")) == "Hello there."


def test_the_answer_comes_first_then_the_tools_used() -> None:
    lines = format_reply(AgentReply(text="TSLA is at 402.15.", tool_calls=[QUOTE])).splitlines()

    assert lines[0] == "TSLA is at 402.15."
    assert "tools used" in lines[1]
    assert "finance/stock_price" in lines[2]


def test_each_tool_call_gets_its_own_line_in_order() -> None:
    lines = format_reply(AgentReply(text="Done.", tool_calls=[QUOTE, MISSING_PROJECT])).splitlines()

    assert len(lines) == 4
    assert "finance/stock_price" in lines[2]
    assert "it/get_jira_metrics" in lines[3]


def test_a_call_shows_who_ran_which_tool_with_which_arguments_and_that_it_worked() -> None:
    assert describe_call(QUOTE) == 'finance/stock_price(ticker="TSLA") -> ok'


def test_a_failed_call_shows_why_it_failed() -> None:
    assert describe_call(MISSING_PROJECT).endswith("-> failed: No Jira project 'NOPE'")


def test_arguments_are_shown_as_json_values() -> None:
    call = ToolCallRecord(
        tool="calculate_roi",
        service="finance",
        arguments={"principal": 10000, "rate": 5.5, "reinvest": True},
        ok=True,
        result={},
    )

    assert "(principal=10000, rate=5.5, reinvest=true)" in describe_call(call)


def test_a_call_without_arguments_shows_empty_parentheses() -> None:
    call = ToolCallRecord(tool="get_ip", service="it", arguments={}, ok=True, result={"ip": "203.0.113.7"})

    assert describe_call(call) == "it/get_ip() -> ok"
