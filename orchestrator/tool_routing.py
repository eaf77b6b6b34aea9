"""Where each tool call the model asks for goes, and what it comes to.

``ToolRouter.route`` does no I/O: from the catalog and the circuit breakers (taking a half-open breaker's
trial call) it decides whether a call is refused (unreadable arguments, an unknown tool, a service whose
breaker is open), runs locally (an activity on this worker) or goes to a team's ``execute_tool``. ``ToolRouter.call`` makes the call so decided. Every failure
becomes a result the model reads, never an error of the turn. Deterministic workflow code: the caller's
clock is ``workflow.now()``.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, NexusOperationError

from orchestrator import agent_metrics, patches
from orchestrator.approvals import (
    APPROVAL_POLICY,
    APPROVAL_POLICY_PATCH,
    ApprovalPolicy,
    Approvals,
    outcome_message,
)
from orchestrator.catalog import LOCAL, CatalogEntry, ToolCatalog
from orchestrator.circuit_breaker import CircuitBreaker
from orchestrator.identity_checks import proof_headers
from orchestrator.mcp_tools.activity_types import (
    CALL_MCP_TOOL,
    MCP_SERVER_UNKNOWN,
    MCP_TOOL_ERROR,
    McpToolCall,
)
from orchestrator.models import ApprovalRecord, ModelToolCall, Progress, RunningTool, ToolCallRecord
from orchestrator.service_directory import tool_service_client
from orchestrator.tool_results import contract_mismatch, failed, is_service_failure, succeeded
from orchestrator.worker_steps import run_step
from shared.contract import EXECUTE_TOOL, ExecuteToolInput, ExecuteToolOutput, arguments_digest
from shared.failures import failure_message
from shared.identity.call_proofs import CallClaims
from shared.identity.identity import LOCAL_DEVELOPER, Identity

POLICY_TIMEOUT = timedelta(seconds=10)
MCP_CALL_ATTEMPT = timedelta(seconds=30)
"""How long one attempt of an MCP server's tool may take (the tool timeout bounds all of them)."""
MCP_HEARTBEAT = timedelta(seconds=10)
"""The ``call_mcp_tool`` activity heartbeats while it waits: a worker that dies mid-call is noticed this soon."""

ToolOutcome = tuple[ToolCallRecord, str]
"""What a call comes to: the record the user sees, and the tool message the model reads."""


@dataclass(frozen=True)
class Refused:
    """A call that is not made: its outcome is known without it."""

    outcome: ToolOutcome


@dataclass(frozen=True)
class RunLocally:
    """A call to one of the orchestrator's own tools, run as an activity under the tool's policy."""

    entry: CatalogEntry
    arguments: dict[str, Any]


@dataclass(frozen=True)
class RunRemotely:
    """A call to a team's ``execute_tool`` (or an MCP server's tool), admitted by the service's circuit
    breaker, which learns how it went."""

    entry: CatalogEntry
    arguments: dict[str, Any]
    breaker: CircuitBreaker

    def answered(self, result: dict[str, Any]) -> ToolOutcome:
        self.breaker.record_success()
        return succeeded(self.entry, self.arguments, result)

    def failed_with(
        self, error: ValidationError | NexusOperationError | ActivityError, now: datetime
    ) -> ToolOutcome:
        """A failed call counts against the service when the service is at fault (it answered outside the
        contract, timed out, or kept crashing), not when the call itself was wrong or the tool said no."""
        if isinstance(error, ValidationError):
            self.breaker.record_failure(now)
            problem = f"The service's answer {contract_mismatch(error)}."
            return failed(self.entry.model_name, self.entry, self.arguments, problem)
        if is_service_failure(error):
            was_open_until = self.breaker.open_until
            self.breaker.record_failure(now)
            if self.breaker.open_until is not None and self.breaker.open_until != was_open_until:
                agent_metrics.breaker_opened(self.entry.service)
        else:
            self.breaker.record_success()  # the service answered; the call itself was wrong
        return failed(self.entry.model_name, self.entry, self.arguments, failure_message(error))


Route = Refused | RunLocally | RunRemotely


