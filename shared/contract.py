"""The wire contract every tool team implements: the Nexus service ``ToolService`` and its models.

``list_tools`` is a synchronous operation that returns the team's catalog; ``execute_tool`` is a
workflow-backed operation that runs one tool in the team's own namespace. Callers that do not import this
module can declare their own ``ToolService`` with plain dict payloads: the JSON shapes below are the contract.
"""

from __future__ import annotations

from typing import Any

import nexusrpc
from pydantic import BaseModel, ConfigDict, Field, JsonValue

SERVICE_NAME = "ToolService"


class ToolSpec(BaseModel):
    """One tool as a team advertises it. Clients must ignore fields they don't know."""

    model_config = ConfigDict(extra="ignore")

    name: str = Field(description="Tool name, unique within its team, e.g. `stock_price`.")
    description: str = Field(description="What the tool does, written for the model that picks tools.")
    input_schema: dict[str, Any] = Field(
        description="JSON Schema of the tool's arguments, generated from its pydantic model."
    )


class ListToolsInput(BaseModel):
    """Input of ``list_tools``: nothing yet (``{}``); unknown fields are ignored for forward compatibility."""

    model_config = ConfigDict(extra="ignore")


class ListToolsOutput(BaseModel):
    """The team's catalog."""

    model_config = ConfigDict(extra="ignore")

    tools: list[ToolSpec] = Field(description="Every tool the team offers.")


class ExecuteToolInput(BaseModel):
    """Input of ``execute_tool``: which tool, with which arguments, for which call."""

    model_config = ConfigDict(extra="ignore")

    tool: str = Field(description="Name of the tool, as listed by `list_tools`.")
    arguments: dict[str, JsonValue] = Field(
        default_factory=dict, description="Arguments matching the tool's `input_schema`."
    )
    call_id: str = Field(description="The caller's id for this call, echoed in the result.")


class ExecuteToolOutput(BaseModel):
    """What one tool call produced."""

    model_config = ConfigDict(extra="ignore")

    tool: str = Field(description="Name of the tool that ran.")
    call_id: str = Field(description="The caller's id for this call.")
    result: dict[str, JsonValue] = Field(description="The tool's JSON result, shaped by its output model.")


@nexusrpc.service(name=SERVICE_NAME)
class ToolService:
    """The Nexus service every tool team exposes through its endpoint."""

    list_tools: nexusrpc.Operation[ListToolsInput, ListToolsOutput]
    execute_tool: nexusrpc.Operation[ExecuteToolInput, ExecuteToolOutput]
