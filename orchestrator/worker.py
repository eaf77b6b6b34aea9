"""The orchestrator's worker: ``python -m orchestrator.worker [--profile orchestrator]``.

It runs ``AgentWorkflow``, the LLM activity, the local tools and the service directory on the orchestrator's
task queue in namespace ``default``.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio.client import Client
from temporalio.worker import Worker

from orchestrator.llm.activity import LlmActivities
from orchestrator.local_tools import LOCAL_TOOLS
from orchestrator.local_tools.weather import weather_provider
from orchestrator.service_directory import ServiceDirectory
from orchestrator.settings import OrchestratorSettings
from orchestrator.workflow import AgentWorkflow
from shared.connection import connect
from shared.kit.activities import tool_activity
from shared.log import configure_logging, get_logger
from shared.process import run_until_stopped, worker_arguments
from shared.topology import load_topology

STICKY_QUEUE_TIMEOUT = timedelta(seconds=2)
"""A killed worker's chats move to another worker after this, not the 10 s default."""


def build_worker(client: Client, settings: OrchestratorSettings) -> Worker:
    weather_provider()  # a bad WEATHER_PROVIDER stops the worker here, not every weather call later
    llm = LlmActivities(settings)
    directory = ServiceDirectory(client)
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[AgentWorkflow],
        activities=[llm.call_llm, directory.tool_services, *(tool_activity(tool) for tool in LOCAL_TOOLS)],
        sticky_queue_schedule_to_start_timeout=STICKY_QUEUE_TIMEOUT,
    )


async def main(
    client: Client | None = None, *, profile: str | None = None, settings: OrchestratorSettings | None = None
) -> None:
    configure_logging()
    settings = settings or OrchestratorSettings.from_env()
    if client is None:
        client = await connect(load_topology().orchestrator.namespace, profile=profile)
    worker = build_worker(client, settings)
    get_logger(__name__).info(
        "orchestrator worker started",
        namespace=client.namespace,
        task_queue=settings.task_queue,
        model=settings.model,
    )
    await run_until_stopped(worker)


if __name__ == "__main__":
    arguments = worker_arguments("Run the orchestrator's agent worker (namespace default).")
    asyncio.run(main(profile=arguments.profile))
