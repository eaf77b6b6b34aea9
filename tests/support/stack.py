"""A real Temporal dev server for the test session, on free ports, with the topology's namespaces and
Nexus endpoints (created through the operator service, as an operator's tooling would)."""

from __future__ import annotations

from dataclasses import dataclass, field

from temporalio.api.nexus.v1 import EndpointSpec, EndpointTarget
from temporalio.api.operatorservice.v1 import CreateNexusEndpointRequest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from scripts.localstack import TUNING_ARGS, free_port, namespace_args, temporal_binary
from shared.topology import ToolServiceSite, load_topology


@dataclass
class Stack:
    """What tests need to reach the dev server."""

    environment: WorkflowEnvironment
    address: str
    http_port: int
    endpoint_ids: dict[str, str] = field(default_factory=dict)

    @property
    def client(self) -> Client:
        """A client on the orchestrator's namespace (``default``)."""
        return self.environment.client

    async def client_for(self, namespace: str) -> Client:
        return await Client.connect(self.address, namespace=namespace, data_converter=pydantic_data_converter)

    def nexus_url(self, endpoint: str, operation: str) -> str:
        """The HTTP address of a Nexus operation on the server (how any Nexus caller reaches a handler)."""
        endpoint_id = self.endpoint_ids[endpoint]
        return f"http://127.0.0.1:{self.http_port}/nexus/endpoints/{endpoint_id}/services/ToolService/{operation}"

    async def create_endpoint(self, site: ToolServiceSite) -> str:
        """Create the Nexus endpoint that routes to ``site`` (as an operator's tooling would); returns its id."""
        response = await self.client.operator_service.create_nexus_endpoint(
            CreateNexusEndpointRequest(
                spec=EndpointSpec(
                    name=site.endpoint,
                    target=EndpointTarget(
                        worker=EndpointTarget.Worker(namespace=site.namespace, task_queue=site.task_queue)
                    ),
                )
            )
        )
        self.endpoint_ids[site.endpoint] = response.endpoint.id
        return response.endpoint.id

    @property
    def worker_env(self) -> dict[str, str]:
        """Environment for worker processes: the address only; each worker picks its own namespace."""
        return {"TEMPORAL_ADDRESS": self.address, "TEMPORAL_NAMESPACE": "", "TEMPORAL_PROFILE": ""}


async def start_stack() -> Stack:
    topology = load_topology()
    port, http_port = free_port(), free_port()
    environment = await WorkflowEnvironment.start_local(
        namespace=topology.orchestrator.namespace,
        data_converter=pydantic_data_converter,
        port=port,
        dev_server_existing_path=temporal_binary(),
        dev_server_extra_args=[
            *TUNING_ARGS,
            *namespace_args(topology),
            "--http-port",
            str(http_port),
        ],
    )
    stack = Stack(environment=environment, address=f"127.0.0.1:{port}", http_port=http_port)
    try:
        for site in topology.tool_services.values():
            await stack.create_endpoint(site)
    except BaseException:
        await environment.shutdown()
        raise
    return stack
