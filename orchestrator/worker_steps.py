"""The chat's short steps on its own worker (a token's check, a tool call's proof, the approval policy, the
service directory, the list of models) and how the workflow runs them: as activities of the orchestrator's
task queue.

They were local activities. A local activity's result can be recorded in one workflow task yet handed to the
workflow only in the next (seen when a query arrived while it ran), while a replay hands it over at once: an
update accepted in that next task then falls on the other side of the commands that follow the step, and the
replay fails as nondeterministic (``UpsertWorkflowSearchAttributesMachine does not handle ...
WorkflowExecutionUpdateAccepted``). A regular activity's result is a history event of its own, handed over
at the same point live and on replay. Chats recorded before ``WORKER_STEPS_PATCH`` replay as they ran, with
local activities.

Deterministic workflow code. The run decides the patch as its first step (``decide``), so its marker sits
at the same place in every history; later calls of ``patches.patched`` read that decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy

from orchestrator import patches

WORKER_STEPS_PATCH = "worker-steps-as-activities"

T = TypeVar("T")


def decide() -> None:
    """As the run's first step: whether this run's steps are activities (new runs) or local activities."""
    patches.patched(WORKER_STEPS_PATCH)


async def run_step(
    name: str,
    args: Sequence[Any] = (),
    *,
    result_type: type[T],
    start_to_close: timedelta,
    retry_policy: RetryPolicy | None = None,
) -> T:
    """Run the worker step ``name`` with ``args``; its failure comes as the activity's."""
    if patches.patched(WORKER_STEPS_PATCH):
        return await workflow.execute_activity(
            name,
            args=args,
            start_to_close_timeout=start_to_close,
            retry_policy=retry_policy,
            result_type=result_type,
        )
    return await workflow.execute_local_activity(
        name,
        args=args,
        start_to_close_timeout=start_to_close,
        retry_policy=retry_policy,
        result_type=result_type,
    )
