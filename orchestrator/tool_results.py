"""What a tool call comes to, for the user (a ``ToolCallRecord``) and for the model (a tool message):
successes, failures, results too large for the model's context, and which failures are the service's fault.

A result is cut twice at most, each time with a note the model reads: here, in the workflow, to
``MAX_RESULT_CHARS`` before it is kept in the chat's history; then, in the LLM activity, to the tokens one result
may take of the model's window (``cut_to_tokens``, with litellm's tokenizer: ``llm.context_window``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import nexusrpc
from pydantic import ValidationError
from temporalio.exceptions import ActivityError, ApplicationError, NexusOperationError, TimeoutError

from orchestrator.catalog import CatalogEntry
from orchestrator.mcp_tools.activity_types import MCP_SERVER_UNREACHABLE
from orchestrator.models import ToolCallRecord
from shared.contract import TOOL_UNAVAILABLE
from shared.failures import root_cause, validation_problems
from shared.payload_limits import CUT

MAX_RESULT_CHARS = 6_000
"""A result longer than this (as JSON) is cut before it reaches the model, with a note saying so."""

NOTE_SLACK_TOKENS = 4
"""Room for the digits the note's count takes beyond a zero."""

UNKNOWN_SERVICE = "unknown"


def succeeded(
    entry: CatalogEntry, arguments: dict[str, Any], result: dict[str, Any]
) -> tuple[ToolCallRecord, str]:
    """The record and the model's message for a result; a too-large one is cut, with a note (which starts
    with the tool's own note when the result came cut already: ``shared.payload_limits``). The message
    says what each field of the result means when the tool's ``output_schema`` describes its fields."""
    text = json.dumps(result)
    if len(text) <= MAX_RESULT_CHARS:
        record = ToolCallRecord(
            tool=entry.tool, service=entry.service, arguments=arguments, ok=True, result=result
        )
        message: dict[str, Any] = {"ok": True, "result": result}
        if fields := field_descriptions(entry.spec.output_schema, result):
            message["fields"] = fields
        return record, json.dumps(message)
    note = (
        f"The result had {len(text)} characters; only the first {MAX_RESULT_CHARS} were given to the model."
    )
    if isinstance(cut := result.get(CUT), str):  # cut where it ran, being too large to keep at all
        note = f"{cut} Only the first {MAX_RESULT_CHARS} characters were given to the model."
    record = ToolCallRecord(tool=entry.tool, service=entry.service, arguments=arguments, ok=True, note=note)
    return record, _preview(text[:MAX_RESULT_CHARS], note)


def cut_to_tokens(
    content: str,
    limit: int,
    encode: Callable[[str], Sequence[int]],
    decode: Callable[[Sequence[int]], str],
) -> str:
    """A tool message's ``content`` as the model is sent it: whole within ``limit`` tokens (by ``encode``),
    else its result (or the preview of an earlier cut, or its error) cut to its first tokens, with a note
    saying how many it had (after the earlier cut's note), all of it within ``limit``."""
    if len(encode(content)) <= limit:
        return content
    try:
        outcome = json.loads(content)
    except json.JSONDecodeError:
        outcome = {"ok": True, "result": content}
    if not isinstance(outcome, dict):
        outcome = {"ok": True, "result": outcome}
    failed = outcome.get("ok") is False
    earlier = outcome.get("note") if isinstance(outcome.get("note"), str) else None
    long = outcome.get("error") if failed else outcome.get("result_preview", outcome.get("result"))
    text = long if isinstance(long, str) else json.dumps(long)
    tokens = encode(text)

    def shortened(kept: int) -> str:
        note = f"The result had {len(tokens)} tokens; only the first {kept} were given to the model."
        if failed:
            return json.dumps({"ok": False, "error": f"{decode(tokens[:kept])} [cut: {note}]"})
        return _preview(decode(tokens[:kept]), f"{earlier} {note}" if earlier else note)

    kept = max(0, limit - len(encode(shortened(0))) - NOTE_SLACK_TOKENS)
    return shortened(kept)


def _preview(text: str, note: str) -> str:
    return json.dumps({"ok": True, "result_preview": text, "note": note})


def field_descriptions(output_schema: dict[str, Any] | None, result: dict[str, Any]) -> dict[str, str]:
    """What the result's fields mean, from the tool's output schema: ``{"price": "Last price.", ...}`` for
    the top-level fields the result has and the schema describes (none without a schema)."""
    properties = (output_schema or {}).get("properties")
    if not isinstance(properties, dict):
        return {}
    return {
        name: description
        for name in result
        if isinstance(spec := properties.get(name), dict)
        and isinstance(description := spec.get("description"), str)
    }


def failed(
    name: str, entry: CatalogEntry | None, arguments: dict[str, Any], error: str
) -> tuple[ToolCallRecord, str]:
    """The record and the model's message for a call that did not produce a result."""
    record = ToolCallRecord(
        tool=entry.tool if entry else name,
        service=entry.service if entry else UNKNOWN_SERVICE,
        arguments=arguments,
        ok=False,
        error=error,
    )
    return record, json.dumps({"ok": False, "error": error})


def is_service_failure(error: NexusOperationError | ActivityError) -> bool:
    """Whether a failed remote call says the service (a team, or an MCP server) is in trouble (timed out,
    unavailable, crashing), as opposed to the call's own fault (bad arguments) or the tool's own answer
    (unknown ticker)."""
    cause = root_cause(error)
    if isinstance(cause, TimeoutError):
        return True
    if isinstance(cause, nexusrpc.HandlerError):  # a wrong call, or one its asker may not make
        return cause.type not in (
            nexusrpc.HandlerErrorType.BAD_REQUEST,
            nexusrpc.HandlerErrorType.UNAUTHORIZED,
        )
    if isinstance(cause, ApplicationError):  # the tool's own failure, raised without a cause
        return cause.type in (TOOL_UNAVAILABLE, MCP_SERVER_UNREACHABLE)
    return False


def contract_mismatch(error: ValidationError) -> str:
    """What a team's answer outside the ``ToolService`` contract comes to: the first problem and how many
    more (the text reaches the model, so a far-off answer must not flood it)."""
    return (
        f"does not match the ToolService contract ({validation_problems(error, whole='answer', at_most=1)})"
    )
