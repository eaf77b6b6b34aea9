"""Per-chat budgets of tokens and cost: the transcript shows what a chat's model calls used and cost, per turn
and in all, and a message that comes once a budget is spent is answered so, without calling the model. Real
dev server and orchestrator workers; the model is the scripted server, reporting the usage a test gives it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from harness.llm_stub import LlmStub, ScriptedReply, completion
from harness.suite import Suite
from harness.workers import WorkerProcess, orchestrator_on
from orchestrator.conversation import Conversation
from orchestrator.models import AgentInput
from tests.conftest import STUB_LLM_TASK_QUEUE

PRICED_TASK_QUEUE = "orchestrator-priced-model"
PRICED_MODEL = "gpt-4o-mini"
"""A model litellm has prices for, served by the scripted server: its calls cost what litellm says."""


def answer(text: str, prompt_tokens: int, completion_tokens: int, model: str = "stub-model") -> ScriptedReply:
    reply = completion(text)
    reply.body["model"] = model
    reply.body["usage"] = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    return reply


@pytest.fixture(scope="module")
async def priced_worker(
    stack: Suite, tool_workers: dict[str, WorkerProcess], llm_stub: LlmStub
) -> AsyncIterator[WorkerProcess]:
    settings = {**llm_stub.model_settings(), "AGENT_MODEL": f"openai/{PRICED_MODEL}"}
    worker = await stack.start_worker(orchestrator_on(PRICED_TASK_QUEUE, **settings, AGENT_LLM_TIMEOUT="3"))
    yield worker
    await asyncio.to_thread(worker.stop)


async def test_a_chat_whose_token_budget_is_spent_is_told_so_without_calling_the_model(
    stack: Suite, stub_llm_worker: WorkerProcess, llm_stub: LlmStub
) -> None:
    llm_stub.script(answer("One.", 100, 50), answer("Two.", 100, 50), answer("Never sent.", 1, 1))
    chat = await Conversation.start(
        stack.client, task_queue=STUB_LLM_TASK_QUEUE, agent_input=AgentInput(max_tokens_per_chat=250)
    )

    replies = [(await chat.send(text)).text for text in ("First", "Second", "Third")]

    assert replies[:2] == ["One.", "Two."]
    assert "budget of 250 tokens (300 used)" in replies[2] and "Start a new chat" in replies[2]
    assert len(llm_stub.requests) == 2, "the model was not asked once the budget was spent"
    transcript = await chat.transcript()
    assert [entry.tokens for entry in transcript.entries] == [150, 150, 0]
    assert transcript.tokens_used == 300


async def test_a_chat_whose_cost_budget_is_spent_is_told_so_and_the_transcript_shows_the_cost(
    stack: Suite, priced_worker: WorkerProcess, llm_stub: LlmStub
) -> None:
    llm_stub.script(
        answer("One.", 100_000, 50_000, PRICED_MODEL),
        answer("Two.", 100_000, 50_000, PRICED_MODEL),
        answer("Never sent.", 1, 1, PRICED_MODEL),
    )
    chat = await Conversation.start(
        stack.client, task_queue=PRICED_TASK_QUEUE, agent_input=AgentInput(max_cost_per_chat=0.05)
    )

    replies = [(await chat.send(text)).text for text in ("First", "Second", "Third")]

    assert replies[:2] == ["One.", "Two."]
    assert "spent its budget of $0.0500" in replies[2] and "Start a new chat" in replies[2]
    assert len(llm_stub.requests) == 2
    transcript = await chat.transcript()
    first, second, third = (entry.cost_usd or 0.0 for entry in transcript.entries)
    assert first == second > 0 and third == 0
    assert transcript.cost_usd == pytest.approx(first + second)
    assert transcript.tokens_used == 300_000
