"""Many chats at once against the stub model, which answers every request after a fixed latency with plain
text (no tool call): one model call per turn, so a turn ideally takes the model's latency and nothing more."""

from __future__ import annotations

import asyncio
import os
import time

from orchestrator.conversation import Conversation
from scripts.benchmark.models import ConcurrencyResult
from scripts.benchmark.stack import STUB, STUB_TASK_QUEUE, BenchStack
from scripts.benchmark.stats import latency_stats
from scripts.benchmark.usage import UsageSampler

MESSAGE = "Hello"
MIN_MEASURED_TURNS = 10
"""At low concurrency each chat takes more turns, so every level has enough samples."""


def turns_per_chat(conversations: int, minimum: int) -> int:
    return max(minimum, -(-MIN_MEASURED_TURNS // conversations))


def _watched(stack: BenchStack) -> dict[str, int]:
    """The busy worker, the idle tool workers, the dev server and this process (the clients)."""
    pids = stack.pids()
    workers = {f"worker {name}": pids[name] for name in (STUB, "it", "finance") if name in pids}
    return {**workers, "dev server": stack.server.pid, "bench client": os.getpid()}


async def _chat_turns(chat: Conversation, turns: int) -> list[float]:
    durations = []
    for _ in range(turns):
        started = time.perf_counter()
        await chat.send(MESSAGE)
        durations.append(time.perf_counter() - started)
    return durations


async def measure_level(
    stack: BenchStack, conversations: int, model_latency: float, min_turns: int
) -> ConcurrencyResult:
    """``conversations`` chats each take one warm-up turn, then the measured turns, all at once."""
    stack.stub.latency_seconds = model_latency
    chats = await asyncio.gather(
        *(Conversation.start(stack.client, task_queue=STUB_TASK_QUEUE) for _ in range(conversations))
    )
    await asyncio.gather(*(chat.send(MESSAGE) for chat in chats))
    turns = turns_per_chat(conversations, min_turns)
    sampler = UsageSampler(_watched(stack))
    sampler.start()
    started = time.perf_counter()
    per_chat = await asyncio.gather(*(_chat_turns(chat, turns) for chat in chats))
    wall = time.perf_counter() - started
    usage = await sampler.stop()
    await asyncio.gather(*(chat.end() for chat in chats))
    durations = [duration for chat in per_chat for duration in chat]
    stats = latency_stats(durations)
    return ConcurrencyResult(
        conversations=conversations,
        turns=len(durations),
        model_latency_s=model_latency,
        latency=stats,
        ratio_p50=round(stats.p50_ms / 1000 / model_latency, 3),
        ratio_p95=round(stats.p95_ms / 1000 / model_latency, 3),
        turns_per_second=round(len(durations) / wall, 2),
        wall_s=round(wall, 2),
        processes=usage,
    )


async def measure_concurrency(
    stack: BenchStack, levels: list[int], model_latency: float, min_turns: int
) -> list[ConcurrencyResult]:
    return [await measure_level(stack, level, model_latency, min_turns) for level in levels]
