"""Tool services failing for real: a bug fixed by a redeploy, a worker killed mid-tool, a team down for a
while, an endpoint missing, a service failing again and again. Real worker processes, the real dev server."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

from harness.chaos import tickets_titled
from harness.llm_stub import LlmStub, completion
from harness.suite import Suite
from harness.workers import WorkerProcess
from orchestrator.conversation import Conversation
from orchestrator.models import AgentInput
from shared.topology import load_topology
from tests.conftest import STUB_LLM_TASK_QUEUE
from tests.support.faulty_providers import BROKEN_CALLS_FILE
from tests.support.waiting import eventually

TSLA_AND_DEMO = "What is the stock price of TSLA and the JIRA metrics for project DEMO?"


async def test_a_tool_bug_fixed_by_a_redeploy_reuses_the_stored_plan(
    stack: Suite,
    stub_llm_worker: WorkerProcess,
    tool_workers: dict[str, WorkerProcess],
    llm_stub: LlmStub,
    tmp_path: Path,
) -> None:
    finance = tool_workers["finance"]
    calls = tmp_path / "broken-calls.txt"
    buggy_release = {
        "FINANCE_QUOTE_PROVIDER": "tests.support.faulty_providers:BrokenQuoteProvider",
        BROKEN_CALLS_FILE: str(calls),
    }
    await finance.restart(env=buggy_release)
    llm_stub.script(
        completion(tool_calls=[("call_1", "finance__stock_price", '{"ticker": "AAPL"}')]),
        completion("AAPL is at 268.47."),
    )
    try:
        chat = await Conversation.start(stack.client, task_queue=STUB_LLM_TASK_QUEUE)
        turn = asyncio.create_task(chat.send("AAPL?"))
        await eventually(
            lambda: calls.exists() and len(calls.read_text().split()) >= 2,
            what="the buggy tool failed and was retried",
        )
    finally:
        await finance.restart(env={})  # the fixed release
    reply = await asyncio.wait_for(turn, timeout=60)

    assert reply.text == "AAPL is at 268.47."
    assert [(call.tool, call.ok, (call.result or {}).get("price")) for call in reply.tool_calls] == [
        ("stock_price", True, 268.47)
    ]
    assert len(llm_stub.requests) == 2, "the model was asked to plan again"


async def test_the_it_worker_killed_mid_tool_finishes_the_call_once_after_a_restart(
    stack: Suite, orchestrator_worker: WorkerProcess, tool_workers: dict[str, WorkerProcess], ticket_db: Path
) -> None:
    it = tool_workers["it"]
    slow_ledger = {"IT_TICKET_LEDGER": "tests.support.faulty_providers:SlowTicketLedger"}
    await it.restart(env=slow_ledger)
    title = f"Badge reader broken {uuid.uuid4().hex[:8]}"
    try:
        chat = await Conversation.start(stack.client)
        turn = asyncio.create_task(chat.send_approving(f"Open a ticket titled '{title}'", approver="test"))
        await eventually(lambda: tickets_titled(ticket_db, title) == 1, what="the ticket row is written")
        it.kill()  # after the write, before the activity completes
        await it.start()
        reply = await asyncio.wait_for(turn, timeout=60)
    finally:
        await it.restart(env={})  # the usual ledger

    assert [(call.tool, call.ok) for call in reply.tool_calls] == [("create_ticket", True)]
    assert (reply.tool_calls[0].result or {}).get("title") == title
    assert tickets_titled(ticket_db, title) == 1, "the retried call made a second ticket"


async def test_a_team_down_for_ten_seconds_answers_the_call_once_it_is_back(
    stack: Suite, orchestrator_worker: WorkerProcess, tool_workers: dict[str, WorkerProcess]
) -> None:
    chat = await Conversation.start(stack.client)
    first = await chat.send("What is my IP address?")
    assert first.unavailable_services == [], "discovery must be done with both teams up"
    finance = tool_workers["finance"]
    finance.stop()
    try:
        started = time.monotonic()
        turn = asyncio.create_task(chat.send("What is the stock price of META?"))
        await asyncio.sleep(10)
        assert not turn.done()
    finally:
        await finance.start()
    reply = await asyncio.wait_for(turn, timeout=60)

    assert [(call.tool, call.ok) for call in reply.tool_calls] == [("stock_price", True)]
    assert "611.48" in reply.text
    assert time.monotonic() - started >= 10


async def test_a_missing_endpoint_at_start_degrades_the_agent_which_says_so_and_recovers(
    stack: Suite, orchestrator_worker: WorkerProcess
) -> None:
    site = load_topology().tool_service("finance")
    await stack.delete_endpoint(site)
    try:
        chat = await Conversation.start(stack.client)
        degraded = await asyncio.wait_for(chat.send(TSLA_AND_DEMO), timeout=30)
    finally:
        await stack.create_endpoint(site)

    assert degraded.unavailable_services == ["finance"]
    assert f"its Nexus endpoint '{site.endpoint}' does not exist" in degraded.text
    assert [(call.tool, call.ok) for call in degraded.tool_calls] == [("get_jira_metrics", True)]
    recovered = await asyncio.wait_for(chat.send("What is the stock price of TSLA?"), timeout=30)
    assert recovered.unavailable_services == []
    assert [(call.tool, call.ok) for call in recovered.tool_calls] == [("stock_price", True)]


async def test_repeated_failures_of_a_service_are_told_to_the_model_at_once(
    stack: Suite, orchestrator_worker: WorkerProcess, tool_workers: dict[str, WorkerProcess]
) -> None:
    chat = await Conversation.start(stack.client, agent_input=AgentInput(tool_timeout_seconds=1.5))
    discovered = await chat.send("What is my IP address?")
    assert discovered.unavailable_services == [], "the test needs discovery done with both teams up"
    finance = tool_workers["finance"]
    finance.stop()
    try:
        failures = [await chat.send("What is the stock price of MSFT?") for _ in range(3)]
        started = time.monotonic()
        refused = await chat.send("What is the stock price of MSFT?")
        refused_in = time.monotonic() - started
    finally:
        await finance.start()

    assert all(not reply.tool_calls[0].ok for reply in failures)
    assert "timed out" in (failures[0].tool_calls[0].error or "")
    assert "failed 3 times in a row" in (refused.tool_calls[0].error or "")
    assert refused_in < 1.0, "an open circuit must answer at once, not wait for the timeout"
