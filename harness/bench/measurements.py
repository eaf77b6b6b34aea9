"""The measurements of ``scripts/bench``, on a suite of their own: the tool workers, the orchestrator worker
with the offline model, a second orchestrator whose model is the stub on 127.0.0.1 (in this process), run as
the recommended deployment runs it (two processes of the ``all`` role), the same deployed by role on a queue
of its own (a process for the chats' workflows, one for their activities: ``harness.workers.by_role``), and
the baseline's worker (``harness.bench.baseline``); the recovery measurements start a replica of the IT
worker."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import statistics
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any, Literal, Protocol

from temporalio.api.enums.v1 import PendingActivityState
from temporalio.api.history.v1 import History, HistoryEvent
from temporalio.client import Client, WorkflowHandle

from harness.bench.baseline import BASELINE_TASK_QUEUE, BaselineChat, baseline_worker
from harness.bench.first_reply_steps import FirstReply, FirstReplySteps
from harness.bench.probe import probe_steps
from harness.bench.results import (
    BenchReport,
    ChatsAtOnce,
    Latency,
    LoadRun,
    LongChat,
    Recovery,
    RecoveryPhases,
)
from harness.bench.server_requests import per_turn, server_requests
from harness.llm_stub import LlmStub, ScriptedReply, completion
from harness.server import StackError
from harness.suite import Suite, offline_settings, running_suite
from harness.workers import WorkerProcess, by_role, orchestrator_on, pid_in, replica, topology_workers
from orchestrator.conversation import Conversation
from shared.kit.tool_workflow import TOOL_WORKFLOW_NAME
from shared.topology import load_topology

STUB_TASK_QUEUE = "bench-stub-model"
BY_ROLE_TASK_QUEUE = "bench-stub-model-by-role"
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
CALL_LEFT_SECONDS = 0.5
"""How much longer a model call goes on after the workflow worker waiting for it is killed."""
KILL_AFTER_SECONDS = 0.5
"""How long the interrupted call has run when its worker is killed."""
SLOW_TEAM = "it"
SLOW_TOOL = "run_diagnostics"
SLOW_TOOL_SECONDS = 2.0
"""How long the slow tool runs: killed after ``KILL_AFTER_SECONDS``, its retry runs it whole again."""
DIAGNOSTICS_MESSAGE = "Please run the network diagnostics."
FOUND_WITHIN_SECONDS = 30.0


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
    stubbed_by_role = by_role(orchestrator_on(BY_ROLE_TASK_QUEUE, **stub.model_settings()))
    workers = [
        *topology_workers(load_topology()).values(),
        stubbed,
        replica(stubbed),
        *stubbed_by_role,
        baseline_worker(),
    ]
    env = offline_settings(state_dir / "tickets.db")
    try:
        async with running_suite(state_dir / "suite", env=env, workers=workers) as suite:
            probe = await probe_steps(suite.client, counts.probe_rounds)
            turns = {
                kind: await offline_turns(suite.client, kind, counts.turns_per_kind) for kind in TURN_KINDS
            }
            stub.latency_seconds = MODEL_LATENCY_SECONDS
            levels = [await chats_at_once(suite, stub, chats) for chats in counts.chat_levels]
            stub.latency_seconds = 0.0
            chat = await long_chat(suite.client, counts.long_chat_turns)
            recoveries = await recovery(suite, stub)
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
        recovery=recoveries,
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


class Chat(Protocol):
    """What the bench needs of a chat: the agent's ``Conversation`` and the baseline's ``BaselineChat``."""

    @property
    def handle(self) -> WorkflowHandle[Any, Any]: ...

    async def send(self, text: str) -> object: ...

    async def end(self) -> object: ...


async def chats_at_once(suite: Suite, stub: LlmStub, chats: int) -> ChatsAtOnce:
    """``chats`` agent chats at once, then as many baseline chats, on the same server."""

    async def agent_chat() -> Chat:
        return await Conversation.start(suite.client, task_queue=STUB_TASK_QUEUE)

    async def baseline_chat() -> Chat:
        return await BaselineChat.start(suite.client, MODEL_LATENCY_SECONDS)

    agent = await chats_taking_turns(suite, stub, chats, agent_chat, stub_workers(suite))
    baseline = await chats_taking_turns(
        suite, stub, chats, baseline_chat, [suite.workers[BASELINE_TASK_QUEUE]]
    )
    return ChatsAtOnce(chats=chats, agent=agent, baseline=baseline)


def stub_workers(suite: Suite) -> list[WorkerProcess]:
    """The stub-model orchestrator's two processes (of the ``all`` role)."""
    first = suite.workers[STUB_TASK_QUEUE]
    return [first, suite.workers[replica(first.spec).name]]


