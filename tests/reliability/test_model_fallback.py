"""A second model when the first fails: a model whose retries run out, or that is rate-limited, hands the
turn to the next of ``AGENT_FALLBACK_MODELS``; every attempt of every model is in the chat's history, and the
reply names the model that answered. Real dev server, a real orchestrator worker of this module's own; the
models are two litellm ids served by one scripted OpenAI-compatible server, which answers by the model asked."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from harness.llm_stub import LlmStub, ScriptedReply, completion, error
from harness.suite import Suite
from harness.workers import WorkerProcess, orchestrator_on
from orchestrator.conversation import Conversation
from orchestrator.llm.model_call import LLM_RETRY_POLICY
from tests.integration.agent_support import llm_retry_backoff_seconds, model_calls

FALLBACK_TASK_QUEUE = "orchestrator-fallback"
PRIMARY, FALLBACK = "openai/stub-model", "openai/fallback-model"
PRIMARY_RETRY_BACKOFF_SECONDS = llm_retry_backoff_seconds(LLM_RETRY_POLICY.maximum_attempts - 1)
"""What the primary's attempts wait between them (``LLM_RETRY_POLICY``) before it counts as failed."""


@pytest.fixture(scope="module")
def models() -> Iterator[LlmStub]:
    """The scripted server both models are served by."""
    stub = LlmStub().start()
    try:
        yield stub
    finally:
        stub.stop()


@pytest.fixture(scope="module")
async def fallback_worker(
    stack: Suite, tool_workers: dict[str, WorkerProcess], models: LlmStub
) -> AsyncIterator[WorkerProcess]:
    worker = await stack.start_worker(
        orchestrator_on(
            FALLBACK_TASK_QUEUE,
            **models.model_settings(),
            AGENT_FALLBACK_MODELS=FALLBACK,
            AGENT_LLM_TIMEOUT="3",
        )
    )
    yield worker
    await asyncio.to_thread(worker.stop)


def answering(primary: ScriptedReply, fallback: ScriptedReply) -> Any:
    """A responder: ``primary`` to every request for the primary model, ``fallback`` to the fallback's."""
    return lambda body: primary if body["model"] == PRIMARY.split("/")[1] else fallback


def asked(stub: LlmStub) -> list[str]:
    return [request["model"] for request in stub.requests]


async def new_chat(stack: Suite, models: LlmStub) -> Conversation:
    models.script()  # forget earlier requests
    return await Conversation.start(stack.client, task_queue=FALLBACK_TASK_QUEUE)


async def test_a_model_that_keeps_failing_hands_the_turn_to_the_fallback_which_the_reply_names(
    stack: Suite, fallback_worker: WorkerProcess, models: LlmStub
) -> None:
    models.responder = answering(error(500, "the primary is down"), completion("From the fallback."))
    chat = await new_chat(stack, models)

    reply = await chat.send("Anyone there?")

    assert (reply.text, reply.model) == ("From the fallback.", FALLBACK)
    assert await model_calls(chat.handle) == [(0, 6), (1, 1)], "six attempts of the primary, then one"
    assert asked(models) == ["stub-model"] * 6 + ["fallback-model"]


async def test_a_rate_limited_model_hands_the_turn_over_at_once_and_the_next_turn_tries_it_again(
    stack: Suite, fallback_worker: WorkerProcess, models: LlmStub
) -> None:
    models.responder = answering(error(429, "rate limited"), completion("From the fallback."))
    chat = await new_chat(stack, models)
    started = time.monotonic()

    reply = await chat.send("Anyone there?")

    took = time.monotonic() - started
    assert (reply.text, reply.model) == ("From the fallback.", FALLBACK)
    assert await model_calls(chat.handle) == [(0, 1), (1, 1)], "the rate limit was not waited out"
    assert took < 3, f"{took:.1f} s, where the primary's retries alone wait {PRIMARY_RETRY_BACKOFF_SECONDS} s"
    models.responder = answering(completion("The primary again."), completion("never asked"))
    again = await chat.send("And now?")
    assert (again.text, again.model) == ("The primary again.", PRIMARY)


async def test_a_request_the_model_refuses_for_good_is_not_sent_to_the_fallback(
    stack: Suite, fallback_worker: WorkerProcess, models: LlmStub
) -> None:
    models.responder = answering(error(401, "bad key"), completion("never asked"))
    chat = await new_chat(stack, models)

    reply = await chat.send("Anyone there?")

    assert reply.text.startswith("Sorry, the model could not answer: AuthenticationError")
    assert reply.model is None
    assert asked(models) == ["stub-model"]


async def test_when_every_model_fails_the_reply_says_the_model_could_not_answer(
    stack: Suite, fallback_worker: WorkerProcess, models: LlmStub
) -> None:
    models.responder = answering(error(429, "rate limited"), error(400, "the fallback refuses too"))
    chat = await new_chat(stack, models)

    reply = await chat.send("Anyone there?")

    assert reply.text.startswith("Sorry, the model could not answer: BadRequestError")
    assert await model_calls(chat.handle) == [(0, 1), (1, 1)]
    assert (await chat.send("Still there?")).text.startswith("Sorry, the model could not answer")
