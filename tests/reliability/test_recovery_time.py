"""How long a killed worker costs: heartbeats on the LLM activity (3 s timeout) and a 2 s sticky-queue
timeout let the restarted worker finish the turn within seconds, not after the 10 s sticky default or a
whole start-to-close timeout. The test prints what it measured, beside the README's target."""

from __future__ import annotations

import asyncio
import time

from harness.llm_stub import LlmStub, completion
from harness.suite import Suite
from harness.workers import WorkerProcess
from orchestrator.conversation import Conversation
from tests.conftest import STUB_LLM_TASK_QUEUE
from tests.support.waiting import eventually

README_TARGET_SECONDS = 3.0
"""The README's target (Benchmarks: "recovery (b): a lone orchestrator worker killed and restarted", 3 s).
Not asserted: it is not met on the 2 shared cores this runs on, as the README's table says. The restarted
worker alone takes 3-5 s to poll (Python, temporalio and litellm imports); over eight runs, kill to reply
took 7.0-8.2 s, and 3.2-4.3 s from the moment the new worker polled."""

BOUND_AFTER_POLLING_SECONDS = 3.0 + 0.5 + 2.0 + 1.0
"""What is asserted: once the restarted worker polls, the turn is done within what the README's recovery
settings add up to: the killed call's 3 s heartbeat timeout, the first retry's 0.5 s backoff, the dead
worker's 2 s sticky-queue timeout, and 1 s for the fresh worker's first model call. It is measured from
polling, not from the kill, so that a slow machine's process start does not count; a regression it catches
is the LLM call's heartbeat lost (its 120 s start-to-close would decide) or the 10 s sticky default back."""


async def test_a_worker_killed_mid_turn_costs_seconds_after_its_restart(
    stack: Suite, stub_llm_worker: WorkerProcess, llm_stub: LlmStub
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
        f"turn completed {done - restarted:.2f} s after the restart ({done - killed:.2f} s after the kill; "
        f"README target {README_TARGET_SECONDS:.0f} s)"
    )
    assert reply.text == "Recovered."
    assert done - restarted < BOUND_AFTER_POLLING_SECONDS, (
        "after the restart the turn must be done within the heartbeat timeout, one backoff, the sticky-queue "
        "timeout and one model call"
    )
