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
