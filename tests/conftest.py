"""Session fixtures: one real dev server, the two tool-team worker processes, and orchestrator workers
(one with the offline model, one whose model is a scripted OpenAI-compatible server on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from scripts.llm_stub import LlmStub
from scripts.localstack import wait_for_pollers
from scripts.processes import WorkerProcess
from shared.topology import load_topology
from tests.support.stack import Stack, start_stack

STUB_LLM_TASK_QUEUE = "orchestrator-stub-llm"


@pytest.fixture(scope="session")
async def stack() -> AsyncIterator[Stack]:
    stack = await start_stack()
    try:
        yield stack
    finally:
        await stack.environment.shutdown()


async def start_polling(
    stack: Stack, module: str, namespace: str, task_queue: str, env: dict[str, str]
) -> WorkerProcess:
    """Start a worker process and wait until it polls its task queue."""
    worker = WorkerProcess(module, {**stack.worker_env, **env}).start()
    try:
        await wait_for_pollers(stack.client, namespace, task_queue)
    except Exception:
        worker.stop()
        raise AssertionError(f"{module} did not start:\n{worker.log()}") from None
    return worker


@pytest.fixture(scope="session")
async def tool_workers(stack: Stack) -> AsyncIterator[dict[str, WorkerProcess]]:
    topology = load_topology()
    workers = {
        team: await start_polling(stack, f"{team}_service.worker", site.namespace, site.task_queue, {})
        for team, site in topology.tool_services.items()
    }
    try:
        yield workers
    finally:
        for worker in workers.values():
            worker.stop()


@pytest.fixture(scope="session")
async def orchestrator_worker(
    stack: Stack, tool_workers: dict[str, WorkerProcess]
) -> AsyncIterator[WorkerProcess]:
    """The orchestrator worker with the offline model, on the topology's task queue."""
    site = load_topology().orchestrator
    worker = await start_polling(
        stack, "orchestrator.worker", site.namespace, site.task_queue, {"AGENT_MODEL": ""}
    )
    try:
        yield worker
    finally:
        worker.stop()


@pytest.fixture(scope="session")
def llm_stub() -> Iterator[LlmStub]:
    stub = LlmStub().start()
    try:
        yield stub
    finally:
        stub.stop()


@pytest.fixture(scope="session")
async def stub_llm_worker(
    stack: Stack, tool_workers: dict[str, WorkerProcess], llm_stub: LlmStub
) -> AsyncIterator[WorkerProcess]:
    """An orchestrator worker whose model is the scripted server, reached through litellm's OpenAI provider."""
    env = {
        "AGENT_MODEL": "openai/stub-model",
        "AGENT_API_BASE": llm_stub.base_url,
        "AGENT_API_KEY": "stub-key-not-a-secret",
        "AGENT_LLM_TIMEOUT": "10",
        "ORCHESTRATOR_TASK_QUEUE": STUB_LLM_TASK_QUEUE,
    }
    namespace = load_topology().orchestrator.namespace
    worker = await start_polling(stack, "orchestrator.worker", namespace, STUB_LLM_TASK_QUEUE, env)
    try:
        yield worker
    finally:
        worker.stop()
