"""The Temporal server itself restarted mid-conversation (persistent SQLite database): the conversation
goes on where it was. This test runs its own dev server, since it stops it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from orchestrator.conversation import Conversation
from scripts.localstack import LocalStack, free_port, setup, wait_for_pollers
from scripts.processes import WorkerProcess
from shared.connection import connect
from shared.topology import load_topology

WORKERS = ("it_service.worker", "finance_service.worker", "orchestrator.worker")


@pytest.fixture
async def own_stack(tmp_path: Path) -> AsyncIterator[tuple[LocalStack, list[WorkerProcess]]]:
    stack = LocalStack(tmp_path / "stack")
    state = stack.start(free_port(), free_port())
    setup(state.address)
    env = {
        "TEMPORAL_ADDRESS": state.address,
        "TEMPORAL_NAMESPACE": "",
        "IT_TICKET_DB": str(tmp_path / "t.db"),
    }
    workers = [WorkerProcess(module, env).start() for module in WORKERS]
    try:
        yield stack, workers
    finally:
        for worker in workers:
            worker.stop()
        stack.stop()


async def test_a_conversation_continues_after_the_server_restarts(
    own_stack: tuple[LocalStack, list[WorkerProcess]], monkeypatch: pytest.MonkeyPatch
) -> None:
    stack, workers = own_stack
    state = stack.running()
    assert state is not None
    monkeypatch.setenv("TEMPORAL_ADDRESS", state.address)
    monkeypatch.setenv("TEMPORAL_NAMESPACE", "")
    client = await connect(load_topology().orchestrator.namespace)
    for namespace, queue in [
        ("default", "orchestrator-task-queue"),
        ("finance-namespace", "finance-task-queue"),
    ]:
        await wait_for_pollers(client, namespace, queue)
    chat = await Conversation.start(client)
    before = await chat.send("What is the stock price of TSLA?")

    stack.stop()
    restarted = stack.start(state.port, state.ui_port)
    after = await chat.send("What is the stock price of AMZN and the JIRA metrics for project OPS?")

    assert restarted.port == state.port
    assert all(worker.running() for worker in workers), "workers ride out a server restart"
    assert "402.15" in before.text
    assert "232.95" in after.text and "Operations" in after.text
    transcript = await chat.transcript()
    assert [entry.user for entry in transcript.entries] == [
        "What is the stock price of TSLA?",
        "What is the stock price of AMZN and the JIRA metrics for project OPS?",
    ]
