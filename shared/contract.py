"""The wire contract every tool team implements: the Nexus service ``ToolService``, its operations, their
models, and the failure types a caller reacts to.

``list_tools`` is a synchronous operation that returns the team's catalog; ``execute_tool`` is a
workflow-backed operation that runs one tool in the team's own namespace. Callers that do not import this
module can declare their own ``ToolService`` with plain dict payloads, and a team that does not use the kit can
fail with the types below: the names and JSON shapes here are the contract, and none of them may change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import nexusrpc
from pydantic import BaseModel, ConfigDict, Field, JsonValue

SERVICE_NAME = "ToolService"
"""The Nexus service name every team's endpoint serves."""

LIST_TOOLS = "list_tools"
"""Synchronous operation: ``ListToolsInput`` -> ``ListToolsOutput``. A caller asks it once (when a chat
starts) and again only while the team is missing; an error or an answer outside the contract means "this
team's tools are unavailable for now", never a failure of the caller."""

EXECUTE_TOOL = "execute_tool"
"""Workflow-backed operation: ``ExecuteToolInput`` -> ``ExecuteToolOutput``. A call the team can never serve
(unknown tool, arguments that do not match its ``input_schema``) fails at once with a ``nexusrpc.HandlerError``
of type ``BAD_REQUEST``: the caller must not retry it and should not hold it against the team. A tool that
ran and failed ends the operation with an ``ApplicationError`` whose type is ``TOOL_FAILED`` or
``TOOL_UNAVAILABLE``, at the root of the failure's cause chain."""

TOOL_FAILED = "ToolFailed"
"""``execute_tool`` failed with the tool's own, final answer (an unknown ticker, a project that does not
exist). The message is written for the model: a caller passes it on as the call's result and does not retry.
The team itself is healthy."""

TOOL_UNAVAILABLE = "ToolUnavailable"
"""``execute_tool`` failed because the tool kept crashing or timing out until its retry budget ran out. The
team is in trouble: a caller tells the model the tool is unavailable and counts it against the team (the
orchestrator's circuit breaker stops calling a team after a few in a row). Timeouts and Nexus handler
errors other than ``BAD_REQUEST`` mean the same."""

TOOL_ERROR = "ToolError"
"""What a tool's activity fails with for its own, final failure (``shared.kit.ToolError``). Retry policies
list it as non-retryable, so it is never retried; the team's tool workflow reports it to the caller as
``TOOL_FAILED``. A caller running a tool as its own activity (the orchestrator's local tools) reads it the
same way: the tool's answer, not an outage."""


DEFAULT_APPROVAL_TIMEOUT_SECONDS = 300.0


class ApprovalRequirement(BaseModel):
    """A person must say yes to each call of the tool, for exactly the arguments shown, before it runs."""

    model_config = ConfigDict(extra="ignore")

    timeout_seconds: float = Field(
        default=DEFAULT_APPROVAL_TIMEOUT_SECONDS,
        gt=0,
        le=7 * 24 * 3600,
        description="How long a call waits for a decision; no decision in that time counts as denied.",
    )
    approver_scope: str | None = Field(
        default=None,
        description="The scope a person needs to approve a call; none: anyone the caller lets decide.",
    )
    self_approval: bool = Field(
        default=False, description="Whether the person who asked may approve their own call."
    )


class ToolSpec(BaseModel):
    """One tool as a team advertises it. Clients must ignore fields they don't know."""

    model_config = ConfigDict(extra="ignore")

    name: str = Field(description="Tool name, unique within its team, e.g. `stock_price`.")
    description: str = Field(description="What the tool does, written for the model that picks tools.")
    input_schema: dict[str, Any] = Field(
        description="JSON Schema of the tool's arguments, generated from its pydantic model."
    )
    output_schema: dict[str, Any] | None = Field(
        default=None,
        description="JSON Schema of the tool's result, generated from its pydantic model: what each field of "
        "`result` means (a caller may show its descriptions to its model). Optional: older teams omit it.",
    )
    approval: ApprovalRequirement | None = Field(
        default=None,
        description="Set when a person must approve every call (the tool changes something). A caller may "
        "require approval of more tools than a team marks, never of fewer.",
    )
    scopes: list[str] = Field(
        default_factory=list,
        description="Scopes a caller must hold to see and call the tool (`finance:read`); none: anyone.",
    )


class ListToolsInput(BaseModel):
    """Input of ``list_tools``: nothing yet (``{}``); unknown fields are ignored for forward compatibility."""

    model_config = ConfigDict(extra="ignore")


class WithheldTool(BaseModel):
    """A tool the asker may not call: its name and the scopes they lack, nothing a model could call it by."""

    model_config = ConfigDict(extra="ignore")

    name: str
    missing_scopes: list[str] = Field(description="What the asker would need to hold.")


class ListToolsOutput(BaseModel):
    """The team's catalog, as the asker may use it."""

    model_config = ConfigDict(extra="ignore")

    tools: list[ToolSpec] = Field(description="Every tool the team offers the asker.")
    withheld: list[WithheldTool] = Field(
        default_factory=list,
        description="Tools the asker may not call, so a caller can tell its user they are not permitted.",
    )


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
    result: dict[str, JsonValue] = Field(
        description="The tool's JSON result, shaped by its output model; one too large to keep (over 256 KiB "
        'of JSON) comes cut, as `{"cut": note, "preview": the start of its JSON}` (`shared.payload_limits`).'
    )


@nexusrpc.service(name=SERVICE_NAME)
class ToolService:
    """The Nexus service every tool team exposes through its endpoint."""

    list_tools: nexusrpc.Operation[ListToolsInput, ListToolsOutput] = nexusrpc.Operation(name=LIST_TOOLS)
    execute_tool: nexusrpc.Operation[ExecuteToolInput, ExecuteToolOutput] = nexusrpc.Operation(
        name=EXECUTE_TOOL
    )


CALL_PROOF_HEADER = "agent-call-proof"
"""The Nexus header carrying a call's proof of who asked (see ``shared.identity.call_proofs``). A team that
requires it refuses a call without a valid one as an UNAUTHORIZED ``HandlerError``, never retried."""


def arguments_digest(service: str, tool: str, arguments: Mapping[str, Any]) -> str:
    """A digest of exactly what runs: an approval quoting it approves nothing else, and a call proof carrying
    it is good for these arguments only."""
    canonical = json.dumps(
        {"service": service, "tool": tool, "arguments": arguments},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
