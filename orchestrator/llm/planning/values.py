"""The arguments a tool's schema asks for, found in one clause of a message: numbers here, by their marks
(%, $), units ("3 years"), context and the schema's bounds; strings in ``strings``. What the clause does
not say may come from around it: free text (a ticket's title) from what the user said before, a value the
clause points back at ("there") from an earlier call of the same tool.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from orchestrator.llm.planning.clause import Clause
from orchestrator.llm.planning.strings import Weak, cleaned, string_value
from orchestrator.llm.planning.tool_views import Property, ToolView
from orchestrator.llm.planning.words import FILLER, REFERENCES, keywords, related, stem, words

_NUMBER = re.compile(
    r"(?<![\w.,\u00a7-])(?P<sign>-)?(?P<prefix>[$\u20ac\u00a3])?\s?(?P<number>\d+(?:,\d{3})*(?:\.\d+)?)"
    r"(?P<suffix>\s*%|k\b|m\b|bn\b|\s+(?:million|thousand|billion)\b)?(?![\w\u00a7])",
    re.IGNORECASE,
)
_SCALE = {"k": 1e3, "m": 1e6, "bn": 1e9, "thousand": 1e3, "million": 1e6, "billion": 1e9}
_PERCENT_WORDS = {"percent", "pct"}
_MONEY = related("money")
_FILLER_STEMS = frozenset(stem(word) for word in FILLER)


@dataclass
class Context:
    """What the rest of the conversation offers a clause: what the user said that no tool took (this
    message's other clauses first, then earlier turns, latest first), and the calls of earlier turns
    (latest first)."""

    spare_texts: list[str] = field(default_factory=list)
    earlier_texts: list[str] = field(default_factory=list)
    previous_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


@dataclass
class Found:
    """Arguments for a tool, which of them the clause itself said, and whether any was taken from elsewhere."""

    arguments: dict[str, Any]
    said: set[str]
    guessed: bool = False
    weak: set[str] = field(default_factory=set)
    """The said arguments found only by elimination (a word no everyday English has)."""


def extract(
    clause: Clause, tool: ToolView, context: Context, defaults: dict[str, Any] | None = None
) -> Found | None:
    """Arguments for ``tool`` in ``clause`` (``defaults`` for what it does not say), or None when a required
    one is missing. Quoted text is read as part of the clause by a tool that takes no free text ("Compute
    ROI: 2000 dollars, 8% per year, 4 years")."""
    if not tool.takes("text"):
        clause = Clause(clause.expanded, clause.quotes, clause.loose)
    arguments: dict[str, Any] = dict(
        _numbers(clause.unquoted, [p for p in tool.properties if p.kind == "number"])
    )
    said = set(arguments)
    weak: set[str] = set()
    guessed = False
    refers = bool({word.lower() for word in words(clause.unquoted)} & REFERENCES)
    for prop in sorted(tool.properties, key=lambda prop: prop.kind != "text"):  # free text first
        if prop.name in arguments:
            continue
        value = string_value(clause, prop, tool)
        if value is not None and prop.kind == "text":  # its words are not another argument's ("low disk")
            clause = Clause(_without(clause.readable, value), clause.quotes)
        if value is not None:
            arguments[prop.name] = str(value)
            said.add(prop.name)
            if isinstance(value, Weak):
                weak.add(prop.name)
            continue
        if defaults and prop.name in defaults:
            arguments[prop.name] = defaults[prop.name]
        elif prop.required and prop.kind == "text":
            value = _text_from(context, prop, tool)
            guessed = guessed or value is not None
        elif prop.required and refers:
            value = _earlier_value(context, tool, prop)
            guessed = guessed or value is not None
        if value is not None:
            arguments[prop.name] = value
    if any(prop.required and prop.name not in arguments for prop in tool.properties):
        return None
    ordered = {prop.name: arguments[prop.name] for prop in tool.properties if prop.name in arguments}
    return Found(ordered, said, guessed, weak)


def _without(text: str, value: str) -> str:
    """``text`` without ``value``, wherever and however it is cased in it."""
    return re.sub(re.escape(value), " ", text, flags=re.IGNORECASE) if len(value) > 2 else text


def says_only(clause: Clause, found: Found, tool: ToolView) -> bool:
    """Whether the clause says nothing but the arguments' values (and filler): "and AAPL?", "Berlin"."""
    said = keywords(clause.unquoted) - {stem(word) for word in FILLER}
    values = keywords(" ".join(str(found.arguments[name]) for name in found.said))
    return not (said - values - tool.words())


# --- numbers --------------------------------------------------------------------------------------------


@dataclass
class _Number:
    value: float
    percent: bool
    money: bool
    unit: str
    context: set[str]


def _read_numbers(text: str) -> list[_Number]:
    found = []
    for match in _NUMBER.finditer(text):
        value = float(match.group("number").replace(",", "")) * (-1 if match.group("sign") else 1)
        suffix = (match.group("suffix") or "").strip().lower()
        value *= _SCALE.get(suffix, 1)
        after = words(text[match.end() :])[:3]
        before = words(text[: match.start()])[-2:]
        unit = stem(after[0]) if after else ""
        percent = (
            suffix == "%" or unit in _PERCENT_WORDS or [word.lower() for word in after[:2]] == ["per", "cent"]
        )
        money = bool(match.group("prefix")) or unit in _MONEY
        found.append(_Number(value, percent, money, unit, keywords(" ".join(before + after))))
    return found


def _numbers(text: str, properties: list[Property]) -> dict[str, float | int]:
    if not properties:
        return {}
    numbers = _read_numbers(text)
    scored = sorted(
        (-score, index, position)
        for index, number in enumerate(numbers)
        for position, prop in enumerate(properties)
        if (score := _fit(number, prop)) > 0
    )
    assigned: dict[str, float | int] = {}
    used: set[int] = set()
    for _, index, position in scored:
        prop = properties[position]
        if prop.name not in assigned and index not in used:
            assigned[prop.name] = _typed(numbers[index].value, prop)
            used.add(index)
    for prop in sorted(properties, key=lambda prop: not prop.required):
        leftover = next(
            (
                index
                for index, number in enumerate(numbers)
                if index not in used and not number.percent and prop.allows(number.value)
            ),
            None,
        )
        if prop.name not in assigned and leftover is not None:
            assigned[prop.name] = _typed(numbers[leftover].value, prop)
            used.add(leftover)
    return assigned


def _fit(number: _Number, prop: Property) -> int:
    if not prop.allows(number.value):
        return -100
    score = 0
    if number.percent:
        score += 4 if prop.percent else -3
    if number.money:
        score += 4 if prop.money else -1
    if number.unit and number.unit in prop.keywords:
        score += 3
    return score + len(number.context & prop.keywords)


def _typed(value: float, prop: Property) -> float | int:
    return int(value) if prop.spec.get("type") == "integer" or float(value).is_integer() else value


def _text_from(context: Context, prop: Property, tool: ToolView) -> str | None:
    """Free text the clause refers to: what the rest of the message said, else what the user said before;
    not a sentence that only speaks of the tool itself ("Make it urgent.")."""
    for text in [*context.spare_texts, *context.earlier_texts]:
        if keywords(text) - tool.words() - _FILLER_STEMS and (value := cleaned(text, prop)):
            return value
    return None


def _earlier_value(context: Context, tool: ToolView, prop: Property) -> Any:
    """The value an earlier call of the same tool had ("is it raining there?" after the weather in Paris)."""
    return next(
        (
            arguments[prop.name]
            for name, arguments in context.previous_calls
            if name == tool.name and prop.name in arguments
        ),
        None,
    )
