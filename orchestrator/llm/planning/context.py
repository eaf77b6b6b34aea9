"""The conversation as the planner reads it (OpenAI message shape): the question, the instructions, and the
earlier turns with what the user said, the calls made for it and what they returned."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from orchestrator.llm.planning.values import Context


@dataclass
class Call:
    """A tool call the model made, and what came back (None until its result is in)."""

    call_id: str
    tool: str
    arguments: dict[str, Any]
    outcome: dict[str, Any] | None = None


@dataclass
class Turn:
    """One user message and the calls made for it."""

    user: str
    calls: list[Call] = field(default_factory=list)


@dataclass
class Conversation:
    """The latest user message (``question``), the calls since it, and the turns before it, latest first."""

    question: str | None
    current: list[Call]
    earlier: list[Turn]
    instructions: str

    def context(self) -> Context:
        return Context(
            earlier_texts=[turn.user for turn in self.earlier if not turn.calls],
            previous_calls=[(call.tool, call.arguments) for turn in self.earlier for call in turn.calls],
        )

    def latest_calls(self) -> list[tuple[str, dict[str, Any]]]:
        """The calls of the latest earlier turn that made any."""
        turn = next((turn for turn in self.earlier if turn.calls), None)
        return [(call.tool, call.arguments) for call in turn.calls] if turn else []

    def previous_value(self) -> float | None:
        """The number the latest earlier result is about (a sum's value, a price), for "double that"."""
        for turn in self.earlier:
            for call in reversed(turn.calls):
                if (
                    call.outcome
                    and call.outcome.get("ok")
                    and isinstance(result := call.outcome.get("result"), dict)
                ):
                    if (value := main_number(result, call.arguments)) is not None:
                        return value
        return None


def main_number(result: dict[str, Any], arguments: dict[str, Any]) -> float | None:
    """The first number of a result that is not one of the call's own arguments."""
    given = {value for value in arguments.values() if isinstance(value, int | float)}
    return next(
        (
            float(value)
            for value in result.values()
            if isinstance(value, int | float) and not isinstance(value, bool) and value not in given
        ),
        None,
    )


def read(messages: list[dict[str, Any]]) -> Conversation:
    """Split ``messages`` into turns at each user message."""
    turns: list[Turn] = []
    calls: dict[str, Call] = {}
    for message in messages:
        role = message.get("role")
        if role == "user":
            turns.append(Turn(str(message.get("content") or "")))
        elif role == "assistant" and turns:
            for raw in message.get("tool_calls") or []:
                function = raw.get("function") or {}
                call = Call(
                    str(raw.get("id", "")),
                    str(function.get("name", "")),
                    _arguments(function.get("arguments")),
                )
                calls[call.call_id] = call
                turns[-1].calls.append(call)
        elif role == "tool" and (answered := calls.get(str(message.get("tool_call_id", "")))) is not None:
            answered.outcome = outcome(message.get("content"))
    instructions = " ".join(str(m.get("content") or "") for m in messages if m.get("role") == "system")
    if not turns:
        return Conversation(None, [], [], instructions)
    return Conversation(turns[-1].user, turns[-1].calls, list(reversed(turns[:-1])), instructions)


def _arguments(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        parsed = json.loads(raw or "{}")
    except (TypeError, json.JSONDecodeError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def outcome(content: Any) -> dict[str, Any]:
    """A tool message's content as ``{"ok": ..., "result"/"error": ..., "fields"?: ...}``."""
    try:
        parsed = json.loads(content) if isinstance(content, str) else content
    except json.JSONDecodeError:
        return {"ok": True, "result": content}
    if isinstance(parsed, dict) and "ok" in parsed:
        return parsed
    return {"ok": True, "result": parsed}
