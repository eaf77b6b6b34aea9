"""How long a killed worker costs: heartbeats on the LLM activity (3 s timeout) and a 2 s sticky-queue
timeout let the restarted worker finish the turn within seconds, not after the 10 s sticky default or a
whole start-to-close timeout. The test prints what it measured."""

from __future__ import annotations

import asyncio
import time

from orchestrator.conversation import Conversation
from scripts.llm_stub import LlmStub, completion
from tests.conftest import STUB_LLM_TASK_QUEUE
from tests.support.stack import Stack
from tests.support.waiting import eventually
from tests.support.workers import PollingWorker


async def test_a_worker_killed_mid_turn_costs_seconds_after_its_restart(
    stack: Stack, stub_llm_worker: PollingWorker, llm_stub: LlmStub
) -> None:
    in_flight = completion("interrupted")
    in_flight.delay_seconds = 5.0
    llm_stub.script(in_flight, completion("Recovered."))
    chat = await Conversation.start(stack.client, task_queue=STUB_LLM_TASK_QUEUE)
    turn = asyncio.create_task(chat.send("Long question"))
    await eventually(lambda: len(llm_stub.requests) == 1, what="the model call is in flight")

    killed = time.monotonic()
    stub_llm_worker.kill()
    await stub_llm_worker.start()
    restarted = time.monotonic()
    reply = await asyncio.wait_for(turn, timeout=60)
    done = time.monotonic()

    print(
        f"\nrecovery: worker restart took {restarted - killed:.2f} s; "
        f"turn completed {done - restarted:.2f} s after the restart ({done - killed:.2f} s after the kill)"
    )
    assert reply.text == "Recovered."
    assert done - restarted < 8.0, (
        "recovery is bounded by the 3 s heartbeat timeout plus a retry, not 10-20 s"
    )
