"""One chat of many turns with the offline model: how turn latency and the chat's history grow with length.

The model sees a window of recent messages and the chat continues as new every 100 turns, so neither the
model request nor any one run's history should keep growing; this measures whether they do. The history
figures are those of the chat's largest run.
"""

from __future__ import annotations

import asyncio
import time

from temporalio.api.history.v1 import History, HistoryEvent

from orchestrator.conversation import Conversation
from scripts.benchmark.models import LongChatResult
from scripts.benchmark.stack import BenchStack

MESSAGE = "Hello there"
"""The cheapest turn: one model call, no tool."""
WINDOW = 10
MAX_SAMPLES = 250


def _causes(error: BaseException) -> str:
    """Every message of an error's cause chain, outermost first."""
    messages = []
    current: BaseException | None = error
    while current is not None:
        messages.append(f"{type(current).__name__}: {current}")
        current = current.__cause__
    return " <- ".join(messages)


def _window(latencies: list[float], first: int) -> tuple[str, float]:
    """Mean latency (ms) of turns ``first`` .. ``first + WINDOW - 1`` (1-based), clipped to what ran."""
    first = max(1, min(first, len(latencies) - WINDOW + 1))
    chosen = latencies[first - 1 : first - 1 + WINDOW]
    return f"{first}-{first + len(chosen) - 1}", round(1000 * sum(chosen) / len(chosen), 2)


async def measure_long_chat(stack: BenchStack, turns: int) -> LongChatResult:
    """Send ``turns`` messages in one chat; compare turns 6-15 with the last ten; weigh the history."""
    chat = await Conversation.start(stack.client, task_queue=stack.offline_task_queue)
    latencies: list[float] = []
    failure: str | None = None
    started = time.perf_counter()
    for _ in range(turns):
        turn_started = time.perf_counter()
        try:
            await chat.send(MESSAGE)
        except Exception as error:  # the run may hit a server limit: report it, keep the numbers so far
            status = (await chat.handle.describe()).status
            failure = (
                f"turn {len(latencies) + 1}: {_causes(error)}; the run is {status.name if status else '?'}"
            )
            break
        latencies.append(time.perf_counter() - turn_started)
    wall = time.perf_counter() - started
    if failure is None:
        await chat.end()
    histories = await _run_histories(stack, chat.workflow_id, expected_runs=len(latencies) // 100 + 1)
    largest = max(histories, key=lambda events: History(events=events).ByteSize())
    scheduled = [
        event.activity_task_scheduled_event_attributes
        for events in histories
        for event in events
        if event.HasField("activity_task_scheduled_event_attributes")
        and event.activity_task_scheduled_event_attributes.activity_type.name == "call_llm"
    ]
    early_label, early = _window(latencies, 6) if latencies else ("-", 0.0)
    late_label, late = _window(latencies, len(latencies) - WINDOW + 1) if latencies else ("-", 0.0)
    step = max(1, len(latencies) // MAX_SAMPLES)
    return LongChatResult(
        turns_requested=turns,
        turns_completed=len(latencies),
        message=MESSAGE,
        early_window=early_label,
        late_window=late_label,
        early_ms=early,
        late_ms=late,
        ratio=round(late / early, 2) if early else 0.0,
        history_events=len(largest),
        history_bytes=History(events=largest).ByteSize(),
        last_llm_request_bytes=max((attributes.input.ByteSize() for attributes in scheduled), default=0),
        samples=[(index + 1, round(1000 * latencies[index], 2)) for index in range(0, len(latencies), step)],
        failure=failure,
        wall_s=round(wall, 2),
    )


async def _run_histories(stack: BenchStack, workflow_id: str, expected_runs: int) -> list[list[HistoryEvent]]:
    """The events of every run of the chat (visibility lists a run a moment after it starts)."""
    deadline = time.monotonic() + 10
    while True:
        runs = [run async for run in stack.client.list_workflows(f"WorkflowId = '{workflow_id}'")]
        if len(runs) >= expected_runs or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    histories = []
    for run in runs:
        history = await stack.client.get_workflow_handle(workflow_id, run_id=run.run_id).fetch_history()
        histories.append(list(history.events))
    return histories
