"""The orchestrator deployed by role: a process of the ``workflows`` role (the chats' workflows) and one of
the ``activities`` role (their model calls, tools and steps); and in one process of the ``all`` role, where a
chat's model call runs in the process that runs the chat. Real dev server, real worker processes started
through the harness (``harness.workers.by_role``); the offline model."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from harness.suite import Suite
from harness.workers import WorkerProcess, by_role, children_of, orchestrator_on
from orchestrator.conversation import Conversation
from orchestrator.llm.names import CALL_LLM
from orchestrator.worker_presence import worker_presence

ROLES_TASK_QUEUE = "orchestrator-roles"
ONE_PROCESS_TASK_QUEUE = "orchestrator-one-process"
WORKFLOWS_ONLY_TASK_QUEUE = "orchestrator-workflows-only"
TOKENIZER_LIBRARY = "tiktoken/_tiktoken"
"""The native part of litellm's tokenizer, which importing litellm loads into a process."""


@pytest.fixture(scope="module")
async def split_orchestrator(
    stack: Suite, tool_workers: dict[str, WorkerProcess]
) -> AsyncIterator[tuple[WorkerProcess, WorkerProcess]]:
    workflows, model_calls = by_role(orchestrator_on(ROLES_TASK_QUEUE))
    started = (await stack.start_worker(workflows), await stack.start_worker(model_calls))
    yield started
    for worker in started:
        await asyncio.to_thread(worker.stop)


def loaded_libraries(worker: WorkerProcess) -> str:
    with open(f"/proc/{worker.pid}/maps") as maps:
        return maps.read()


async def model_call_runners(chat: Conversation, task_queue: str) -> tuple[set[str], set[str]]:
    """The pids that ran the chat's model calls, and those that ran its workflow tasks (from its history),
    once every model call is checked to have been scheduled on the chats' ``task_queue``."""
    events = (await chat.handle.fetch_history()).events
    scheduled = {
        event.event_id: event.activity_task_scheduled_event_attributes
        for event in events
        if event.HasField("activity_task_scheduled_event_attributes")
    }
    model_call_ids = {id for id, attributes in scheduled.items() if attributes.activity_type.name == CALL_LLM}
    assert model_call_ids
    assert {scheduled[id].task_queue.name for id in model_call_ids} == {task_queue}
    calls = {
        event.activity_task_started_event_attributes.identity.split("@")[0]
        for event in events
        if event.HasField("activity_task_started_event_attributes")
        and event.activity_task_started_event_attributes.scheduled_event_id in model_call_ids
    }
    workflow_tasks = {
        event.workflow_task_completed_event_attributes.identity.split("@")[0]
        for event in events
        if event.HasField("workflow_task_completed_event_attributes")
    }
    return calls, workflow_tasks


async def test_a_chat_answers_with_its_model_calls_in_the_activities_process(
    stack: Suite, split_orchestrator: tuple[WorkerProcess, WorkerProcess]
) -> None:
    workflows, activities = split_orchestrator
    chat = await Conversation.start(stack.client, task_queue=ROLES_TASK_QUEUE)

    reply = await chat.send("What is 12 times 7?")

    assert "84" in reply.text
    calls, workflow_tasks = await model_call_runners(chat, ROLES_TASK_QUEUE)
    assert calls == {str(pid) for pid in children_of(activities.pid)}, "its worker runs in a fork"
    assert workflow_tasks == {str(workflows.pid)}
    await chat.end()


async def test_in_one_process_a_chats_model_calls_run_where_the_chat_runs(
    stack: Suite, tool_workers: dict[str, WorkerProcess]
) -> None:
    worker = await stack.start_worker(orchestrator_on(ONE_PROCESS_TASK_QUEUE))
    try:
        chat = await Conversation.start(stack.client, task_queue=ONE_PROCESS_TASK_QUEUE)
        reply = await chat.send("What is 12 times 7?")

        assert "84" in reply.text
        calls, workflow_tasks = await model_call_runners(chat, ONE_PROCESS_TASK_QUEUE)
        assert calls == workflow_tasks == {str(pid) for pid in children_of(worker.pid)}
        await chat.end()
    finally:
        await asyncio.to_thread(worker.stop)


async def test_the_workflows_process_never_loads_litellm(
    split_orchestrator: tuple[WorkerProcess, WorkerProcess],
) -> None:
    workflows, model_calls = split_orchestrator

    assert TOKENIZER_LIBRARY not in loaded_libraries(workflows)
    assert TOKENIZER_LIBRARY in loaded_libraries(model_calls)
    assert children_of(workflows.pid) == [], "it starts fast: no supervisor keeps it warm"


async def test_a_chat_client_names_the_missing_model_call_worker_and_the_command_that_starts_it(
    stack: Suite, tool_workers: dict[str, WorkerProcess]
) -> None:
    workflows_only = by_role(orchestrator_on(WORKFLOWS_ONLY_TASK_QUEUE))[0]
    worker = await stack.start_worker(workflows_only)
    try:
        presence = await worker_presence(stack.client, WORKFLOWS_ONLY_TASK_QUEUE)

        assert presence is not None and presence.absent
        assert presence.advice().startswith(
            "No orchestrator worker for model calls polls task queue "
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
