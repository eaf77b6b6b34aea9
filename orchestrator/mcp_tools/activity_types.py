"""What the workflow and the MCP activities share: the activities' names, inputs and outputs, and the failure
types a caller reacts to. Free of the MCP SDK, so a workflow imports it without loading the SDK.

``CALL_MCP_TOOL`` fails with one of the types below, at the root of the failure's cause chain:
``MCP_TOOL_ERROR`` and ``MCP_REQUEST_REJECTED`` are answers for the model (never retried, not the server's
fault); ``MCP_SERVER_UNKNOWN`` is a misconfigured caller; ``MCP_SERVER_UNREACHABLE`` is the server's
trouble (retryable: a caller's retry policy decides, and may count it against the server).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

LIST_MCP_TOOLS = "list_mcp_tools"
"""Activity: a server's name -> ``list[shared.contract.ToolSpec]``, every tool the server lists (all pages),
named as the server names them: a caller drops the names a model could not call."""
CALL_MCP_TOOL = "call_mcp_tool"
"""Activity: ``McpToolCall`` -> ``{"content": str, "structured": <JSON>}`` (``structured`` only when the tool
returned structured content). Heartbeats every few seconds while the server works."""

MCP_TOOL_ERROR = "McpToolError"
"""The tool ran and answered with an error (``isError``); the message is its text. Not retryable."""
MCP_REQUEST_REJECTED = "McpRequestRejected"
"""The server refused the request itself (a JSON-RPC error: unknown tool, invalid arguments...); the message
says why. Not retryable."""
MCP_SERVER_UNKNOWN = "McpServerUnknown"
"""No server of that name on this worker. Not retryable."""
MCP_SERVER_UNREACHABLE = "McpServerUnreachable"
"""The server could not be started or reached, broke off, or did not answer in its ``timeout_seconds``; the
message names the server and why. Retryable."""


class McpToolCall(BaseModel):
    """One call of an MCP server's tool."""

    server: str = Field(
        description="The server's name, as AGENT_MCP_SERVERS gives it (the service directory lists it)."
    )
    tool: str = Field(description="The tool's name, as the server lists it.")
    arguments: dict[str, Any] = Field(
        default_factory=dict, description="Arguments matching the tool's `input_schema`."
    )
    call_id: str = Field(description="The caller's id for this call (the worker's log lines carry it).")
