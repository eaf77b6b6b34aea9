"""A tool team: its tools, where it runs, and the checks every ``execute_tool`` request passes first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nexusrpc import HandlerError, HandlerErrorType
from pydantic import ValidationError

from shared.contract import ExecuteToolInput, ListToolsOutput, ToolSpec, WithheldTool
from shared.failures import validation_problems
from shared.identity.identity import Identity
from shared.kit.tool import Tool
from shared.kit.tool_workflow import ToolRunRequest
from shared.topology import ToolServiceSite, load_topology


class ToolTeam:
    """The tools of one team (a key of ``tool_services`` in the topology)."""

    def __init__(self, name: str, tools: Sequence[Tool[Any, Any]]) -> None:
        self.name = name
        self.site: ToolServiceSite = load_topology().tool_service(name)
        self._tools: dict[str, Tool[Any, Any]] = {}
        for tool in tools:
            if tool.name in self._tools:
                raise ValueError(f"Team {name!r} declares tool {tool.name!r} twice")
            self._tools[tool.name] = tool

    @property
    def tools(self) -> list[Tool[Any, Any]]:
        return list(self._tools.values())

    def specs(self) -> list[ToolSpec]:
        return [tool.spec() for tool in self._tools.values()]

    def catalog_for(self, asker: Identity) -> ListToolsOutput:
        """The catalog ``asker`` may use (tools whose scopes they hold), and the names of the others."""
        usable = [tool.spec() for tool in self._tools.values() if not asker.lacks(tool.scopes)]
        withheld = [
            WithheldTool(name=tool.name, missing_scopes=missing)
            for tool in self._tools.values()
            if (missing := asker.lacks(tool.scopes))
        ]
        return ListToolsOutput(tools=usable, withheld=withheld)

    def scopes_of(self, tool: str) -> tuple[str, ...]:
        """The scopes a call of ``tool`` needs (none for an unknown tool: ``prepare`` refuses that)."""
        known = self._tools.get(tool)
        return known.scopes if known is not None else ()

    def prepare(self, call: ExecuteToolInput, asker: Identity) -> ToolRunRequest:
        """Validate ``asker``'s call before anything starts; bad input is a BAD_REQUEST, never retried."""
        tool = self._tools.get(call.tool)
        if tool is None:
            known = ", ".join(sorted(self._tools))
            raise HandlerError(
                f"Unknown tool {call.tool!r} in team {self.name!r}; known tools: {known}",
                type=HandlerErrorType.BAD_REQUEST,
            )
        try:
            arguments = tool.arguments.model_validate(call.arguments)
        except ValidationError as error:
            problems = validation_problems(error, whole="arguments")
            raise HandlerError(
                f"Invalid arguments for tool {call.tool!r}: {problems}",
                type=HandlerErrorType.BAD_REQUEST,
            ) from None
        return ToolRunRequest(
            tool=tool.name,
            arguments=arguments.model_dump(mode="json"),
            call_id=call.call_id,
            policy=tool.policy,
            requester=asker.subject,
        )
