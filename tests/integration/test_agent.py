"""The agent end to end with the offline model: real dev server, a real worker process per part of the topology."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError

from harness.suite import Suite
from harness.workers import WorkerProcess
from orchestrator.chat_opening import OPEN_CHAT
from shared.topology import load_topology
from tests.integration.agent_support import nexus_schedules
from tests.support.chat_reading import new_chat, rejection

pytestmark = pytest.mark.usefixtures("orchestrator_worker")

TOPOLOGY = load_topology()
TWO_THINGS = "What is the stock price of TSLA and the JIRA metrics for project DEMO?"


async def test_one_message_asking_two_things_calls_both_teams_in_parallel(stack: Suite) -> None:
    chat = await new_chat(stack)

    reply = await chat.send(TWO_THINGS)

    assert [(call.service, call.tool, call.ok) for call in reply.tool_calls] == [
        ("finance", "stock_price", True),
        ("it", "get_jira_metrics", True),
    ]
    assert "402.15" in reply.text and "Demo Platform" in reply.text
    assert reply.text.startswith("[offline model]")
    executions = await nexus_schedules(chat.handle, "execute_tool")
    assert {event.nexus_operation_scheduled_event_attributes.endpoint for event in executions} == {
        TOPOLOGY.tool_service("finance").endpoint,
        TOPOLOGY.tool_service("it").endpoint,
    }
    tasks = {
        event.nexus_operation_scheduled_event_attributes.workflow_task_completed_event_id
        for event in executions
    }
    assert len(tasks) == 1, "both Nexus operations must be scheduled by the same workflow task"


async def test_a_local_tool_runs_as_an_activity_of_the_orchestrator(stack: Suite) -> None:
    chat = await new_chat(stack)

    reply = await chat.send("What is 125 * 8?")

    assert [(call.service, call.tool, call.result) for call in reply.tool_calls] == [
        ("local", "calculator", {"expression": "125 * 8", "value": 1000.0})
    ]
    assert reply.text == "[offline model] 125 \u00d7 8 = 1,000."
    assert await nexus_schedules(chat.handle, "execute_tool") == []


async def test_the_offline_model_follows_the_chat_and_takes_a_company_name_for_its_ticker(
    stack: Suite,
) -> None:
    chat = await new_chat(stack)

    first = await chat.send("how is nvidia stock doing today?")
    follow_up = await chat.send("and what about Apple?")

    assert [(call.tool, call.ok, (call.result or {}).get("ticker")) for call in first.tool_calls] == [
        ("stock_price", True, "NVDA")
    ]
    assert first.text.startswith("[offline model] NVDA (NVIDIA Corporation): price $187.64")
    assert [(call.tool, call.arguments) for call in follow_up.tool_calls] == [
        ("stock_price", {"ticker": "Apple"})
    ]
    assert "AAPL (Apple Inc.): price $268.47" in follow_up.text


async def test_tools_are_discovered_once_per_chat_not_per_turn(stack: Suite) -> None:
    chat = await new_chat(stack)

    await chat.send("What is my IP address?")
    await chat.send("What's the weather in Tokyo?")
    await chat.send("Calculate ROI for $1,000 at 7% over 5 years")

    discoveries = await nexus_schedules(chat.handle, "list_tools")
    assert sorted(
        event.nexus_operation_scheduled_event_attributes.endpoint for event in discoveries
    ) == sorted(site.endpoint for site in TOPOLOGY.tool_services.values()), (
        "every team of the topology is asked for its tools, once"
    )


async def test_a_new_chat_opens_with_one_worker_step_before_it_asks_the_teams(stack: Suite) -> None:
    chat = await new_chat(stack)

    await chat.send("What is my IP address?")

    events = (await chat.handle.fetch_history()).events
    first_discovery = next(
        index
        for index, event in enumerate(events)
        if event.nexus_operation_scheduled_event_attributes.operation == "list_tools"
    )
    assert [
        event.activity_task_scheduled_event_attributes.activity_type.name
        for event in events[:first_discovery]
        if event.HasField("activity_task_scheduled_event_attributes")
    ] == [OPEN_CHAT], "the start token's check and the service directory's read are one step"


async def test_the_transcript_keeps_every_turn_and_ending_returns_it(stack: Suite) -> None:
    chat = await new_chat(stack)
    await chat.send("What is my IP address?")
    await chat.send("What's the weather in Paris?")

    transcript = await chat.transcript()
    final = await chat.end()

    assert [entry.user for entry in transcript.entries] == [
        "What is my IP address?",
        "What's the weather in Paris?",
    ]
    assert "203.0.113.24" in transcript.entries[0].reply.text
    assert "Paris" in transcript.entries[1].reply.text
    assert final.ended is True
    assert final.entries == transcript.entries


async def test_a_failing_tool_is_told_to_the_model_and_the_chat_goes_on(stack: Suite) -> None:
    chat = await new_chat(stack)

    failed = await chat.send("What is the stock price of ZZZZ?")
    after = await chat.send("What is the stock price of MSFT?")

    assert [(call.tool, call.ok) for call in failed.tool_calls] == [("stock_price", False)]
    assert "No quote for ticker 'ZZZZ'" in (failed.tool_calls[0].error or "")
    assert "No quote for ticker 'ZZZZ'" in failed.text
    assert after.tool_calls[0].ok and "512.3" in after.text


async def test_the_plain_cli_shape_works_start_with_empty_input_and_update_with_text(stack: Suite) -> None:
    workflow_id = f"cli-shape-{uuid.uuid4()}"
    handle = await stack.client.start_workflow(
        "AgentWorkflow", {}, id=workflow_id, task_queue=TOPOLOGY.orchestrator.task_queue
    )

    reply: dict[str, Any] = await handle.execute_update(
        "send_message", {"text": TWO_THINGS}, result_type=dict
    )

    assert {"text", "tool_calls"} <= set(reply)
    assert [(call["tool"], call["service"], call["ok"]) for call in reply["tool_calls"]] == [
        ("stock_price", "finance", True),
        ("get_jira_metrics", "it", True),
    ]
    assert reply["tool_calls"][0]["arguments"] == {"ticker": "TSLA"}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "The message is empty"),
        ("   \n\t ", "The message is empty"),
        ("x" * 32_001, "the limit is 32000"),
    ],
)
async def test_the_validator_rejects_bad_messages_and_loses_nothing(
    stack: Suite, text: str, reason: str
) -> None:
    chat = await new_chat(stack)
    await chat.send("What is my IP address?")

    with pytest.raises(WorkflowUpdateFailedError) as raised:
        await chat.send(text)
    after = await chat.send("What's the weather in Sydney?")

    assert reason in rejection(raised.value)
    transcript = await chat.transcript()
    assert [entry.user for entry in transcript.entries] == [
        "What is my IP address?",
        "What's the weather in Sydney?",
    ]
    assert after.tool_calls[0].ok


async def test_a_message_with_the_wrong_shape_is_rejected_and_the_chat_goes_on(stack: Suite) -> None:
    chat = await new_chat(stack)

    with pytest.raises(WorkflowUpdateFailedError) as raised:
        await chat.handle.execute_update("send_message", {"txt": "hello"})
    reply = await chat.send("What is my IP address?")

    assert "Failed decoding arguments" in rejection(raised.value)
    assert "txt" in rejection(raised.value)
    assert reply.tool_calls[0].ok


async def test_a_closed_chat_refuses_new_messages(stack: Suite) -> None:
    chat = await new_chat(stack)
    await chat.send("What is my IP address?")
    await chat.end()

    with pytest.raises(RPCError) as raised:
        await chat.send("One more thing")

    assert "completed" in str(raised.value) or "closing" in str(raised.value)


async def test_with_a_service_down_at_start_the_agent_uses_the_others_and_finds_it_later(
    stack: Suite, tool_workers: dict[str, WorkerProcess]
) -> None:
    finance = tool_workers["finance"]
    finance.stop()
    try:
        chat = await new_chat(stack)
        degraded = await chat.send(TWO_THINGS)
    finally:
        await finance.start()

    assert degraded.unavailable_services == ["finance"]
    assert "Unavailable right now: the tools of finance" in degraded.text
    assert "did not answer tool discovery" in degraded.text
    assert [(call.tool, call.ok) for call in degraded.tool_calls] == [("get_jira_metrics", True)]

    recovered = await asyncio.wait_for(chat.send("What is the stock price of TSLA?"), timeout=30)

    assert recovered.unavailable_services == []
    assert [(call.tool, call.ok) for call in recovered.tool_calls] == [("stock_price", True)]
