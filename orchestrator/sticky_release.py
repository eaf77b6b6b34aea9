"""A retried activity frees its chat from the worker that may have died with the attempt before.

In a process that runs both the chats' workflows and their activities (role ``all``), an activity a chat
schedules starts eagerly in that same process, so a SIGKILL loses the attempt and the chat's cached state
together. The server notices the lost attempt (a heartbeat timeout, or the start-to-close timeout) and
retries it elsewhere, but would then send the chat's next workflow task to the dead worker's sticky queue and
wait out its timeout (``STICKY_QUEUE_TIMEOUT``). So every attempt after the first tells the server, while it
runs, to send that workflow's next task to its task queue, where any live worker takes it
(``ResetStickyTaskQueue``). When the earlier attempt failed for another reason and its worker is alive, this
costs one replay of the chat's history by whichever worker takes the task.

An interceptor of the orchestrator's chats worker; the tool teams' workers keep no workflow cached, so they
have no sticky queue to free.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from temporalio import activity
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import ResetStickyTaskQueueRequest
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

from shared.log import get_logger

RELEASE_TIMEOUT = timedelta(seconds=2)
"""How long the request may take: it runs beside the attempt, which waits for it only at its end."""


class StickyRelease(Interceptor):
    """Frees the workflow of every retried activity attempt from its sticky queue (see the module)."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _ReleasingInbound(next)


class _ReleasingInbound(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        info = activity.info()
        if info.attempt <= 1 or info.is_local or not (info.workflow_id and info.workflow_run_id):
            return await self.next.execute_activity(input)
        release = asyncio.ensure_future(
            release_sticky_workflow(info.namespace, info.workflow_id, info.workflow_run_id)
        )
        try:
            return await self.next.execute_activity(input)
        finally:
            # Done before the attempt completes, so that the workflow task its completion makes is not
            # scheduled on the sticky queue first.
            await release


async def release_sticky_workflow(namespace: str, workflow_id: str, run_id: str) -> None:
    """Ask the server to send the workflow's next task to its task queue, not to its sticky queue; a failure
    is logged, never raised: at worst the workflow waits for the sticky queue's timeout."""
    request = ResetStickyTaskQueueRequest(
        namespace=namespace, execution=WorkflowExecution(workflow_id=workflow_id, run_id=run_id)
    )
    try:
        await activity.client().workflow_service.reset_sticky_task_queue(request, timeout=RELEASE_TIMEOUT)
    except Exception as error:  # best effort: the attempt itself goes on either way
        get_logger(__name__).warning("could not free the workflow from its sticky queue", error=str(error))
