"""A reply is a payload of the chat's history: one too large for it keeps its answer and its calls' outcomes,
and leaves out the calls' arguments and results, saying so."""

from __future__ import annotations

from orchestrator.models import AgentReply, ToolCallRecord
from shared.payload_limits import PAYLOAD_LIMIT_BYTES


def call(size: int) -> ToolCallRecord:
    return ToolCallRecord(
        tool="create_ticket", service="it", arguments={"description": "d" * size}, ok=True, result={"id": 7}
    )


def test_a_reply_that_fits_is_kept_as_it_is() -> None:
    reply = AgentReply(text="Done.", tool_calls=[call(1_000)], model="openai/gpt-4o-mini")

    assert reply.fitted() is reply


def test_a_reply_too_large_leaves_out_its_calls_arguments_and_results_with_a_note() -> None:
    reply = AgentReply(text="Done.", tool_calls=[call(200_000)] * 8, model="openai/gpt-4o-mini")

    fitted = reply.fitted()

    assert len(fitted.model_dump_json()) < PAYLOAD_LIMIT_BYTES // 2
    assert (fitted.text, fitted.model) == ("Done.", "openai/gpt-4o-mini")
    assert [(c.tool, c.ok, c.arguments, c.result) for c in fitted.tool_calls] == [
        ("create_ticket", True, {}, None)
    ] * 8
    assert all((c.note or "").startswith("[cut: the reply was ") for c in fitted.tool_calls)
