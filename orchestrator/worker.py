"""The orchestrator's worker: ``python -m orchestrator.worker [--profile orchestrator]``.

It runs ``AgentWorkflow`` (and the tool gateway's workflow) and their activities (the model calls, the chats'
short steps, the local tools, the service directory) on the orchestrator's task queue in namespace
``default``. In one worker, a chat's model call starts at once in the process that schedules it (eager
activities). ``ORCHESTRATOR_WORKER_ROLE`` splits them: ``workflows`` runs the workflows and never imports
litellm (it polls within a second of its start), ``activities`` the activities; the default, ``all``, runs
both. A process that runs the activities imports litellm before it serves and runs its worker in a forked
child, which it replaces at once if it is killed (``shared.process``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

from orchestrator.approvals import approval_policy_activity
from orchestrator.chat_opening import ChatOpener
from orchestrator.gateway_workflow import ToolGatewayWorkflow
from orchestrator.identity_checks import IdentityActivities
from orchestrator.llm.model_list import llm_models_activity
from orchestrator.llm.names import llm_task_queue
from orchestrator.local_tools import LOCAL_TOOLS
from orchestrator.local_tools.weather import weather_provider
from orchestrator.mcp_tools.settings import McpServerConfig, McpServersSetting
from orchestrator.service_directory import ServiceDirectory
from orchestrator.settings import OrchestratorSettings
from orchestrator.sticky_release import StickyRelease
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


def build_workers(
    client: Client, settings: OrchestratorSettings, identity: IdentitySettings | None = None
) -> list[Worker]:
    """The Temporal workers of one process, by its role (``settings.worker_role``): the chats' workflows, their
    activities, or both on one worker, so that a model call starts eagerly in the process whose chat
    scheduled it. The activities load litellm, so set ``LITELLM_LOCAL_MODEL_COST_MAP`` first (``main`` does)."""
    role = settings.worker_role
    workflows = [AgentWorkflow, ToolGatewayWorkflow] if role != "activities" else []
    mcp_servers = McpServersSetting.from_env().servers  # a bad AGENT_MCP_SERVERS stops the worker here
    steps = chat_steps(client, settings, identity, mcp_servers)
    if role == "workflows":
        # Chats recorded before ``WORKER_STEPS_PATCH`` run their steps as local activities, in this process.
        return [chats_worker(client, settings, workflows, steps, local_only=True)]
    # Imported here rather than at the top of this module, so that ``main`` can choose litellm's cost map
    # before litellm is imported, and a process of the ``workflows`` role never imports it.
    from orchestrator.llm.activity import LlmActivities

    llm = LlmActivities(settings)
    model_calls = [llm.call_llm, llm.summarize_history]
    return [
        chats_worker(client, settings, workflows, [*model_calls, *steps, *chat_tools(mcp_servers)]),
        # The calls that runs of the version before scheduled on a queue of their own, and retry there.
        Worker(
            client,
            task_queue=llm_task_queue(settings.task_queue),
            activities=model_calls,
            interceptors=[StickyRelease()],
        ),
    ]


def chats_worker(
    client: Client,
    settings: OrchestratorSettings,
    workflows: Sequence[type],
    activities: Sequence[Any],
    local_only: bool = False,
) -> Worker:
    """The worker of the chats' task queue, running ``workflows`` and ``activities`` (either may be none;
    ``local_only``: the activities only as local activities, never taken from the queue)."""
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=workflows,
        activities=activities,
        no_remote_activities=local_only,
        interceptors=[StickyRelease()],
        sticky_queue_schedule_to_start_timeout=STICKY_QUEUE_TIMEOUT,
    )


def chat_steps(
    client: Client,
    settings: OrchestratorSettings,
    identity: IdentitySettings | None,
    mcp_servers: list[McpServerConfig],
) -> list[Any]:
    """The chats' short steps: the list of models, a chat's opening, the service directory (the teams and
    ``mcp_servers``), the approval policy, the identity checks."""
    identity = IdentitySettings.from_env() if identity is None else identity
    # Inconsistent identity settings (an issuer without its keys) stop the worker here.
    checks = IdentityActivities(identity.user_tokens(), identity.call_proof_signer())
    directory = ServiceDirectory(client, [server.name for server in mcp_servers])
    opener = ChatOpener(checks, directory)
    return [
        llm_models_activity(settings.models),
        opener.open_chat,
        directory.tool_services,
        approval_policy_activity(settings.approval_policy()),
        *checks.activities(),
    ]


def chat_tools(mcp_servers: list[McpServerConfig]) -> list[Any]:
    """The tools the chats call in this process: the local tools and those of ``mcp_servers``."""
    weather_provider()  # a bad WEATHER_PROVIDER stops the worker here, not every weather call later
    return [*(tool_activity(tool) for tool in LOCAL_TOOLS), *mcp_activities(mcp_servers)]


def mcp_activities(servers: list[McpServerConfig]) -> list[Any]:
    """The activities that reach the MCP servers ``servers``; none (and the MCP SDK not even loaded, it
    takes a second and more) when there are none."""
    if not servers:
        return []
    from orchestrator.mcp_tools.activities import McpToolActivities

    return McpToolActivities(servers).activities()


def use_bundled_cost_map() -> None:
    """litellm's bundled cost map, unless the operator says otherwise: a worker needs no internet to start."""
    os.environ.setdefault(LITELLM_COST_MAP_VARIABLE, "True")


def preload_model_calls() -> bool:
    """In a process whose role makes model calls: load now what its model calls need (litellm, what its
    first call imports, the models' tokenizers: 3-4 s) and say so, so that the worker runs in a fork that is
    replaced warm when it is killed."""
    settings = OrchestratorSettings.from_env()
    if settings.worker_role == "workflows":
        return False
    use_bundled_cost_map()
    from orchestrator.llm.activity import load_model_calls

    load_model_calls(settings)  # what it loads stays in this process, for every fork
    return True


async def main(
    client: Client | None = None, *, profile: str | None = None, settings: OrchestratorSettings | None = None
) -> None:
    configure_logging()
    use_bundled_cost_map()
    settings = settings or OrchestratorSettings.from_env()
    if client is None:
        client = await connect(load_topology().orchestrator.namespace, profile=profile)
    identity = IdentitySettings.from_env()
    if identity.enabled and client.data_converter.payload_codec is None:
        raise IdentitySettingsError(
            "IDENTITY_ISSUER is set but payloads are not encrypted: people's tokens would sit in plain text in "
            "the chats' histories. Set PAYLOAD_KEYS_FILE (the local stack makes a key file)."
        )
    workers = build_workers(client, settings, identity)
    get_logger(__name__).info(
        "orchestrator worker started",
        **describe_encryption(client.data_converter),
        **identity.describe(),
        **describe_tracing(),
        **describe_metrics(),
        namespace=client.namespace,
        task_queue=settings.task_queue,
        role=settings.worker_role,
        model=settings.model,
    )
    await run_until_stopped(*workers)


if __name__ == "__main__":
    arguments = worker_arguments("Run the orchestrator's agent worker (namespace default).")
    start_worker(main(profile=arguments.profile), preload=preload_model_calls)
