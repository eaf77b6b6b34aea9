"""How a tool ran, read from its tool workflow's history: the kit runs a tool as a local activity (recorded
as a marker when it finishes) or, when it heartbeats, as a regular activity (an ActivityTaskStarted event)."""

from __future__ import annotations

import json

from temporalio.client import WorkflowHistory

LOCAL_ACTIVITY_MARKER = "core_local_activity"


def tool_attempts(history: WorkflowHistory) -> list[int]:
    """The attempt number of every activity run the history records: ``[1]`` means the tool ran once, and
    at its first try."""
    attempts: list[int] = []
    for event in history.events:
        if event.HasField("activity_task_started_event_attributes"):
            attempts.append(event.activity_task_started_event_attributes.attempt)
        elif (
            event.HasField("marker_recorded_event_attributes")
            and event.marker_recorded_event_attributes.marker_name == LOCAL_ACTIVITY_MARKER
        ):
            marker = event.marker_recorded_event_attributes.details["data"].payloads[0].data
            attempts.append(json.loads(marker)["attempt"])
    return attempts
