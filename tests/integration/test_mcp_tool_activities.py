"""The MCP activities against a real MCP server (``tests.support.mcp_test_server``), over stdio and over
streamable HTTP: the tools it lists, what its tools answer, and the errors a caller reacts to. The
activities run in the SDK's ``ActivityEnvironment``; no workflow is involved."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from mcp import types as mcp_types
from temporalio.exceptions import ApplicationError

from harness.paths import REPO_ROOT
from harness.server import free_port, port_in_use
from orchestrator.mcp_tools.activities import (
    MCP_SERVER_UNKNOWN,
    MCP_SERVER_UNREACHABLE,
    MCP_TOOL_ERROR,
    McpToolActivities,
    McpToolCall,
)
from orchestrator.mcp_tools.settings import McpServerConfig
from shared.payload_limits import CUT, MAX_KEPT_BYTES, PREVIEW
from tests.support.activity_environment import recording_environment
from tests.support.mcp_test_server import HTTP_PATH, TOOLS_PER_PAGE, build_server
from tests.support.waiting import eventually

SERVER_MODULE = "tests.support.mcp_test_server"
TRANSPORTS = ["stdio", "http"]


@pytest.fixture(scope="module")
async def http_url() -> AsyncIterator[str]:
    """The test server over streamable HTTP, in a process of its own on a free port, stopped at the end."""
    port = free_port()
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        SERVER_MODULE,
        "--http",
        str(port),
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await eventually(lambda: port_in_use(port), within=20, what=f"the MCP test server on port {port}")
        yield f"http://127.0.0.1:{port}{HTTP_PATH}"
    finally:
        server.terminate()
        try:
            await asyncio.wait_for(server.wait(), timeout=10)
        except TimeoutError:
            server.kill()
            await server.wait()


@pytest.fixture(scope="module")
def activities(http_url: str) -> McpToolActivities:
    return McpToolActivities(
        [
            McpServerConfig(name="stdio", command=[sys.executable, "-m", SERVER_MODULE], cwd=str(REPO_ROOT)),
            McpServerConfig(name="http", url=http_url),
            McpServerConfig(name="down", url=f"http://127.0.0.1:{free_port()}{HTTP_PATH}"),
            McpServerConfig(name="gone", command=[str(REPO_ROOT / "no-such-mcp-server")]),
            McpServerConfig(
                name="impatient",
                command=[sys.executable, "-m", SERVER_MODULE],
                cwd=str(REPO_ROOT),
                timeout_seconds=2,
            ),
        ]
    )


@pytest.fixture(scope="module")
async def declared() -> dict[str, mcp_types.Tool]:
    """The test server's tools, by name, as its ``MCPServer`` declares them (asked in-process)."""
    return {tool.name: tool for tool in await build_server().list_tools()}


async def call(activities: McpToolActivities, server: str, tool: str, **arguments: object) -> dict[str, Any]:
    environment, _ = recording_environment()
    return await environment.run(
        activities.call_mcp_tool, McpToolCall(server=server, tool=tool, arguments=arguments, call_id="c-1")
    )


async def failure_of(
    activities: McpToolActivities, server: str, tool: str, **arguments: object
) -> ApplicationError:
    with pytest.raises(ApplicationError) as raised:
        await call(activities, server, tool, **arguments)
    return raised.value


@pytest.mark.parametrize("server", TRANSPORTS)
async def test_the_listed_tools_are_the_servers_own_on_every_page(
    activities: McpToolActivities, declared: dict[str, mcp_types.Tool], server: str
) -> None:
    environment, _ = recording_environment()

    specs = await environment.run(activities.list_mcp_tools, server)

    assert len(declared) > TOOLS_PER_PAGE  # the server sends more than one page
    assert [spec.name for spec in specs] == list(declared)
    for spec in specs:
        tool = declared[spec.name]
        assert (spec.description, spec.input_schema, spec.output_schema) == (
            tool.description,
            tool.input_schema,
            tool.output_schema,
        )


@pytest.mark.parametrize("server", TRANSPORTS)
async def test_a_tools_text_answer_is_the_content(activities: McpToolActivities, server: str) -> None:
    answer = await call(activities, server, "shout", text="hello")

    assert answer == {"content": "HELLO", "structured": {"result": "HELLO"}}


@pytest.mark.parametrize("server", TRANSPORTS)
async def test_a_tools_structured_answer_comes_with_its_text(
    activities: McpToolActivities, server: str
) -> None:
    answer = await call(activities, server, "word_count", text="the quick brown fox")

    assert answer == {"content": "4", "structured": {"result": 4}}


@pytest.mark.parametrize("server", TRANSPORTS)
async def test_an_answer_too_large_for_a_payload_is_cut_with_a_note(
    activities: McpToolActivities, server: str
) -> None:
    answer = await call(activities, server, "big", characters=3 * 1024 * 1024)

    assert len(json.dumps(answer)) <= MAX_KEPT_BYTES
    assert answer[CUT].startswith("[cut: the result was ")
    assert answer[PREVIEW].startswith('{"content": "xxx')


@pytest.mark.parametrize("server", TRANSPORTS)
async def test_a_tools_own_error_fails_for_good_with_its_reason(
    activities: McpToolActivities, server: str
) -> None:
    error = await failure_of(activities, server, "fail", reason="the disk is full")

    assert error.type == MCP_TOOL_ERROR
    assert error.non_retryable
    assert "the disk is full" in error.message


@pytest.mark.parametrize("server", TRANSPORTS)
async def test_a_slow_tool_call_heartbeats_while_the_server_works(
    activities: McpToolActivities, server: str
) -> None:
    environment, heartbeats = recording_environment()

    answer = await environment.run(
        activities.call_mcp_tool,
        McpToolCall(server=server, tool="slow", arguments={"seconds": 3}, call_id="c-2"),
    )

    assert answer["content"] == "slept"
    assert len(heartbeats) >= 1


async def test_an_unknown_server_fails_for_good_naming_the_servers_there_are(
    activities: McpToolActivities,
) -> None:
    error = await failure_of(activities, "nonesuch", "shout", text="hi")

    assert error.type == MCP_SERVER_UNKNOWN
    assert error.non_retryable
    assert "'nonesuch'" in error.message
    assert "stdio, http" in error.message


async def test_a_url_where_nothing_listens_is_unreachable_and_retryable(
    activities: McpToolActivities,
) -> None:
    environment, _ = recording_environment()

    with pytest.raises(ApplicationError) as raised:
        await environment.run(activities.list_mcp_tools, "down")

    assert raised.value.type == MCP_SERVER_UNREACHABLE
    assert not raised.value.non_retryable
    assert raised.value.message.startswith("The MCP server 'down' (streamable HTTP) is unreachable: ")
    assert "Traceback" not in raised.value.message


async def test_a_command_that_cannot_start_is_unreachable_and_retryable(
    activities: McpToolActivities,
) -> None:
    error = await failure_of(activities, "gone", "shout", text="hi")

    assert error.type == MCP_SERVER_UNREACHABLE
    assert not error.non_retryable
    assert "The MCP server 'gone' (stdio: " in error.message
    assert "No such file or directory" in error.message


async def test_a_server_that_does_not_answer_within_its_timeout_is_unreachable(
    activities: McpToolActivities,
) -> None:
    started = time.monotonic()

    error = await failure_of(activities, "impatient", "slow", seconds=30)

    assert time.monotonic() - started < 10
    assert error.type == MCP_SERVER_UNREACHABLE
    assert not error.non_retryable
    assert "no answer within 2 s" in error.message
