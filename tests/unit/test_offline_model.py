"""The offline model as litellm serves it: ``litellm.acompletion(model="offline/planner")`` answers in the
same shape as any provider, with tool calls or with text. Real litellm, no mocks; few calls, as each one
goes through litellm's whole request path."""

from __future__ import annotations

import json
from typing import Any

import litellm
import pytest

from finance_service.tools import build_team as finance_team
from it_service.tools import build_team as it_team
from orchestrator.llm.offline_model import OFFLINE_MODEL, PROVIDER, register_offline_model
from orchestrator.local_tools import LOCAL_TOOLS
from shared.contract import ToolSpec


def function_tool(name: str, spec: ToolSpec) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {"name": name, "description": spec.description, "parameters": spec.input_schema},
    }


TOOLS = [function_tool(tool.name, tool.spec()) for tool in LOCAL_TOOLS] + [
    function_tool(f"{team.name}__{spec.name}", spec)
    for team in (it_team(), finance_team())
    for spec in team.specs()
]

QUESTION = "What is the stock price of TSLA and the JIRA metrics for project DEMO?"


@pytest.fixture(scope="module", autouse=True)
def offline_model_registered() -> None:
    register_offline_model()


async def complete(messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None) -> Any:
    arguments: dict[str, Any] = {"model": OFFLINE_MODEL, "messages": messages, "num_retries": 0}
    if tools:
        arguments["tools"] = tools
    return await litellm.acompletion(**arguments)


@pytest.fixture(scope="module")
async def tool_call_response() -> Any:
    return await complete([{"role": "user", "content": QUESTION}], TOOLS)


def test_registering_twice_adds_the_provider_once() -> None:
    register_offline_model()

    assert [entry["provider"] for entry in litellm.custom_provider_map].count(PROVIDER) == 1


def test_a_question_for_tools_is_answered_with_openai_shaped_tool_calls(tool_call_response: Any) -> None:
    choice = tool_call_response.choices[0]
    calls = [
        (call.type, call.function.name, json.loads(call.function.arguments))
        for call in choice.message.tool_calls
    ]

    assert choice.finish_reason == "tool_calls"
    assert calls == [
        ("function", "finance__stock_price", {"ticker": "TSLA"}),
        ("function", "it__get_jira_metrics", {"project": "DEMO"}),
    ]


def test_tool_calls_in_one_response_have_distinct_ids(tool_call_response: Any) -> None:
    ids = [call.id for call in tool_call_response.choices[0].message.tool_calls]

    assert all(ids)
    assert len(set(ids)) == len(ids)


def test_the_response_names_the_offline_model(tool_call_response: Any) -> None:
    assert tool_call_response.model == OFFLINE_MODEL


async def test_after_tool_results_the_model_answers_in_text_with_them(tool_call_response: Any) -> None:
    asked = tool_call_response.choices[0].message.tool_calls
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": QUESTION},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.function.name, "arguments": call.function.arguments},
                }
                for call in asked
            ],
        },
        {
            "role": "tool",
            "tool_call_id": asked[0].id,
            "content": json.dumps({"ok": True, "result": {"ticker": "TSLA", "price": 402.15}}),
        },
        {
            "role": "tool",
            "tool_call_id": asked[1].id,
            "content": json.dumps({"ok": False, "error": "No Jira project 'DEMO' is visible"}),
        },
    ]

    response = await complete(messages, TOOLS)
    choice = response.choices[0]

    assert choice.finish_reason == "stop"
    assert not choice.message.tool_calls
    assert choice.message.content.startswith("[offline model]")
    assert "402.15" in choice.message.content
    assert "No Jira project 'DEMO' is visible" in choice.message.content


async def test_without_tools_the_model_answers_in_text_that_it_has_none() -> None:
    response = await complete([{"role": "user", "content": QUESTION}])
    choice = response.choices[0]

    assert choice.finish_reason == "stop"
    assert not choice.message.tool_calls
    assert choice.message.content.startswith("[offline model]")
    assert "no tools" in choice.message.content


async def test_the_model_reads_the_earlier_turns_litellm_passes_it() -> None:
    earlier: list[dict[str, Any]] = [
        {"role": "user", "content": "What's the stock price of TSLA?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1_1",
                    "type": "function",
                    "function": {"name": "finance__stock_price", "arguments": '{"ticker": "TSLA"}'},
                }
            ],
        },
        {
            "role": "tool",
            "tool_call_id": "call_1_1",
            "content": json.dumps({"ok": True, "result": {"ticker": "TSLA", "price": 402.15}}),
        },
        {"role": "assistant", "content": "[offline model] TSLA: price 402.15."},
    ]

    response = await complete([*earlier, {"role": "user", "content": "and AAPL?"}], TOOLS)
    calls = [
        (call.function.name, json.loads(call.function.arguments))
        for call in response.choices[0].message.tool_calls
    ]

    assert calls == [("finance__stock_price", {"ticker": "AAPL"})]


async def test_the_answer_is_a_sentence_made_from_the_result_and_its_field_descriptions() -> None:
    result = {
        "ticker": "TSLA",
        "name": "Tesla, Inc.",
        "price": 402.15,
        "currency": "USD",
        "as_of": "2026-11-20",
    }
    fields = {
        "price": "Last price.",
        "currency": "ISO currency code of the prices.",
        "as_of": "Date of the quote.",
    }
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": "What's the stock price of TSLA?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1_1",
                    "type": "function",
                    "function": {"name": "finance__stock_price", "arguments": '{"ticker": "TSLA"}'},
                }
            ],
        },
        {
            "role": "tool",
            "tool_call_id": "call_1_1",
            "content": json.dumps({"ok": True, "result": result, "fields": fields}),
        },
    ]

    response = await complete(messages, TOOLS)

    assert response.choices[0].message.content == (
        "[offline model] TSLA (Tesla, Inc.): price $402.15 on 2026-11-20."
    )
