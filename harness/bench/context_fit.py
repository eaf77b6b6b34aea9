"""A long chat with large tool results inside a small model's window: ``python -m harness.bench.context_fit
[--turns 1000] [--window 8192]`` starts a suite of its own (the offline model, a window of ``--window`` tokens,
a weather tool whose every report is some 1,900 tokens), holds one chat of ``--turns`` turns that each ask for
the weather, then reads every model call of every run of the chat from its history and prints what the model
was sent: the largest request against the window, how many summaries replaced older turns, and whether every
request kept each tool call with its results. A measurement that prints, not a timed target.

``ModelCalls.of`` (reading a chat's model calls from its histories) is what the tests read too."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from temporalio.api.common.v1 import Payload
from temporalio.client import Client

from harness.suite import offline_settings, running_suite
from harness.workers import orchestrator_on, topology_workers
from orchestrator.conversation import Conversation
from orchestrator.llm.names import CALL_LLM, SUMMARIZE_HISTORY
from shared.process import exit_process
from shared.topology import ORCHESTRATOR, load_topology

TASK_QUEUE = "bench-context-fit"
CITIES = ("Paris", "Tokyo", "Lisbon", "Berlin", "Sydney", "Toronto", "Madrid", "Rome")
VERBOSE_WEATHER = "harness.large_results:VerboseWeatherProvider"


@dataclass
class ModelCalls:
    """Every model call of a chat, all runs, oldest first, as its history holds them."""

    requests: list[list[dict[str, Any]]] = field(default_factory=list)
    """The messages of each ``call_llm`` request, as the workflow sent them (before the activity's cuts)."""
    request_tokens: list[int] = field(default_factory=list)
    """Each ``call_llm`` request's tokens as the activity counted them (as the model was sent it)."""
    windows: set[int] = field(default_factory=set)
    summaries: list[str] = field(default_factory=list)
    """Each summary a ``summarize_history`` call made."""

    @classmethod
    async def of(cls, client: Client, workflow_id: str) -> ModelCalls:
        calls = cls()
        for events in reversed(await _runs(client, workflow_id)):
            scheduled: dict[int, str] = {}
            for event in events:
                if event.HasField("activity_task_scheduled_event_attributes"):
                    attributes = event.activity_task_scheduled_event_attributes
                    scheduled[event.event_id] = attributes.activity_type.name
                    if attributes.activity_type.name == CALL_LLM:
                        request = await _json(client, attributes.input.payloads[0])
                        calls.requests.append(request["messages"])
                elif event.HasField("activity_task_completed_event_attributes"):
                    completed = event.activity_task_completed_event_attributes
                    kind = scheduled.get(completed.scheduled_event_id)
                    if kind not in (CALL_LLM, SUMMARIZE_HISTORY):
                        continue
                    result = await _json(client, completed.result.payloads[0])
                    calls.windows.add(result["context_window"])
                    if kind == CALL_LLM:
                        calls.request_tokens.append(result["request_tokens"])
                    elif result.get("summary") is not None:
                        calls.summaries.append(result["summary"])
        return calls


def pairs_intact(messages: list[dict[str, Any]]) -> bool:
    """Whether every tool result follows the assistant message that asked for it, and every call that
    message asked for has its result before anything else comes."""
    asked: set[str] = set()
    answered: set[str] = set()
    for message in messages:
        if message["role"] == "tool":
            if message.get("tool_call_id") not in asked - answered:
                return False
            answered.add(message["tool_call_id"])
            continue
        if asked != answered:
            return False
        asked = {call["id"] for call in message.get("tool_calls") or []}
        answered = set()
    return asked == answered


async def _runs(client: Client, workflow_id: str) -> list[list[Any]]:
    """The events of each run of the chat, latest first, walked back through continue-as-new."""
    run_id = (await client.get_workflow_handle(workflow_id).describe()).run_id
    runs = []
    while run_id:
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        runs.append(list(history.events))
        run_id = history.events[0].workflow_execution_started_event_attributes.continued_execution_run_id
    return runs


async def _json(client: Client, payload: Payload) -> Any:
    codec = client.data_converter.payload_codec
    if codec is not None:
        (payload,) = await codec.decode([payload])
    return json.loads(payload.data)


async def measure(turns: int, window: int, state_dir: Path) -> str:
    """The chat, on a suite started (and stopped) in ``state_dir``; the lines to print."""
    topology = load_topology()
    workers = [
        *(spec for name, spec in topology_workers(topology).items() if name != ORCHESTRATOR),
        orchestrator_on(TASK_QUEUE, AGENT_CONTEXT_TOKENS=str(window), WEATHER_PROVIDER=VERBOSE_WEATHER),
    ]
    env = offline_settings(state_dir / "tickets.db")
    async with running_suite(state_dir / "suite", env=env, workers=workers) as suite:
        chat = await Conversation.start(suite.client, task_queue=TASK_QUEUE)
        started = time.perf_counter()
        for turn in range(turns):
            await chat.send(f"What is the weather in {CITIES[turn % len(CITIES)]}?")
        took = time.perf_counter() - started
        transcript = await chat.end()
        calls = await ModelCalls.of(suite.client, chat.workflow_id)
    largest = max(calls.request_tokens)
    intact = sum(pairs_intact(messages) for messages in calls.requests)
    return "\n".join(
        [
            f"{turns:,} turns in {took:.0f} s ({1000 * took / turns:.0f} ms a turn), a window of {window:,} tokens "
            f"(the worker's: {', '.join(map(str, sorted(calls.windows)))})",
            f"model calls: {len(calls.request_tokens):,}; largest request {largest:,} tokens "
            f"({100 * largest / window:.0f}% of the window); mean {sum(calls.request_tokens) / len(calls.request_tokens):,.0f}",
            f"summaries: {len(calls.summaries):,}; the last one {len(calls.summaries[-1]) if calls.summaries else 0:,} "
            "characters",
            f"requests with every tool call beside its results: {intact:,} of {len(calls.requests):,}",
            f"tokens used in all: {transcript.tokens_used:,} (turns kept in the transcript: {len(transcript.entries)}, "
            f"earlier: {transcript.earlier_turns})",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description="A long chat with large tool results in a small window.")
    parser.add_argument("--turns", type=int, default=1000, help="turns of the chat (default 1000)")
    parser.add_argument(
        "--window", type=int, default=8192, help="the model's window in tokens (default 8192)"
    )
    arguments = parser.parse_args()
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # unwinds like Ctrl-C: the suite is stopped
    with tempfile.TemporaryDirectory(prefix="bench-context-") as state_dir:
        print(asyncio.run(measure(arguments.turns, arguments.window, Path(state_dir))))
    return 0


if __name__ == "__main__":
    exit_process(main())
