"""The orchestrator worker killed (SIGKILL) mid-turn and restarted from the same code: the turn completes,
and no completed LLM call or tool call is run again."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from harness.chaos import tickets_titled
from harness.llm_stub import LlmStub, completion
from harness.suite import Suite
from harness.workers import WorkerProcess
from orchestrator.conversation import Conversation
from shared.topology import load_topology
from tests.conftest import STUB_LLM_TASK_QUEUE
from tests.integration.agent_support import nexus_schedules
from tests.support.payloads import payload_json
from tests.support.tool_runs import tool_attempts
from tests.support.waiting import eventually


def slow(reply_text: str, seconds: float) -> object:
    reply = completion(reply_text)
    reply.delay_seconds = seconds
    return reply


def user_turn_requests(stub: LlmStub, text: str) -> int:
    """How many model calls were made for the first step of the turn that asked ``text``."""
    return sum(1 for request in stub.requests if request["messages"][-1] == {"role": "user", "content": text})


async def test_killed_during_the_llm_call_the_turn_completes_without_repeating_done_work(
    stack: Suite, stub_llm_worker: WorkerProcess, llm_stub: LlmStub, ticket_db: Path
) -> None:
    title = f"Printer jam {uuid.uuid4().hex[:8]}"
    final = completion("Ticket opened.")
    final.delay_seconds = 1.5
    llm_stub.script(
        completion(tool_calls=[("call_1", "it__create_ticket", f'{{"title": "{title}"}}')]),
        final,  # the attempt the crash interrupts
        completion("Ticket opened."),  # its retry on the restarted worker
    )
    chat = await Conversation.start(stack.client, task_queue=STUB_LLM_TASK_QUEUE)
    turn = asyncio.create_task(chat.send_approving("Please open a ticket", approver="test"))

    await eventually(lambda: len(llm_stub.requests) == 2, what="the second model call is in flight")
    stub_llm_worker.kill()
    await stub_llm_worker.start()
    reply = await asyncio.wait_for(turn, timeout=60)

    assert reply.text == "Ticket opened."
    assert [(call.tool, call.ok) for call in reply.tool_calls] == [("create_ticket", True)]
    assert user_turn_requests(llm_stub, "Please open a ticket") == 1, (
        "the completed first model call ran again"
    )
    assert len(llm_stub.requests) == 3
    assert tickets_titled(ticket_db, title) == 1


async def test_killed_during_a_nexus_tool_call_the_turn_completes_and_the_tool_runs_once(
    stack: Suite,
    stub_llm_worker: WorkerProcess,
    tool_workers: dict[str, WorkerProcess],
    llm_stub: LlmStub,
) -> None:
    llm_stub.script(
        completion("Hello."),
        completion(tool_calls=[("call_1", "finance__stock_price", '{"ticker": "NVDA"}')]),
        completion("NVDA is at 187.64."),
    )
    chat = await Conversation.start(stack.client, task_queue=STUB_LLM_TASK_QUEUE)
    await chat.send("Hi")  # discovery is done: the Finance tools are in the catalog
    finance = tool_workers["finance"]
    finance.stop()  # the operation stays in flight until the Finance team is back
    try:
        turn = asyncio.create_task(chat.send("NVDA?"))

        async def tool_call_scheduled() -> bool:
            return len(await nexus_schedules(chat.handle, "execute_tool")) == 1

        await eventually(tool_call_scheduled, what="the chat's history shows the Nexus tool call scheduled")
        stub_llm_worker.kill()
    finally:
        await finance.start()
    await stub_llm_worker.start()
    reply = await asyncio.wait_for(turn, timeout=60)

    assert reply.text == "NVDA is at 187.64."
    assert [(call.tool, call.ok) for call in reply.tool_calls] == [("stock_price", True)]
    assert user_turn_requests(llm_stub, "NVDA?") == 1
    schedules = await nexus_schedules(chat.handle, "execute_tool")
    assert len(schedules) == 1, "the restarted worker scheduled the tool call again"
    # The tool workflow's id is <team>-<tool>-<call id>: the very run this call started.
    call_id = (await payload_json(schedules[0].nexus_operation_scheduled_event_attributes.input))["call_id"]
    finance_client = await stack.client_for(load_topology().tool_service("finance").namespace)
    tool_run = await finance_client.get_workflow_handle(f"finance-stock_price-{call_id}").fetch_history()
    assert tool_attempts(tool_run) == [1], "the tool ran more than once"
