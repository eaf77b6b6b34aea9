"""The Temporal server itself restarted mid-conversation (persistent SQLite database): the conversation
goes on where it was. This test runs its own dev server, since it stops it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from harness.suite import Suite, offline_settings, running_suite
from orchestrator.conversation import Conversation


@pytest.fixture
async def own_suite(tmp_path: Path) -> AsyncIterator[Suite]:
    """A dev server of this test's own with a worker per part of the topology, all stopped at the end whatever happens."""
    async with running_suite(tmp_path / "stack", env=offline_settings(tmp_path / "tickets.db")) as suite:
        yield suite


async def test_a_conversation_continues_after_the_server_restarts(own_suite: Suite) -> None:
    server, state = own_suite.server, own_suite.state
    chat = await Conversation.start(own_suite.client)
    before = await chat.send("What is the stock price of TSLA?")

    server.stop()
    restarted = server.start(state.port, state.ui_port, state.http_port, outlive_caller=False)
    after = await chat.send("What is the stock price of AMZN and the JIRA metrics for project OPS?")

    assert restarted.port == state.port
    assert all(worker.running() for worker in own_suite.workers.values()), "workers ride out a server restart"
    assert "402.15" in before.text
    assert "232.95" in after.text and "Operations" in after.text
    transcript = await chat.transcript()
    assert [entry.user for entry in transcript.entries] == [
        "What is the stock price of TSLA?",
        "What is the stock price of AMZN and the JIRA metrics for project OPS?",
    ]
