"""Helpers for agent tests: reading what the workflow history shows."""

from __future__ import annotations

from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHandle


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
    """The ActivityTaskScheduled events in the workflow's history (local activities leave none)."""
    history = await handle.fetch_history()
    return [event for event in history.events if event.HasField("activity_task_scheduled_event_attributes")]


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
