"""Where a new chat's first reply goes, read from the histories of the chats the bench opened at once (the
server's event times, one clock): the wait for a worker to take the chat's first workflow task, the steps
before the answering call (for the agent: opening the chat, finding every team's tools through Nexus), the
answering call itself (the agent's model call, the baseline's one activity) and what follows it up to the
reply; with how many workflow tasks, activities and Nexus operations the first reply took.

The reply is the completion of the chat's first accepted update (its first message); the answering call, the
last activity completed before it: with the bench's stub model, which answers without a tool call, the chat's
one model call. A chat's first reply is in its first run: a history of a run continued from another is
refused, as is a first message that failed."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, Field
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory


class FirstReply(BaseModel):
    """One chat's first reply, step by step (milliseconds on the server's clock)."""

    first_task_wait_ms: float = Field(description="Started -> its first workflow task taken by a worker.")
    before_answer_ms: float = Field(description="That task taken -> the answering call started.")
    answer_ms: float = Field(description="The answering call, its start to its completion.")
    after_answer_ms: float = Field(description="The answering call's completion -> the reply.")
    total_ms: float = Field(description="Started -> the reply (the first update completed).")
    workflow_tasks: int = Field(description="Workflow tasks started up to the reply.")
    activities: int = Field(description="Activities scheduled up to the reply, the answering call included.")
    nexus_operations: int = Field(description="Nexus operations scheduled up to the reply.")

    @classmethod
    def of(cls, history: WorkflowHistory) -> FirstReply:
        """The first reply of the chat whose first run's history is ``history``: the completion of the first
        update the chat accepted (its first message)."""
        events = list(history.events)
        opened = events[0]
        if opened.workflow_execution_started_event_attributes.continued_execution_run_id:
            raise ValueError(f"{history.workflow_id}: this history is of a run continued from another")
        accepted = _of_type(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)
        if not accepted:
            raise ValueError(f"{history.workflow_id} took no message")
        first_message = accepted[0].event_id
        replies = [
            event
            for event in _of_type(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED)
            if event.workflow_execution_update_completed_event_attributes.accepted_event_id == first_message
        ]
        if not replies:
            raise ValueError(f"{history.workflow_id} has no reply in its history")
        reply = replies[0]
        if not reply.workflow_execution_update_completed_event_attributes.outcome.HasField("success"):
            raise ValueError(f"{history.workflow_id}: its first message failed")
        until_reply = [event for event in events if event.event_id <= reply.event_id]
        tasks = _of_type(until_reply, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED)
        completed_activities = _of_type(until_reply, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)
        if not tasks or not completed_activities:
            raise ValueError(f"{history.workflow_id} answered its first message without an activity")
        answer_completed = completed_activities[-1]
        started_id = answer_completed.activity_task_completed_event_attributes.started_event_id
        (answer_started,) = (event for event in until_reply if event.event_id == started_id)
        return cls(
            first_task_wait_ms=_ms_between(opened, tasks[0]),
            before_answer_ms=_ms_between(tasks[0], answer_started),
            answer_ms=_ms_between(answer_started, answer_completed),
            after_answer_ms=_ms_between(answer_completed, reply),
            total_ms=_ms_between(opened, reply),
            workflow_tasks=len(tasks),
            activities=len(_of_type(until_reply, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)),
            nexus_operations=len(_of_type(until_reply, EventType.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED)),
        )


class FirstReplySteps(BaseModel):
    """The chats' first replies, step by step: each figure's median over the chats, the lower of the middle
    two (a value some chat had). Medians of the steps need not add up to the median of the whole."""

    chats: int
    median: FirstReply

    @classmethod
    def of(cls, replies: Sequence[FirstReply]) -> FirstReplySteps:
        """The medians of ``replies`` (at least one)."""
        medians = {
            name: statistics.median_low(getattr(reply, name) for reply in replies)
            for name in FirstReply.model_fields
        }
        return cls(chats=len(replies), median=FirstReply.model_validate(medians))


def _of_type(events: Sequence[HistoryEvent], event_type: EventType.ValueType) -> list[HistoryEvent]:
    return [event for event in events if event.event_type == event_type]


def _ms_between(earlier: HistoryEvent, later: HistoryEvent) -> float:
    return round((_time(later) - _time(earlier)).total_seconds() * 1000, 1)


def _time(event: HistoryEvent) -> datetime:
    return event.event_time.ToDatetime()
