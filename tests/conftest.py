"""Session fixtures, all brought up by the local-stack harness: one real dev server, a worker process per
tool team of the topology, and orchestrator workers (one with the offline model, one whose model is a
scripted OpenAI-compatible server on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from harness.llm_stub import LlmStub
from harness.suite import Suite, offline_settings, running_suite
from harness.workers import WorkerProcess, orchestrator_on, topology_workers
from shared.encryption.settings import KEYS_FILE_VARIABLE
from shared.topology import ORCHESTRATOR, load_topology

STUB_LLM_TASK_QUEUE = "orchestrator-stub-llm"


@pytest.fixture(scope="session")
def ticket_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The IT team's ticket ledger for this test session."""
    return tmp_path_factory.mktemp("it-ledger") / "tickets.db"


@pytest.fixture(scope="session")
async def stack(tmp_path_factory: pytest.TempPathFactory, ticket_db: Path) -> AsyncIterator[Suite]:
    """The dev server, provisioned for the topology, with no worker yet (the fixtures below start them).
    Payloads are encrypted; the test process's own clients (``shared.connection``) use the suite's keys too."""
    settings = offline_settings(ticket_db)
    async with running_suite(tmp_path_factory.mktemp("stack"), env=settings, workers=[]) as suite:
        with pytest.MonkeyPatch.context() as environment:
            environment.setenv(KEYS_FILE_VARIABLE, suite.base_env[KEYS_FILE_VARIABLE])
            yield suite


@pytest.fixture(scope="session")
async def tool_workers(stack: Suite) -> dict[str, WorkerProcess]:
    """A worker per tool team, by team name. Tests that crash one must leave it running again."""
    specs = topology_workers(load_topology())
    return {team: await stack.start_worker(specs[team]) for team in load_topology().tool_services}


@pytest.fixture(scope="session")
async def orchestrator_worker(stack: Suite, tool_workers: dict[str, WorkerProcess]) -> WorkerProcess:
    """The orchestrator worker with the offline model, on the topology's task queue."""
    return await stack.start_worker(topology_workers(load_topology())[ORCHESTRATOR])


@pytest.fixture(scope="session")
def llm_stub() -> Iterator[LlmStub]:
    stub = LlmStub().start()
    try:
        yield stub
    finally:
        stub.stop()


STUB_LLM_TIMEOUT_SECONDS = 3
"""How long the stubbed worker's model call may take (``AGENT_LLM_TIMEOUT``)."""


@pytest.fixture(scope="session")
async def stub_llm_worker(
    stack: Suite, tool_workers: dict[str, WorkerProcess], llm_stub: LlmStub
) -> WorkerProcess:
    """An orchestrator worker whose model is the scripted server, reached through litellm's OpenAI provider."""
    stubbed = orchestrator_on(
        STUB_LLM_TASK_QUEUE,
        **llm_stub.model_settings(),
        AGENT_LLM_TIMEOUT=str(STUB_LLM_TIMEOUT_SECONDS),
    )
    return await stack.start_worker(stubbed)
