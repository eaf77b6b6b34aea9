"""Serve every team's tools over MCP, or decide a call that waits for approval:

    python -m orchestrator.mcp                                  # MCP over stdio (a client spawns it)
    python -m orchestrator.mcp --http [--host 127.0.0.1] [--port 8765]   # streamable HTTP at /mcp
    python -m orchestrator.mcp approve <call id>
    python -m orchestrator.mcp deny <call id> [--reason TEXT]

Serving options: ``--gateway-id`` (default ``tool-gateway``; processes with one id share one gateway),
``--task-queue`` (where a gateway this process starts runs: ``ORCHESTRATOR_TASK_QUEUE``, else the topology's),
``--refresh-seconds`` (how often the tool list is compared with the gateway's, default 5),
``--catalog-max-age`` (the gateway's own refresh period, when this process starts it). Everywhere: ``--user``
(who you are, as an approver sees it; default the login name), ``--token-file`` (else ``AGENT_USER_TOKEN``:
your signed token, when the suite trusts an issuer), ``--profile`` (an envconfig profile).

A gateway that cannot start says why in one line on stderr (exit 2), never with a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import os
import sys
from collections.abc import Sequence

from pydantic import ValidationError
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from orchestrator.chat import TOKEN_VARIABLE, user_token
from orchestrator.gateway_models import DEFAULT_GATEWAY_ID
from orchestrator.gateway_workflow import ToolGatewayWorkflow
from orchestrator.mcp.decisions import NothingToDecide, decide_call
from orchestrator.mcp.server import GatewayUnavailable, serve
from orchestrator.mcp.settings import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_REFRESH_SECONDS,
    GatewayServerSettings,
)
from orchestrator.settings import TASK_QUEUE_VARIABLE
from orchestrator.tool_gateway import ToolGateway
from shared.connection import connect, no_answer
from shared.failures import failure_message, validation_problems
from shared.log import configure_logging
from shared.process import ServerUnreachable, exit_process
from shared.topology import load_topology

CANNOT_START = 2
NOT_DECIDED = 1


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    everywhere = argparse.ArgumentParser(add_help=False)
    everywhere.add_argument(
        "--gateway-id",
        default=DEFAULT_GATEWAY_ID,
        help=f"the gateway workflow's id (default {DEFAULT_GATEWAY_ID})",
    )
    everywhere.add_argument(
        "--user", default=_login_name(), help="who you are, as an approver sees it (a verified token wins)"
    )
    everywhere.add_argument(
        "--token-file", help=f"a file holding your signed token (default: the {TOKEN_VARIABLE} variable)"
    )
    everywhere.add_argument("--profile", help="temporalio.envconfig profile (default: TEMPORAL_PROFILE)")

    parser = argparse.ArgumentParser(
        prog="python -m orchestrator.mcp",
        description="Serve every tool team's tools over MCP (stdio, or --http), or decide a waiting call.",
        parents=[everywhere],
    )
    parser.add_argument("--http", action="store_true", help="serve streamable HTTP at /mcp instead of stdio")
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"the HTTP address to bind (default {DEFAULT_HOST})"
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"the HTTP port (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--task-queue",
        default=os.environ.get(TASK_QUEUE_VARIABLE) or None,
        help=f"the orchestrator workers' task queue for a gateway this starts (default: {TASK_QUEUE_VARIABLE}, "
        "else the topology's)",
    )
    parser.add_argument(
        "--refresh-seconds",
        type=float,
        default=DEFAULT_REFRESH_SECONDS,
        help=f"how often the tool list is compared with the gateway's (default {DEFAULT_REFRESH_SECONDS:g})",
    )
    parser.add_argument(
        "--catalog-max-age",
        type=float,
        default=60.0,
        help="the gateway's own refresh period in seconds, when this process starts it (default 60)",
    )
    decisions = parser.add_subparsers(dest="command", metavar="{approve,deny}")
    for verb, does in (("approve", "run"), ("deny", "refuse")):
        decision = decisions.add_parser(
            verb, parents=[everywhere], help=f"{does} a call that waits for approval"
        )
        decision.add_argument("call_id", help="the call's id, as the tool error or the elicitation showed it")
        decision.add_argument("--reason", default="", help="why (kept in the audit trail)")
    return parser.parse_args(argv)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "MCP user"


def serve_settings(arguments: argparse.Namespace) -> GatewayServerSettings:
    return GatewayServerSettings(
        gateway_id=arguments.gateway_id,
        task_queue=arguments.task_queue,
        refresh_seconds=arguments.refresh_seconds,
        catalog_max_age_seconds=arguments.catalog_max_age,
        http=arguments.http,
        host=arguments.host,
        port=arguments.port,
        user=arguments.user,
        token=user_token(arguments.token_file),
        profile=arguments.profile,
    )


async def decide(client: Client, arguments: argparse.Namespace) -> int:
    """Approve or deny one waiting call; says what was decided, or why nothing was."""
    handle = client.get_workflow_handle_for(ToolGatewayWorkflow.run, arguments.gateway_id)
    gateway = ToolGateway(handle, token=user_token(arguments.token_file))
    approve = arguments.command == "approve"
    try:
        pending = await decide_call(
            gateway, arguments.call_id, approve=approve, approver=arguments.user, reason=arguments.reason
        )
    except NothingToDecide as nothing:
        print(nothing, file=sys.stderr)
        return NOT_DECIDED
    except WorkflowUpdateFailedError as refused:
        print(f"The decision was refused: {failure_message(refused)}", file=sys.stderr)
        return NOT_DECIDED
    except RPCError as error:
        if error.status != RPCStatusCode.NOT_FOUND:
            raise
        print(f"No tool gateway {arguments.gateway_id} runs (see --gateway-id).", file=sys.stderr)
        return NOT_DECIDED
    print(
        f"({'approved' if approve else 'denied'}: {pending.service}/{pending.tool}, call {pending.call_id})"
    )
    return 0


async def main(argv: Sequence[str] | None = None, client: Client | None = None) -> int:
    """Serve, or decide; what cannot start says why in one line (exit 2)."""
    arguments = parse_arguments(argv)
    configure_logging()
    try:
        settings = serve_settings(arguments) if arguments.command is None else None
        if client is None:
            client = await connect(load_topology().orchestrator.namespace, profile=arguments.profile)
        if settings is None:
            return await decide(client, arguments)
        await serve(client, settings)
        return 0
    except ValidationError as invalid:
        print(f"Unusable options: {validation_problems(invalid)}", file=sys.stderr)
    except ServerUnreachable as problem:
        print(problem, file=sys.stderr)
    except GatewayUnavailable as problem:
        print(f"The MCP gateway cannot start: {problem}", file=sys.stderr)
    except RPCError as error:
        print(no_answer(client, error), file=sys.stderr)
    return CANNOT_START


if __name__ == "__main__":
    code = 0
    with contextlib.suppress(KeyboardInterrupt):
        code = asyncio.run(main())
    exit_process(code)
