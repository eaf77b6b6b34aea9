"""Which tool services exist: read from the topology by an activity, so the workflow itself does no I/O and
replays the same list it saw the first time."""

from __future__ import annotations

from temporalio import activity

from orchestrator.catalog import ToolService
from shared.topology import load_topology

TOOL_SERVICES = "tool_services"


@activity.defn(name=TOOL_SERVICES)
async def tool_services() -> list[ToolService]:
    return [
        ToolService(team=team, endpoint=site.endpoint) for team, site in load_topology().tool_services.items()
    ]
