"""Serving a tool team: its worker (the tool workflow, one activity per tool and the Nexus handler, on the
team's task queue in the team's namespace) and the process that runs it until stopped."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.worker import Worker

from shared.connection import connect
from shared.encryption.settings import describe_encryption
from shared.identity.settings import IdentitySettings
from shared.kit.activities import tool_activity
from shared.kit.caller_check import CallerCheck
from shared.kit.handler import ToolServiceHandler
from shared.kit.refusal_log import RefusalLog
from shared.kit.team import ToolTeam
from shared.kit.tool_workflow import ToolWorkflow
from shared.log import configure_logging, get_logger
from shared.metrics import describe_metrics
from shared.process import run_until_stopped
from shared.telemetry import describe_tracing


def build_tool_worker(client: Client, team: ToolTeam, identity: IdentitySettings | None = None) -> Worker:
    """The worker for ``team`` on ``client`` (whose namespace must be the team's), checking who asks as
    ``identity`` says (default: the environment's settings)."""
    identity = IdentitySettings.from_env() if identity is None else identity
    return Worker(
        client,
        task_queue=team.site.task_queue,
        workflows=[ToolWorkflow],
        activities=[tool_activity(tool) for tool in team.tools],
        nexus_service_handlers=[ToolServiceHandler(team)],
        # No workflow kept cached, so no sticky queue: a tool workflow is a handful of events and runs outside
        # the sandbox, so a task replays it at once on any worker, and the task after a killed worker's tool
        # is retried goes to a live worker at once instead of waiting out the dead one's sticky queue.
        max_cached_workflows=0,
        # First, so that a refusal by the caller check is logged too.
        interceptors=[RefusalLog(team.name), CallerCheck(team, identity.call_proof_verifier())],
    )


async def serve_tool_team(
    team: ToolTeam, client: Client | None = None, *, profile: str | None = None
) -> None:
    """Run the team's worker until SIGINT or SIGTERM, then shut it down cleanly."""
    configure_logging()
    if client is None:
        client = await connect(team.site.namespace, profile=profile)
    identity = IdentitySettings.from_env()
    worker = build_tool_worker(client, team, identity)
    get_logger(__name__).info(
        "tool worker started",
        **describe_encryption(client.data_converter),
        **identity.describe(),
        **describe_tracing(),
        **describe_metrics(),
        team=team.name,
        namespace=client.namespace,
        task_queue=team.site.task_queue,
        tools=[tool.name for tool in team.tools],
    )
    await run_until_stopped(worker)
