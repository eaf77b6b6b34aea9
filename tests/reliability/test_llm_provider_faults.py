"""The model provider failing: outages and timeouts are retried by Temporal with backoff (litellm itself
retries nothing), requests the provider rejects are answered at once, and the chat stays usable."""

from __future__ import annotations

import time

from harness.llm_stub import LlmStub, completion, error
from harness.suite import Suite
from harness.workers import WorkerProcess
from orchestrator.conversation import Conversation
from tests.conftest import STUB_LLM_TASK_QUEUE, STUB_LLM_TIMEOUT_SECONDS
from tests.integration.agent_support import llm_retry_backoff_seconds


async def test_outages_and_timeouts_for_several_attempts_are_retried_with_backoff_then_answered(
    stack: Suite, stub_llm_worker: WorkerProcess, llm_stub: LlmStub
) -> None:
    too_slow = completion("never seen")
    too_slow.delay_seconds = STUB_LLM_TIMEOUT_SECONDS + 1
    llm_stub.script(error(503, "overloaded"), error(429, "rate limited"), too_slow, completion("Finally."))
    chat = await Conversation.start(stack.client, task_queue=STUB_LLM_TASK_QUEUE)
    started = time.monotonic()

    reply = await chat.send("Anyone there?")

    elapsed = time.monotonic() - started
    assert reply.text == "Finally."
    assert len(llm_stub.requests) == 4, "one HTTP request per Temporal attempt: litellm must not retry"
    waited = llm_retry_backoff_seconds(3) + STUB_LLM_TIMEOUT_SECONDS
    assert elapsed >= waited, (
        f"{elapsed:.2f} s: the three retries' backoff and one timeout add up to {waited:.2f} s"
    )


async def test_after_a_rejected_request_the_next_message_is_answered(
    stack: Suite, stub_llm_worker: WorkerProcess, llm_stub: LlmStub
) -> None:
    llm_stub.script(error(401, "bad key"), completion("Back."))
    chat = await Conversation.start(stack.client, task_queue=STUB_LLM_TASK_QUEUE)

    rejected = await chat.send("Hello?")
    answered = await chat.send("Hello again")

    assert rejected.text.startswith("Sorry, the model could not answer: AuthenticationError")
    assert answered.text == "Back."
    assert [entry.user for entry in (await chat.transcript()).entries] == ["Hello?", "Hello again"]
