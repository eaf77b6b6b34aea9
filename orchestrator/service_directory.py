"""Which tool services exist, read by a (local) activity so the workflow itself does no I/O, and how the
workflow reaches one.

It also checks that each service's Nexus endpoint exists: a workflow that schedules an operation on a
missing endpoint has its workflow task rejected by the server, over and over, and never moves on. Where the
endpoint registry can't be read (Temporal Cloud manages endpoints outside the namespace API), the check says
"unknown" and discovery tries the endpoint anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field
from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.service import RPCError

from shared.contract import SERVICE_NAME
from shared.nexus_endpoints import nexus_endpoint_ids
from shared.topology import load_topology

TOOL_SERVICES = "tool_services"


MCP_SERVICE_PREFIX = "mcp-"
"""An MCP server's tools come as the service ``mcp-<name>``: the model sees ``mcp-<name>__<tool>``."""


class TeamEndpoint(BaseModel):
    """A tool source the agent can reach: a team's name in the topology and the Nexus endpoint of its
    ``ToolService``, or an MCP server the worker is configured with (``mcp_server`` set, no endpoint)."""

    team: str
    endpoint: str
    endpoint_exists: bool | None = Field(default=None, description="None when the registry can't be read.")
    mcp_server: str | None = Field(
        default=None, description="The MCP server's name (AGENT_MCP_SERVERS), for an MCP server's tools."
    )


class ServiceDirectory:
    """The ``tool_services`` activity, bound to the worker's client."""

    def __init__(self, client: Client, mcp_servers: Sequence[str] = ()) -> None:
        self._client = client
        self._mcp_servers = list(mcp_servers)

    @activity.defn(name=TOOL_SERVICES)
    async def tool_services(self) -> list[TeamEndpoint]:
        endpoints = await self._registered_endpoints()
        teams = [
            TeamEndpoint(
                team=team,
                endpoint=site.endpoint,
                endpoint_exists=None if endpoints is None else site.endpoint in endpoints,
            )
            for team, site in load_topology().tool_services.items()
        ]
        servers = [
            TeamEndpoint(team=f"{MCP_SERVICE_PREFIX}{name}", endpoint="", mcp_server=name)
            for name in self._mcp_servers
        ]
        return teams + servers

    async def _registered_endpoints(self) -> set[str] | None:
        try:
            return set(await nexus_endpoint_ids(self._client))
        except RPCError as error:
            activity.logger.info("Cannot read the Nexus endpoint registry (%s); trying every endpoint", error)
            return None


def tool_service_client(endpoint: str) -> workflow.NexusClient[Any]:
    """From inside a workflow: a client for the ``ToolService`` at ``endpoint`` whose answers arrive as plain
    JSON. The caller validates them itself, so one team's malformed answer fails that call, never the workflow
    task."""
    return workflow.create_nexus_client(service=SERVICE_NAME, endpoint=endpoint)
