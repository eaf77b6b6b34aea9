"""A tiny real MCP server for the tests of the agent's MCP client: four tools, served over stdio (the
default) or streamable HTTP on 127.0.0.1 at ``/mcp``. It lists its tools two to a page, so a client that
does not follow ``nextCursor`` misses some.

    python -m tests.support.mcp_test_server             # stdio
    python -m tests.support.mcp_test_server --http 8765 # http://127.0.0.1:8765/mcp
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

SERVER_NAME = "agent-test-tools"
HTTP_PATH = "/mcp"
TOOLS_PER_PAGE = 2


async def list_tools_in_pages(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
    """Middleware: cut ``tools/list`` into pages (the result as it goes on the wire); the cursor is the index
    of a page's first tool."""
    result = await call_next(ctx)
    if ctx.method != "tools/list" or not isinstance(result, dict):
        return result
    tools = result["tools"]
    start = int((ctx.params or {}).get("cursor") or 0)
    end = start + TOOLS_PER_PAGE
    page = {**result, "tools": tools[start:end]}
    if end < len(tools):
        page["nextCursor"] = str(end)
    return page


def build_server() -> MCPServer:
    server: MCPServer = MCPServer(SERVER_NAME, log_level="WARNING", middleware=[list_tools_in_pages])

    @server.tool(description="Count the words in a text (separated by whitespace).")
    def word_count(text: str) -> int:
        return len(text.split())

    @server.tool(description="Return the text in upper case.")
    def shout(text: str) -> str:
        return text.upper()

    @server.tool(description="Always fail, with the reason given (to test a tool's own error).")
    def fail(reason: str) -> str:
        raise ToolError(reason)

    @server.tool(description="Answer a text of the given number of characters ('x' repeated).")
    def big(characters: int) -> str:
        return "x" * characters

    @server.tool(description="Sleep for some seconds, then answer 'slept'.")
    async def slow(seconds: float) -> str:
        await asyncio.sleep(seconds)
        return "slept"

    return server


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the test MCP tools over stdio, or HTTP with --http.")
    parser.add_argument("--http", type=int, metavar="PORT", help="serve streamable HTTP on 127.0.0.1:PORT")
    arguments = parser.parse_args(argv)
    server = build_server()
    if arguments.http is None:
        server.run("stdio")
    else:
        server.run("streamable-http", host="127.0.0.1", port=arguments.http, streamable_http_path=HTTP_PATH)


if __name__ == "__main__":
    main()
