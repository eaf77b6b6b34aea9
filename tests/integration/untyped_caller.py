"""A caller workflow in namespace ``default`` that knows nothing of ``shared``: it declares its own
``ToolService`` with dict payloads, as another team or an outside caller would."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import nexusrpc
from pydantic import BaseModel
from temporalio import workflow


@nexusrpc.service(name="ToolService")
class UntypedToolService:
    list_tools: nexusrpc.Operation[dict[str, Any], dict[str, Any]]
    execute_tool: nexusrpc.Operation[dict[str, Any], dict[str, Any]]


class NexusCall(BaseModel):
    """One operation to run: on which endpoint, which operation, with what input."""

    endpoint: str
    operation: str
    input: dict[str, Any]


@workflow.defn
class UntypedCallerWorkflow:
    """Runs one Nexus operation and returns its output as plain JSON."""

    @workflow.run
    async def run(self, call: NexusCall) -> dict[str, Any]:
        client = workflow.create_nexus_client(service=UntypedToolService, endpoint=call.endpoint)
        operation = getattr(UntypedToolService, call.operation)
        output: dict[str, Any] = await client.execute_operation(
            operation, call.input, schedule_to_close_timeout=timedelta(seconds=30)
        )
        return output
