"""The orchestrator's worker: ``python -m orchestrator.worker [--profile orchestrator]``.

It runs ``AgentWorkflow``, the LLM activity, the local tools and the service directory on the orchestrator's
task queue in namespace ``default``.
"""

from __future__ import annotations

import os
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

from orchestrator.approvals import approval_policy_activity
from orchestrator.gateway_workflow import ToolGatewayWorkflow
from orchestrator.identity_checks import IdentityActivities
from orchestrator.local_tools import LOCAL_TOOLS
from orchestrator.local_tools.weather import weather_provider
from orchestrator.mcp_tools.settings import McpServerConfig, McpServersSetting
from orchestrator.service_directory import ServiceDirectory
from orchestrator.settings import OrchestratorSettings
from orchestrator.workflow import AgentWorkflow
from shared.connection import connect
from shared.encryption.settings import describe_encryption
from shared.identity.settings import IdentitySettings, IdentitySettingsError
from shared.kit.activities import tool_activity
from shared.log import configure_logging, get_logger
from shared.metrics import describe_metrics
from shared.process import STICKY_QUEUE_TIMEOUT, run_until_stopped, start_worker, worker_arguments
from shared.telemetry import describe_tracing
from shared.topology import load_topology

LITELLM_COST_MAP_VARIABLE = "LITELLM_LOCAL_MODEL_COST_MAP"
"""litellm reads it once, when first imported: unless it is ``True``, the import downloads a model cost map
from the internet instead of using the copy litellm ships."""


def build_worker(
    client: Client, settings: OrchestratorSettings, identity: IdentitySettings | None = None
) -> Worker:
    """The orchestrator's worker. It loads litellm, so set ``LITELLM_LOCAL_MODEL_COST_MAP`` first (``main``
    does)."""
    # Imported here rather than at the top of this module, so that ``main`` can choose litellm's cost map
    # before litellm is imported: a module of ours never changes the environment as a side effect of its
    # import, and importing this one (for ``build_worker``) does not load litellm.
    from orchestrator.llm.activity import LlmActivities

    weather_provider()  # a bad WEATHER_PROVIDER stops the worker here, not every weather call later
    identity = IdentitySettings.from_env() if identity is None else identity
    # Inconsistent identity settings (an issuer without its keys) stop the worker here.
    checks = IdentityActivities(identity.user_tokens(), identity.call_proof_signer())
    llm = LlmActivities(settings)
    mcp_servers = McpServersSetting.from_env().servers  # a bad AGENT_MCP_SERVERS stops the worker here
    directory = ServiceDirectory(client, [server.name for server in mcp_servers])
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[AgentWorkflow, ToolGatewayWorkflow],
        activities=[
            llm.call_llm,
            llm.llm_models,
            llm.summarize_history,
            directory.tool_services,
            approval_policy_activity(settings.approval_policy()),
            *checks.activities(),
            *(tool_activity(tool) for tool in LOCAL_TOOLS),
            *mcp_activities(mcp_servers),
        ],
        sticky_queue_schedule_to_start_timeout=STICKY_QUEUE_TIMEOUT,
    )


def mcp_activities(servers: list[McpServerConfig]) -> list[Any]:
    """The activities that reach the MCP servers ``servers``; none (and the MCP SDK not even loaded, it
    takes a second and more) when there are none."""
    if not servers:
        return []
    from orchestrator.mcp_tools.activities import McpToolActivities

    return McpToolActivities(servers).activities()


async def main(
    client: Client | None = None, *, profile: str | None = None, settings: OrchestratorSettings | None = None
) -> None:
    configure_logging()
    # The bundled cost map, unless the operator says otherwise: a worker needs no internet to start.
    os.environ.setdefault(LITELLM_COST_MAP_VARIABLE, "True")
    settings = settings or OrchestratorSettings.from_env()
    if client is None:
        client = await connect(load_topology().orchestrator.namespace, profile=profile)
    identity = IdentitySettings.from_env()
    if identity.enabled and client.data_converter.payload_codec is None:
        raise IdentitySettingsError(
            "IDENTITY_ISSUER is set but payloads are not encrypted: people's tokens would sit in plain text in "
            "the chats' histories. Set PAYLOAD_KEYS_FILE (the local stack makes a key file)."
        )
    worker = build_worker(client, settings, identity)
    get_logger(__name__).info(
        "orchestrator worker started",
        **describe_encryption(client.data_converter),
        **identity.describe(),
        **describe_tracing(),
        **describe_metrics(),
        namespace=client.namespace,
        task_queue=settings.task_queue,
        model=settings.model,
    )
    await run_until_stopped(worker)


if __name__ == "__main__":
    arguments = worker_arguments("Run the orchestrator's agent worker (namespace default).")
    start_worker(main(profile=arguments.profile))
