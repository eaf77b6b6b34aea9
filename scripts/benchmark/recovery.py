"""Recovery: SIGKILL the orchestrator worker while its model call is in flight, restart it at once, and time
from the restart to the interrupted turn's reply. The stub model is slow for the killed call only, and
answers at once afterwards, so the figure is what Temporal's failure detection costs, not the model."""

from __future__ import annotations

import asyncio
import threading
import time

from orchestrator.conversation import Conversation
from scripts.benchmark.models import RecoveryResult
from scripts.benchmark.stack import STUB, STUB_REPLY, STUB_TASK_QUEUE, BenchStack
from scripts.llm_stub import ScriptedReply, completion

SLOW_CALL_SECONDS = 30.0
"""Longer than any recovery: the killed call must still be in flight when its worker dies."""
KILL_AFTER_SECONDS = 0.5
"""How long after the model received the request the worker is killed."""


async def measure_worker_recovery(stack: BenchStack) -> RecoveryResult:
    stack.stub.latency_seconds = 0.0
    received = threading.Event()
    slow = True

    def responder(_body: dict[str, object]) -> ScriptedReply:
        reply = completion(STUB_REPLY)
        if slow:
            reply.delay_seconds = SLOW_CALL_SECONDS
            received.set()
        return reply

    previous = stack.stub.responder
    stack.stub.responder = responder
    try:
        slow = False
        chat = await Conversation.start(stack.client, task_queue=STUB_TASK_QUEUE)
        await chat.send("Hello")  # warm: discovery done, the workflow cached on the worker
        slow = True
        turn = asyncio.create_task(chat.send("Hello again"))
        if not await asyncio.to_thread(received.wait, 30):
            raise RuntimeError("the model never received the turn's request")
        await asyncio.sleep(KILL_AFTER_SECONDS)
        slow = False
        stack.kill(STUB)
        restarted = time.perf_counter()
        await stack.start_worker(STUB)
        polling = time.perf_counter() - restarted
        await turn
        completed = time.perf_counter() - restarted
        await chat.end()
    finally:
        stack.stub.responder = previous
    return RecoveryResult(
        worker="orchestrator (stub model)",
        killed_during=f"the model call (call_llm), {KILL_AFTER_SECONDS} s after the model received it",
        restart_to_polling_s=round(polling, 2),
        restart_to_completion_s=round(completed, 2),
        model_latency_after_restart_s=0.0,
        note="call_llm is retried only when its heartbeat timeout expires (no heartbeat came from the dead "
        "worker); then the workflow task waits out the sticky queue timeout of the dead worker.",
    )
