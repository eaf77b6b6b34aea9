"""One message, one trace across the three namespaces, on a suite of its own whose workers export over
OTLP/HTTP to a receiver in this test: the update, the model call (with its attributes), the Nexus operation,
the tool workflow in the finance namespace and its activity, each the parent of the next. Real server, real
worker processes, the offline model."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest

from harness.suite import Suite, offline_settings, running_suite
from orchestrator.approvals import APPROVAL_SPAN
from orchestrator.conversation import Conversation
from shared.telemetry import SERVICE_PREFIX
from tests.support.otlp_receiver import OtlpReceiver, ReceivedSpan
from tests.support.waiting import eventually

UPDATE = "HandleUpdate:send_message"
MODEL_CALL = "llm call"
NEXUS_START = "StartNexusOperation:ToolService/execute_tool"
NEXUS_HANDLER = "RunStartNexusOperationHandler:ToolService/execute_tool"
TOOL_WORKFLOW = "RunWorkflow:ToolWorkflow"
TOOL_ACTIVITY = "RunActivity:stock_price"


@dataclass
class Traced:
    suite: Suite
    receiver: OtlpReceiver


@pytest.fixture(scope="module")
def receiver() -> Iterator[OtlpReceiver]:
    receiver = OtlpReceiver().start()
    try:
        yield receiver
    finally:
        receiver.stop()


@pytest.fixture(scope="module")
async def traced(tmp_path_factory: pytest.TempPathFactory, receiver: OtlpReceiver) -> AsyncIterator[Traced]:
    state = tmp_path_factory.mktemp("traced")
    env = {
        **offline_settings(state / "tickets.db"),
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "",
        "OTEL_SERVICE_NAME": "",
        "OTEL_BSP_SCHEDULE_DELAY": "100",  # milliseconds: spans leave the workers at once
    }
    async with running_suite(state, env=env) as suite:
        yield Traced(suite, receiver)


def trace_of(spans: list[ReceivedSpan], trace_id: str) -> dict[str, ReceivedSpan]:
    return {span.span_id: span for span in spans if span.trace_id == trace_id}


def ancestors(span: ReceivedSpan, by_id: dict[str, ReceivedSpan]) -> list[str]:
    """The names of the span's ancestors, nearest first."""
    names = []
    while span.parent_id in by_id:
        span = by_id[span.parent_id]
        names.append(span.name)
    return names


def message_trace(receiver: OtlpReceiver) -> dict[str, ReceivedSpan] | None:
    """The trace of the (only) message, once every span this test expects has arrived."""
    spans = receiver.snapshot()
    for update in (span for span in spans if span.name == UPDATE):
        trace = trace_of(spans, update.trace_id)
        names = {span.name for span in trace.values()}
        if {MODEL_CALL, NEXUS_START, NEXUS_HANDLER, TOOL_WORKFLOW, TOOL_ACTIVITY} <= names:
            return trace
    return None


async def test_one_message_is_one_trace_over_three_namespaces(traced: Traced) -> None:
    chat = await Conversation.start(traced.suite.client)
    reply = await chat.send("What is the stock price of TSLA?")
    assert [call.tool for call in reply.tool_calls] == ["stock_price"], reply

    await eventually(
        lambda: message_trace(traced.receiver) is not None, within=30, what="the message's trace"
    )
    trace = message_trace(traced.receiver)
    assert trace is not None
    named = {span.name: span for span in trace.values()}

    # Parent to child: the update, the Nexus operation, its handler in the finance worker, the tool workflow,
    # its activity.
    chain = ancestors(named[TOOL_ACTIVITY], trace)
    for parent in (TOOL_WORKFLOW, NEXUS_HANDLER, NEXUS_START, UPDATE):
        assert parent in chain, f"{parent} is not an ancestor of {TOOL_ACTIVITY}: {chain}"
    assert chain.index(TOOL_WORKFLOW) < chain.index(NEXUS_HANDLER) < chain.index(NEXUS_START)
    assert chain.index(NEXUS_START) < chain.index(UPDATE)
    assert "RunActivity:call_llm" in ancestors(named[MODEL_CALL], trace)
    assert UPDATE in ancestors(named[MODEL_CALL], trace)
    assert named[UPDATE].parent_id not in trace  # the message is the trace's root

    # Each part exports as itself: the tool ran in the finance namespace.
    assert named[UPDATE].service == f"{SERVICE_PREFIX}:default"
    assert named[TOOL_WORKFLOW].service == f"{SERVICE_PREFIX}:finance-namespace"
    assert named[TOOL_ACTIVITY].service == f"{SERVICE_PREFIX}:finance-namespace"

    model_calls = [span for span in trace.values() if span.name == MODEL_CALL]
    assert len(model_calls) == 2  # one to ask for the tool, one to answer with its result
    for call in model_calls:
        attributes = call.attributes
        assert attributes["gen_ai.request.model"] == "offline/planner"
        assert attributes["gen_ai.usage.input_tokens"] > 0
        assert attributes["gen_ai.usage.output_tokens"] > 0
        assert attributes["llm.latency_ms"] >= 0
    reasons = sorted(call.attributes["gen_ai.response.finish_reasons"][0] for call in model_calls)
    assert reasons == ["stop", "tool_calls"]


