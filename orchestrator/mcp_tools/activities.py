"""The MCP activities: which servers this worker knows, a server's tools as ``ToolSpec``s, and one tool call.

Each listing and each call opens its own session and closes it when done (a stdio server is started for it
and stopped after), within the server's ``timeout_seconds``: nothing outlives an activity, so a retry, or
another worker, starts afresh. Failures carry the types of ``activity_types``; arguments and results are
never logged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import anyio
import httpx2
from mcp import Client, MCPError
from mcp import types as mcp_types
from pydantic import ValidationError
from temporalio import activity
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from orchestrator.mcp_tools.activity_types import (
    CALL_MCP_TOOL,
    LIST_MCP_TOOLS,
    MCP_REQUEST_REJECTED,
    MCP_SERVER_UNKNOWN,
    MCP_SERVER_UNREACHABLE,
    MCP_TOOL_ERROR,
    McpToolCall,
)
from orchestrator.mcp_tools.client import open_session
from orchestrator.mcp_tools.settings import McpServerConfig
from shared.contract import ToolSpec
from shared.heartbeat import heartbeating
from shared.log import activity_context, get_logger
from shared.payload_limits import cut_result, cut_text

__all__ = [  # what the workflow needs is in activity_types, which does not load the MCP SDK
    "CALL_MCP_TOOL",
    "LIST_MCP_TOOLS",
    "MCP_REQUEST_REJECTED",
    "MCP_SERVER_UNKNOWN",
    "MCP_SERVER_UNREACHABLE",
    "MCP_TOOL_ERROR",
    "McpToolActivities",
    "McpToolCall",
]

HEARTBEAT_EVERY_SECONDS = 2.0

SERVER_TROUBLE: tuple[type[BaseException], ...] = (
    OSError,  # a command that cannot start
    httpx2.HTTPError,  # no answer at the url
    MCPError,  # the connection closed, or the server refused the handshake
    anyio.BrokenResourceError,
    anyio.ClosedResourceError,
    ValidationError,  # an answer outside the protocol
)
"""What a server that cannot be reached, or breaks off, raises from the SDK (inside its task groups)."""

BROKEN_OFF = (mcp_types.CONNECTION_CLOSED, mcp_types.REQUEST_TIMEOUT)
"""The JSON-RPC errors that say the server went away or did not answer, rather than refused the request."""

log = get_logger(__name__)

T = TypeVar("T")


class McpToolActivities:
    """The MCP activities, bound to the servers this worker is configured with."""

    def __init__(self, configs: Sequence[McpServerConfig]) -> None:
        self._configs = {config.name: config for config in configs}
        if len(self._configs) != len(configs):
            raise ValueError("Two MCP servers share a name; each needs its own.")

    def activities(self) -> list[Callable[..., Awaitable[Any]]]:
        return [self.list_mcp_tools, self.call_mcp_tool]

    @activity.defn(name=LIST_MCP_TOOLS)
    async def list_mcp_tools(self, server: str) -> list[ToolSpec]:
        with activity_context(server=server):
            tools = await self._with_server(server, all_tools)
            log.info("mcp tools listed", tools=len(tools))
        return [tool_spec(tool) for tool in tools]

    @activity.defn(name=CALL_MCP_TOOL)
    async def call_mcp_tool(self, call: McpToolCall) -> dict[str, Any]:
        with activity_context(server=call.server, tool=call.tool, call_id=call.call_id):

            async def run(client: Client) -> mcp_types.CallToolResult:
                # Listed first, the SDK checks the result against the tool's output schema (it would list
                # one page itself, after the call).
                await all_tools(client)
                return await client.call_tool(call.tool, call.arguments)

            result = await self._with_server(call.server, run)
            text = content_text(result.content)
            if result.is_error:
                log.info("mcp tool failed")
                raise ApplicationError(
                    cut_text(text, "the tool's error")
                    if text
                    else f"The tool {call.tool!r} failed without saying why.",
                    type=MCP_TOOL_ERROR,
                    non_retryable=True,
                    category=ApplicationErrorCategory.BENIGN,
                )
        answer: dict[str, Any] = {"content": text}
        if result.structured_content is not None:
            answer["structured"] = result.structured_content
        return cut_result(
            answer
        )  # a result too large for a payload is cut, with a note, never fails the call

    async def _with_server(self, server: str, work: Callable[[Client], Awaitable[T]]) -> T:
        """Run ``work`` in a session with ``server``, heartbeating while it runs."""
        config = self._configs.get(server)
        if config is None:
            raise ApplicationError(
                f"No MCP server {server!r} on this worker (it has: {', '.join(self._configs) or 'none'}).",
                type=MCP_SERVER_UNKNOWN,
                non_retryable=True,
            )
        return await heartbeating(_in_session(config, work), HEARTBEAT_EVERY_SECONDS)


async def _in_session(config: McpServerConfig, work: Callable[[Client], Awaitable[T]]) -> T:
    connected = False
    try:
        with anyio.fail_after(config.timeout_seconds):
            async with open_session(config) as client:
                connected = True
                return await work(client)
    except TimeoutError:
        raise _unreachable(config, f"no answer within {config.timeout_seconds:g} s") from None
    except Exception as error:
        cause = _first_leaf(error)
        if not isinstance(cause, SERVER_TROUBLE):
            raise
        if connected and isinstance(cause, MCPError) and cause.code not in BROKEN_OFF:
            log.info("mcp request rejected", code=cause.code)
            raise ApplicationError(
                f"The MCP server {config.name!r} refused the request: {cause.message}",
                type=MCP_REQUEST_REJECTED,
                non_retryable=True,
                category=ApplicationErrorCategory.BENIGN,
            ) from None
        raise _unreachable(config, f"{type(cause).__name__}: {cause}") from None


def _unreachable(config: McpServerConfig, reason: str) -> ApplicationError:
    where = f"stdio: {config.command[0]}" if config.command is not None else "streamable HTTP"
    log.warning("mcp server unreachable", reason=reason)
    return ApplicationError(
        f"The MCP server {config.name!r} ({where}) is unreachable: {reason}", type=MCP_SERVER_UNREACHABLE
    )


def _first_leaf(error: BaseException) -> BaseException:
    """The first error inside (nested) exception groups: the SDK's task groups wrap what went wrong."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    return error


async def all_tools(client: Client) -> list[mcp_types.Tool]:
    """Every tool the server lists, page after page."""
    page = await client.list_tools()
    tools = list(page.tools)
    while page.next_cursor is not None:
        page = await client.list_tools(cursor=page.next_cursor)
        tools.extend(page.tools)
    return tools


def tool_spec(tool: mcp_types.Tool) -> ToolSpec:
    return ToolSpec(
        name=tool.name,
        description=tool.description or tool.title or "",
        input_schema=tool.input_schema,
        output_schema=tool.output_schema,
    )


def content_text(content: Sequence[mcp_types.ContentBlock]) -> str:
    """A result's content as text: text blocks as they are, other blocks summarised."""
    return "\n".join(_block_text(block) for block in content)


def _block_text(block: mcp_types.ContentBlock) -> str:
    match block:
        case mcp_types.TextContent():
            return block.text
        case mcp_types.ImageContent() | mcp_types.AudioContent():
            return f"[{block.type} {block.mime_type}]"
        case mcp_types.ResourceLink():
            return f"[resource {block.uri}]"
        case mcp_types.EmbeddedResource(resource=mcp_types.TextResourceContents() as resource):
            return resource.text
        case mcp_types.EmbeddedResource():
            return f"[resource {block.resource.uri}]"
