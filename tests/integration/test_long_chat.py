"""A long chat continues as new every 100 turns (sooner when Temporal suggests it) and goes on as if nothing
happened: same chat id, messages keep working, tools are not discovered again, the transcript counts every
turn."""

from __future__ import annotations

import asyncio

import pytest

from harness.llm_stub import LlmStub, completion
from harness.suite import Suite
from harness.workers import WorkerProcess
from orchestrator.conversation import Conversation
from orchestrator.workflow import TRANSCRIPT_KEPT, TURNS_PER_RUN
from tests.conftest import STUB_LLM_TASK_QUEUE
from tests.integration.agent_support import nexus_schedules
from tests.support.waiting import eventually

pytestmark = pytest.mark.usefixtures("orchestrator_worker")


async def test_a_chat_longer_than_one_run_continues_as_new_and_keeps_going(stack: Suite) -> None:
    chat = await Conversation.start(stack.client)
    first_run = (await chat.handle.describe()).run_id
    turns = TURNS_PER_RUN + 5

    for turn in range(turns):
        reply = await chat.send(f"What is {turn} + 1?")
        assert str(turn + 1) in reply.text, reply.text

    latest = await chat.handle.describe()
    assert latest.run_id != first_run, "the chat did not continue as new"
    transcript = await chat.transcript()
    assert transcript.earlier_turns + len(transcript.entries) == turns
    # It continued within 100 turns (sooner when its history grew large), carrying the latest 50 of them.
    assert 0 < transcript.earlier_turns <= TURNS_PER_RUN - TRANSCRIPT_KEPT
    assert transcript.entries[-1].user == f"What is {turns - 1} + 1?"
    assert await nexus_schedules(chat.handle, "list_tools") == [], "the new run discovered tools again"
    after = await chat.send("What is the stock price of TSLA?")
    assert after.tool_calls[0].ok, "remote tools carried over must still work"
    final = await chat.end()
    assert final.ended and final.earlier_turns + len(final.entries) == turns + 1


async def test_the_first_model_request_after_continue_as_new_still_holds_the_earlier_messages(
    stack: Suite, stub_llm_worker: WorkerProcess, llm_stub: LlmStub
) -> None:
    remembered = "Please remember that my badge number is 4471."
    questions = [f"Question {turn}" for turn in range(TURNS_PER_RUN)]
    questions[-3] = remembered  # a few turns before the run ends: well inside what the model still sees
    answers = [f"Answer {turn}" for turn in range(TURNS_PER_RUN)]
    llm_stub.script(*(completion(answer) for answer in answers), completion("It is 4471."))
    chat = await Conversation.start(stack.client, task_queue=STUB_LLM_TASK_QUEUE)
    first_run = (await chat.handle.describe()).run_id
    for question in questions:
        await asyncio.wait_for(chat.send(question), timeout=30)

    async def continued_as_new() -> bool:
        return (await chat.handle.describe()).run_id != first_run

    await eventually(continued_as_new, what="the chat continued as new")
    reply = await asyncio.wait_for(chat.send("What is my badge number?"), timeout=30)

    assert reply.text == "It is 4471."
    assert len(llm_stub.requests) == len(questions) + 1
    before, after = (request["messages"] for request in llm_stub.requests[-2:])
    assert after[0]["role"] == "system"
    assert after[-1] == {"role": "user", "content": "What is my badge number?"}
    carried = after[1:-1]
    assert carried, "the continued run sent the model none of the earlier messages"
    assert {"role": "user", "content": remembered} in carried
    assert {"role": "assistant", "content": answers[-3]} in carried
    # The model sees what it would have seen had the run not changed: the messages of its last request
    # and that request's answer, less the oldest turns the window drops.
    assert carried == [*before[1:], {"role": "assistant", "content": answers[-1]}][-len(carried) :]
