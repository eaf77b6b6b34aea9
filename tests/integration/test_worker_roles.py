"""The orchestrator as the recommended deployment runs it: a process of the ``workflows`` role (the chats,
their steps, the local tools) and one of the ``llm`` role (the model calls, on their own task queue). Real dev
server, real worker processes started through the harness (``harness.workers.by_role``); the offline model."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from harness.suite import Suite
from harness.workers import WorkerProcess, by_role, children_of, orchestrator_on
from orchestrator.conversation import Conversation
from orchestrator.llm.names import CALL_LLM, llm_task_queue
from orchestrator.worker_presence import worker_presence

ROLES_TASK_QUEUE = "orchestrator-roles"
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


async def test_a_chat_answers_with_its_model_calls_in_the_llm_process(
    stack: Suite, split_orchestrator: tuple[WorkerProcess, WorkerProcess]
) -> None:
    model_calls = split_orchestrator[1]
    chat = await Conversation.start(stack.client, task_queue=ROLES_TASK_QUEUE)

    reply = await chat.send("What is 12 times 7?")

    assert "84" in reply.text
    events = (await chat.handle.fetch_history()).events
    scheduled = {
        event.event_id: event.activity_task_scheduled_event_attributes
        for event in events
        if event.HasField("activity_task_scheduled_event_attributes")
    }
    model_call_ids = {id for id, attributes in scheduled.items() if attributes.activity_type.name == CALL_LLM}
    assert {scheduled[id].task_queue.name for id in model_call_ids} == {llm_task_queue(ROLES_TASK_QUEUE)}
    runners = {
        event.activity_task_started_event_attributes.identity.split("@")[0]
        for event in events
        if event.HasField("activity_task_started_event_attributes")
        and event.activity_task_started_event_attributes.scheduled_event_id in model_call_ids
    }
    assert runners == {str(pid) for pid in children_of(model_calls.pid)}, "its worker runs in a fork"
    await chat.end()


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
            f"'{llm_task_queue(WORKFLOWS_ONLY_TASK_QUEUE)}' (namespace default)."
        )
        assert (
            f"`ORCHESTRATOR_WORKER_ROLE=llm ORCHESTRATOR_TASK_QUEUE={WORKFLOWS_ONLY_TASK_QUEUE} "
            "python -m orchestrator.worker`" in presence.advice()
        )
    finally:
        await asyncio.to_thread(worker.stop)


async def test_with_both_kinds_running_no_worker_is_missing(
    stack: Suite, split_orchestrator: tuple[WorkerProcess, WorkerProcess]
) -> None:
    presence = await worker_presence(stack.client, ROLES_TASK_QUEUE)

    assert presence is not None and not presence.absent
    assert not presence.model_calls
