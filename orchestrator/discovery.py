"""Finding the tool services' tools from inside the workflow: every service's ``list_tools``, concurrently,
once when a chat starts; then, before each turn, the missing services again, in the background, waiting for
them only briefly so a dead service never holds up an answer. A catalog changes too: ``refresh`` finds every
service's tools again (a team added, a tool changed, a team gone), on demand or once the catalog is older than
the chat's ``catalog_max_age_seconds``.

Deterministic workflow code: all I/O is the ``tool_services`` worker step (at a chat's start, ``open_chat``),
the Nexus operations and, for the MCP servers the worker is configured with, the ``list_mcp_tools`` activity.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from pydantic import ValidationError
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, NexusOperationError

from orchestrator.catalog import ToolCatalog
from orchestrator.identity_checks import proof_headers
from orchestrator.mcp_tools.activity_types import LIST_MCP_TOOLS
from orchestrator.service_directory import TOOL_SERVICES, TeamEndpoint, tool_service_client
from orchestrator.tool_results import contract_mismatch
from orchestrator.worker_steps import run_step
from shared.contract import LIST_TOOLS, ListToolsInput, ListToolsOutput, ToolSpec
from shared.failures import failure_message
from shared.identity.call_proofs import CallClaims
from shared.identity.identity import Identity

DIRECTORY_TIMEOUT = timedelta(seconds=10)
"""How long the ``tool_services`` activity may take."""
DISCOVERY_TIMEOUT = timedelta(seconds=10)
"""How long ``list_tools`` of one service may take before the agent goes on without it."""
REDISCOVERY_GRACE = timedelta(seconds=1)
"""How long a turn waits for a missing service's rediscovery (or a stale catalog's) before answering without it."""
CATALOG_REFRESH_PATCH = "catalog-refresh"
"""Chats recorded before catalogs could go stale replay without refreshing them at a turn's start."""
PARALLEL_START_PATCH = "parallel-start"
"""Runs past it read the service directory while the start token is checked; runs before, after it."""


