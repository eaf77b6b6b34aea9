"""A session with one MCP server, over the transport its settings name.

It is the SDK's ``Client``, connected and past the handshake: it agrees on the protocol version with the
server (``server/discover`` for 2026 servers, ``initialize`` for older ones), and its ``call_tool`` handles
what that protocol asks of a client (re-listing a tool the server says is stale, further input rounds).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx2
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from orchestrator.mcp_tools.settings import McpServerConfig


@asynccontextmanager
async def open_session(config: McpServerConfig) -> AsyncIterator[Client]:
    """A session with the server ``config`` names; a stdio server runs until the session ends.

    Enter and leave it in one task: the SDK's transports are anyio task groups.
    """
    if config.command is not None:
        program, *arguments = config.command
        server = StdioServerParameters(command=program, args=arguments, env=config.env, cwd=config.cwd)
        async with Client(server) as client:
            yield client
        return
    assert config.url is not None  # a config has a command or a url
    async with (
        httpx2.AsyncClient(headers=config.headers, timeout=config.timeout_seconds) as http,
        Client(streamable_http_client(config.url, http_client=http)) as client,
    ):
        yield client
