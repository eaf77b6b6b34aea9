"""What the LLM activity passes to ``litellm.acompletion``: Temporal owns retries, only what is set is sent,
and messages go in the provider-neutral OpenAI shape."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr

from orchestrator.llm.activity import LlmActivities
from orchestrator.models import ChatMessage, FunctionTool, LlmRequest, ModelToolCall
from orchestrator.settings import OrchestratorSettings

ONLINE = OrchestratorSettings(model="openai/gpt-4o-mini", llm_timeout_seconds=20)
WITH_ENDPOINT = OrchestratorSettings(
    model="openai/local-llama",
    api_base="http://localhost:8000/v1",
    api_key=SecretStr("sk-local"),
)
ASK = ChatMessage(role="user", content="What's the weather in Paris?")
WEATHER = FunctionTool(
    name="weather",
    description="Get the current weather in a city.",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)


def arguments_for(request: LlmRequest, settings: OrchestratorSettings = ONLINE) -> dict[str, Any]:
    return LlmActivities(settings)._arguments(request)


@pytest.mark.parametrize(
    "settings", [ONLINE, WITH_ENDPOINT, OrchestratorSettings()], ids=["online", "endpoint", "offline"]
)
@pytest.mark.parametrize("tools", [[], [WEATHER]], ids=["no-tools", "tools"])
def test_litellm_and_its_client_never_retry(
    settings: OrchestratorSettings, tools: list[FunctionTool]
) -> None:
    arguments = arguments_for(LlmRequest(messages=[ASK], tools=tools), settings)

    assert (arguments["num_retries"], arguments["max_retries"]) == (0, 0)


def test_the_model_and_timeout_come_from_the_settings() -> None:
    arguments = arguments_for(LlmRequest(messages=[ASK], tools=[]))

    assert (arguments["model"], arguments["timeout"]) == ("openai/gpt-4o-mini", 20)


def test_tools_are_sent_in_openai_function_shape() -> None:
    arguments = arguments_for(LlmRequest(messages=[ASK], tools=[WEATHER]))

    assert arguments["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "weather",
                "description": "Get the current weather in a city.",
                "parameters": WEATHER.parameters,
            },
        }
    ]


def test_no_tools_key_is_sent_when_there_are_no_tools() -> None:
    assert "tools" not in arguments_for(LlmRequest(messages=[ASK], tools=[]))


def test_api_base_and_key_are_not_sent_when_unset() -> None:
    arguments = arguments_for(LlmRequest(messages=[ASK], tools=[]))

    assert "api_base" not in arguments
    assert "api_key" not in arguments


def test_api_base_and_the_plain_key_are_sent_when_set() -> None:
    arguments = arguments_for(LlmRequest(messages=[ASK], tools=[]), WITH_ENDPOINT)

    assert (arguments["api_base"], arguments["api_key"]) == ("http://localhost:8000/v1", "sk-local")


def test_messages_are_sent_in_openai_shape_without_extra_fields() -> None:
    conversation = [
        ChatMessage(role="system", content="Be brief."),
        ASK,
        ChatMessage(
            role="assistant",
            content=None,
            tool_calls=[ModelToolCall(id="call_1", name="weather", arguments='{"city": "Paris"}')],
        ),
        ChatMessage(role="tool", tool_call_id="call_1", content='{"ok": true, "result": {"city": "Paris"}}'),
        ChatMessage(role="assistant", content="It is cloudy in Paris."),
    ]

    messages = arguments_for(LlmRequest(messages=conversation, tools=[WEATHER]))["messages"]

    assert messages == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "What's the weather in Paris?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "weather", "arguments": '{"city": "Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": '{"ok": true, "result": {"city": "Paris"}}'},
        {"role": "assistant", "content": "It is cloudy in Paris."},
    ]


def test_malformed_tool_call_arguments_are_passed_back_as_the_model_wrote_them() -> None:
    # The model must see its own mistake to correct it; the activity does not repair or drop it.
    broken = ChatMessage(
        role="assistant", tool_calls=[ModelToolCall(id="call_1", name="weather", arguments='{"city": ')]
    )

    messages = arguments_for(LlmRequest(messages=[ASK, broken], tools=[WEATHER]))["messages"]

    assert messages[1]["tool_calls"][0]["function"]["arguments"] == '{"city": '


def test_the_model_choice_picks_a_model_of_the_list_in_order() -> None:
    settings = ONLINE.model_copy(
        update={"fallback_models": ("anthropic/claude-3-5-haiku-latest", "offline/planner")}
    )
    request = LlmRequest(messages=[ASK], tools=[])

    chosen = [
        arguments_for(request.model_copy(update={"model_choice": n}), settings)["model"] for n in range(3)
    ]

    assert chosen == ["openai/gpt-4o-mini", "anthropic/claude-3-5-haiku-latest", "offline/planner"]
