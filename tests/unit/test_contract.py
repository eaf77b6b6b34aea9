"""The wire contract: the names a caller and a team must agree on, whatever code each of them runs."""

from __future__ import annotations

import nexusrpc

from shared.contract import (
    EXECUTE_TOOL,
    LIST_TOOLS,
    SERVICE_NAME,
    TOOL_ERROR,
    TOOL_FAILED,
    TOOL_UNAVAILABLE,
    ToolService,
)


def test_the_service_and_its_operations_keep_their_wire_names() -> None:
    definition = nexusrpc.get_service_definition(ToolService)

    assert definition is not None
    assert definition.name == SERVICE_NAME == "ToolService"
    assert sorted(definition.operation_definitions) == sorted([LIST_TOOLS, EXECUTE_TOOL])
    assert (LIST_TOOLS, EXECUTE_TOOL) == ("list_tools", "execute_tool")


def test_the_failure_types_keep_their_wire_names() -> None:
    assert (TOOL_FAILED, TOOL_UNAVAILABLE, TOOL_ERROR) == ("ToolFailed", "ToolUnavailable", "ToolError")
