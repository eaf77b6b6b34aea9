"""Is an orchestrator worker there to take a chat's messages? The server knows who polls a task queue
(``DescribeTaskQueue``): a live worker polls again at least once a minute, while a stopped one stays listed
for minutes, its last poll getting older. So no poller, or none within ``LIVE_POLL_SECONDS``, means no worker;
a recent poller is only probably alive. A chat client asks before it sends and while it waits, and says what
to start instead of waiting forever."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client
from temporalio.service import RPCError

from orchestrator.settings import TASK_QUEUE_VARIABLE
from shared.topology import load_topology

LIVE_POLL_SECONDS = 70.0
"""A live worker's long poll lasts a minute at most, then it polls again: a poller last seen longer ago than
this (a minute and a margin) has stopped."""
LOOK_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class WorkerPresence:
    """What the server says of the workers polling one task queue."""

    namespace: str
    task_queue: str
    last_poll_seconds: float | None
    """How long ago the most recent poller polled; None when the server lists none."""

    @property
    def absent(self) -> bool:
        """Certainly no worker: none listed, or none polled within ``LIVE_POLL_SECONDS``."""
        return self.last_poll_seconds is None or self.last_poll_seconds > LIVE_POLL_SECONDS

    def advice(self) -> str:
        """One sentence: which worker is missing and the command that starts it."""
        where = f"task queue {self.task_queue!r} (namespace {self.namespace})"
        if self.last_poll_seconds is None:
            missing = f"No orchestrator worker polls {where}"
        elif self.absent:
            missing = f"No orchestrator worker has polled {where} for {self.last_poll_seconds:.0f} s"
        else:
            missing = (
                f"No orchestrator worker takes messages on {where}: the last one seen polled "
                f"{self.last_poll_seconds:.0f} s ago and may have stopped"
            )
        return f"{missing}. Start one: {start_command(self.task_queue)}."


def start_command(task_queue: str) -> str:
    """How to start a worker for ``task_queue``: the topology's queue needs no setting; the whole local suite
    starts with ``scripts/demo``."""
    if task_queue == load_topology().orchestrator.task_queue:
        return "`python -m orchestrator.worker` (or the whole local suite: `scripts/demo`)"
    return f"`{TASK_QUEUE_VARIABLE}={task_queue} python -m orchestrator.worker`"


async def worker_presence(client: Client, task_queue: str) -> WorkerPresence | None:
    """Who polls ``task_queue`` for workflow tasks in the client's namespace; None when the server does not
    say (no permission to describe task queues, or no answer in ``LOOK_TIMEOUT_SECONDS``)."""
    request = DescribeTaskQueueRequest(
        namespace=client.namespace,
        task_queue=TaskQueue(name=task_queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    )
    try:
        response = await client.workflow_service.describe_task_queue(
            request, retry=True, timeout=timedelta(seconds=LOOK_TIMEOUT_SECONDS)
        )
    except RPCError:
        return None
    now = datetime.now(UTC)
    ages = [
        max(0.0, (now - poller.last_access_time.ToDatetime(UTC)).total_seconds())
        for poller in response.pollers
    ]
    return WorkerPresence(client.namespace, task_queue, min(ages) if ages else None)
