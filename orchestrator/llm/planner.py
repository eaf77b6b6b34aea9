"""A deterministic planner that plays the model when no real one is configured.

It knows no tool by name: it reads the tool list it is given (names, descriptions, JSON Schemas), picks the
tool each part of the user's message asks for by the words they share, extracts the arguments each schema
asks for (patterns, numbers by their context, expressions, place names), and calls several tools at once
when the message asks several things. Once tool results are back it writes the answer from them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from orchestrator.llm.names import NOT_PERMITTED_ADVICE, NOT_PERMITTED_NOTE

OFFLINE_PREFIX = "[offline model]"

_STOPWORDS = frozenset(
    """a an the of for to in on at by with and or is are was be what what's whats how much many me my our
    please can could would you tell show give get i it its this that there their do does did from as e g eg
    current currently latest now today also then some any all use using value""".split()
)
# Clause boundaries: "?", ";", a sentence's full stop (not "St. Louis"), joining words, a comma not in a number.
_SPLIT = re.compile(r"\?|;|(?<=[a-z0-9]{3})\.\s|\b(?:and|also|then|plus)\b|,(?!\d)", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9.]*")
_NUMBER = re.compile(
    r"(?P<prefix>[$€£]?)(?P<number>-?\d[\d,]*(?:\.\d+)?)\s*(?P<suffix>%|k\b|m\b)?", re.IGNORECASE
)
_ARITHMETIC = re.compile(r"[-(]*\d[\d.,]*(?:\s*(?:\*\*|//|[-+*/^%\u00d7\u00f7])\s*[(]*\s*-?\d[\d.,]*[)]*)+")
_NAME_WORD = r"[A-Z\u00c0-\u00de][\w'.-]*"  # a capitalized word, accents included (Sao, S\u00e3o, St.)
_NAME = rf"{_NAME_WORD}(?:\s+(?:(?:de|da|do|del|della|di|du|la|le|van|von|der)\s+)?{_NAME_WORD})*"
_PLACE = re.compile(rf"\b(?:in|for|at|of|about)\s+({_NAME})")
_PROPER = re.compile(rf"\b({_NAME})")
# A quoted span: opened after a space, colon or bracket (so "What's" opens nothing), closed before one.
_QUOTED = re.compile(r"(?:(?<=[\s:(])|^)[\"'\u201c\u2018](.+?)[\"'\u201d\u2019](?=[\s.,!?;:)]|$)")
_QUOTE_MARK = "\u00a7quote{}\u00a7"
_QUOTE_TOKEN = re.compile(r"\u00a7quote(\d+)\u00a7")
_TRAILING_PLACE = re.compile(r"\b(?:in|for|at)\s+([a-zA-Z][a-zA-Z' -]*?)\s*$", re.IGNORECASE)


def _stem(word: str) -> str:
    word = word.lower().strip(".")
    for suffix in ("ing", "es", "s"):
        if len(word) > 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _keywords(text: str) -> set[str]:
    return {_stem(word) for word in _WORD.findall(text.replace("_", " ")) if word.lower() not in _STOPWORDS}


@dataclass
class ToolView:
    """What the planner reads of one tool."""

    name: str
    description: str
    schema: dict[str, Any]
    vocabulary: set[str] = field(init=False)

    def __post_init__(self) -> None:
        short_name = self.name.split("__")[-1]
        self.vocabulary = _keywords(short_name) | _keywords(self.description)

    @property
    def properties(self) -> dict[str, dict[str, Any]]:
        properties: dict[str, dict[str, Any]] = self.schema.get("properties", {})
        return properties

    @property
    def required(self) -> list[str]:
        return list(self.schema.get("required", []))

    def takes_arithmetic(self) -> bool:
        return any(_is_arithmetic_property(spec) for spec in self.properties.values())


def _is_arithmetic_property(spec: dict[str, Any]) -> bool:
    return spec.get("type") == "string" and any(
        isinstance(example, str) and _ARITHMETIC.search(example) for example in spec.get("examples", [])
    )


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
    views = [
        ToolView(
            tool["function"]["name"],
            tool["function"].get("description", ""),
            tool["function"].get("parameters", {}),
        )
        for tool in tools
    ]
    last_user = max((i for i, message in enumerate(messages) if message["role"] == "user"), default=None)
    if last_user is None:
        return Plan(text=f"{OFFLINE_PREFIX} Ask me something.")
    since_user = messages[last_user + 1 :]
    if any(message["role"] == "tool" for message in since_user):
        return Plan(text=_answer_from_results(since_user))
    question = str(messages[last_user].get("content") or "")
    instructions = " ".join(
        str(message.get("content") or "") for message in messages if message["role"] == "system"
    )
    planned = _plan_calls(question, views)
    if not planned.calls and (refusal := _not_permitted(question, instructions)) is not None:
        return Plan(text=refusal)
    return planned


_WITHHELD = re.compile(re.escape(NOT_PERMITTED_NOTE) + r": (.+?)\. " + re.escape(NOT_PERMITTED_ADVICE))


def _not_permitted(question: str, instructions: str) -> str | None:
    """What to say when the question asks for a tool the instructions say the user may not use."""
    listed = _WITHHELD.search(instructions)
    if listed is None:
        return None
    asked = _keywords(question)
    matching = [
        entry
        for entry in listed.group(1).split("; ")
        if _keywords(entry.split(" (", 1)[0].split("/")[-1]) & asked
    ]
    if not matching:
        return None
    return f"{OFFLINE_PREFIX} You are not permitted to use {'; '.join(matching)}: ask for that access first."


def _plan_calls(text: str, tools: list[ToolView]) -> Plan:
    calls: list[PlannedCall] = []
    previous: ToolView | None = None
    # Quoted text is a value, never split into clauses: "a ticket titled 'VPN and Wi-Fi down'".
    quotes = [match.group(1) for match in _QUOTED.finditer(text)]
    masked = _QUOTED.sub(lambda match: _QUOTE_MARK.format(quotes.index(match.group(1))), text)
    for clause in (part.strip() for part in _SPLIT.split(masked) if part and part.strip()):
        chosen = _choose(clause, tools, quotes)
        if chosen is None and previous is not None:
            # "weather in Paris and London": a clause that names no tool may still be an argument list,
            # but only if arguments are all it says ("the JIRA metrics for project SEC" is not a ticker).
            arguments = _extract_arguments(clause, previous, quotes)
            if arguments and _only_arguments(clause, arguments):
                chosen = (previous, arguments)
        if chosen is None:
            continue
        tool, arguments = chosen
        call = PlannedCall(tool.name, arguments)
        if call not in calls:
            calls.append(call)
        previous = tool
    if calls:
        return Plan(calls=calls)
    if not tools:
        return Plan(text=f"{OFFLINE_PREFIX} I have no tools available right now, so I can't look that up.")
    offer = "; ".join(f"{tool.name.split('__')[-1]} ({tool.description.rstrip('.')})" for tool in tools)
    return Plan(text=f"{OFFLINE_PREFIX} I could not match that to one of my tools. I can use: {offer}.")


def _only_arguments(clause: str, arguments: dict[str, Any]) -> bool:
    """Whether the clause says nothing but the given argument values (and filler words)."""
    said = _keywords(_QUOTE_TOKEN.sub(" ", clause))
    values = _keywords(" ".join(str(value) for value in arguments.values()))
    return not (said - values)


def _choose(clause: str, tools: list[ToolView], quotes: list[str]) -> tuple[ToolView, dict[str, Any]] | None:
    words = _keywords(clause)
    has_arithmetic = _ARITHMETIC.search(clause) is not None
    ranked = []
    for position, tool in enumerate(tools):
        score = len(words & tool.vocabulary) * 2 + (3 if has_arithmetic and tool.takes_arithmetic() else 0)
        if score > 0:
            ranked.append((-score, position, tool))
    for _, _, tool in sorted(ranked, key=lambda item: (item[0], item[1])):
        arguments = _extract_arguments(clause, tool, quotes)
        if arguments is not None:
            return tool, arguments
    return None


def _extract_arguments(clause: str, tool: ToolView, quotes: list[str]) -> dict[str, Any] | None:
    """Arguments for ``tool`` found in ``clause``, or None when a required one is missing."""
    arguments: dict[str, Any] = {}
    unquoted = _QUOTE_TOKEN.sub(" ", clause)
    numeric = [name for name, spec in tool.properties.items() if spec.get("type") in ("number", "integer")]
    arguments.update(_assign_numbers(unquoted, {name: tool.properties[name] for name in numeric}))
    for name, spec in tool.properties.items():
        if name in arguments or spec.get("type") != "string":
            continue
        if _is_free_text(spec):
            # Free text is only guessed for what the tool needs; optional details stay unset.
            value = _free_text(clause, tool, quotes) if name in tool.required else None
        else:
            value = _extract_string(unquoted, name, spec, tool)
        if value is not None:
            arguments[name] = value
    if any(name not in arguments for name in tool.required):
        return None
    return arguments


def _is_free_text(spec: dict[str, Any]) -> bool:
    return "enum" not in spec and "pattern" not in spec and not _is_arithmetic_property(spec)


def _extract_string(clause: str, name: str, spec: dict[str, Any], tool: ToolView) -> str | None:
    if "enum" in spec:
        lowered = clause.lower()
        return next(
            (value for value in spec["enum"] if re.search(rf"\b{re.escape(str(value).lower())}\b", lowered)),
            None,
        )
    if pattern := spec.get("pattern"):
        return _match_pattern(clause, name, re.compile(pattern), tool)
    found = _ARITHMETIC.search(clause)
    return found.group(0).strip() if found else None


def _free_text(clause: str, tool: ToolView, quotes: list[str]) -> str | None:
    """A quoted value, else what follows a colon, else a place or proper name."""
    if quoted := _QUOTE_TOKEN.search(clause):
        return quotes[int(quoted.group(1))]
    if ":" in clause and (after := clause.split(":", 1)[1].strip()):
        return after
    for finder in (_PLACE, _PROPER):
        for match in finder.finditer(clause):
            candidate = match.group(1)
            if candidate.lower() not in _STOPWORDS and _stem(candidate) not in tool.vocabulary:
                return candidate
    if trailing := _TRAILING_PLACE.search(clause):  # "weather in new york"
        return trailing.group(1).title()
    return None


def _match_pattern(clause: str, name: str, pattern: re.Pattern[str], tool: ToolView) -> str | None:
    tokens = [token.strip(".,!?:;()'\"") for token in clause.split()]
    # "DEMO-456" names the project DEMO: try the parts of hyphenated tokens too.
    tokens += [part for token in tokens if "-" in token for part in token.split("-")]

    def usable(token: str) -> bool:
        return token.lower() not in _STOPWORDS and _stem(token) not in tool.vocabulary

    # Prefer tokens written as the pattern wants them (TSLA, DEMO) that are not words of the tool itself.
    for token in tokens:
        if pattern.fullmatch(token) and usable(token):
            return token
    # Then the word after the property's own name ("project demo"), as the pattern would have it.
    lowered = [token.lower() for token in tokens]
    if name.lower() in lowered:
        following = lowered.index(name.lower()) + 1
        if following < len(tokens) and pattern.fullmatch(tokens[following].upper()):
            return tokens[following].upper()
    # Last, any other word that fits once upper-cased ("aapl").
    for token in tokens:
        if len(token) > 1 and token.islower() and usable(token) and pattern.fullmatch(token.upper()):
            return token.upper()
    return None


def _assign_numbers(clause: str, properties: dict[str, dict[str, Any]]) -> dict[str, float | int]:
    if not properties:
        return {}
    found = []
    for match in _NUMBER.finditer(clause):
        value = float(match.group("number").replace(",", ""))
        suffix = (match.group("suffix") or "").lower()
        value *= {"k": 1_000, "m": 1_000_000}.get(suffix, 1)
        before = clause[: match.start()].split()[-2:]
        after = clause[match.end() :].split()[:2]
        context = _keywords(" ".join(before + after))
        if match.group("prefix"):
            context |= {"amount", "principal"}
        if suffix == "%":
            context |= {"percent", "rate"}
        found.append((value, context))
    keywords = {
        name: _keywords(name) | _keywords(spec.get("description", "")) for name, spec in properties.items()
    }
    scores = sorted(
        (
            (-(len(context & keywords[name]) + 2 * len(context & _keywords(name))), index, name)
            for index, (_, context) in enumerate(found)
            for name in properties
        ),
    )
    assigned: dict[str, float | int] = {}
    used: set[int] = set()
    for score, index, name in scores:
        if score < 0 and name not in assigned and index not in used:
            assigned[name] = _as_type(found[index][0], properties[name])
            used.add(index)
    leftovers = [index for index in range(len(found)) if index not in used]
    for name in properties:
        if name not in assigned and leftovers:
            assigned[name] = _as_type(found[leftovers.pop(0)][0], properties[name])
    return assigned


def _as_type(value: float, spec: dict[str, Any]) -> float | int:
    return int(value) if spec.get("type") == "integer" or value.is_integer() else value


def _answer_from_results(since_user: list[dict[str, Any]]) -> str:
    calls: dict[str, tuple[str, str]] = {}
    for message in since_user:
        for call in message.get("tool_calls") or []:
            function = call["function"]
            calls[call["id"]] = (function["name"].split("__")[-1], function.get("arguments") or "{}")
    lines = []
    for message in since_user:
        if message["role"] != "tool":
            continue
        name, raw_arguments = calls.get(message.get("tool_call_id", ""), ("tool", "{}"))
        lines.append(
            f"- {name}{_describe_arguments(raw_arguments)}: {_describe_result(message.get('content'))}"
        )
    return f"{OFFLINE_PREFIX} Here is what the tools returned:\n" + "\n".join(lines)


def _describe_arguments(raw: str) -> str:
    try:
        arguments = json.loads(raw)
    except json.JSONDecodeError:
        return " (unreadable arguments)"
    if not isinstance(arguments, dict) or not arguments:
        return ""
    return " (" + ", ".join(f"{key}={value}" for key, value in arguments.items()) + ")"


def _describe_result(content: Any) -> str:
    try:
        outcome = json.loads(content) if isinstance(content, str) else content
    except json.JSONDecodeError:
        return str(content)
    if not isinstance(outcome, dict) or "ok" not in outcome:
        return str(content)
    if not outcome["ok"]:
        return f"failed: {outcome.get('error')}"
    result = outcome.get("result")
    if isinstance(result, dict):
        return ", ".join(f"{key}: {value}" for key, value in result.items())
    return str(result)
