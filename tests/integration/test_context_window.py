"""Context that fits the model: a chat's requests are counted in tokens against the model's window; older turns
are summarised (the offline model summarises too) and the summary replaces them, each tool call kept with its
results; a large tool result reaches the model cut to its share of the window, with a note. Real dev server,
an orchestrator worker of this module's own with the offline model, a window of 2,000 tokens and a weather
tool whose every report is some 1,900 tokens."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from harness.bench.context_fit import CITIES, VERBOSE_WEATHER, ModelCalls, pairs_intact
from harness.suite import Suite
from harness.workers import WorkerProcess, orchestrator_on
from orchestrator.conversation import Conversation
from orchestrator.llm.context_window import SUMMARY_HEADING

SMALL_WINDOW_TASK_QUEUE = "orchestrator-small-window"
WINDOW = 2_000
TURNS = 12


@pytest.fixture(scope="module")
async def small_window_worker(
    stack: Suite, tool_workers: dict[str, WorkerProcess]
) -> AsyncIterator[WorkerProcess]:
    worker = await stack.start_worker(
        orchestrator_on(
            SMALL_WINDOW_TASK_QUEUE, AGENT_CONTEXT_TOKENS=str(WINDOW), WEATHER_PROVIDER=VERBOSE_WEATHER
        )
    )
    yield worker
    await asyncio.to_thread(worker.stop)


@pytest.fixture(scope="module")
async def long_chat(stack: Suite, small_window_worker: WorkerProcess) -> Conversation:
    """A chat of ``TURNS`` turns, each asking for the weather (a large result), over."""
    chat = await Conversation.start(stack.client, task_queue=SMALL_WINDOW_TASK_QUEUE)
    for turn in range(TURNS):
        await chat.send(f"What is the weather in {CITIES[turn % len(CITIES)]}?")
    return chat


async def test_a_long_chat_with_large_tool_results_stays_inside_a_small_window(
    stack: Suite, long_chat: Conversation
) -> None:
    calls = await ModelCalls.of(stack.client, long_chat.workflow_id)

    assert calls.windows == {WINDOW}
    assert len(calls.request_tokens) == 2 * TURNS, "a weather call and an answer each turn"
    assert max(calls.request_tokens) <= WINDOW, calls.request_tokens


async def test_older_turns_are_replaced_by_a_summary_of_what_was_asked_and_answered(
    stack: Suite, long_chat: Conversation
) -> None:
    calls = await ModelCalls.of(stack.client, long_chat.workflow_id)

    assert calls.summaries, "nothing was summarised"
    assert "Asked: What is the weather in" in calls.summaries[-1]
    latest = calls.requests[-1]
    assert latest[1]["role"] == "system" and latest[1]["content"].startswith(SUMMARY_HEADING)
    assert len(latest) < 4 * TURNS, "the older messages are gone"
    assert latest[-3]["content"] == f"What is the weather in {CITIES[(TURNS - 1) % len(CITIES)]}?"


async def test_summarising_keeps_every_tool_call_with_its_results(
    stack: Suite, long_chat: Conversation
) -> None:
    calls = await ModelCalls.of(stack.client, long_chat.workflow_id)

    broken = [index for index, messages in enumerate(calls.requests) if not pairs_intact(messages)]
    assert broken == [], f"requests {broken} split a tool call from its results"


async def test_a_large_tool_result_reaches_the_model_cut_by_tokens_with_a_note(
    long_chat: Conversation,
) -> None:
    transcript = await long_chat.transcript()

    reply = transcript.entries[-1].reply
    assert reply.tool_calls[0].ok and reply.tool_calls[0].result is not None, "the user sees it whole"
    assert "tokens; only the first" in reply.text, reply.text  # the offline model reads out the note


async def test_the_transcript_counts_the_tokens_of_every_model_call(long_chat: Conversation) -> None:
    transcript = await long_chat.transcript()

    assert [entry.cost_usd for entry in transcript.entries] == [0.0] * TURNS, "the offline model is free"
    assert all(entry.tokens for entry in transcript.entries)
    turns = sum(entry.tokens or 0 for entry in transcript.entries)
    assert transcript.tokens_used >= turns, "summaries count too"
