"""The tool gateway seen from a client (the MCP server, a test): open the shared ``ToolGatewayWorkflow`` (start
it, or join the one running), read its catalog, make a call, answer an approval, ask for a refresh.

A call's key is its idempotency key: the same key sent again (from a new gateway process after the first
died mid-call, say) gets the first call's outcome instead of a second call.
"""

from __future__ import annotations

import asyncio
import time
import uuid

from temporalio.client import Client, WorkflowHandle, WorkflowUpdateHandle, WorkflowUpdateStage
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy

from orchestrator.gateway_models import (
    DEFAULT_GATEWAY_ID,
    GatewayCatalog,
    GatewayInput,
    GatewayRunInput,
    ToolCallRequest,
)
from orchestrator.gateway_workflow import ToolGatewayWorkflow
from orchestrator.models import PendingApproval, ToolCallDecision, ToolCallRecord
from shared.topology import load_topology

CATALOG_POLL_SECONDS = 0.1


class ToolGateway:
    """One gateway workflow, seen from a client; ``token`` goes with every call and decision."""

    def __init__(self, handle: WorkflowHandle[ToolGatewayWorkflow, None], token: str | None = None) -> None:
        self.handle = handle
        self.token = token

    @classmethod
    async def open(
        cls,
        client: Client,
        *,
        workflow_id: str = DEFAULT_GATEWAY_ID,
        task_queue: str | None = None,
        gateway_input: GatewayInput | None = None,
        token: str | None = None,
    ) -> ToolGateway:
        """Join the running gateway ``workflow_id``, or start it (again, after it stopped)."""
        chosen = (gateway_input or GatewayInput()).model_copy(update={"token": token})
        started = await client.start_workflow(
            ToolGatewayWorkflow.run,
            GatewayRunInput.model_validate(chosen.model_dump()),
            id=workflow_id,
            task_queue=task_queue or load_topology().orchestrator.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        )
        # Not pinned to a run: the gateway continues as new, and calls go to its latest run.
        return cls(client.get_workflow_handle_for(ToolGatewayWorkflow.run, started.id), token)

    async def catalog(self) -> GatewayCatalog:
        """The tools as the gateway knows them now (empty until its first discovery is done)."""
        return await self.handle.query(ToolGatewayWorkflow.tools)

    async def discovered_catalog(self, within: float = 30.0) -> GatewayCatalog:
        """The catalog once the gateway's first discovery is done (``TimeoutError`` after ``within`` s)."""
        deadline = time.monotonic() + within
        while True:
            catalog = await self.catalog()
            if catalog.discovered_at is not None:
                return catalog
            if time.monotonic() > deadline:
                raise TimeoutError(f"the tool gateway found no tools within {within:.0f} s")
            await asyncio.sleep(CATALOG_POLL_SECONDS)

    async def start_call(
        self, name: str, arguments: dict[str, object], *, key: str | None = None, caller: str | None = None
    ) -> WorkflowUpdateHandle[ToolCallRecord]:
        """Send one call and return once the gateway accepted it (an unknown tool is refused here, with
        ``WorkflowUpdateFailedError`` saying so); ``key`` (default: a new one) is its idempotency key."""
        request = ToolCallRequest(name=name, arguments=dict(arguments), caller=caller, token=self.token)
        return await self.handle.start_update(
            ToolGatewayWorkflow.call_tool,
            request,
            id=key or str(uuid.uuid4()),
            wait_for_stage=WorkflowUpdateStage.ACCEPTED,
        )

    async def call(
        self, name: str, arguments: dict[str, object], *, key: str | None = None, caller: str | None = None
    ) -> ToolCallRecord:
        """Make one call and wait for its outcome."""
        return await (await self.start_call(name, arguments, key=key, caller=caller)).result()

    def call_id(self, key: str) -> str:
        """The id the gateway gives the call of ``key`` (the one its pending approval names)."""
        return f"{self.handle.id}/{key}"

    async def pending_approvals(self) -> list[PendingApproval]:
        return await self.handle.query(ToolGatewayWorkflow.pending_approvals)

    async def decide(
        self, pending: PendingApproval, *, approve: bool, approver: str, reason: str = ""
    ) -> None:
        """Approve or deny a waiting call, for exactly the arguments ``pending`` shows; a refused decision
        raises ``WorkflowUpdateFailedError`` saying why."""
        decision = ToolCallDecision(
            call_id=pending.call_id,
            digest=pending.digest,
            approve=approve,
            approver=approver,
            reason=reason,
            token=self.token,
        )
        await self.handle.execute_update(ToolGatewayWorkflow.decide_tool_call, decision)

    async def refresh(self) -> None:
        """Ask the gateway to find every team's tools again now."""
        await self.handle.signal(ToolGatewayWorkflow.refresh_tools)
