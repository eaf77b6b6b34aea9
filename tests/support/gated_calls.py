"""Tool calls that wait for a person's yes, as a test drives and audits them: the call waiting in a chat,
why a decision was refused, and what the chat's history and the team's namespace show of the calls made."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime

from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from harness.suite import Suite
from orchestrator.conversation import Conversation
from orchestrator.models import PendingApproval
from shared.contract import EXECUTE_TOOL
from shared.kit.tool_workflow import TOOL_WORKFLOW_NAME
from shared.topology import load_topology
from tests.support.chat_reading import rejection
from tests.support.payloads import payload_json
from tests.support.waiting import eventually

DECIDE_TOOL_CALL = "decide_tool_call"


async def waiting_calls(chat: Conversation, count: int = 1, within: float = 20.0) -> list[PendingApproval]:
    """The calls of ``chat`` waiting for a decision, once there are ``count`` of them."""
    waiting: list[PendingApproval] = []

    async def listed() -> bool:
        nonlocal waiting
        waiting = await chat.pending_approvals()
        return len(waiting) >= count

    await eventually(listed, within=within, what=f"{count} call(s) of {chat.workflow_id} wait for approval")
    return waiting


async def waiting_call(chat: Conversation, within: float = 20.0) -> PendingApproval:
    """The one call of ``chat`` waiting for a decision."""
    (pending,) = await waiting_calls(chat, 1, within)
    return pending


async def refused_decision(
    chat: Conversation, pending: PendingApproval, *, approve: bool = True, approver: str = "mallory"
) -> str:
    """Why the chat refuses ``approver``'s decision on ``pending`` (the test fails if it takes it)."""
    try:
        await chat.decide(pending, approve=approve, approver=approver)
    except WorkflowUpdateFailedError as error:
        return rejection(error)
    raise AssertionError(f"the decision on {pending.call_id} was taken")


@dataclass(frozen=True)
class RemoteToolCall:
    """One ``execute_tool`` operation the chat's history scheduled: which call, and the events that tell
    when it was scheduled and (if it was) completed."""

    call_id: str
    tool: str
    arguments: dict[str, object]
    request_id: str
    scheduled_event_id: int
    completed_event_id: int | None


async def remote_tool_calls(handle: WorkflowHandle) -> list[RemoteToolCall]:
    """Every ``execute_tool`` operation in the chat's history, in the order they were scheduled."""
    history = await handle.fetch_history()
    completed = {
        event.nexus_operation_completed_event_attributes.scheduled_event_id: event.event_id
        for event in history.events
        if event.HasField("nexus_operation_completed_event_attributes")
    }
    calls = []
    for event in history.events:
        if not event.HasField("nexus_operation_scheduled_event_attributes"):
            continue
        scheduled = event.nexus_operation_scheduled_event_attributes
        if scheduled.operation != EXECUTE_TOOL:
            continue
        request = await payload_json(scheduled.input)
        calls.append(
            RemoteToolCall(
                call_id=request["call_id"],
                tool=request["tool"],
                arguments=request["arguments"],
                request_id=scheduled.request_id,
                scheduled_event_id=event.event_id,
                completed_event_id=completed.get(event.event_id),
            )
        )
    return calls


async def accepted_decisions(handle: WorkflowHandle) -> list[int]:
    """The event ids at which the chat accepted a ``decide_tool_call`` update (a refused one leaves none)."""
    history = await handle.fetch_history()
    return [
        event.event_id
        for event in history.events
        if event.HasField("workflow_execution_update_accepted_event_attributes")
        and event.workflow_execution_update_accepted_event_attributes.accepted_request.input.name
        == DECIDE_TOOL_CALL
    ]


async def tool_runs(
    stack: Suite, team: str, call_id: str, since: datetime, *, at_least: int = 0, within: float = 10.0
) -> list[str]:
    """The ids of the tool workflows in ``team``'s own namespace, started since ``since``, that ran the call
    ``call_id`` (every tool workflow's input names the caller's call id); once ``at_least`` are listed, as
    the server lists a run a moment after it starts (or whatever there is after ``within`` seconds)."""
    client = await stack.client_for(load_topology().tool_service(team).namespace)
    query = f"WorkflowType = '{TOOL_WORKFLOW_NAME}' AND StartTime >= '{since.isoformat()}'"
    deadline = time.monotonic() + within
    while True:
        found = []
        async for run in client.list_workflows(query):
            history = await client.get_workflow_handle(run.id, run_id=run.run_id).fetch_history()
            started = history.events[0].workflow_execution_started_event_attributes
            if (await payload_json(started.input.payloads[0], client.data_converter))["call_id"] == call_id:
                found.append(run.id)
        if len(found) >= at_least or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.1)
