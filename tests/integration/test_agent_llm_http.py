"""The agent through litellm's real HTTP path (its OpenAI provider) against a scripted OpenAI-compatible
server on 127.0.0.1: what the model asks for, what it is sent back, and how bad model output is handled."""

from __future__ import annotations

import asyncio
import time

import pytest
from temporalio.client import WorkflowUpdateFailedError

from harness.llm_stub import LlmStub, completion, error
from harness.suite import Suite
from tests.conftest import STUB_LLM_TASK_QUEUE
from tests.support.chat_reading import new_chat, rejection, tool_results
from tests.support.teams import declared_tools, teams

pytestmark = pytest.mark.usefixtures("stub_llm_worker")

ACCEPTED_MESSAGE_KEYS = {"role", "content", "tool_calls", "tool_call_id"}


async def test_the_model_sees_every_tool_with_its_schema_under_collision_free_names(
    stack: Suite, llm_stub: LlmStub
) -> None:
    llm_stub.script(completion("Hello!"))
    chat = await new_chat(stack, STUB_LLM_TASK_QUEUE)

    reply = await chat.send("Hi")

    assert reply.text == "Hello!"
    tools = {tool["function"]["name"]: tool["function"] for tool in llm_stub.requests[0]["tools"]}
    assert set(tools) == {"calculator", "weather"} | {
        f"{team}__{spec.name}" for team in teams() for spec in declared_tools(team)
    }
    for team in teams():
        for spec in declared_tools(team):
            assert tools[f"{team}__{spec.name}"]["parameters"] == spec.input_schema
    assert tools["finance__stock_price"]["parameters"]["required"] == ["ticker"]
    assert llm_stub.requests[0]["messages"][0]["role"] == "system"
    assert llm_stub.requests[0]["messages"][-1] == {"role": "user", "content": "Hi"}


async def test_parallel_tool_calls_run_and_their_results_go_back_to_the_model(
    stack: Suite, llm_stub: LlmStub
) -> None:
    llm_stub.script(
        completion(
            tool_calls=[
                ("call_a", "finance__stock_price", '{"ticker": "TSLA"}'),
                ("call_b", "it__get_jira_metrics", '{"project": "DEMO"}'),
            ]
        ),
        completion("TSLA is at 402.15 and DEMO has 42 open issues."),
    )
    chat = await new_chat(stack, STUB_LLM_TASK_QUEUE)

    reply = await chat.send("TSLA price and DEMO metrics?")

    assert reply.text == "TSLA is at 402.15 and DEMO has 42 open issues."
    assert [(call.service, call.tool, call.ok) for call in reply.tool_calls] == [
        ("finance", "stock_price", True),
        ("it", "get_jira_metrics", True),
    ]
    results = tool_results(llm_stub.requests[1])
    assert results["call_a"]["result"]["price"] == 402.15
    assert results["call_b"]["result"]["open_issues"] == 42
    assistant = next(m for m in llm_stub.requests[1]["messages"] if m["role"] == "assistant")
    assert set(assistant) <= ACCEPTED_MESSAGE_KEYS, "provider-specific fields must not be sent back"
    assert [call["id"] for call in assistant["tool_calls"]] == ["call_a", "call_b"]


async def test_malformed_json_arguments_become_an_error_the_model_reads(
    stack: Suite, llm_stub: LlmStub
) -> None:
    llm_stub.script(
        completion(tool_calls=[("call_1", "finance__stock_price", '{"ticker": "TSLA"')]),
        completion("I could not read my own arguments."),
    )
    chat = await new_chat(stack, STUB_LLM_TASK_QUEUE)

    reply = await chat.send("TSLA?")

    assert reply.text == "I could not read my own arguments."
    assert reply.tool_calls[0].ok is False
    assert "not valid JSON" in (reply.tool_calls[0].error or "")
    assert tool_results(llm_stub.requests[1])["call_1"]["ok"] is False


async def test_an_unknown_tool_name_becomes_an_error_listing_the_tools(
    stack: Suite, llm_stub: LlmStub
) -> None:
    llm_stub.script(
        completion(tool_calls=[("call_1", "hr__fire_everyone", "{}")]),
        completion("That tool does not exist."),
    )
    chat = await new_chat(stack, STUB_LLM_TASK_QUEUE)

    reply = await chat.send("Do something drastic")

    error_text = tool_results(llm_stub.requests[1])["call_1"]["error"]
    assert "There is no tool 'hr__fire_everyone'" in error_text
    assert "finance__stock_price" in error_text
    assert (reply.tool_calls[0].service, reply.tool_calls[0].ok) == ("unknown", False)
    assert reply.text == "That tool does not exist."


