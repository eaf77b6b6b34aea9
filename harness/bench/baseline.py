"""The bench's baseline: the least a durable chat can be on the same server. A chat is a workflow whose turn is
an update running one activity that sleeps as long as the stub model answers, so the bench can say how much of
a turn is this suite's own work and how much the server (and Temporal's client and worker) costs anyway.

Its worker is a real process, like every part's: ``python -m harness.bench.baseline`` (``baseline_worker()``
is its ``WorkerSpec``), on the orchestrator's namespace, with the suite's data converter and sticky-queue
timeout; its workflow runs outside the sandbox, as the agent's does. ``BaselineChat`` is the bench's client
side, shaped like ``Conversation``."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.client import Client, WorkflowHandle
from temporalio.common import RetryPolicy
from temporalio.worker import Worker

from harness.workers import WorkerSpec
from shared.connection import connect
from shared.log import configure_logging
from shared.process import STICKY_QUEUE_TIMEOUT, run_until_stopped, start_worker
from shared.topology import load_topology

BASELINE_TASK_QUEUE = "bench-baseline"
MODULE = "harness.bench.baseline"
MODEL_CALL_TIMEOUT = timedelta(seconds=30)
MODEL_CALL_RETRIES = RetryPolicy(initial_interval=timedelta(milliseconds=500), maximum_attempts=3)


@activity.defn(name="bench_baseline_model")
async def model_answer(seconds: float) -> str:
    """The stand-in for a model call: ``seconds`` of waiting, no work."""
    await asyncio.sleep(seconds)
    return "Hello from the baseline."


@workflow.defn(name="BenchBaselineChat", sandboxed=False)
class BaselineChatWorkflow:
    """A chat in its least form: each ``send`` update is a turn of one activity; ``end`` ends it."""

    @workflow.init
    def __init__(self, model_seconds: float) -> None:
        # Set here, not in ``run``: the first turn's update can be handled before ``run`` starts.
        self._model_seconds = model_seconds
        self._ended = False

    @workflow.run
    async def run(self, model_seconds: float) -> None:
        await workflow.wait_condition(lambda: self._ended and workflow.all_handlers_finished())

    @workflow.update
    async def send(self, text: str) -> str:
        return await workflow.execute_activity(
            model_answer,
            self._model_seconds,
            start_to_close_timeout=MODEL_CALL_TIMEOUT,
            retry_policy=MODEL_CALL_RETRIES,
        )

    @workflow.signal
    def end(self) -> None:
        self._ended = True


class BaselineChat:
    """One baseline chat, as the bench drives it: ``start``, ``send`` each turn, ``end``."""

    def __init__(self, handle: WorkflowHandle[BaselineChatWorkflow, None]) -> None:
        self.handle = handle

    @classmethod
    async def start(cls, client: Client, model_seconds: float) -> BaselineChat:
        handle = await client.start_workflow(
            BaselineChatWorkflow.run,
            model_seconds,
            id=f"bench-baseline-{uuid.uuid4()}",
            task_queue=BASELINE_TASK_QUEUE,
        )
        return cls(handle)

    async def send(self, text: str) -> str:
        return await self.handle.execute_update(BaselineChatWorkflow.send, text)

    async def end(self) -> None:
        await self.handle.signal(BaselineChatWorkflow.end)
        await self.handle.result()


def baseline_worker() -> WorkerSpec:
    """The baseline's worker process, as the harness starts it."""
    return WorkerSpec("bench-baseline", MODULE, load_topology().orchestrator.namespace, BASELINE_TASK_QUEUE)


def build_worker(client: Client) -> Worker:
    return Worker(
        client,
        task_queue=BASELINE_TASK_QUEUE,
        workflows=[BaselineChatWorkflow],
        activities=[model_answer],
        sticky_queue_schedule_to_start_timeout=STICKY_QUEUE_TIMEOUT,
    )


async def main(client: Client | None = None) -> None:
    configure_logging()
    if client is None:
        client = await connect(load_topology().orchestrator.namespace)
    await run_until_stopped(build_worker(client))


if __name__ == "__main__":
    start_worker(main())