async def test_a_replayed_chat_adds_no_span_to_an_earlier_message(traced: Traced) -> None:
    """A new orchestrator worker replays the chat's history to answer the next message: the first message's
    spans are not exported again."""
    chat = await Conversation.start(traced.suite.client)
    await chat.send("What is 125 * 8?")

    def first_message_trace() -> dict[str, ReceivedSpan] | None:
        """Once complete: the update's span ends last, after every span of the message."""
        spans = traced.receiver.snapshot()
        calculator = next((s for s in spans if s.name == "RunActivity:calculator"), None)
        if calculator is None:
            return None
        trace = trace_of(spans, calculator.trace_id)
        return trace if any(s.name == UPDATE for s in trace.values()) else None

    await eventually(lambda: first_message_trace() is not None, within=30, what="the first message's spans")
    first_trace = first_message_trace()
    assert first_trace is not None
    first = next(s for s in first_trace.values() if s.name == UPDATE)

    await traced.suite.workers["orchestrator"].restart()  # no cache: the next update replays the history
    await chat.send("What is 3 + 4?")
    await eventually(
        lambda: sum(s.name == "RunActivity:calculator" for s in traced.receiver.snapshot()) >= 2,
        within=30,
        what="the second message's spans",
    )

    spans = traced.receiver.snapshot()
    assert trace_of(spans, first.trace_id) == first_trace
    assert len({span.span_id for span in spans}) == len(spans), "a span was exported twice"


async def test_a_wait_for_approval_is_one_span_of_the_message_even_across_a_worker_restart(
    traced: Traced,
) -> None:
    """The ticket waits for a person's yes; the orchestrator worker restarts while it waits (the new one
    replays the wait's start). The message's trace has one approval span, under the update, saying who
    approved and how long it took, and the ticket's tool run after it."""
    chat = await Conversation.start(traced.suite.client)
    turn = asyncio.ensure_future(chat.send("Please open a ticket: the VPN drops every hour", sender="bob"))

    async def waits_for_approval() -> bool:
        return bool(await chat.pending_approvals())

    await eventually(waits_for_approval, within=30, what="the ticket's pending approval")
    await traced.suite.workers["orchestrator"].restart()
    [pending] = await chat.pending_approvals()
    await chat.decide(pending, approve=True, approver="bob", reason="it keeps happening")
    reply = await asyncio.wait_for(turn, timeout=60)
    assert [(call.tool, call.ok) for call in reply.tool_calls] == [("create_ticket", True)], reply

    def ticket_trace() -> dict[str, ReceivedSpan] | None:
        spans = traced.receiver.snapshot()
        for tool_run in (span for span in spans if span.name == "RunActivity:create_ticket"):
            trace = trace_of(spans, tool_run.trace_id)
            if {APPROVAL_SPAN, UPDATE} <= {span.name for span in trace.values()}:
                return trace
        return None

    await eventually(lambda: ticket_trace() is not None, within=30, what="the ticket message's trace")
    trace = ticket_trace()
    assert trace is not None
    [wait] = [span for span in trace.values() if span.name == APPROVAL_SPAN]
    assert UPDATE in ancestors(wait, trace)
    assert wait.attributes["agent.team"] == "it"
    assert wait.attributes["agent.tool"] == "create_ticket"
    assert wait.attributes["agent.call_id"] == pending.call_id
    assert wait.attributes["agent.approval.outcome"] == "approved"
    assert wait.attributes["agent.approval.approver"] == "bob"
    assert wait.attributes["agent.approval.waited_seconds"] > 0
    tool_run = next(span for span in trace.values() if span.name == "RunActivity:create_ticket")
    assert tool_run.service == f"{SERVICE_PREFIX}:it-namespace"
    assert tool_run.start_ns >= wait.end_ns, "the ticket ran before it was approved"