async def test_failing_tools_are_reported_to_the_model_with_their_reasons(
    stack: Suite, llm_stub: LlmStub
) -> None:
    llm_stub.script(
        completion(
            tool_calls=[
                ("call_1", "finance__stock_price", '{"ticker": "ZZZZ"}'),
                ("call_2", "finance__stock_price", '{"ticker": "$$$"}'),
                ("call_3", "calculator", '{"expression": "1/0"}'),
            ]
        ),
        completion("All three failed."),
    )
    chat = await new_chat(stack, STUB_LLM_TASK_QUEUE)
    started = time.monotonic()

    reply = await chat.send("Break things")

    errors = {call_id: result["error"] for call_id, result in tool_results(llm_stub.requests[1]).items()}
    assert "No quote for ticker 'ZZZZ'" in errors["call_1"]
    assert "Invalid arguments for tool 'stock_price'" in errors["call_2"]
    assert "Division by zero" in errors["call_3"]
    assert [call.ok for call in reply.tool_calls] == [False, False, False]
    assert reply.text == "All three failed."
    assert time.monotonic() - started < 10, "final failures must not be retried"


@pytest.mark.parametrize(("status", "kind"), [(401, "AuthenticationError"), (400, "BadRequestError")])
async def test_a_request_the_provider_rejects_is_answered_at_once_and_the_chat_stays_usable(
    stack: Suite, llm_stub: LlmStub, status: int, kind: str
) -> None:
    llm_stub.script(error(status, "rejected by the stub"), completion("Back to normal."))
    chat = await new_chat(stack, STUB_LLM_TASK_QUEUE)
    started = time.monotonic()

    failed = await chat.send("Hello?")
    elapsed = time.monotonic() - started
    recovered = await chat.send("Hello again?")

    assert failed.text.startswith("Sorry, the model could not answer:")
    assert kind in failed.text
    assert elapsed < 5, "a rejected request must not be retried"
    assert recovered.text == "Back to normal."


async def test_a_provider_outage_is_retried_until_the_model_answers(stack: Suite, llm_stub: LlmStub) -> None:
    llm_stub.script(error(503, "overloaded"), error(429, "slow down"), completion("Made it."))
    chat = await new_chat(stack, STUB_LLM_TASK_QUEUE)

    reply = await chat.send("Are you there?")

    assert reply.text == "Made it."
    assert len(llm_stub.requests) == 3


async def test_a_second_message_while_one_is_answered_is_rejected_and_the_first_completes(
    stack: Suite, llm_stub: LlmStub
) -> None:
    slow = completion("Slow answer.")
    slow.delay_seconds = 2.0
    llm_stub.script(slow)
    chat = await new_chat(stack, STUB_LLM_TASK_QUEUE)

    first = asyncio.create_task(chat.send("Take your time"))
    await asyncio.sleep(0.8)
    with pytest.raises(WorkflowUpdateFailedError) as raised:
        await chat.send("Are you done yet?")

    assert "still answering the previous message" in rejection(raised.value)
    assert (await first).text == "Slow answer."
    assert [entry.user for entry in (await chat.transcript()).entries] == ["Take your time"]


async def test_a_message_after_end_chat_is_rejected_while_the_last_turn_finishes(
    stack: Suite, llm_stub: LlmStub
) -> None:
    slow = completion("Last answer.")
    slow.delay_seconds = 2.0
    llm_stub.script(slow)
    chat = await new_chat(stack, STUB_LLM_TASK_QUEUE)

    first = asyncio.create_task(chat.send("Final question"))
    await asyncio.sleep(0.8)
    await chat.handle.signal("end_chat")
    with pytest.raises(WorkflowUpdateFailedError) as raised:
        await chat.send("Wait, one more")

    assert "This chat has ended" in rejection(raised.value)
    assert (await first).text == "Last answer."
    transcript = await chat.handle.result()
    assert transcript.ended and [entry.user for entry in transcript.entries] == ["Final question"]
