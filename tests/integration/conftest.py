"""Fixtures for integration tests: a caller worker in namespace ``default`` that runs untyped Nexus calls."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from temporalio.worker import Worker

from tests.integration.untyped_caller import NexusCall, UntypedCallerWorkflow
from tests.support.stack import Stack
from tests.support.workers import PollingWorker


class NexusCaller:
    """Runs one Nexus operation from a workflow in ``default``, as the orchestrator would."""

    def __init__(self, stack: Stack, task_queue: str) -> None:
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
async def nexus_caller(stack: Stack, tool_workers: dict[str, PollingWorker]) -> AsyncIterator[NexusCaller]:
    task_queue = f"test-caller-{uuid.uuid4()}"
    async with Worker(stack.client, task_queue=task_queue, workflows=[UntypedCallerWorkflow]):
        yield NexusCaller(stack, task_queue)
