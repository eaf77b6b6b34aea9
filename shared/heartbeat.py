"""Heartbeating while long work runs inside an activity, so a dead worker is noticed within the heartbeat
timeout instead of the whole start-to-close timeout; and, in the attempt that follows, the workflow freed
from the worker that may have died with the attempt before."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from temporalio import activity
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import ResetStickyTaskQueueRequest
from temporalio.service import RPCError

from shared.log import get_logger

T = TypeVar("T")


async def heartbeating(work: Awaitable[T], every_seconds: float) -> T:
    """Await ``work``, heartbeating every ``every_seconds`` until it is done (or cancelled). In a retried
    attempt, first ``release_sticky_workflow``."""
    await release_sticky_workflow()
    task = asyncio.ensure_future(work)
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=every_seconds)
            if done:
                return task.result()
            activity.heartbeat()
    finally:
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def release_sticky_workflow() -> None:
    """In an attempt after the first: tell the server to send this activity's workflow its next task on its
    task queue, where any of its workers takes it, not on the sticky queue of the worker that ran it before.

    An activity that starts eagerly runs in the process of the worker that scheduled it, so a SIGKILL loses
    the attempt and the workflow's cached state together. Without this, the retried attempt's completion
    would wait out the sticky queue's timeout (seconds) for a worker that is gone. When that worker is
    alive (the attempt failed for another reason), it costs one replay of the workflow's history."""
    info = activity.info()
    if info.attempt <= 1 or info.is_local or not (info.workflow_id and info.workflow_run_id):
        return
    request = ResetStickyTaskQueueRequest(
        namespace=info.namespace,
        execution=WorkflowExecution(workflow_id=info.workflow_id, run_id=info.workflow_run_id),
    )
    try:
        await activity.client().workflow_service.reset_sticky_task_queue(request)
    except RPCError as error:  # the attempt goes on: at worst its workflow waits for the sticky timeout
        get_logger(__name__).warning("could not release the workflow's sticky queue", error=error.message)
