"""The orchestrator deployed by role: a process of the ``workflows`` role (the chats' workflows) and one of
the ``activities`` role (their model calls, tools and steps); and in one process of the ``all`` role, where a
chat's model call runs in the process that runs the chat. Real dev server, real worker processes started
through the harness (``harness.workers.by_role``); the offline model."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from harness.suite import Suite
from harness.workers import WorkerProcess, by_role, children_of, orchestrator_on, pid_in, replica
from orchestrator.conversation import Conversation
from orchestrator.llm.names import CALL_LLM
from orchestrator.worker_presence import worker_presence

ROLES_TASK_QUEUE = "orchestrator-roles"
ONE_PROCESS_TASK_QUEUE = "orchestrator-all-roles"
WORKFLOWS_ONLY_TASK_QUEUE = "orchestrator-workflows-only"
TOKENIZER_LIBRARY = "tiktoken/_tiktoken"
"""The native part of litellm's tokenizer, which importing litellm loads into a process."""


@pytest.fixture(scope="module")
async def split_orchestrator(
    stack: Suite, tool_workers: dict[str, WorkerProcess]
) -> AsyncIterator[tuple[WorkerProcess, WorkerProcess]]:
    workflows, activities = by_role(orchestrator_on(ROLES_TASK_QUEUE))
    started = (await stack.start_worker(workflows), await stack.start_worker(activities))
    yield started
    for worker in started:
        await asyncio.to_thread(worker.stop)


def loaded_libraries(worker: WorkerProcess) -> str:
    with open(f"/proc/{worker.pid}/maps") as maps:
        return maps.read()


async def model_call_processes(chat: Conversation, task_queue: str) -> list[tuple[int, int]]:
    """For each model call of the chat (from its history): the pid of the worker whose workflow task
    scheduled it, and the pid of the worker that ran it; each call checked to be on the chats' ``task_queue``."""
    events = (await chat.handle.fetch_history()).events
    by_id = {event.event_id: event for event in events}
    processes = []
    for event in events:
        if not event.HasField("activity_task_started_event_attributes"):
            continue
        started = event.activity_task_started_event_attributes
        scheduled = by_id[started.scheduled_event_id].activity_task_scheduled_event_attributes
        if scheduled.activity_type.name != CALL_LLM:
            continue
        assert scheduled.task_queue.name == task_queue
        scheduler = by_id[scheduled.workflow_task_completed_event_id].workflow_task_completed_event_attributes
        scheduled_in, ran_in = pid_in(scheduler.identity), pid_in(started.identity)
        assert scheduled_in is not None and ran_in is not None, "both are this suite's worker processes"
        processes.append((scheduled_in, ran_in))
    assert processes, "the chat made model calls"
    return processes


async def test_a_chat_answers_with_its_model_calls_in_the_activities_process(
    stack: Suite, split_orchestrator: tuple[WorkerProcess, WorkerProcess]
) -> None:
    workflows, activities = split_orchestrator
    chat = await Conversation.start(stack.client, task_queue=ROLES_TASK_QUEUE)

    reply = await chat.send("What is 12 times 7?")

    assert "84" in reply.text
    for scheduler, runner in await model_call_processes(chat, ROLES_TASK_QUEUE):
        assert scheduler == workflows.pid
        assert runner in children_of(activities.pid), "the activities process runs its worker in a fork"
    await chat.end()


async def test_in_two_processes_that_run_everything_a_model_call_runs_where_its_chat_runs(
    stack: Suite, tool_workers: dict[str, WorkerProcess]
) -> None:
    spec = orchestrator_on(ONE_PROCESS_TASK_QUEUE)
    workers = [await stack.start_worker(spec), await stack.start_worker(replica(spec))]
    try:
        chats = [await Conversation.start(stack.client, task_queue=ONE_PROCESS_TASK_QUEUE) for _ in range(4)]
        replies = await asyncio.gather(*(chat.send("What is 12 times 7?") for chat in chats))

        assert all("84" in reply.text for reply in replies)
        forks = {fork for worker in workers for fork in children_of(worker.pid)}
        for chat in chats:
            for scheduler, runner in await model_call_processes(chat, ONE_PROCESS_TASK_QUEUE):
                assert runner == scheduler, "the call started in the process whose workflow task scheduled it"
                assert runner in forks
            await chat.end()
    finally:
        for worker in workers:
            await asyncio.to_thread(worker.stop)


async def test_the_workflows_process_never_loads_litellm(
    split_orchestrator: tuple[WorkerProcess, WorkerProcess],
) -> None:
    workflows, activities = split_orchestrator

    assert TOKENIZER_LIBRARY not in loaded_libraries(workflows)
    assert TOKENIZER_LIBRARY in loaded_libraries(activities)
    assert children_of(workflows.pid) == [], "it starts fast: no supervisor keeps it warm"


async def test_a_chat_client_names_the_missing_activities_worker_and_the_command_that_starts_it(
    stack: Suite, tool_workers: dict[str, WorkerProcess]
) -> None:
    workflows_only = by_role(orchestrator_on(WORKFLOWS_ONLY_TASK_QUEUE))[0]
    worker = await stack.start_worker(workflows_only)
    try:
        presence = await worker_presence(stack.client, WORKFLOWS_ONLY_TASK_QUEUE)

        assert presence is not None and presence.absent
        assert presence.advice().startswith(
            "No orchestrator worker for activities (model calls, tools) polls task queue "
            f"'{WORKFLOWS_ONLY_TASK_QUEUE}' (namespace default)."
        )
        assert (
            f"`ORCHESTRATOR_WORKER_ROLE=activities ORCHESTRATOR_TASK_QUEUE={WORKFLOWS_ONLY_TASK_QUEUE} "
            "python -m orchestrator.worker`" in presence.advice()
        )
    finally:
        await asyncio.to_thread(worker.stop)


async def test_with_both_kinds_running_no_worker_is_missing(
    stack: Suite, split_orchestrator: tuple[WorkerProcess, WorkerProcess]
) -> None:
    presence = await worker_presence(stack.client, ROLES_TASK_QUEUE)

    assert presence is not None and not presence.absent
    assert not presence.activities
