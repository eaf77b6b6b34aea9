"""Session fixtures: one real dev server and the two tool-team worker processes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from scripts.processes import WorkerProcess
from tests.support.stack import Stack, start_stack


@pytest.fixture(scope="session")
async def stack() -> AsyncIterator[Stack]:
    stack = await start_stack()
    try:
        yield stack
    finally:
        await stack.environment.shutdown()


@pytest.fixture(scope="session")
def tool_workers(stack: Stack) -> Iterator[dict[str, WorkerProcess]]:
    workers = {
        "it": WorkerProcess("it_service.worker", stack.worker_env).start(),
        "finance": WorkerProcess("finance_service.worker", stack.worker_env).start(),
    }
    try:
        yield workers
    finally:
        for worker in workers.values():
            worker.stop()
