"""One message, one trace across the three namespaces, on a suite of its own whose workers export over
OTLP/HTTP to a receiver in this test: the update, the model call (with its attributes), the Nexus operation,
the tool workflow in the finance namespace and its activity, each the parent of the next. Real server, real
worker processes, the offline model."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest

from harness.suite import Suite, offline_settings, running_suite
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
    await eventually(
        lambda: any(s.name == "RunActivity:calculator" for s in traced.receiver.snapshot()),
        within=30,
        what="the first message's spans",
    )
    first = next(s for s in traced.receiver.snapshot() if s.name == "RunActivity:calculator")
    first_trace = trace_of(traced.receiver.snapshot(), first.trace_id)

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
