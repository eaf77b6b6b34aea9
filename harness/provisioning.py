"""Provisioning a server for the topology: every namespace and Nexus endpoint it lists that the server
lacks is created, and the chat's custom search attributes are added to the orchestrator's namespace, through
the server's own APIs, as an operator's tooling would. Running it again creates nothing; a team added to the
topology gets its namespace and endpoint on the next run.
"""

from __future__ import annotations

from datetime import timedelta

from google.protobuf.duration_pb2 import Duration
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.nexus.v1 import EndpointSpec, EndpointTarget
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    CreateNexusEndpointRequest,
    DeleteNexusEndpointRequest,
    ListSearchAttributesRequest,
)
from temporalio.api.workflowservice.v1 import ListNamespacesRequest, RegisterNamespaceRequest
from temporalio.client import Client
from temporalio.converter import default as default_converter
from temporalio.service import RPCError, RPCStatusCode

from orchestrator.search_attributes import CHAT_SEARCH_ATTRIBUTES
from shared.nexus_endpoints import nexus_endpoint_ids
from shared.topology import ToolServiceSite, Topology

RETENTION = timedelta(days=1)
"""How long the local server keeps a closed workflow's history."""


async def provision(client: Client, topology: Topology) -> list[str]:
    """Create the namespaces and endpoints of ``topology`` that are missing; returns what it created."""
    created: list[str] = []
    existing = await namespaces(client)
    for namespace in topology.namespaces():
        if namespace not in existing:
            await client.workflow_service.register_namespace(
                RegisterNamespaceRequest(
                    namespace=namespace,
                    workflow_execution_retention_period=Duration(seconds=int(RETENTION.total_seconds())),
                ),
                retry=True,
            )
            created.append(f"namespace {namespace}")
    registered = await nexus_endpoint_ids(client)
    for site in topology.tool_services.values():
        if site.endpoint not in registered:
            await create_endpoint(client, site)
            created.append(f"endpoint {site.endpoint} -> {site.namespace}/{site.task_queue}")
    created.extend(await add_search_attributes(client, topology.orchestrator.namespace))
    return created


async def add_search_attributes(client: Client, namespace: str) -> list[str]:
    """Add to ``namespace`` the chat's search attributes it lacks (a chat that upserts an unregistered one
    fails its workflow task); returns what it added."""
    existing = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=namespace), retry=True
    )
    missing = {
        key.name: IndexedValueType.ValueType(key.indexed_value_type.value)
        for key in CHAT_SEARCH_ATTRIBUTES
        if key.name not in existing.custom_attributes
    }
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=namespace, search_attributes=missing), retry=True
        )
    return [f"search attribute {name} on {namespace}" for name in missing]


async def namespaces(client: Client) -> set[str]:
    names: set[str] = set()
    page_token = b""
    while True:
        response = await client.workflow_service.list_namespaces(
            ListNamespacesRequest(page_size=100, next_page_token=page_token), retry=True
        )
        names.update(entry.namespace_info.name for entry in response.namespaces)
        if not response.next_page_token:
            return names
        page_token = response.next_page_token


async def create_endpoint(client: Client, site: ToolServiceSite) -> str:
    """Create the endpoint that routes callers to ``site``'s namespace and task queue; returns its id.

    Raw service calls are retried (``retry=True``): a connection the server recycles (its maximum connection
    age) can cancel a call in flight. An endpoint that already exists (a retried call that had landed) is the
    one asked for, and its id is returned."""
    try:
        response = await client.operator_service.create_nexus_endpoint(
            CreateNexusEndpointRequest(
                spec=EndpointSpec(
                    name=site.endpoint,
                    description=default_converter().payload_converter.to_payload(site.description),
                    target=EndpointTarget(
                        worker=EndpointTarget.Worker(namespace=site.namespace, task_queue=site.task_queue)
                    ),
                )
            ),
            retry=True,
        )
    except RPCError as error:
        if error.status != RPCStatusCode.ALREADY_EXISTS:
            raise
        return (await nexus_endpoint_ids(client))[site.endpoint]
    return response.endpoint.id


async def delete_endpoint(client: Client, endpoint_id: str) -> None:
    """Delete the endpoint ``endpoint_id`` (as an operator would, or a test of a missing endpoint)."""
    await client.operator_service.delete_nexus_endpoint(
        DeleteNexusEndpointRequest(id=endpoint_id, version=1), retry=True
    )
