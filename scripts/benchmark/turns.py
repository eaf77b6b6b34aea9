"""Per-turn latency with the offline model, through ``Conversation.send`` against the real orchestrator worker,
for four kinds of turn: no tool, one local tool, one remote tool, two remote tools in parallel."""

from __future__ import annotations

import time

from orchestrator.conversation import Conversation
from scripts.benchmark.models import TurnKindResult
from scripts.benchmark.stack import BenchStack
from scripts.benchmark.stats import latency_stats

TURN_KINDS: tuple[tuple[str, str], ...] = (
    ("no tool", "Hello there"),
    ("one local tool", "What is 125 * 8?"),
    ("one remote tool", "What is my IP address?"),
    (
        "two remote tools in parallel",
        "What is the stock price of TSLA and the JIRA metrics for project DEMO?",
    ),
)
WARM_UP_TURNS = 2
"""Not counted: the first turn also waits for tool discovery, and caches warm up."""


async def measure_turns(stack: BenchStack, turns: int) -> list[TurnKindResult]:
    """``turns`` timed turns of each kind, each kind in its own chat."""
    results = []
    for kind, message in TURN_KINDS:
        chat = await Conversation.start(stack.client, task_queue=stack.offline_task_queue)
        durations: list[float] = []
        tools: list[str] = []
        for index in range(WARM_UP_TURNS + turns):
            started = time.perf_counter()
            reply = await chat.send(message)
            if index >= WARM_UP_TURNS:
                durations.append(time.perf_counter() - started)
            tools = [f"{call.service}.{call.tool}" for call in reply.tool_calls]
        await chat.end()
        results.append(
            TurnKindResult(kind=kind, message=message, tools_used=tools, latency=latency_stats(durations))
        )
    return results
