"""Session fixtures: one real dev server, the two tool-team worker processes, and orchestrator workers
(one with the offline model, one whose model is a scripted OpenAI-compatible server on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from scripts.llm_stub import LlmStub
from scripts.localstack import ORCHESTRATOR, worker_module
from scripts.processes import WorkerProcess
from shared.topology import load_topology
from tests.support.stack import Stack, start_stack
from tests.support.workers import PollingWorker

STUB_LLM_TASK_QUEUE = "orchestrator-stub-llm"


@pytest.fixture(scope="session")
async def stack() -> AsyncIterator[Stack]:
    stack = await start_stack()
    try:
        yield stack
    finally:
        await stack.environment.shutdown()


async def start_worker(
    stack: Stack, module: str, namespace: str, task_queue: str, env: dict[str, str]
) -> PollingWorker:
    """Start a worker process and wait until it polls its task queue."""
    process = WorkerProcess(module, {**stack.worker_env, **env})
    return await PollingWorker(stack, process, namespace, task_queue).start()


@pytest.fixture(scope="session")
def ticket_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The IT team's ticket ledger for this test session."""
    return tmp_path_factory.mktemp("it-ledger") / "tickets.db"


def tool_worker_env(team: str, ticket_db: Path) -> dict[str, str]:
    return {"IT_TICKET_DB": str(ticket_db)} if team == "it" else {}


@pytest.fixture(scope="session")
async def tool_workers(stack: Stack, ticket_db: Path) -> AsyncIterator[dict[str, PollingWorker]]:
    """The IT and Finance workers, by team name. Tests that crash one must leave it running again."""
    async with AsyncExitStack() as started:
        workers: dict[str, PollingWorker] = {}
        for team, site in load_topology().tool_services.items():
            worker = await start_worker(
                stack,
                worker_module(team),
                site.namespace,
                site.task_queue,
                tool_worker_env(team, ticket_db),
            )
            started.callback(worker.stop)  # every worker started is stopped, even if a later one fails
            workers[team] = worker
        yield workers


@pytest.fixture(scope="session")
async def orchestrator_worker(
    stack: Stack, tool_workers: dict[str, PollingWorker]
) -> AsyncIterator[PollingWorker]:
    """The orchestrator worker with the offline model, on the topology's task queue."""
    site = load_topology().orchestrator
    worker = await start_worker(
        stack, worker_module(ORCHESTRATOR), site.namespace, site.task_queue, {"AGENT_MODEL": ""}
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
    stack: Stack, tool_workers: dict[str, PollingWorker], llm_stub: LlmStub
) -> AsyncIterator[PollingWorker]:
    """An orchestrator worker whose model is the scripted server, reached through litellm's OpenAI provider."""
    env = {
        "AGENT_MODEL": "openai/stub-model",
        "AGENT_API_BASE": llm_stub.base_url,
        "AGENT_API_KEY": "stub-key-not-a-secret",
        "AGENT_LLM_TIMEOUT": "3",
        "ORCHESTRATOR_TASK_QUEUE": STUB_LLM_TASK_QUEUE,
    }
    namespace = load_topology().orchestrator.namespace
    worker = await start_worker(stack, worker_module(ORCHESTRATOR), namespace, STUB_LLM_TASK_QUEUE, env)
    try:
        yield worker
    finally:
        worker.stop()
