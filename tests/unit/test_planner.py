"""The offline model's planner: which tools a message asks for, with which arguments, and the answer it
writes once the results are back. Tools are given exactly as the model sees them (OpenAI function shape,
built from the teams' real schemas), so the planner can only rely on names, descriptions and schemas."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from finance_service.tools import build_team as finance_team
from it_service.tools import build_team as it_team
from orchestrator.llm.planner import plan
from orchestrator.local_tools import LOCAL_TOOLS
from shared.contract import ToolSpec

OFFLINE_PREFIX = "[offline model]"


def function_tool(name: str, spec: ToolSpec) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {"name": name, "description": spec.description, "parameters": spec.input_schema},
    }


def all_tools() -> list[dict[str, Any]]:
    tools = [function_tool(tool.name, tool.spec()) for tool in LOCAL_TOOLS]
    for team in (it_team(), finance_team()):
        tools += [function_tool(f"{team.name}__{spec.name}", spec) for spec in team.specs()]
    return tools


TOOLS = all_tools()


def planned_calls(text: str, tools: list[dict[str, Any]] = TOOLS) -> list[tuple[str, dict[str, Any]]]:
    step = plan([{"role": "user", "content": text}], tools)
    return [(call.tool, call.arguments) for call in step.calls]


def planned_text(text: str, tools: list[dict[str, Any]] = TOOLS) -> str:
    step = plan([{"role": "user", "content": text}], tools)
    assert not step.calls, f"expected an answer in text, got calls {step.calls}"
    assert step.text is not None
    return step.text


# --- Choosing a tool and its arguments ---------------------------------------------------------------


def test_arithmetic_is_sent_to_the_calculator_as_written() -> None:
    assert planned_calls("What is 125 * 8?") == [("calculator", {"expression": "125 * 8"})]


def test_a_parenthesized_expression_is_taken_whole() -> None:
    assert planned_calls("What is (3 + 4) * 2?") == [("calculator", {"expression": "(3 + 4) * 2"})]


def test_a_question_about_the_weather_names_the_city() -> None:
    assert planned_calls("What's the weather in Paris?") == [("weather", {"city": "Paris"})]


def test_a_multi_word_city_is_one_city() -> None:
    assert planned_calls("What's the weather in San Francisco?") == [("weather", {"city": "San Francisco"})]


def test_a_city_written_in_lowercase_is_still_found() -> None:
    assert planned_calls("weather in new york") == [("weather", {"city": "New York"})]


def test_weather_in_two_cities_is_two_calls() -> None:
    assert planned_calls("weather in San Francisco and Tokyo") == [
        ("weather", {"city": "San Francisco"}),
        ("weather", {"city": "Tokyo"}),
    ]


@pytest.mark.parametrize("city", ["St. Louis", "São Paulo", "Rio de Janeiro"])
def test_a_city_with_punctuation_accents_or_lowercase_particles_is_kept_whole(city: str) -> None:
    assert planned_calls(f"What is the weather in {city}?") == [("weather", {"city": city})]


def test_a_tool_without_arguments_is_called_with_none() -> None:
    assert planned_calls("What is my IP address?") == [("it__get_ip", {})]


def test_the_jira_project_key_is_the_project_not_the_word_jira() -> None:
    assert planned_calls("Get the JIRA metrics for project DEMO") == [
        ("it__get_jira_metrics", {"project": "DEMO"})
    ]


def test_an_issue_key_names_its_project() -> None:
    assert planned_calls("Show the Jira metrics for DEMO-456") == [
        ("it__get_jira_metrics", {"project": "DEMO"})
    ]


def test_a_lowercase_project_key_is_upper_cased_to_fit_the_schema() -> None:
    assert planned_calls("jira metrics for ops") == [("it__get_jira_metrics", {"project": "OPS"})]


def test_a_stock_price_question_names_the_ticker() -> None:
    assert planned_calls("What's the stock price of TSLA?") == [("finance__stock_price", {"ticker": "TSLA"})]


def test_a_lowercase_ticker_is_upper_cased_to_fit_the_schema() -> None:
    assert planned_calls("stock price of aapl") == [("finance__stock_price", {"ticker": "AAPL"})]


def test_a_ticker_with_a_class_suffix_is_kept_whole() -> None:
    assert planned_calls("price of BRK.B") == [("finance__stock_price", {"ticker": "BRK.B"})]


def test_roi_numbers_are_read_with_currency_and_percent_signs() -> None:
    assert planned_calls("Calculate ROI for $10,000 at 5% over 10 years") == [
        ("finance__calculate_roi", {"principal": 10000, "rate": 5, "years": 10})
    ]


def test_roi_numbers_in_another_order_are_mapped_by_their_context() -> None:
    assert planned_calls("invest 5000 for 3 years at 7%") == [
        ("finance__calculate_roi", {"principal": 5000, "rate": 7, "years": 3})
    ]


def test_a_thousands_suffix_multiplies_the_amount() -> None:
    assert planned_calls("What's the ROI on 10k at 5% for 10 years") == [
        ("finance__calculate_roi", {"principal": 10000, "rate": 5, "years": 10})
    ]


def test_a_tool_is_not_called_when_a_required_argument_is_missing() -> None:
    # No number of years: inventing one would give a wrong answer, so the planner says what it can do.
    assert planned_text("Calculate ROI for $10,000 at 5%").startswith(OFFLINE_PREFIX)


# --- Several questions in one message ----------------------------------------------------------------


def test_two_questions_to_two_teams_are_planned_together() -> None:
    assert planned_calls("What is the stock price of TSLA and the JIRA metrics for project DEMO?") == [
        ("finance__stock_price", {"ticker": "TSLA"}),
        ("it__get_jira_metrics", {"project": "DEMO"}),
    ]


def test_questions_in_separate_sentences_are_planned_together() -> None:
    assert planned_calls("What's the stock price of TSLA? What's the weather in Paris?") == [
        ("finance__stock_price", {"ticker": "TSLA"}),
        ("weather", {"city": "Paris"}),
    ]


def test_a_second_ticker_after_and_is_a_second_quote() -> None:
    assert planned_calls("What is the stock price of TSLA and AAPL?") == [
        ("finance__stock_price", {"ticker": "TSLA"}),
        ("finance__stock_price", {"ticker": "AAPL"}),
    ]


def test_local_and_remote_tools_are_planned_together() -> None:
    assert planned_calls("What is my IP and the weather in Paris?") == [
        ("it__get_ip", {}),
        ("weather", {"city": "Paris"}),
    ]


def test_the_same_call_asked_twice_is_made_once() -> None:
    assert planned_calls("What is the weather in Paris and the weather in Paris?") == [
        ("weather", {"city": "Paris"})
    ]


# --- Reading schemas, not names ----------------------------------------------------------------------

RENAMES = {
    "calculator": "mathx",
    "weather": "conditions",
    "it__get_ip": "net__egress",
    "it__get_jira_metrics": "ops__tracker_report",
    "finance__stock_price": "acme__quote_lookup",
    "finance__calculate_roi": "money__growth",
    "it__create_ticket": "desk__open_case",
    "it__list_tickets": "desk__cases",
    "it__run_diagnostics": "net__checkup",
}


def renamed_tools() -> list[dict[str, Any]]:
    tools = copy.deepcopy(TOOLS)
    for tool in tools:
        tool["function"]["name"] = RENAMES[tool["function"]["name"]]
    return tools


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What is 125 * 8?", ("mathx", {"expression": "125 * 8"})),
        ("What's the weather in Paris?", ("conditions", {"city": "Paris"})),
        ("What is my IP address?", ("net__egress", {})),
        ("Get the JIRA metrics for project DEMO", ("ops__tracker_report", {"project": "DEMO"})),
        ("What's the stock price of TSLA?", ("acme__quote_lookup", {"ticker": "TSLA"})),
        (
            "Calculate ROI for $10,000 at 5% over 10 years",
            ("money__growth", {"principal": 10000, "rate": 5, "years": 10}),
        ),
    ],
)
def test_renamed_tools_are_chosen_by_their_descriptions_and_schemas(
    text: str, expected: tuple[str, dict[str, Any]]
) -> None:
    assert planned_calls(text, renamed_tools()) == [expected]


def test_only_the_tools_offered_are_ever_called() -> None:
    only_weather = [tool for tool in TOOLS if tool["function"]["name"] == "weather"]

    assert planned_calls("What is 125 * 8 and the weather in Paris?", only_weather) == [
        ("weather", {"city": "Paris"})
    ]


# --- When no tool fits -------------------------------------------------------------------------------


def test_a_message_no_tool_fits_gets_two_lines_with_example_requests_not_every_description() -> None:
    text = planned_text("Tell me a joke")

    first, second = text.split("\n")
    assert first.startswith(OFFLINE_PREFIX)
    assert second.startswith("Try, for example: ") and second.count("\u201c") == 3
    assert "newest first" not in text, "a tool's description is not listed"


def test_the_example_requests_come_from_the_tools_offered() -> None:
    only_weather = [tool for tool in TOOLS if tool["function"]["name"] == "weather"]

    text = planned_text("Tell me a joke", only_weather)

    assert text.endswith("Try, for example: \u201cGet the current weather in Paris\u201d.")


def test_without_tools_the_model_says_it_has_none() -> None:
    text = planned_text("What is the stock price of TSLA?", tools=[])

    assert text.startswith(OFFLINE_PREFIX)
    assert "no tools" in text


def test_a_conversation_without_a_user_message_asks_for_one() -> None:
    step = plan([{"role": "system", "content": "You are helpful."}], TOOLS)

    assert step.calls == []
    assert step.text is not None and step.text.startswith(OFFLINE_PREFIX)


# --- Answering from tool results ---------------------------------------------------------------------


def tool_call(call_id: str, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": call_id,
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(arguments)},
    }


def conversation_with_results() -> list[dict[str, Any]]:
    return [
        {"role": "user", "content": "What is the stock price of TSLA and the JIRA metrics for project DEMO?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                tool_call("c1", "finance__stock_price", {"ticker": "TSLA"}),
                tool_call("c2", "it__get_jira_metrics", {"project": "DEMO"}),
            ],
        },
        {
            "role": "tool",
            "tool_call_id": "c1",
            "content": json.dumps({"ok": True, "result": {"ticker": "TSLA", "price": 402.15}}),
        },
        {
            "role": "tool",
            "tool_call_id": "c2",
            "content": json.dumps({"ok": False, "error": "No Jira project 'DEMO' is visible"}),
        },
    ]


def test_after_tool_results_the_answer_is_text_not_more_calls() -> None:
    step = plan(conversation_with_results(), TOOLS)

    assert step.calls == []
    assert step.text is not None and step.text.startswith(OFFLINE_PREFIX)


def test_the_answer_contains_the_values_the_tools_returned() -> None:
    text = plan(conversation_with_results(), TOOLS).text or ""

    assert "TSLA" in text
    assert "402.15" in text


def test_the_answer_contains_the_error_of_a_failed_call() -> None:
    text = plan(conversation_with_results(), TOOLS).text or ""

    assert "No Jira project 'DEMO' is visible" in text


def test_a_new_question_after_an_answered_one_plans_new_calls() -> None:
    messages = [
        *conversation_with_results(),
        {"role": "assistant", "content": "TSLA is at 402.15."},
        {"role": "user", "content": "What is 2 + 2?"},
    ]

    assert [(call.tool, call.arguments) for call in plan(messages, TOOLS).calls] == [
        ("calculator", {"expression": "2 + 2"})
    ]


def test_the_same_input_always_gives_the_same_plan() -> None:
    messages = [{"role": "user", "content": "What is the stock price of TSLA and the weather in Paris?"}]

    assert plan(messages, TOOLS) == plan(copy.deepcopy(messages), all_tools())


def test_a_clause_asking_for_a_missing_tool_is_not_read_as_arguments_of_the_previous_one() -> None:
    # With the IT team's tools missing, "the JIRA metrics for project SEC" must not become a ticker "JIRA".
    without_it = [tool for tool in TOOLS if not tool["function"]["name"].startswith("it__")]

    step = plan(
        [
            {
                "role": "user",
                "content": "What is the stock price of AAPL and the JIRA metrics for project SEC?",
            }
        ],
        without_it,
    )

    assert [(call.tool, call.arguments) for call in step.calls] == [
        ("finance__stock_price", {"ticker": "AAPL"})
    ]