@dataclass(frozen=True)
class Target:
    """A call to a tool of the catalog, with readable arguments: what a person approves."""

    entry: CatalogEntry
    arguments: dict[str, Any]


class ToolRouter:
    """Routes the model's tool calls through the catalog, approval and one circuit breaker per service."""

    def __init__(
        self,
        catalog: ToolCatalog,
        breakers: dict[str, CircuitBreaker],
        tool_timeout: timedelta,
    ) -> None:
        self.catalog = catalog
        self.breakers = breakers
        self.approvals = Approvals()
        self.policy: ApprovalPolicy | None = None
        """The worker's approval policy, read at this run's first tool call (so a changed setting reaches a
        long chat at its next run, and a run in flight when approvals were deployed reads it too)."""
        self._reading_policy: asyncio.Task[None] | None = None
        self.running: dict[str, RunningTool] = {}
        """The calls in flight, by call id (for the ``progress`` query)."""
        self._tool_timeout = tool_timeout

    async def _approval_policy(self) -> ApprovalPolicy:
        """The worker's approval policy, read once per run by the first call that asks (the calls of one
        response share the reading). History recorded before approvals existed replays without it."""
        if self.policy is None and patches.patched(APPROVAL_POLICY_PATCH):
            if self._reading_policy is None:
                self._reading_policy = asyncio.create_task(self._read_policy())
            await self._reading_policy
        return self.policy or ApprovalPolicy()

    async def _read_policy(self) -> None:
        try:
            self.policy = await run_step(
                APPROVAL_POLICY,
                start_to_close=POLICY_TIMEOUT,
                retry_policy=RetryPolicy(maximum_attempts=3),
                result_type=ApprovalPolicy,
            )
        except ActivityError as error:
            # Unreadable: fail closed, every call waits for a person rather than some running unseen.
            workflow.logger.warning("Approval policy unreadable, every call needs approval: %s", error)
            self.policy = ApprovalPolicy(patterns=["*"])

    def progress(self, turn: Progress) -> Progress:
        """``turn`` (what the agent does, since when) with the calls in flight and those awaiting a decision."""
        return turn.model_copy(
            update={
                "running": list(self.running.values()),
                "pending_approvals": list(self.approvals.pending.values()),
            }
        )

    def target(self, call: ModelToolCall) -> Refused | Target:
        """The tool and arguments ``call`` names, or why it can't be made."""
        entry = self.catalog.get(call.name)
        try:
            arguments = json.loads(call.arguments or "{}")
        except json.JSONDecodeError as error:
            return Refused(failed(call.name, entry, {}, f"The arguments are not valid JSON ({error.msg})."))
        if not isinstance(arguments, dict):
            return Refused(failed(call.name, entry, {}, "The arguments must be a JSON object."))
        if entry is None:
            return Refused(failed(call.name, None, arguments, self.catalog.no_such_tool(call.name)))
        return Target(entry, arguments)

    def admit(self, target: Target, now: datetime) -> Route:
        """Where an admissible call goes (taking the half-open breaker's trial if it is the one that goes)."""
        entry, arguments = target.entry, target.arguments
        if entry.service == LOCAL:
            return RunLocally(entry, arguments)
        breaker = self.breakers.setdefault(entry.service, CircuitBreaker())
        if not breaker.admit(now):
            return Refused(failed(entry.model_name, entry, arguments, breaker.refusal(entry.service, now)))
        return RunRemotely(entry, arguments, breaker)

    def route(self, call: ModelToolCall, now: datetime) -> Route:
        """Where ``call`` goes, approval aside."""
        target = self.target(call)
        return target if isinstance(target, Refused) else self.admit(target, now)

    async def call(
        self, call: ModelToolCall, position: str, requested_by: str, asker: Identity = LOCAL_DEVELOPER
    ) -> ToolOutcome:
        """Make one tool call; ``position`` (turn.step.index) makes its id unique within the chat. The record
        carries the call id, how long the call took and, for a gated call, its approval."""
        started = workflow.now()
        call_id = f"{workflow.info().workflow_id}/{position}"
        (record, content), approval = await self._call(call, call_id, requested_by, asker)
        elapsed = workflow.now() - started
        duration = elapsed.total_seconds() * 1000
        agent_metrics.tool_call(record.service, record.tool, record.ok, elapsed)
        return record.model_copy(
            update={"call_id": call_id, "duration_ms": round(duration, 1), "approval": approval}
        ), content

    async def _call(
        self, call: ModelToolCall, call_id: str, requested_by: str, asker: Identity
    ) -> tuple[ToolOutcome, ApprovalRecord | None]:
        target = self.target(call)
        if isinstance(target, Refused):
            return target.outcome, None
        approval = None
        if (requirement := (await self._approval_policy()).requirement(target.entry)) is not None:
            approval = await self.approvals.wait(
                call_id, target.entry, target.arguments, requirement, requested_by, asker
            )
            if (refusal := outcome_message(approval, requirement.timeout_seconds)) is not None:
                return failed(target.entry.model_name, target.entry, target.arguments, refusal), approval
        route = self.admit(target, workflow.now())
        if isinstance(route, Refused):
            return route.outcome, approval
        entry = route.entry
        self.running[call_id] = RunningTool(
            call_id=call_id, service=entry.service, tool=entry.tool, started_at=workflow.now()
        )
        try:
            if isinstance(route, RunLocally):
                return await _run_locally(route), approval
            try:
                if route.entry.mcp_server is not None:
                    result = await self._call_mcp_tool(route, call_id)
                else:
                    result = await self._execute_tool(route, call_id, asker)
            except (ValidationError, NexusOperationError, ActivityError) as error:
                return route.failed_with(error, workflow.now()), approval
            return route.answered(result), approval
        finally:
            del self.running[call_id]

    async def _execute_tool(self, route: RunRemotely, call_id: str, asker: Identity) -> dict[str, Any]:
        entry = route.entry
        assert entry.endpoint is not None, "remote tools carry their endpoint"
        claims = CallClaims(
            team=entry.service,
            operation=EXECUTE_TOOL,
            tool=entry.tool,
            call_id=call_id,
            arguments_digest=arguments_digest(entry.service, entry.tool, route.arguments),
        )
        raw = await tool_service_client(entry.endpoint).execute_operation(
            EXECUTE_TOOL,
            ExecuteToolInput(tool=entry.tool, arguments=route.arguments, call_id=call_id),
            output_type=dict,
            schedule_to_close_timeout=self._tool_timeout,
            headers=await proof_headers(asker, claims, self._tool_timeout),
        )
        return dict(ExecuteToolOutput.model_validate(raw).result)

    async def _call_mcp_tool(self, route: RunRemotely, call_id: str) -> dict[str, Any]:
        """The call as an activity of the orchestrator's worker, which asks the MCP server; the tool's own
        refusal is not retried, a server that can't be reached is, within the tool timeout."""
        entry = route.entry
        assert entry.mcp_server is not None, "an MCP server's tools carry its name"
        result: dict[str, Any] = await workflow.execute_activity(
            CALL_MCP_TOOL,
            McpToolCall(server=entry.mcp_server, tool=entry.tool, arguments=route.arguments, call_id=call_id),
            schedule_to_close_timeout=self._tool_timeout,
            start_to_close_timeout=min(self._tool_timeout, MCP_CALL_ATTEMPT),
            heartbeat_timeout=MCP_HEARTBEAT,
            retry_policy=RetryPolicy(
                maximum_attempts=3, non_retryable_error_types=[MCP_TOOL_ERROR, MCP_SERVER_UNKNOWN]
            ),
            result_type=dict,
        )
        return result


async def _run_locally(route: RunLocally) -> ToolOutcome:
    entry = route.entry
    assert entry.policy is not None, "local tools carry their activity policy"
    try:
        # A regular activity: each attempt shows in the history, and any worker can take a retry over.
        result = await entry.policy.execute_activity(entry.tool, route.arguments, local=False)
    except ActivityError as error:
        return failed(entry.model_name, entry, route.arguments, failure_message(error))
    return succeeded(entry, route.arguments, result)
