"""Fixtures for integration tests: a caller worker in namespace ``default`` that runs untyped Nexus calls."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from temporalio.worker import Worker

from harness.suite import Suite
from harness.workers import WorkerProcess
from tests.integration.untyped_caller import NexusCall, UntypedCallerWorkflow


class NexusCaller:
    """Runs one Nexus operation from a workflow in ``default``, as the orchestrator would."""

    def __init__(self, stack: Suite, task_queue: str) -> None:
        self._stack = stack
        self._task_queue = task_queue

    async def __call__(self, endpoint: str, operation: str, input: dict[str, Any]) -> dict[str, Any]:
        return await self._stack.client.execute_workflow(
            UntypedCallerWorkflow.run,
            NexusCall(endpoint=endpoint, operation=operation, input=input),
            id=f"caller-{uuid.uuid4()}",
            task_queue=self._task_queue,
        )


@pytest.fixture(scope="session")
async def nexus_caller(stack: Suite, tool_workers: dict[str, WorkerProcess]) -> AsyncIterator[NexusCaller]:
    task_queue = f"test-caller-{uuid.uuid4()}"
    async with Worker(stack.client, task_queue=task_queue, workflows=[UntypedCallerWorkflow]):
        yield NexusCaller(stack, task_queue)
