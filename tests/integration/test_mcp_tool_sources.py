"""MCP servers as tool sources for the agent: an orchestrator worker configured (``AGENT_MCP_SERVERS``) with a
small real MCP server over stdio and one that is down. A chat discovers the server's tools at start as
``mcp-<name>__<tool>``, calls one in the same turn as a team's Nexus tool, reads a tool's refusal as a failed
call, and goes on without the server that is down. Real dev server, real workers, the scripted model."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator

import pytest

from harness.llm_stub import LlmStub, completion
from harness.paths import REPO_ROOT
from harness.server import free_port
from harness.suite import Suite
from harness.workers import WorkerProcess, orchestrator_on
from orchestrator.conversation import Conversation
from orchestrator.mcp_tools.activity_types import CALL_MCP_TOOL
from tests.integration.agent_support import activities_scheduled, nexus_schedules
from tests.support.chat_reading import tool_results

MCP_TASK_QUEUE = "orchestrator-mcp-sources"


@pytest.fixture(scope="module")
async def mcp_orchestrator(
    stack: Suite, tool_workers: dict[str, WorkerProcess], llm_stub: LlmStub
) -> AsyncIterator[WorkerProcess]:
    """An orchestrator worker of this module's own, with the scripted model, the test MCP server
    (``notes``, over stdio) and an MCP server nobody runs (``down``, a closed port)."""
    servers = {
        "mcpServers": {
            "notes": {
                "command": sys.executable,
                "args": ["-m", "tests.support.mcp_test_server"],
                "cwd": str(REPO_ROOT),
            },
            "down": {"url": f"http://127.0.0.1:{free_port()}/mcp"},
        }
    }
    worker = await stack.start_worker(
        orchestrator_on(
            MCP_TASK_QUEUE,
            **llm_stub.model_settings(),
            AGENT_LLM_TIMEOUT="3",
            AGENT_MCP_SERVERS=json.dumps(servers),
        )
    )
    yield worker
    await asyncio.to_thread(worker.stop)


async def test_a_chat_calls_an_mcp_servers_tool_in_the_same_turn_as_a_teams_tool(
    stack: Suite, mcp_orchestrator: WorkerProcess, llm_stub: LlmStub
) -> None:
    llm_stub.script(
        completion(
            tool_calls=[
                ("loud", "mcp-notes__shout", json.dumps({"text": "hello"})),
                ("quote", "finance__stock_price", json.dumps({"ticker": "MSFT"})),
            ]
        ),
        completion("HELLO, and MSFT is quoted."),
    )
    chat = await Conversation.start(stack.client, task_queue=MCP_TASK_QUEUE)

    reply = await asyncio.wait_for(chat.send("Shout hello and quote MSFT"), timeout=60)

    offered = {tool["function"]["name"]: tool["function"] for tool in llm_stub.requests[0]["tools"]}
    assert {"mcp-notes__shout", "mcp-notes__word_count", "finance__stock_price"} <= set(offered)
    assert not any(name.startswith("mcp-down__") for name in offered)
    assert offered["mcp-notes__shout"]["parameters"]["properties"]["text"]["type"] == "string"
    assert [(call.service, call.tool, call.ok) for call in reply.tool_calls] == [
        ("mcp-notes", "shout", True),
        ("finance", "stock_price", True),
    ]
    results = tool_results(llm_stub.requests[1])
    assert "HELLO" in json.dumps(results["loud"])
    assert results["quote"]["ok"] is True
    assert reply.unavailable_services == ["mcp-down"]
    assert "mcp-down" in reply.text  # the model was not told; the user is
    assert CALL_MCP_TOOL in await activities_scheduled(chat.handle)
    assert len(await nexus_schedules(chat.handle, "execute_tool")) == 1  # the team's call went over Nexus


async def test_an_mcp_tools_refusal_is_a_failed_call_the_model_reads_and_is_not_retried(
    stack: Suite, mcp_orchestrator: WorkerProcess, llm_stub: LlmStub
) -> None:
    llm_stub.script(
        completion(tool_calls=[("broken", "mcp-notes__fail", json.dumps({"reason": "the disk is full"}))]),
        completion("It failed: the disk is full."),
    )
    chat = await Conversation.start(stack.client, task_queue=MCP_TASK_QUEUE)

    reply = await asyncio.wait_for(chat.send("Try the failing tool"), timeout=60)

    (record,) = reply.tool_calls
    assert (record.service, record.tool, record.ok) == ("mcp-notes", "fail", False)
    assert "the disk is full" in (record.error or "")
    assert tool_results(llm_stub.requests[1])["broken"]["ok"] is False
    history = await chat.handle.fetch_history()
    mcp_calls = {
        event.event_id
        for event in history.events
        if event.HasField("activity_task_scheduled_event_attributes")
        and event.activity_task_scheduled_event_attributes.activity_type.name == CALL_MCP_TOOL
    }
    attempts = [
        event.activity_task_started_event_attributes.attempt
        for event in history.events
        if event.HasField("activity_task_started_event_attributes")
        and event.activity_task_started_event_attributes.scheduled_event_id in mcp_calls
    ]
    assert attempts == [1], "a tool's own refusal is not retried"
