"""Tokens as the LLM activities count them: the model's window, a request's tokens, and a large tool result cut
to its share of the window with a note."""

from __future__ import annotations

import json
from collections.abc import Sequence

import litellm
import pytest

from orchestrator.llm.context_window import result_tokens
from orchestrator.llm.token_counts import (
    DEFAULT_CONTEXT_TOKENS,
    LARGEST_DEFAULT_WINDOW,
    TokenCounter,
    model_window,
)
from orchestrator.models import ChatMessage, FunctionTool, ModelToolCall
from orchestrator.tool_results import cut_to_tokens

COUNTER = TokenCounter("offline/planner")


def test_a_model_litellm_does_not_know_gets_the_default_window() -> None:
    assert model_window("offline/planner") == DEFAULT_CONTEXT_TOKENS == 8_192


def test_a_model_litellm_knows_gets_its_window_from_litellms_data() -> None:
    assert model_window("openai/gpt-3.5-turbo") == litellm.get_model_info("gpt-3.5-turbo")["max_input_tokens"]


def test_of_a_larger_window_a_chat_uses_32k_tokens_unless_the_setting_says_more() -> None:
    assert (litellm.get_model_info("gpt-4o-mini")["max_input_tokens"] or 0) > LARGEST_DEFAULT_WINDOW == 32_000
    assert model_window("openai/gpt-4o-mini") == LARGEST_DEFAULT_WINDOW
    assert model_window("openai/gpt-4o-mini", 100_000) == 100_000


def test_the_setting_overrides_the_window() -> None:
    assert model_window("openai/gpt-4o-mini", 2_000) == 2_000


def test_a_large_tool_result_is_cut_to_its_share_of_the_window_with_a_note() -> None:
    result = json.dumps({"ok": True, "result": {"text": "lorem ipsum dolor " * 2_000}})
    messages = [
        ChatMessage(role="user", content="hi"),
        ChatMessage(role="tool", tool_call_id="c", content=result),
    ]

    fitted = COUNTER.fitted(messages, window=2_000, fixed=600)

    cut = json.loads(fitted[1].content or "")
    assert COUNTER.request([fitted[1]]) <= result_tokens(2_000, 600) + 8  # the message's own framing
    assert cut["result_preview"].startswith('{"text": "lorem ipsum')
    assert cut["note"].startswith("The result had ") and "only the first" in cut["note"]
    assert fitted[0] == messages[0]


def test_a_small_tool_result_is_sent_as_it_is() -> None:
    messages = [ChatMessage(role="tool", tool_call_id="c", content='{"ok": true, "result": {"t": 1}}')]

    assert COUNTER.fitted(messages, window=2_000, fixed=600) == messages


def by_chars(text: str) -> list[int]:
    return [ord(char) for char in text]


def from_chars(tokens: Sequence[int]) -> str:
    return "".join(map(chr, tokens))


def test_a_cut_keeps_the_note_of_an_earlier_cut() -> None:
    earlier = json.dumps({"ok": True, "result_preview": "x" * 500, "note": "Cut by the team."})

    cut = json.loads(cut_to_tokens(earlier, 200, by_chars, from_chars))

    assert cut["note"].startswith("Cut by the team. The result had 500 tokens")


def test_a_long_error_is_cut_and_stays_an_error() -> None:
    error = json.dumps({"ok": False, "error": "e" * 500})

    cut = cut_to_tokens(error, 200, by_chars, from_chars)

    assert len(cut) <= 200
    assert json.loads(cut)["ok"] is False and "[cut: The result had 500 tokens" in json.loads(cut)["error"]


@pytest.mark.parametrize("model", ["offline/planner", "openai/stub-model", "gpt-4o-mini"])
def test_a_request_counted_in_two_parts_counts_as_a_whole(model: str) -> None:
    tools = [
        FunctionTool(
            name="it__get_ip",
            description="The machine's public IP address.",
            parameters={"type": "object", "properties": {"verbose": {"type": "boolean"}}},
        )
    ]
    instructions = [ChatMessage(role="system", content="You are a company assistant. Be concise.")]
    history = [
        ChatMessage(role="user", content="What is my IP address?"),
        ChatMessage(role="assistant", tool_calls=[ModelToolCall(id="c1", name="it__get_ip", arguments="{}")]),
        ChatMessage(role="tool", content='{"ip": "203.0.113.7"}', tool_call_id="c1"),
        ChatMessage(role="assistant", content="Your IP address is 203.0.113.7."),
    ]
    counter = TokenCounter(model)
    fixed = counter.fixed(instructions, tools)

    assert fixed == counter.request(instructions, tools)
    for shown in range(len(history) + 1):
        assert counter.total(fixed, history[:shown]) == counter.request(
            [*instructions, *history[:shown]], tools
        )
