"""The agent's metrics, recorded from workflow code through ``workflow.metric_meter()`` (which records
nothing while a workflow replays, so a replay counts nothing twice). Names and labels: ``shared.metrics``."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

from shared.metrics import (
    APPROVAL_WAIT,
    APPROVALS_DECIDED,
    APPROVALS_REQUESTED,
    BREAKER_OPENINGS,
    CHATS_STARTED,
    TOOL_CALL_LATENCY,
    TURNS,
)


def tool_call(team: str, tool: str, ok: bool, duration: timedelta) -> None:
    workflow.metric_meter().create_histogram_timedelta(
        TOOL_CALL_LATENCY, "One tool call, as the agent sees it.", "ms"
    ).record(duration, {"team": team, "tool": tool, "outcome": "ok" if ok else "failed"})


def breaker_opened(team: str) -> None:
    workflow.metric_meter().create_counter(BREAKER_OPENINGS, "Circuit breakers opening.").add(
        1, {"team": team}
    )


def approval_requested(team: str, tool: str) -> None:
    workflow.metric_meter().create_counter(APPROVALS_REQUESTED, "Calls waiting for a person's yes.").add(
        1, {"team": team, "tool": tool}
    )


def approval_decided(team: str, tool: str, outcome: str, waited: timedelta) -> None:
    meter = workflow.metric_meter()
    labels = {"team": team, "tool": tool, "outcome": outcome}
    meter.create_counter(APPROVALS_DECIDED, "Decisions on calls that waited for approval.").add(1, labels)
    meter.create_histogram_timedelta(APPROVAL_WAIT, "How long a call waited for its decision.", "ms").record(
        waited, labels
    )


def chat_started() -> None:
    workflow.metric_meter().create_counter(CHATS_STARTED, "Chats started.").add(
        1, {"task_queue": workflow.info().task_queue}
    )


def turn_answered() -> None:
    workflow.metric_meter().create_counter(TURNS, "Messages answered.").add(
        1, {"task_queue": workflow.info().task_queue}
    )
