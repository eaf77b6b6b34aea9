"""The server's Nexus endpoint registry, read through its operator API: every endpoint's name and id. The
orchestrator checks with it that a team's endpoint exists before calling it; the local stack's provisioning,
which endpoints it must create."""

from __future__ import annotations

from temporalio.api.operatorservice.v1 import ListNexusEndpointsRequest
from temporalio.client import Client


async def nexus_endpoint_ids(client: Client) -> dict[str, str]:
    """Every Nexus endpoint of the server: name -> id (all pages). Raw calls are retried (``retry=True``): a
    connection the server recycles can cancel one in flight."""
    ids: dict[str, str] = {}
    page_token = b""
    while True:
        response = await client.operator_service.list_nexus_endpoints(
            ListNexusEndpointsRequest(page_size=100, next_page_token=page_token), retry=True
        )
        ids.update((endpoint.spec.name, endpoint.id) for endpoint in response.endpoints)
        if not response.next_page_token:
            return ids
        page_token = response.next_page_token
