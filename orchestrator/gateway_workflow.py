"""``ToolGatewayWorkflow``: every team's tools for callers that are not the agent (the MCP server,
``orchestrator.mcp``), each call as durable as the agent's own.

One long-running workflow per gateway (id ``tool-gateway`` by default), shared by every gateway process of a
deployment: one catalog, one circuit breaker per team. It discovers the teams' tools through Nexus
``list_tools`` as the agent does (``discovery``), finds them again once they are older than
``catalog_max_age_seconds`` or on the ``refresh_tools`` signal, and makes each ``call_tool`` update's call
through the agent's router (``tool_routing``): Nexus ``execute_tool`` with the same idempotency key, breaker,
timeout, approval and history. The update's id is the call's: a caller that sends the same call again with
the same id (after losing its gateway process, say) gets the first call's outcome, and the tool runs once.

Deterministic workflow code: all I/O is activities and Nexus operations. It runs outside the workflow
sandbox, as ``AgentWorkflow`` does (its module docstring says why).
"""

from __future__ import annotations

import json
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

from orchestrator import patches, worker_steps
from orchestrator.catalog import ToolCatalog
from orchestrator.discovery import ToolDiscovery
from orchestrator.gateway_models import (
    TOOL_GATEWAY_WORKFLOW,
    GatewayCatalog,
    GatewayRunInput,
    GatewayState,
    ToolCallRequest,
)
from orchestrator.identity_checks import (
    IDENTITY_REFUSED,
    TokenRefused,
    decide_unchecked_local_messages,
    identity_of,
    shown_as,
    verified,
)
from orchestrator.models import ModelToolCall, PendingApproval, ToolCallDecision, ToolCallRecord
from orchestrator.tool_routing import ToolRouter
from shared.identity.identity import Identity

CALLS_PER_RUN = 500
"""After this many calls (or when Temporal suggests it) the gateway continues as new, keeping its history small."""


@workflow.defn(name=TOOL_GATEWAY_WORKFLOW, sandboxed=False)
class ToolGatewayWorkflow:
    """The teams' tools, one durable call per ``call_tool`` update."""

    @workflow.init
    def __init__(self, input: GatewayRunInput) -> None:
        self._input = input
        carried = input.resume
        catalog = ToolCatalog([])
        if carried is not None:
            catalog.restore(carried.catalog)
        self._discovery = ToolDiscovery(
            catalog,
            carried.unavailable if carried else None,
            withheld=carried.withheld if carried else None,
            discovered=carried is not None,
            discovered_at=carried.discovered_at if carried else None,
        )
        breakers = dict(carried.breakers) if carried else {}
        self._router = ToolRouter(catalog, breakers, timedelta(seconds=input.tool_timeout_seconds))
        self._owner: Identity | None = carried.owner if carried else None
        self._calls_this_run = 0
        self._stopping = False

    @workflow.run
    async def run(self, input: GatewayRunInput) -> None:
        patches.decide()
        worker_steps.decide()
        decide_unchecked_local_messages()
        if self._owner is None:
            try:
                self._owner = await verified(input.token)
            except TokenRefused as refusal:
                raise ApplicationError(
                    f"The gateway was not started. {refusal}", type=IDENTITY_REFUSED, non_retryable=True
                ) from None
        owner = self._owner
        await self._discovery.discover_once(owner)
        max_age = timedelta(seconds=input.catalog_max_age_seconds)
        while not (self._stopping or self._time_to_continue_as_new()):
            try:
                await workflow.wait_condition(
                    lambda: self._stopping or self._time_to_continue_as_new(), timeout=max_age
                )
            except TimeoutError:
                self._discovery.refresh(owner)
        await workflow.wait_condition(lambda: workflow.all_handlers_finished() and self._discovery.idle())
        if not self._stopping:
            workflow.continue_as_new(input.model_copy(update={"resume": self._state(owner), "token": None}))

    def _time_to_continue_as_new(self) -> bool:
        return self._calls_this_run >= CALLS_PER_RUN or workflow.info().is_continue_as_new_suggested()

    def _state(self, owner: Identity) -> GatewayState:
        return GatewayState(
            catalog=self._discovery.catalog.entries(),
            unavailable=self._discovery.unavailable,
            withheld=self._discovery.withheld,
            breakers=self._router.breakers,
            owner=owner,
            discovered_at=self._discovery.discovered_at,
        )

    @workflow.update
    async def call_tool(self, request: ToolCallRequest) -> ToolCallRecord:
        caller = await identity_of(request.token, self._owner)
        await workflow.wait_condition(lambda: self._discovery.discovered)
        update = workflow.current_update_info()
        assert update is not None, "an update handler runs in an update"
        call_id = update.id
        call = ModelToolCall(id=call_id, name=request.name, arguments=json.dumps(request.arguments))
        record, _ = await self._router.call(
            call, call_id, shown_as(caller, request.caller, "a tool client"), caller
        )
        self._calls_this_run += 1
        return record

    @call_tool.validator
    def _validate_call(self, request: ToolCallRequest) -> None:
        if self._stopping:
            raise ValueError("The tool gateway is stopping; call again in a moment.")
        catalog = self._discovery.catalog
        if self._discovery.discovered and catalog.get(request.name) is None:
            raise ValueError(catalog.no_such_tool(request.name))

    @workflow.update
    async def decide_tool_call(self, decision: ToolCallDecision) -> None:
        approver = await identity_of(decision.token, self._owner)
        self._router.approvals.decide_checked(decision, workflow.now(), approver)

    @decide_tool_call.validator
    def _validate_decision(self, decision: ToolCallDecision) -> None:
        if (refusal := self._router.approvals.refusal(decision, workflow.now())) is not None:
            raise ValueError(refusal)

    @workflow.query
    def tools(self) -> GatewayCatalog:
        discovery = self._discovery
        return GatewayCatalog(
            tools=discovery.catalog.functions(),
            unavailable=discovery.unavailable,
            discovered_at=discovery.discovered_at if discovery.discovered else None,
        )

    @workflow.query
    def pending_approvals(self) -> list[PendingApproval]:
        return list(self._router.approvals.pending.values())

    @workflow.signal
    def refresh_tools(self) -> None:
        """Find every team's tools again now: a team added, changed or removed tools."""
        if self._owner is not None and self._discovery.discovered:
            self._discovery.refresh(self._owner)

    @workflow.signal
    def stop(self) -> None:
        """End the gateway once the calls under way are done (a gateway process starts it again)."""
        self._stopping = True
        self._router.approvals.close()
