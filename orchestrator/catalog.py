"""The tools the model sees: the local ones plus each team's discovered tools, under names that can't
collide (``<team>__<tool>`` for remote tools, the bare name for local ones)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, Field

from orchestrator.models import FunctionTool
from orchestrator.service_directory import TeamEndpoint
from shared.contract import ToolSpec
from shared.kit import ActivityPolicy, Tool

LOCAL = "local"
SEPARATOR = "__"
FUNCTION_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")
"""Function names model providers accept (OpenAI's rule, the strictest common one)."""


class CatalogEntry(BaseModel):
    """One tool, where it runs, and the name the model knows it by."""

    model_name: str = Field(description="The function name the model sees.")
    service: str = Field(description="A team name, or `local`.")
    spec: ToolSpec
    endpoint: str | None = Field(default=None, description="Nexus endpoint, for remote tools.")
    policy: ActivityPolicy | None = Field(default=None, description="Activity policy, for local tools.")
    mcp_server: str | None = Field(default=None, description="The MCP server, for an MCP server's tools.")

    @property
    def tool(self) -> str:
        return self.spec.name

    def as_function(self) -> FunctionTool:
        if self.service == LOCAL:
            where = "runs locally"
        elif self.mcp_server is not None:
            where = f"from the MCP server {self.mcp_server}"
        else:
            where = f"run by the {self.service} team"
        return FunctionTool(
            name=self.model_name,
            description=f"{self.spec.description} ({where})",
            parameters=self.spec.input_schema,
        )


class ToolCatalog:
    """Every tool the agent can call right now."""

    def __init__(self, local_tools: Iterable[Tool[Any, Any]]) -> None:
        self._entries: dict[str, CatalogEntry] = {}
        for tool in local_tools:
            self._entries[tool.name] = CatalogEntry(
                model_name=tool.name, service=LOCAL, spec=tool.spec(), policy=tool.policy
            )

    def add_service(self, service: TeamEndpoint, specs: Iterable[ToolSpec]) -> list[str]:
        """Add (or replace) a team's tools. Returns the tools left out because no model provider accepts
        their names: one such name would make every model call a bad request."""
        self._entries = {
            name: entry for name, entry in self._entries.items() if entry.service != service.team
        }
        left_out = []
        for spec in specs:
            name = f"{service.team}{SEPARATOR}{spec.name}"
            if not FUNCTION_NAME.fullmatch(name):
                left_out.append(spec.name)
                continue
            self._entries[name] = CatalogEntry(
                model_name=name,
                service=service.team,
                spec=spec,
                endpoint=None if service.mcp_server else service.endpoint,
                mcp_server=service.mcp_server,
            )
        return left_out

    def remove_services_except(self, teams: set[str]) -> list[str]:
        """Drop the tools of every team not in ``teams`` (local tools stay); returns the teams dropped."""
        gone = {entry.service for entry in self._entries.values()} - teams - {LOCAL}
        self._entries = {name: entry for name, entry in self._entries.items() if entry.service not in gone}
        return sorted(gone)

    def entries(self) -> list[CatalogEntry]:
        return list(self._entries.values())

    def restore(self, entries: Iterable[CatalogEntry]) -> None:
        """Take over the entries a previous run of the chat had discovered."""
        self._entries = {entry.model_name: entry for entry in entries}

    def get(self, model_name: str) -> CatalogEntry | None:
        return self._entries.get(model_name)

    def names(self) -> list[str]:
        return list(self._entries)

    def no_such_tool(self, name: str) -> str:
        """What a caller of the unknown tool ``name`` is told: that, and the tools there are."""
        return f"There is no tool {name!r}. Available tools: {', '.join(self._entries)}."

    def functions(self) -> list[FunctionTool]:
        return [entry.as_function() for entry in self._entries.values()]
