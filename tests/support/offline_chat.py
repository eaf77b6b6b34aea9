"""The offline model's side of a chat, in process: the tools as the workflow presents them (the real teams'
specs and the local tools, through ``ToolCatalog``), the real tools run on their offline data, and tool
messages made by ``orchestrator.tool_results`` as the workflow makes them. No server, no worker."""

from __future__ import annotations

import asyncio
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from finance_service.tools import build_team as finance_team
from it_service.ticket_ledger import SqliteTicketLedger
from it_service.tools import build_team as it_team
from orchestrator.catalog import ToolCatalog
from orchestrator.llm.model_call import DEFAULT_SYSTEM_PROMPT
from orchestrator.llm.planner import Plan, plan
from orchestrator.local_tools import LOCAL_TOOLS
from orchestrator.service_directory import TeamEndpoint
from orchestrator.tool_results import failed, succeeded
from shared.kit import Tool, ToolError

Call = tuple[str, dict[str, Any]]


def catalog() -> tuple[ToolCatalog, dict[str, Tool[Any, Any]]]:
    """The catalog a chat discovers (every team of the topology that ships here), and each tool by the
    name the model knows it by."""
    tools = ToolCatalog(LOCAL_TOOLS)
    by_name: dict[str, Tool[Any, Any]] = {tool.name: tool for tool in LOCAL_TOOLS}
    ledger = SqliteTicketLedger(Path(tempfile.mkdtemp(prefix="offline-chat-")) / "tickets.db")  # empty, ours
    for team in (it_team(tickets=ledger), finance_team()):
        tools.add_service(TeamEndpoint(team=team.name, endpoint=team.site.endpoint), team.specs())
        by_name.update({f"{team.name}__{tool.name}": tool for tool in team.tools})
    return tools, by_name


CATALOG, IMPLEMENTATIONS = catalog()
TOOLS: list[dict[str, Any]] = [function.to_litellm() for function in CATALOG.functions()]
"""The tools exactly as the LLM activity hands them to litellm."""


def planned(text: str, tools: list[dict[str, Any]] = TOOLS) -> list[Call]:
    """The calls the offline model makes for ``text`` as a chat's first message."""
    step = plan(
        [{"role": "system", "content": DEFAULT_SYSTEM_PROMPT}, {"role": "user", "content": text}], tools
    )
    return [(call.tool, call.arguments) for call in step.calls]


def run_tool(name: str, arguments: dict[str, Any]) -> str:
    """The tool message the workflow would give the model for this call, from the real tool."""
    entry = CATALOG.get(name)
    assert entry is not None, f"no tool {name}"
    tool = IMPLEMENTATIONS[name]
    try:
        result = asyncio.run(tool.invoke(tool.arguments.model_validate(arguments)))
    except ToolError as error:
        return failed(name, entry, arguments, str(error))[1]
    return succeeded(entry, arguments, result.model_dump(mode="json"))[1]


@dataclass
class OfflineChat:
    """A chat with the offline model: each ``send`` plans, runs the calls (unless told not to) and answers."""

    messages: list[dict[str, Any]] = field(
        default_factory=lambda: [{"role": "system", "content": DEFAULT_SYSTEM_PROMPT}]
    )
    calls: list[list[Call]] = field(default_factory=list)
    """The calls of each turn."""

    def step(self) -> Plan:
        return plan(self.messages, TOOLS)

    def send(self, text: str, *, run: bool = True) -> str | None:
        """One turn: the reply's text, or None when ``run`` is false and the model asked for calls (they are
        then left unanswered, as a call waiting for approval would be)."""
        self.messages.append({"role": "user", "content": text})
        first = self.step()
        self.calls.append([(call.tool, call.arguments) for call in first.calls])
        if not first.calls:
            self.messages.append({"role": "assistant", "content": first.text})
            return first.text
        turn = len(self.calls)
        tool_calls: list[dict[str, Any]] = [
            {
                "id": f"call_{turn}_{index}",
                "type": "function",
                "function": {"name": call.tool, "arguments": json.dumps(call.arguments)},
            }
            for index, call in enumerate(first.calls)
        ]
        self.messages.append({"role": "assistant", "content": None, "tool_calls": tool_calls})
        if not run:
            return None
        for call in tool_calls:
            content = run_tool(call["function"]["name"], json.loads(call["function"]["arguments"]))
            self.messages.append({"role": "tool", "tool_call_id": call["id"], "content": content})
        answer = self.step()
        assert not answer.calls and answer.text is not None, "the model answers once the results are in"
        self.messages.append({"role": "assistant", "content": answer.text})
        return answer.text
