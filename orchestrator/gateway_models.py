"""What the tool gateway's workflow (``ToolGatewayWorkflow``) takes and gives: typed models at its boundary,
for the MCP server (``orchestrator.mcp``) and any other caller of the teams' tools that is not the agent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from orchestrator.catalog import CatalogEntry
from orchestrator.circuit_breaker import CircuitBreaker
from orchestrator.models import FunctionTool
from shared.identity.identity import Identity

TOOL_GATEWAY_WORKFLOW = "ToolGatewayWorkflow"
DEFAULT_GATEWAY_ID = "tool-gateway"
"""The gateway workflow's id: every gateway process of a deployment shares its catalog and breakers."""


class GatewayInput(BaseModel):
    """How a gateway runs; every field is optional."""

    model_config = ConfigDict(extra="forbid")

    tool_timeout_seconds: float = Field(
        default=60.0, gt=0, le=3600, description="How long one tool call may take, retries included."
    )
    catalog_max_age_seconds: float = Field(
        default=60.0,
        gt=0,
        description="The gateway finds every team's tools again when they were found longer ago than this.",
    )
    token: str | None = Field(
        default=None,
        repr=False,
        description="The signed token of whoever runs the gateway (it discovers the tools as them); required "
        "when the orchestrator trusts an issuer. Never logged, never carried into a continued run.",
    )


class GatewayState(BaseModel):
    """What a gateway carries into its next run when it continues as new."""

    catalog: list[CatalogEntry]
    unavailable: dict[str, str]
    withheld: dict[str, list[str]] = Field(default_factory=dict)
    breakers: dict[str, CircuitBreaker]
    owner: Identity
    discovered_at: datetime | None = None


class GatewayRunInput(GatewayInput):
    """The workflow's input: a ``GatewayInput`` plus the state a continued run carries."""

    resume: GatewayState | None = Field(default=None, description="Set only by the workflow itself.")


class ToolCallRequest(BaseModel):
    """Input of the gateway's ``call_tool`` update: one call of one tool, by the name the catalog lists."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="`<team>__<tool>`, as `tools` lists it.")
    arguments: dict[str, Any] = Field(default_factory=dict)
    caller: str | None = Field(
        default=None, max_length=200, description="Who calls, as shown to an approver (a verified name wins)."
    )
    token: str | None = Field(
        default=None,
        repr=False,
        description="The caller's signed token; required when the orchestrator trusts an issuer.",
    )


class GatewayCatalog(BaseModel):
    """Answer of the ``tools`` query: every tool callers may call now, and the teams missing, with why."""

    tools: list[FunctionTool]
    unavailable: dict[str, str] = Field(default_factory=dict)
    discovered_at: datetime | None = None
