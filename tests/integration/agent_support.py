"""Helpers for agent tests: reading what the workflow history shows."""

from __future__ import annotations

from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHandle

from orchestrator.approvals import APPROVAL_POLICY
from orchestrator.chat_opening import OPEN_CHAT
from orchestrator.identity_checks import SIGN_CALL_PROOF, VERIFY_IDENTITY
from orchestrator.llm.model_call import LLM_RETRY_POLICY
from orchestrator.llm.names import CALL_LLM, LLM_MODELS
from orchestrator.service_directory import TOOL_SERVICES
from tests.support.payloads import payload_json

WORKER_STEPS = {OPEN_CHAT, VERIFY_IDENTITY, SIGN_CALL_PROOF, APPROVAL_POLICY, TOOL_SERVICES, LLM_MODELS}
"""The chat's own bookkeeping activities (``orchestrator.worker_steps``): not the model, not a tool."""


def llm_retry_backoff_seconds(retries: int) -> float:
    """What the first ``retries`` retries of a model call wait before they start (``LLM_RETRY_POLICY``)."""
    policy = LLM_RETRY_POLICY
    longest = (policy.maximum_interval or 100 * policy.initial_interval).total_seconds()  # Temporal's default
    return sum(
        min(policy.initial_interval.total_seconds() * policy.backoff_coefficient**retry, longest)
        for retry in range(retries)
    )


async def nexus_schedules(handle: WorkflowHandle, operation: str) -> list[HistoryEvent]:
    """The NexusOperationScheduled events of ``operation`` in the workflow's history."""
    history = await handle.fetch_history()
    return [
        event
        for event in history.events
        if event.HasField("nexus_operation_scheduled_event_attributes")
        and event.nexus_operation_scheduled_event_attributes.operation == operation
    ]


async def activity_schedules(handle: WorkflowHandle) -> list[HistoryEvent]:
    """The ActivityTaskScheduled events of the model's and the tools' activities in the workflow's history
    (the worker steps left out)."""
    history = await handle.fetch_history()
    return [
        event
        for event in history.events
        if event.HasField("activity_task_scheduled_event_attributes")
        and event.activity_task_scheduled_event_attributes.activity_type.name not in WORKER_STEPS
    ]


async def activities_scheduled(handle: WorkflowHandle) -> list[str]:
    """The type of every activity the workflow scheduled, in order."""
    return [
        event.activity_task_scheduled_event_attributes.activity_type.name
        for event in await activity_schedules(handle)
    ]


async def completions(handle: WorkflowHandle) -> dict[int, HistoryEvent]:
    """The completion of every activity and Nexus operation that completed, by the id of the event that
    scheduled it."""
    history = await handle.fetch_history()
    done: dict[int, HistoryEvent] = {}
    for event in history.events:
        if event.HasField("activity_task_completed_event_attributes"):
            done[event.activity_task_completed_event_attributes.scheduled_event_id] = event
        elif event.HasField("nexus_operation_completed_event_attributes"):
            done[event.nexus_operation_completed_event_attributes.scheduled_event_id] = event
    return done


async def model_calls(handle: WorkflowHandle) -> list[tuple[int, int]]:
    """Every ``call_llm`` activity of the workflow's history, in order, as (the model of the worker's list it
    asked, how many attempts it took): ``[(0, 6), (1, 1)]`` is the model failing six times, then the first
    fallback answering."""
    history = await handle.fetch_history()
    choices: dict[int, int] = {}
    attempts: dict[int, int] = {}
    for event in history.events:
        if event.HasField("activity_task_scheduled_event_attributes"):
            scheduled = event.activity_task_scheduled_event_attributes
            if scheduled.activity_type.name == CALL_LLM:
                request = await payload_json(scheduled.input.payloads[0])
                choices[event.event_id] = request["model_choice"]
        elif event.HasField("activity_task_started_event_attributes"):
            started = event.activity_task_started_event_attributes
            attempts[started.scheduled_event_id] = started.attempt  # the last attempt's
    return [(choice, attempts.get(event_id, 0)) for event_id, choice in choices.items()]
