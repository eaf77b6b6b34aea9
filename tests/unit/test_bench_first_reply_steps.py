"""Where a new chat's first reply went, read from a recorded history (the offline chat of the replay tests):
its first message, "what is 125 * 8?", was answered after a model call, the calculator and a second model
call; the expected figures are that history's event times, read by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowHistory

from harness.bench.first_reply_steps import FirstReply, FirstReplySteps

RECORDED_CHAT = (
    Path(__file__).parents[1] / "replay" / "histories" / "agent_offline_chat_2026_11_28_open_chat.json"
)


def recorded(events: int | None = None) -> WorkflowHistory:
    """The recorded chat's history, or only its first ``events`` events."""
    return WorkflowHistory.from_json("chat", recorded_json(events))


def recorded_json(events: int | None = None) -> dict[str, Any]:
    history: dict[str, Any] = json.loads(RECORDED_CHAT.read_text())
    if events is not None:
        history["events"] = history["events"][:events]
    return history


def test_a_first_reply_is_split_at_its_first_workflow_task_and_its_answering_call() -> None:
    reply = FirstReply.of(recorded())

    # Started 30.577; first task started 30.587; the last model call (events 45-47) started 30.907 and
    # completed 30.919; the update completed 30.928 (event 51).
    assert reply.first_task_wait_ms == pytest.approx(9.4, abs=0.1)
    assert reply.before_answer_ms == pytest.approx(320.8, abs=0.1)
    assert reply.answer_ms == pytest.approx(11.6, abs=0.1)
    assert reply.after_answer_ms == pytest.approx(9.2, abs=0.1)
    assert reply.total_ms == pytest.approx(350.9, abs=0.1)
    # Workflow tasks 3, 12, 19, 23, 29, 36, 42, 49; open_chat, call_llm, approval_policy, calculator, call_llm;
    # list_tools of IT and of Finance.
    assert (reply.workflow_tasks, reply.activities, reply.nexus_operations) == (8, 5, 2)


def test_a_chat_that_has_not_replied_yet_is_an_error_that_names_it() -> None:
    with pytest.raises(ValueError, match="chat has no reply"):
        FirstReply.of(recorded(events=50))


def test_a_chat_that_took_no_message_yet_is_an_error_that_says_so() -> None:
    with pytest.raises(ValueError, match="chat took no message"):
        FirstReply.of(recorded(events=4))


def test_a_run_continued_from_another_is_not_read_for_a_first_reply() -> None:
    history = recorded_json()
    history["events"][0]["workflowExecutionStartedEventAttributes"]["continuedExecutionRunId"] = "earlier-run"

    with pytest.raises(ValueError, match="continued from another"):
        FirstReply.of(WorkflowHistory.from_json("chat", history))


def test_a_first_message_that_failed_is_no_reply() -> None:
    history = recorded_json()
    completed = next(e for e in history["events"] if e["eventType"].endswith("UPDATE_COMPLETED"))
    completed["workflowExecutionUpdateCompletedEventAttributes"]["outcome"] = {"failure": {"message": "no"}}

    with pytest.raises(ValueError, match="its first message failed"):
        FirstReply.of(WorkflowHistory.from_json("chat", history))


def test_the_medians_are_figures_some_chat_had() -> None:
    fast, slow = FirstReply.of(recorded()), FirstReply.of(recorded()).model_copy(update={"total_ms": 900.0})

    steps = FirstReplySteps.of([fast, slow])

    assert steps.chats == 2 and steps.median.total_ms == fast.total_ms
