"""The measurements of ``scripts/bench``, on a suite of their own: the tool workers, the orchestrator worker
with the offline model, and a second orchestrator worker whose model is the stub on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from temporalio.api.history.v1 import History
from temporalio.client import Client

from harness.bench.probe import probe_steps
from harness.bench.results import BenchReport, ChatsAtOnce, Latency, LongChat
from harness.llm_stub import LlmStub, ScriptedReply, completion
from harness.server import StackError
from harness.suite import Suite, offline_settings, running_suite
from harness.workers import orchestrator_on, topology_workers
from orchestrator.conversation import Conversation
from shared.topology import load_topology

STUB_TASK_QUEUE = "bench-stub-model"
STUB_REPLY = "Hello from the stub model."
MODEL_LATENCY_SECONDS = 1.0
TURN_KINDS = {  # kind: (message, how many remote tools the offline model calls for it)
    "no tool": ("Hello there", 0),
    "one remote tool": ("What is my IP address?", 1),
    "two remote tools": ("What is the stock price of TSLA and the JIRA metrics for project DEMO?", 2),
}
WARM_UP_TURNS = 2
"""Not counted: a chat's first turn also waits for tool discovery."""
TURNS_PER_CHAT = 3
"""Measured turns of each chat at a level of chats at once; more where few chats would give under 10."""
HOLD_SECONDS = 30.0
"""How long the stub holds the model call a SIGKILL interrupts: longer than any recovery."""


@dataclass(frozen=True)
class BenchCounts:
    """How much of each measurement a run takes."""

    probe_rounds: int
    turns_per_kind: int
    chat_levels: tuple[int, ...]
    long_chat_turns: int


FULL = BenchCounts(probe_rounds=200, turns_per_kind=40, chat_levels=(1, 10, 50, 100), long_chat_turns=1000)
QUICK = BenchCounts(probe_rounds=20, turns_per_kind=5, chat_levels=(1, 10), long_chat_turns=50)


async def run_bench(counts: BenchCounts, state_dir: Path) -> BenchReport:
    """Every measurement in turn, on a suite started (and stopped) in ``state_dir`` on free ports."""
    started_at, started = datetime.now(UTC), time.perf_counter()
    stub = LlmStub(responder=lambda _body: completion(STUB_REPLY), record_requests=False).start()
    stubbed = orchestrator_on(STUB_TASK_QUEUE, **stub.model_settings())
    workers = [*topology_workers(load_topology()).values(), stubbed]
    env = offline_settings(state_dir / "tickets.db")
    try:
        async with running_suite(state_dir / "suite", env=env, workers=workers) as suite:
            probe = await probe_steps(suite.client, counts.probe_rounds)
            turns = {
                kind: await offline_turns(suite.client, kind, counts.turns_per_kind) for kind in TURN_KINDS
            }
            stub.latency_seconds = MODEL_LATENCY_SECONDS
            levels = [await chats_at_once(suite, chats) for chats in counts.chat_levels]
            stub.latency_seconds = 0.0
            chat = await long_chat(suite.client, counts.long_chat_turns)
            polling, done = await recovery(suite, stub)
    finally:
        stub.stop()
    return BenchReport(
        started_at=started_at.strftime("%Y-%m-%d %H:%M UTC"),
        machine=machine(),
        quick=counts == QUICK,
        wall_s=round(time.perf_counter() - started, 1),
        steps={
            "plain activity": Latency.of(probe.activity),
            "Nexus execute_tool": Latency.of(probe.remote_tool),
        },
        turns=turns,
        model_latency_s=MODEL_LATENCY_SECONDS,
        concurrency=levels,
        long_chat=chat,
        restart_to_polling_s=round(polling, 2),
        restart_to_done_s=round(done, 2),
    )


async def timed_turns(chat: Conversation, message: str, turns: int, tools: int | None = None) -> list[float]:
    """Seconds each of ``turns`` turns took; with ``tools``, a reply that did not use that many is an error."""
    durations = []
    for _ in range(turns):
        started = time.perf_counter()
        reply = await chat.send(message)
        durations.append(time.perf_counter() - started)
        if tools is not None and [call.ok for call in reply.tool_calls] != [True] * tools:
            raise StackError(f"{message!r} was to use {tools} remote tool(s); it used {reply.tool_calls}")
    return durations


