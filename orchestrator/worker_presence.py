"""Is an orchestrator worker there to take a chat's messages, and one to run its activities (its model calls)?
The server knows who polls a task queue (``DescribeTaskQueue``): a live worker polls again at least once a
minute, while a stopped one stays listed for minutes, its last poll getting older. So no poller, or none within
``LIVE_POLL_SECONDS``, means no worker; a recent poller is only probably alive. A chat client asks before it
sends and while it waits, and says what to start instead of waiting forever. The chats' queue is asked for
workflow pollers, then for activity pollers: a deployment by role (``ORCHESTRATOR_WORKER_ROLE``) may run one
kind without the other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client
from temporalio.service import RPCError

from orchestrator.settings import ROLE_VARIABLE, TASK_QUEUE_VARIABLE
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
    activities: bool = False
    """Whether these are the pollers of the chats' activities (a worker of role ``activities`` or ``all``),
    not of their workflows."""

    @property
    def absent(self) -> bool:
        """Certainly no worker: none listed, or none polled within ``LIVE_POLL_SECONDS``."""
        return self.last_poll_seconds is None or self.last_poll_seconds > LIVE_POLL_SECONDS

    def advice(self) -> str:
        """One sentence: which worker is missing and the command that starts it."""
        where = f"task queue {self.task_queue!r} (namespace {self.namespace})"
        worker = (
            "orchestrator worker for activities (model calls, tools)"
            if self.activities
            else "orchestrator worker"
        )
        if self.last_poll_seconds is None:
            missing = f"No {worker} polls {where}"
        elif self.absent:
            missing = f"No {worker} has polled {where} for {self.last_poll_seconds:.0f} s"
        else:
            work = "activities" if self.activities else "messages"
            missing = (
                f"No {worker} takes {work} on {where}: the last one seen polled "
                f"{self.last_poll_seconds:.0f} s ago and may have stopped"
            )
        return f"{missing}. Start one: {start_command(self.task_queue, self.activities)}."


def start_command(task_queue: str, activities: bool = False) -> str:
    """How to start a worker for the chats of ``task_queue`` (with ``activities``, one for their activities):
    the topology's queue needs no setting; the whole local suite starts with ``scripts/demo``."""
    role = f"{ROLE_VARIABLE}=activities " if activities else ""
    if task_queue == load_topology().orchestrator.task_queue:
        anything = (
            "`python -m orchestrator.worker`, which runs both kinds"
            if activities
            else "the whole local suite: `scripts/demo`"
        )
        return f"`{role}python -m orchestrator.worker` (or {anything})"
    return f"`{role}{TASK_QUEUE_VARIABLE}={task_queue} python -m orchestrator.worker`"


async def worker_presence(client: Client, task_queue: str) -> WorkerPresence | None:
    """Who works on the chats of ``task_queue`` in the client's namespace: its workflow pollers, and, when
    some are there, its activity pollers; the first of the two found absent, else the workflows'. None when
    the server does not say (no permission to describe task queues, or no answer in ``LOOK_TIMEOUT_SECONDS``)."""
    chats = await _pollers(client, task_queue, TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW)
    if chats is None or chats.absent:
        return chats
    activities = await _pollers(client, task_queue, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)
    return activities if activities is not None and activities.absent else chats


async def _pollers(client: Client, task_queue: str, kind: TaskQueueType.ValueType) -> WorkerPresence | None:
    request = DescribeTaskQueueRequest(
        namespace=client.namespace, task_queue=TaskQueue(name=task_queue), task_queue_type=kind
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
    return WorkerPresence(
        client.namespace,
        task_queue,
        min(ages) if ages else None,
        activities=kind == TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    )