async def chats_taking_turns(
    suite: Suite,
    stub: LlmStub,
    chats: int,
    opening: Callable[[], Awaitable[Chat]],
    workers: list[WorkerProcess],
) -> LoadRun:
    """``chats`` chats opened at the same moment, each timed to its first reply; then their measured turns,
    all at once, with the CPU every process took meanwhile (``workers``: the chats' worker processes)."""

    async def first_reply() -> tuple[Chat, float]:
        started = time.perf_counter()
        chat = await opening()
        await chat.send("Hello")
        return chat, time.perf_counter() - started

    opened = await asyncio.gather(*(first_reply() for _ in range(chats)))
    conversations = [chat for chat, _ in opened]
    turns = max(TURNS_PER_CHAT, -(-10 // chats))
    pids = [pid for worker in workers for pid in worker.pids()]  # a supervised worker's fork too
    asked_before = await asyncio.to_thread(server_requests, suite.state)  # a blocking HTTP read
    before = CpuUse.now(pids, suite.state.pid, stub)
    started = time.perf_counter()
    per_chat = await asyncio.gather(*(steady_turns(chat, turns) for chat in conversations))
    wall = time.perf_counter() - started
    used = CpuUse.now(pids, suite.state.pid, stub).since(before)
    asked = await asyncio.to_thread(server_requests, suite.state)
    steady = Latency.of([duration for durations in per_chat for duration in durations])
    await asyncio.gather(*(chat.end() for chat in conversations))
    histories = await asyncio.gather(*(chat.handle.fetch_history() for chat in conversations))
    return LoadRun(
        first_reply=Latency.of([seconds for _, seconds in opened]),
        first_reply_steps=FirstReplySteps.of([FirstReply.of(history) for history in histories]),
        steady=steady,
        turns_per_second=round(steady.n / wall, 1),
        worker_cpu_percent=round(100 * used.worker / wall),
        server_cpu_percent=round(100 * used.server / wall),
        load_cpu_percent=round(100 * (used.bench - used.stub) / wall),
        stub_cpu_percent=round(100 * used.stub / wall),
        server_requests_per_turn=per_turn(asked_before, asked, steady.n),
    )


async def steady_turns(chat: Chat, turns: int) -> list[float]:
    durations = []
    for _ in range(turns):
        started = time.perf_counter()
        await chat.send("Hello")
        durations.append(time.perf_counter() - started)
    return durations


@dataclass(frozen=True)
class CpuUse:
    """CPU seconds so far of the chats' workers, the dev server, this process, and the stub's threads in it."""

    worker: float
    server: float
    bench: float
    stub: float

    @classmethod
    def now(cls, workers: list[int], server: int, stub: LlmStub) -> CpuUse:
        return cls(
            sum(cpu_seconds(worker) for worker in workers),
            cpu_seconds(server),
            time.process_time(),
            stub.cpu_seconds,
        )

    def since(self, earlier: CpuUse) -> CpuUse:
        return CpuUse(
            self.worker - earlier.worker,
            self.server - earlier.server,
            self.bench - earlier.bench,
            self.stub - earlier.stub,
        )


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


async def recovery(suite: Suite, stub: LlmStub) -> list[Recovery]:
    """A worker SIGKILLed mid-turn, four ways: of the stub-model orchestrator's two processes, the one running
    the chat and its model call, not restarted; then, the other one left alone, the process its worker runs
    in, which its supervisor replaces (``supervise_forks``); the lone workflows process of the deployment by
    role, restarted at once; and one of two IT workers mid-tool. A retried model call is answered at once, so
    each figure is what the failure costs, not the model."""
    beside_another = await worker_killed_mid_call(suite, stub, lone=False)
    lone = await worker_killed_mid_call(suite, stub, lone=True)
    by_role_restarted = await workflows_process_killed(suite, stub)
    await suite.start_worker(replica(suite.workers[SLOW_TEAM].spec))
    tool = await tool_worker_killed_beside_another(suite, stub)
    return [beside_another, lone, by_role_restarted, tool]


async def worker_killed_mid_call(suite: Suite, stub: LlmStub, lone: bool) -> Recovery:
    """The orchestrator worker running a chat and the model call the stub holds for it is killed: ``lone``,
    the process that runs the worker, which its supervisor replaces with a fork of itself; else, with a
    second one running, the whole worker (supervisor and fork), not restarted."""
    turn = await turn_with_a_kill(
        suite,
        stub,
        STUB_TASK_QUEUE,
        HOLD_SECONDS,
        chat_and_call_pid,
        then="replaced by its supervisor" if lone else "left dead",
    )
    return Recovery(
        path="orchestrator worker killed mid-model-call, "
        + ("replaced by its supervisor (the lone one)" if lone else "a second one running"),
        kill_to_reply_s=turn.kill_to_reply_s,
        kill_to_polling_s=turn.kill_to_polling_s,
        phases=await phases_after(turn.chat, turn.killed_at),
    )


async def workflows_process_killed(suite: Suite, stub: LlmStub) -> Recovery:
    """Deployed by role, the lone workflows process killed ``KILL_AFTER_SECONDS`` into a chat's model call
    (which goes on, in the activities process, for ``CALL_LEFT_SECONDS`` more), and started again at once."""
    turn = await turn_with_a_kill(
        suite,
        stub,
        BY_ROLE_TASK_QUEUE,
        KILL_AFTER_SECONDS + CALL_LEFT_SECONDS,
        workflow_worker_pid,
        then="restarted",
    )
    phases = await phases_after(turn.chat, turn.killed_at)
    return Recovery(
        path="orchestrator workflows process killed mid-turn, restarted (deployed by role, the lone one)",
        kill_to_reply_s=turn.kill_to_reply_s,
        rerun_s=phases.retry_s,
        kill_to_polling_s=turn.kill_to_polling_s,
        phases=phases,
    )


@dataclass(frozen=True)
class KilledTurn:
    """A turn whose worker was killed: the chat, when, and how long until its reply (and the restarted
    worker's polling)."""

    chat: WorkflowHandle[Any, Any]
    killed_at: datetime
    kill_to_reply_s: float
    kill_to_polling_s: float | None


AfterTheKill = Literal["left dead", "restarted", "replaced by its supervisor"]
"""What becomes of a killed worker: nothing (another one takes over), started again at once by the bench, or
(only the process that ran the worker was killed) replaced by its supervisor's next fork."""


async def turn_with_a_kill(
    suite: Suite,
    stub: LlmStub,
    task_queue: str,
    held_seconds: float,
    pid_to_kill: Callable[[WorkflowHandle[Any, Any]], Awaitable[int]],
    then: AfterTheKill,
) -> KilledTurn:
    """The second turn of a stub-model chat on ``task_queue``, whose model call the stub holds
    ``held_seconds``; ``KILL_AFTER_SECONDS`` into it the worker ``pid_to_kill`` names is SIGKILLed, and
    ``then`` what becomes of it."""
    chat = await Conversation.start(suite.client, task_queue=task_queue)
    await chat.send("Hello")  # tools discovered, the chat cached on a worker
    held = hold_next_call(stub, held_seconds)
    turn = asyncio.create_task(chat.send("Hello again"))
    if not await asyncio.to_thread(held.wait, HOLD_SECONDS):
        raise StackError("the model never received the turn's request")
    pid = await pid_to_kill(chat.handle)
    worker = worker_of(suite, pid)
    await asyncio.sleep(KILL_AFTER_SECONDS)
    killed, killed_at = time.perf_counter(), datetime.now(UTC)
    if then == "replaced by its supervisor":
        if worker.kill_fork() != pid:
            raise StackError(f"{worker.spec.name}'s fork was not the process running the call ({pid})")
    else:
        worker.kill()
    polling = None
    if then == "restarted":
        await worker.start()
    if then != "left dead":
        await worker.until_polling()
        polling = round(time.perf_counter() - killed, 2)
    await turn
    done = round(time.perf_counter() - killed, 2)
    await chat.end()
    return KilledTurn(chat.handle, killed_at, done, polling)


async def tool_worker_killed_beside_another(suite: Suite, stub: LlmStub) -> Recovery:
    """Of two IT workers, the one running ``run_diagnostics`` is killed ``KILL_AFTER_SECONDS`` into it; the
    other runs the tool again, whole."""

    def diagnostics_model(body: dict[str, Any]) -> ScriptedReply:
        if body["messages"][-1] == {"role": "user", "content": DIAGNOSTICS_MESSAGE}:
            arguments = json.dumps({"seconds": SLOW_TOOL_SECONDS})
            return completion(tool_calls=[("call_slow", f"{SLOW_TEAM}__{SLOW_TOOL}", arguments)])
        return completion(STUB_REPLY)

    stub.responder = diagnostics_model
    chat = await Conversation.start(suite.client, task_queue=STUB_TASK_QUEUE)
    await chat.send("Hello")  # tools discovered
    turn = asyncio.create_task(chat.send(DIAGNOSTICS_MESSAGE))
    team = await suite.client_for(load_topology().tool_service(SLOW_TEAM).namespace)
    tool_run = await running_tool_workflow(team, f"{SLOW_TEAM}-{SLOW_TOOL}-")
    worker = worker_of(suite, await running_activity_pid(tool_run))
    await asyncio.sleep(KILL_AFTER_SECONDS)
    killed, killed_at = time.perf_counter(), datetime.now(UTC)
    worker.kill()
    reply = await turn
    done = time.perf_counter() - killed
    if [(call.tool, call.ok) for call in reply.tool_calls] != [(SLOW_TOOL, True)]:
        raise StackError(f"{SLOW_TOOL} was to succeed after its worker was killed: {reply.tool_calls}")
    await chat.end()
    return Recovery(
        path=f"{SLOW_TEAM} worker killed mid-tool, a second one running",
        kill_to_reply_s=round(done, 2),
        rerun_s=SLOW_TOOL_SECONDS,
        phases=await phases_after(tool_run, killed_at),
    )


async def phases_after(handle: WorkflowHandle[Any, Any], killed_at: datetime) -> RecoveryPhases:
    """Where the time from ``killed_at`` went, read from the history of the workflow whose worker was
    killed: its retried attempt (the one activity attempt after the first), or, when no attempt was lost
    (the workflow's worker was killed, not the activity's), the rest of the activity under way; then the
    workflow task after it."""
    events = list((await handle.fetch_history()).events)

    def at(event: HistoryEvent) -> datetime:
        return event.event_time.ToDatetime(tzinfo=UTC)

    started = [event for event in events if event.HasField("activity_task_started_event_attributes")]
    retried = next(
        (event for event in started if event.activity_task_started_event_attributes.attempt > 1), None
    )
    under_way = retried or next((event for event in reversed(started) if at(event) < killed_at), None)
    if under_way is None:
        raise StackError(f"{handle.id} shows no activity under way at the kill")
    rest = events[events.index(under_way) + 1 :]
    completed = next(
        event
        for event in rest
        if event.activity_task_completed_event_attributes.started_event_id == under_way.event_id
    )
    after = rest[rest.index(completed) + 1 :]
    next_task = next(event for event in after if event.HasField("workflow_task_started_event_attributes"))
    waited = after[: after.index(next_task)]
    return RecoveryPhases(
        until_retry_s=round((at(retried) - killed_at).total_seconds(), 2) if retried else 0.0,
        retry_s=round((at(completed) - (at(retried) if retried else killed_at)).total_seconds(), 2),
        until_workflow_task_s=round((at(next_task) - at(completed)).total_seconds(), 2),
        sticky_timed_out=any(event.HasField("workflow_task_timed_out_event_attributes") for event in waited),
    )


def hold_next_call(stub: LlmStub, seconds: float) -> threading.Event:
    """Make the stub hold its next model call ``seconds`` (and answer every other at once); the event is set
    once that call has arrived."""
    held = threading.Event()

    def hold_first_call(_body: dict[str, Any]) -> ScriptedReply:
        reply = completion(STUB_REPLY)
        if not held.is_set():  # the stub calls this under its lock
            held.set()
            reply.delay_seconds = seconds
        return reply

    stub.responder = hold_first_call
    return held


async def running_tool_workflow(client: Client, id_prefix: str) -> WorkflowHandle[Any, Any]:
    """The running tool workflow whose id starts with ``id_prefix``, once the server lists it."""
    deadline = time.monotonic() + FOUND_WITHIN_SECONDS
    while time.monotonic() < deadline:
        query = f'WorkflowType = "{TOOL_WORKFLOW_NAME}" AND ExecutionStatus = "Running"'
        async for execution in client.list_workflows(query):
            if execution.id.startswith(id_prefix):
                return client.get_workflow_handle(execution.id, run_id=execution.run_id)
        await asyncio.sleep(0.05)
    raise StackError(f"no running {TOOL_WORKFLOW_NAME} {id_prefix}* after {FOUND_WITHIN_SECONDS:.0f} s")


async def running_activity_pid(handle: WorkflowHandle[Any, Any]) -> int:
    """The pid of the worker running the workflow's activity, once one has started (from the worker's
    identity, ``<pid>@<host>``)."""
    deadline = time.monotonic() + FOUND_WITHIN_SECONDS
    while time.monotonic() < deadline:
        description = await handle.describe()
        for pending in description.raw_description.pending_activities:
            started = pending.state == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
            if started and (pid := pid_in(pending.last_worker_identity)) is not None:
                return pid
        await asyncio.sleep(0.05)
    raise StackError(f"no activity of {handle.id} started after {FOUND_WITHIN_SECONDS:.0f} s")


async def chat_and_call_pid(handle: WorkflowHandle[Any, Any]) -> int:
    """The pid of the worker running both the chat (its latest workflow task, which scheduled the call) and
    its model call: a call that started elsewhere would make the recovery measure another case."""
    call, chat = await running_activity_pid(handle), await workflow_worker_pid(handle)
    if call != chat:
        raise StackError(f"the model call runs on pid {call}, not on the chat's worker ({chat})")
    return call


async def workflow_worker_pid(handle: WorkflowHandle[Any, Any]) -> int:
    """The pid of the worker that ran the workflow's latest workflow task (the one that has it cached)."""
    events = (await handle.fetch_history()).events
    task = next(
        event for event in reversed(events) if event.HasField("workflow_task_started_event_attributes")
    )
    identity = task.workflow_task_started_event_attributes.identity
    if (pid := pid_in(identity)) is None:
        raise StackError(f"the latest workflow task of {handle.id} ran on {identity!r}, not a worker of ours")
    return pid


def worker_of(suite: Suite, pid: int) -> WorkerProcess:
    for worker in suite.workers.values():
        if worker.running() and pid in worker.pids():
            return worker
    raise StackError(f"the activity runs on pid {pid}, none of the suite's workers")


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
