"""The tools the MCP server lists, kept in step with the gateway's catalog, and the news that they changed.

Every ``refresh_seconds`` the watch reads the gateway's catalog (a query: no history) and compares it with
what the server lists; the gateway finds the teams' tools again itself, once they are older than its
``catalog_max_age_seconds``, so a team added since shows within that age. A gateway that stopped is started
again. When the tools changed, ``ToolsListChanged`` goes on its subscription bus, which
reaches every connected client in the way its protocol era expects:

- 2026-07-28 clients open ``subscriptions/listen`` (the SDK's ``ListenHandler`` over this bus);
- clients of the handshake era get ``notifications/tools/list_changed`` on their connection's own channel
  (stdio, or the HTTP session's GET stream), sent by ``forward_changes``, which runs for as long as the
  connection does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import anyio
import mcp_types as types
from mcp.server.session import ServerSession
from mcp.server.subscriptions import InMemorySubscriptionBus, ServerEvent, ToolsListChanged
from temporalio.client import WorkflowExecutionStatus, WorkflowQueryFailedError
from temporalio.service import RPCError

from orchestrator.gateway_models import GatewayCatalog
from orchestrator.tool_gateway import ToolGateway
from shared.log import get_logger

log = get_logger(__name__)

CHANGES_BUFFERED = 16
"""Changes a slow handshake-era connection may have waiting; more are one change (it lists again anyway)."""


def mcp_tools(catalog: GatewayCatalog) -> list[types.Tool]:
    """The gateway's tools as MCP lists them: the agent's names (``<team>__<tool>``), descriptions and JSON
    schemas."""
    return [
        types.Tool(name=tool.name, description=tool.description, input_schema=tool.parameters)
        for tool in catalog.tools
    ]


class CatalogWatch:
    """The listed tools (``tools``) and the bus their changes go on (``bus``)."""

    def __init__(
        self,
        gateway: ToolGateway,
        catalog: GatewayCatalog,
        reopen: Callable[[], Awaitable[object]],
        every_seconds: float,
    ) -> None:
        self.tools = mcp_tools(catalog)
        self.bus = InMemorySubscriptionBus()
        self._gateway = gateway
        self._reopen = reopen
        self._every = every_seconds

    async def run(self) -> None:
        """Compare the catalog every ``every_seconds``, until cancelled; a gateway that does not answer is
        tried again at the next tick."""
        while True:
            await asyncio.sleep(self._every)
            try:
                await self.check()
            except (RPCError, WorkflowQueryFailedError) as problem:
                log.warning(
                    "the tool gateway did not answer; the tools listed stay as they were", error=str(problem)
                )

    async def check(self) -> bool:
        """Compare once (a gateway that stopped is started again), then announce the tools the gateway
        lists now if they changed. Returns whether they did."""
        description = await self._gateway.handle.describe()
        if description.status != WorkflowExecutionStatus.RUNNING:
            log.warning("the tool gateway had stopped; starting it again", gateway=self._gateway.handle.id)
            await self._reopen()
        catalog = await self._gateway.catalog()
        tools = mcp_tools(catalog)
        if catalog.discovered_at is None or tools == self.tools:
            return False  # a gateway started again lists nothing until its discovery is done
        added = sorted({tool.name for tool in tools} - {tool.name for tool in self.tools})
        removed = sorted({tool.name for tool in self.tools} - {tool.name for tool in tools})
        log.info("the tools changed", added=added, removed=removed, tools=len(tools))
        self.tools = tools
        await self.bus.publish(ToolsListChanged())
        return True

    async def forward_changes(self, session: ServerSession) -> None:
        """Send ``notifications/tools/list_changed`` on ``session``'s connection at every change, until the
        connection closes (its dispatcher cancels this then)."""
        send, receive = anyio.create_memory_object_stream[ServerEvent](CHANGES_BUFFERED)

        def deliver(event: ServerEvent) -> None:
            if isinstance(event, ToolsListChanged):
                try:
                    send.send_nowait(event)
                except anyio.WouldBlock:
                    pass  # a change is waiting already: the client lists everything again anyway

        unsubscribe = self.bus.subscribe(deliver)
        try:
            async with receive:
                async for _ in receive:
                    await session.send_tool_list_changed()
        finally:
            unsubscribe()
            send.close()