async def offline_turns(client: Client, kind: str, turns: int) -> Latency:
    """``turns`` turns of one kind, in a chat of their own, with the offline model."""
    message, tools = TURN_KINDS[kind]
    chat = await Conversation.start(client)
    await timed_turns(chat, message, WARM_UP_TURNS, tools)
    durations = await timed_turns(chat, message, turns, tools)
    await chat.end()
    return Latency.of(durations)


async def chats_at_once(suite: Suite, chats: int) -> ChatsAtOnce:
    """``chats`` chats take one warm-up turn, then their measured turns, all at once."""
    started_chats = [Conversation.start(suite.client, task_queue=STUB_TASK_QUEUE) for _ in range(chats)]
    conversations = await asyncio.gather(*started_chats)
    await asyncio.gather(*(chat.send("Hello") for chat in conversations))
    turns = max(TURNS_PER_CHAT, -(-10 // chats))
    worker, server = suite.workers[STUB_TASK_QUEUE].pid, suite.state.pid
    worker_cpu, server_cpu = cpu_seconds(worker), cpu_seconds(server)
    started = time.perf_counter()
    per_chat = await asyncio.gather(*(timed_turns(chat, "Hello", turns) for chat in conversations))
    wall = time.perf_counter() - started
    latency = Latency.of([duration for durations in per_chat for duration in durations])
    level = ChatsAtOnce(
        chats=chats,
        turns=latency.n,
        p50_vs_model=round(latency.p50_ms / 1000 / MODEL_LATENCY_SECONDS, 3),
        p95_vs_model=round(latency.p95_ms / 1000 / MODEL_LATENCY_SECONDS, 3),
        turns_per_second=round(latency.n / wall, 1),
        worker_cpu_percent=round(100 * (cpu_seconds(worker) - worker_cpu) / wall),
        server_cpu_percent=round(100 * (cpu_seconds(server) - server_cpu) / wall),
    )
    await asyncio.gather(*(chat.end() for chat in conversations))
    return level


async def long_chat(client: Client, turns: int) -> LongChat:
    """One chat of ``turns`` turns of the cheapest kind (one model call, no tool)."""
    chat = await Conversation.start(client)
    milliseconds = [round(1000 * seconds, 1) for seconds in await timed_turns(chat, "Hello there", turns)]
    await chat.end()
    return LongChat(
        early_ms=round(statistics.fmean(milliseconds[5:15]), 1),
        late_ms=round(statistics.fmean(milliseconds[-10:]), 1),
        largest_run_bytes=await largest_run_bytes(client, chat.workflow_id),
        latencies_ms=milliseconds,
    )


async def largest_run_bytes(client: Client, workflow_id: str) -> int:
    """The largest history among the chat's runs, walked from the latest back through continue-as-new."""
    run_id = (await client.get_workflow_handle(workflow_id).describe()).run_id
    largest = 0
    while run_id:
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        largest = max(largest, History(events=history.events).ByteSize())
        run_id = history.events[0].workflow_execution_started_event_attributes.continued_execution_run_id
    return largest


async def recovery(suite: Suite, stub: LlmStub) -> tuple[float, float]:
    """SIGKILL the stub-model worker 0.5 s into a model call the stub holds, restart it at once: seconds from
    the restart to the new worker polling, and to the interrupted turn's reply. The stub answers the retried
    call at once, so the figure is what failure detection costs, not the model."""
    chat = await Conversation.start(suite.client, task_queue=STUB_TASK_QUEUE)
    await chat.send("Hello")  # tools discovered, the chat cached on the worker
    held = threading.Event()

    def hold_first_call(_body: dict[str, Any]) -> ScriptedReply:
        reply = completion(STUB_REPLY)
        if not held.is_set():  # the stub calls this under its lock
            held.set()
            reply.delay_seconds = HOLD_SECONDS
        return reply

    stub.responder = hold_first_call
    turn = asyncio.create_task(chat.send("Hello again"))
    if not await asyncio.to_thread(held.wait, HOLD_SECONDS):
        raise StackError("the model never received the turn's request")
    await asyncio.sleep(0.5)
    worker = suite.workers[STUB_TASK_QUEUE]
    worker.kill()
    restarted = time.perf_counter()
    await worker.start()
    polling = time.perf_counter() - restarted
    await turn
    done = time.perf_counter() - restarted
    await chat.end()
    return polling, done


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of ``pid`` so far, from /proc (0 where there is none)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()  # the name before ")" may hold spaces
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine() -> str:
    return (
        f"{os.cpu_count()} CPUs, {platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"temporalio {version('temporalio')}, litellm {version('litellm')}"
    )
