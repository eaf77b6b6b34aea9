"""Answers too large for a Temporal payload (2 MB) are cut where they are made, with a note, and the chat goes
on: a model's answer in the LLM activity, a team's tool result in the kit. Real dev server, real worker
processes; the model is the scripted server, the huge tool result a provider plugged into the Finance worker."""

from __future__ import annotations

import time

from harness.llm_stub import LlmStub, completion
from harness.suite import Suite
from harness.workers import WorkerProcess
from orchestrator.conversation import Conversation
from tests.conftest import STUB_LLM_TASK_QUEUE
from tests.integration.agent_support import model_calls
from tests.support.chat_reading import tool_results

TWO_MB = 2 * 1024 * 1024
HUGE_QUOTES = {"FINANCE_QUOTE_PROVIDER": "tests.support.faulty_providers:HugeQuoteProvider"}


async def test_a_2_mb_answer_is_cut_with_a_note_at_once_and_the_chat_goes_on(
    stack: Suite, stub_llm_worker: WorkerProcess, llm_stub: LlmStub
) -> None:
    # The cut answer alone (256 KiB) passes the model's window: the next turn has it summarised first.
    llm_stub.script(completion("x" * TWO_MB), completion("A long answer of x."), completion("Still here."))
    chat = await Conversation.start(stack.client, task_queue=STUB_LLM_TASK_QUEUE)
    started = time.monotonic()

    reply = await chat.send("Tell me everything.")

    took = time.monotonic() - started
    assert reply.text.startswith("xxx")
    assert reply.text.endswith(f"[cut: the model's answer was {TWO_MB} bytes]")
    assert reply.model == "openai/stub-model"
    assert await model_calls(chat.handle) == [(0, 1)], "answered at its first attempt, not retried"
    assert took < 10, f"{took:.1f} s: a rejected completion would have been retried for 16 s"
    assert (await chat.send("And now?")).text == "Still here."
    first, _ = (await chat.transcript()).entries
    assert first.reply.text == reply.text


async def test_a_team_tools_result_too_large_is_cut_with_a_note_and_the_chat_goes_on(
    stack: Suite,
    stub_llm_worker: WorkerProcess,
    tool_workers: dict[str, WorkerProcess],
    llm_stub: LlmStub,
) -> None:
    llm_stub.script(
        completion(tool_calls=[("call_1", "finance__stock_price", '{"ticker": "HUGE"}')]),
        completion("HUGE's quote was too large to read whole."),
    )
    finance = tool_workers["finance"]
    await finance.restart(env=HUGE_QUOTES)
    try:
        chat = await Conversation.start(stack.client, task_queue=STUB_LLM_TASK_QUEUE)
        started = time.monotonic()
        reply = await chat.send("What is HUGE's quote?")
        took = time.monotonic() - started
    finally:
        await finance.restart(env={})

    (call,) = reply.tool_calls
    assert (call.service, call.tool, call.ok, call.error) == ("finance", "stock_price", True, None)
    assert (call.note or "").startswith("[cut: the result was ")
    sent = tool_results(llm_stub.requests[1])["call_1"]
    assert sent["note"] == call.note, "the model is told too"
    assert reply.text == "HUGE's quote was too large to read whole."
    assert took < 15, f"{took:.1f} s: a result too large for a payload would have been retried"