class ToolDiscovery:
    """The catalog the discovered tools go into, and the services whose tools are missing, with the reason."""

    def __init__(
        self,
        catalog: ToolCatalog,
        unavailable: dict[str, str] | None = None,
        *,
        withheld: dict[str, list[str]] | None = None,
        discovered: bool = False,
        discovered_at: datetime | None = None,
    ) -> None:
        self.catalog = catalog
        self.unavailable: dict[str, str] = dict(unavailable or {})
        """Tool services whose tools are missing, with the reason."""
        self.withheld: dict[str, list[str]] = dict(withheld or {})
        """Per service, the tools it withheld from the chat's asker (`stock_price (needs finance:read)`)."""
        self.discovered = discovered
        """Whether the first discovery is done (a chat that continued as new carries its tools over)."""
        self.discovered_at = discovered_at
        """When every service's tools were last found (None: not known, in chats from before refreshes)."""
        self._rediscovery: asyncio.Task[None] | None = None
        self._services: asyncio.Future[list[TeamEndpoint]] | None = None
        """The service directory for the next discovery, read ahead of it (or being read)."""

    def read_directory_now(self) -> None:
        """Start reading the service directory for the first discovery now, beside other first steps (the
        start token's check), rather than after them: one workflow task less before the first reply."""
        if not self.discovered and self._services is None:
            self._services = asyncio.create_task(_tool_services())

    def directory_read(self, services: list[TeamEndpoint]) -> None:
        """The service directory for the first discovery, as the chat's opening step read it."""
        self._services = asyncio.get_running_loop().create_future()
        self._services.set_result(services)

    async def discover_once(self, asker: Identity) -> None:
        """Find every service's tools ``asker`` may use, unless that is done already."""
        if not self.discovered:
            await self._discover(asker)
            self.discovered = True

    def not_permitted(self) -> list[str]:
        """Every withheld tool, as ``team/tool (needs scope)``."""
        return [f"{team}/{tool}" for team, tools in self.withheld.items() for tool in tools]

    def idle(self) -> bool:
        """Whether no rediscovery is under way (a run waits for it before it continues as new)."""
        return self._rediscovery is None or self._rediscovery.done()

    def refresh(self, asker: Identity) -> None:
        """Find every service's tools again, in the background (unless a rediscovery is under way)."""
        self._start(asker, only=None)

    async def before_turn(self, asker: Identity, max_age: timedelta | None = None) -> None:
        """Before a turn: refresh a catalog older than ``max_age``, else try the unavailable services again,
        in the background; wait only briefly for either."""
        if self._rediscovery is not None and self._rediscovery.done():
            if (error := self._rediscovery.exception()) is not None:
                workflow.logger.warning("Rediscovery failed: %s", error)
            self._rediscovery = None
        if max_age is not None and self._stale(max_age):
            self._start(asker, only=None)
        elif self.unavailable:
            self._start(asker, only=set(self.unavailable))
        if self._rediscovery is not None:
            try:
                await workflow.wait_condition(self._rediscovery.done, timeout=REDISCOVERY_GRACE)
            except TimeoutError:
                pass  # still waiting on a slow or dead service: answer with what we have

    def _stale(self, max_age: timedelta) -> bool:
        if self.discovered_at is None:  # a catalog carried from before refreshes: its age counts from now
            self.discovered_at = workflow.now()
        return workflow.now() - self.discovered_at > max_age

    def _start(self, asker: Identity, only: set[str] | None) -> None:
        if self._rediscovery is None or self._rediscovery.done():
            self._rediscovery = asyncio.create_task(self._discover(asker, only=only))

    async def _discover(self, asker: Identity, only: set[str] | None = None) -> None:
        """Find the tools of every service (or of the ``only`` ones) and note why any are missing."""
        services = await self._directory()
        wanted = [service for service in services if only is None or service.team in only]
        if only is None:  # a team gone from the directory takes its tools with it
            for team in self.catalog.remove_services_except({service.team for service in services}):
                self.unavailable.pop(team, None)
                self.withheld.pop(team, None)
        for service in wanted:
            if service.endpoint_exists is False:  # scheduling on it would wedge the workflow: never try
                self.unavailable[service.team] = f"its Nexus endpoint {service.endpoint!r} does not exist"
        reachable = [service for service in wanted if service.endpoint_exists is not False]
        outcomes = await asyncio.gather(*(_list_tools(service, asker) for service in reachable))
        for service, outcome in zip(reachable, outcomes, strict=True):
            if isinstance(outcome, ListToolsOutput):
                if left_out := self.catalog.add_service(service, outcome.tools):
                    workflow.logger.warning(
                        "Left out tools of %s with unusable names: %s", service.team, left_out
                    )
                self.unavailable.pop(service.team, None)
                self.withheld[service.team] = [
                    f"{tool.name} (needs {', '.join(tool.missing_scopes)})" for tool in outcome.withheld
                ]
            else:
                self.unavailable[service.team] = outcome
        if only is None:
            self.discovered_at = workflow.now()

    async def _directory(self) -> list[TeamEndpoint]:
        """The service directory read ahead for this discovery, else read now."""
        ahead, self._services = self._services, None
        return await (ahead or _tool_services())


async def _tool_services() -> list[TeamEndpoint]:
    """The tool services the worker's directory lists (the ``tool_services`` worker step)."""
    return await run_step(TOOL_SERVICES, start_to_close=DIRECTORY_TIMEOUT, result_type=list[TeamEndpoint])


async def _list_tools(service: TeamEndpoint, asker: Identity) -> ListToolsOutput | str:
    """The part of the service's catalog ``asker`` may use, or why there is none."""
    if service.mcp_server is not None:
        return await _list_mcp_tools(service.mcp_server)
    headers = await proof_headers(
        asker, CallClaims(team=service.team, operation=LIST_TOOLS), DISCOVERY_TIMEOUT
    )
    try:
        raw = await tool_service_client(service.endpoint).execute_operation(
            LIST_TOOLS,
            ListToolsInput(),
            output_type=dict,
            schedule_to_close_timeout=DISCOVERY_TIMEOUT,
            headers=headers,
        )
    except NexusOperationError as error:
        workflow.logger.warning("Tool discovery failed for %s: %s", service.team, failure_message(error))
        return f"it did not answer tool discovery ({failure_message(error)})"
    try:
        return ListToolsOutput.model_validate(raw)
    except ValidationError as error:
        return f"its catalog {contract_mismatch(error)}"


async def _list_mcp_tools(server: str) -> ListToolsOutput | str:
    """An MCP server's tools (the worker asks the server: ``list_mcp_tools``), or why there are none."""
    try:
        specs = await workflow.execute_activity(
            LIST_MCP_TOOLS,
            server,
            start_to_close_timeout=DISCOVERY_TIMEOUT,
            retry_policy=RetryPolicy(maximum_attempts=2),
            result_type=list[ToolSpec],
        )
    except ActivityError as error:
        workflow.logger.warning("Tool discovery failed for MCP server %s: %s", server, failure_message(error))
        return f"it did not answer tool discovery ({failure_message(error)})"
    return ListToolsOutput(tools=specs)
