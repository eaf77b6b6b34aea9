"""The MCP server over the tool gateway, built on the MCP SDK's low-level ``Server`` (the tool list is the
gateway's, and changes while clients are connected), served over stdio or streamable HTTP.

It speaks both protocol eras the SDK serves: the handshake era (``initialize``; what most clients speak) and
2026-07-28 (per-request envelopes, ``subscriptions/listen``, ``InputRequiredResult``). Over stdio nothing but
the protocol goes to stdout (the SDK points fd 1 at stderr while it serves; logs go to stderr).
"""

from __future__ import annotations

import asyncio
from typing import Any

import mcp_types as types
import uvicorn
from mcp.server.lowlevel.server import NotificationOptions, Server
from mcp.server.models import InitializationOptions
from mcp.server.stdio import stdio_server
from mcp.server.subscriptions import ListenHandler
from temporalio.client import Client, WorkflowFailureError

from orchestrator.gateway_models import GatewayCatalog, GatewayInput
from orchestrator.mcp.calls import IDEMPOTENCY_KEY_META, ToolCalls, cancel_and_wait
from orchestrator.mcp.catalog_watch import CatalogWatch
from orchestrator.mcp.settings import GatewayServerSettings
from orchestrator.tool_gateway import ToolGateway
from shared.failures import failure_message
from shared.log import get_logger
from shared.topology import load_topology

log = get_logger(__name__)

SERVER_NAME = "nexus-agents-tools"
INSTRUCTIONS = (
    "Every tool team's tools, named <team>__<tool>. Each call is durable and runs at most once per idempotency "
    f"key: give one in the request's _meta as {IDEMPOTENCY_KEY_META!r} and send the same call again with it "
    "after a lost connection to get its outcome. A call that changes something may wait for a person's approval."
)
FIRST_DISCOVERY_SECONDS = 30.0
"""How long the server waits at its start for the gateway's first discovery of the teams' tools."""


class GatewayUnavailable(RuntimeError):
    """The gateway could not be opened or found no tools; the message says why and what to start."""


class McpGatewayServer(Server[Any]):
    """The SDK's low-level server, announcing ``tools.listChanged`` however a transport builds its
    initialization options (the HTTP session manager asks with none)."""

    def create_initialization_options(
        self,
        notification_options: NotificationOptions | None = None,
        experimental_capabilities: dict[str, dict[str, Any]] | None = None,
        extensions: dict[str, dict[str, Any]] | None = None,
    ) -> InitializationOptions:
        return super().create_initialization_options(
            notification_options or NotificationOptions(tools_changed=True),
            experimental_capabilities,
            extensions,
        )


def build_server(watch: CatalogWatch, calls: ToolCalls) -> McpGatewayServer:
    """The MCP server: the watched tools, each call through the gateway, their changes to every client."""

    async def list_tools(ctx: Any, params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        return types.ListToolsResult(tools=watch.tools)

    async def forward_changes(ctx: Any, params: types.NotificationParams) -> None:
        # A handshake-era connection is initialized: tell it of changes for as long as it lasts.
        await watch.forward_changes(ctx.session)

    server = McpGatewayServer(
        SERVER_NAME,
        instructions=INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=calls,
        on_subscriptions_listen=ListenHandler(watch.bus),
    )
    server.add_notification_handler("notifications/initialized", types.NotificationParams, forward_changes)
    return server


async def open_gateway(client: Client, settings: GatewayServerSettings) -> ToolGateway:
    """Join the gateway ``settings.gateway_id`` names, or start it."""
    return await ToolGateway.open(
        client,
        workflow_id=settings.gateway_id,
        task_queue=settings.task_queue,
        gateway_input=GatewayInput(catalog_max_age_seconds=settings.catalog_max_age_seconds),
        token=settings.token,
    )


async def first_catalog(gateway: ToolGateway, settings: GatewayServerSettings) -> GatewayCatalog:
    """The gateway's catalog once its first discovery is done; ``GatewayUnavailable`` saying why if the gateway
    ends instead (a refused token, say) or no orchestrator worker runs it."""
    ending = asyncio.ensure_future(gateway.handle.result())
    finding = asyncio.ensure_future(gateway.discovered_catalog(within=FIRST_DISCOVERY_SECONDS))
    try:
        await asyncio.wait({ending, finding}, return_when=asyncio.FIRST_COMPLETED)
        if finding.done():
            return finding.result()
        ending.result()
        raise GatewayUnavailable(f"The tool gateway {gateway.handle.id} ended before it found any tools.")
    except WorkflowFailureError as failure:
        raise GatewayUnavailable(failure_message(failure)) from None
    except TimeoutError:
        queue = settings.task_queue or load_topology().orchestrator.task_queue
        raise GatewayUnavailable(
            f"The tool gateway {gateway.handle.id} found no tools within {FIRST_DISCOVERY_SECONDS:.0f} s: is an "
            f"orchestrator worker running on the task queue {queue}? Start one with `python -m orchestrator.worker`."
        ) from None
    finally:
        await cancel_and_wait(ending, finding)


async def serve(client: Client, settings: GatewayServerSettings) -> None:
    """Open the gateway, then serve its tools until the client leaves (stdio) or a signal stops the server
    (HTTP). ``GatewayUnavailable`` if there are no tools to serve."""
    gateway = await open_gateway(client, settings)
    catalog = await first_catalog(gateway, settings)
    watch = CatalogWatch(
        gateway, catalog, lambda: open_gateway(client, settings), every_seconds=settings.refresh_seconds
    )
    server = build_server(watch, ToolCalls(gateway.handle, settings))
    log.info(
        "serving the tool gateway over MCP",
        gateway=gateway.handle.id,
        tools=len(watch.tools),
        unavailable=sorted(catalog.unavailable),
        transport=settings.url if settings.http else "stdio",
    )
    watching = asyncio.create_task(watch.run())
    try:
        if settings.http:
            await _serve_http(server, settings)
        else:
            await _serve_stdio(server)
    finally:
        await cancel_and_wait(watching)


async def _serve_stdio(server: McpGatewayServer) -> None:
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


async def _serve_http(server: McpGatewayServer, settings: GatewayServerSettings) -> None:
    # Bound to loopback, the SDK's app also refuses other Host and Origin headers (DNS rebinding).
    app = server.streamable_http_app(host=settings.host)
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_config=None, access_log=False)
    await uvicorn.Server(config).serve()
