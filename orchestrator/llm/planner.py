"""A deterministic planner that plays the model when no real one is configured.

It knows no tool by name: it reads the tool list it is given (names, descriptions, JSON Schemas) and the
conversation. It splits the user's message into asks, picks the tool each asks for by the words they share
(everyday words count for the tools they relate to: rain for weather), reads the arguments each schema asks
for (numbers by their marks and units, choices, arithmetic in words or symbols, keys, names, free text), and
calls several tools at once when the message asks several things. A message that only names new values
("and AAPL?") asks the previous turn's tools again; "that" is the last result; a ticket's title may come
from what the user said before. Once results are back it answers in sentences, from each result and what
its fields mean (``planning.answers``). See ``orchestrator.llm.planning`` for the parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from orchestrator.llm.names import NOT_PERMITTED_ADVICE, NOT_PERMITTED_NOTE
from orchestrator.llm.planning.answers import sentence
from orchestrator.llm.planning.asks import Ask, clauses, plan_asks
from orchestrator.llm.planning.context import Conversation, read
from orchestrator.llm.planning.follow_ups import follow_up
from orchestrator.llm.planning.suggestions import suggestions
from orchestrator.llm.planning.tool_views import ToolView
from orchestrator.llm.planning.values import Context
from orchestrator.llm.planning.words import keywords

OFFLINE_PREFIX = "[offline model]"


@dataclass
class PlannedCall:
    tool: str
    arguments: dict[str, Any]


@dataclass
class Plan:
    """Either tool calls to make, or the final text."""

    calls: list[PlannedCall] = field(default_factory=list)
    text: str | None = None


def plan(messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> Plan:
    """The next step for a conversation in OpenAI message shape, with tools in OpenAI function shape."""
    views = [ToolView.of(tool) for tool in tools]
    conversation = read(messages)
    if conversation.question is None:
        return Plan(text=f"{OFFLINE_PREFIX} Ask me something.")
    if conversation.current:
        by_name = {view.name: view for view in views}
        answer = "\n".join(sentence(call, by_name.get(call.tool)) for call in conversation.current)
        return Plan(text=f"{OFFLINE_PREFIX} {answer}")
    planned = calls_for(conversation, views)
    if planned:
        return Plan(calls=planned)
    if (refusal := _not_permitted(conversation.question, conversation.instructions)) is not None:
        return Plan(text=refusal)
    return Plan(text=_no_match(views))


def calls_for(conversation: Conversation, views: list[ToolView]) -> list[PlannedCall]:
    """The calls the latest message asks for, reading earlier turns for what it refers to."""
    question = conversation.question or ""
    context = conversation.context()
    parts = clauses(question, conversation.previous_value())
    asks = plan_asks(parts, views, context)
    if not asks and (latest := conversation.latest_calls()):
        asks = follow_up(question, parts, views, context, latest)
    return _distinct(asks)


def _distinct(asks: list[Ask]) -> list[PlannedCall]:
    calls: list[PlannedCall] = []
    for ask in asks:
        call = PlannedCall(ask.tool.name, ask.found.arguments)
        if call not in calls:
            calls.append(call)
    return calls


def _no_match(views: list[ToolView]) -> str:
    if not views:
        return f"{OFFLINE_PREFIX} I have no tools available right now, so I can't look that up."

    def works(request: str, tool: ToolView) -> bool:
        asks = plan_asks(clauses(request), views, Context())
        return [ask.tool.name for ask in asks] == [tool.name]

    examples = suggestions(views, works)
    first = f"{OFFLINE_PREFIX} I could not match that to one of my tools (I am the offline model: I only know what they do)."
    if not examples:
        return first
    quoted = [f"\u201c{example}\u201d" for example in examples]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f"{first}\nTry, for example: {listed}."


_WITHHELD = re.compile(re.escape(NOT_PERMITTED_NOTE) + r": (.+?)\. " + re.escape(NOT_PERMITTED_ADVICE))


def _not_permitted(question: str, instructions: str) -> str | None:
    """What to say when the question asks for a tool the instructions say the user may not use."""
    listed = _WITHHELD.search(instructions)
    if listed is None:
        return None
    asked = keywords(question)
    matching = [
        entry
        for entry in listed.group(1).split("; ")
        if keywords(entry.split(" (", 1)[0].split("/")[-1]) & asked
    ]
    if not matching:
        return None
    return f"{OFFLINE_PREFIX} You are not permitted to use {'; '.join(matching)}: ask for that access first."
