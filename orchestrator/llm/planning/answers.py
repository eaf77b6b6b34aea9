"""The answer once the tools have answered: one sentence per call, built from its result and what the
result's fields mean (the ``fields`` the orchestrator puts in each tool message, from the tool's output
schema): "125 \u00d7 8 = 1,000.", "TSLA (Tesla, Inc.): price $402.15, ... on 2026-11-20 (offline data)."
"""

from __future__ import annotations

import re
from typing import Any

from orchestrator.llm.planning.context import Call, main_number
from orchestrator.llm.planning.numbers import label_and_unit, money, plain, pretty_expression, with_unit
from orchestrator.llm.planning.tool_views import ToolView
from orchestrator.llm.planning.words import keywords, stem

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MOMENT = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]00:?00)?$")
_NOT_TELLING = {stem(word) for word in ("iso", "currency", "code", "the", "of")}


def sentence(call: Call, tool: ToolView | None) -> str:
    """What one call came to, as a sentence."""
    outcome = call.outcome or {}
    if not outcome.get("ok", False):
        return f"{_tool_label(call)}{_for(call.arguments)} failed: {str(outcome.get('error', 'no answer')).rstrip('.')}."
    result = outcome.get("result")
    if not isinstance(result, dict):
        if "result_preview" in outcome:
            note = str(outcome.get("note", "")).strip()
            return f"{_tool_label(call)}{_for(call.arguments)}: the result is too long to read out here. {note}".strip()
        return f"{_tool_label(call)}{_for(call.arguments)}: {result}."
    given_fields = outcome.get("fields")
    fields: dict[str, str] = given_fields if isinstance(given_fields, dict) else {}
    return _equation(call, result, tool) or _described(call, result, fields)


def _tool_label(call: Call) -> str:
    return call.tool.rpartition("__")[2].replace("_", " ").capitalize()


def _for(arguments: dict[str, Any]) -> str:
    values = [str(value) for value in arguments.values() if value not in (None, "")]
    return f" for {', '.join(values)}" if values else ""


def _equation(call: Call, result: dict[str, Any], tool: ToolView | None) -> str | None:
    """An arithmetic tool's answer: "125 \u00d7 8 = 1,000."."""
    for prop in tool.properties if tool else []:
        expression = call.arguments.get(prop.name)
        if prop.kind == "arithmetic" and isinstance(expression, str):
            value = main_number(result, call.arguments)
            if value is not None:
                return f"{pretty_expression(expression)} = {plain(value)}."
    return None


def _described(call: Call, result: dict[str, Any], fields: dict[str, str]) -> str:
    """Any other result: its subject (the thing asked about, with its name), then each field with its label
    and unit, then when and where from: "Tokyo (JP): temperature 14 °C, ... (offline data)"."""
    given = {_folded(value) for value in call.arguments.values()}
    currency = next(
        (str(result[name]) for name in result if _is_currency(name, fields.get(name, ""), result[name])), None
    )
    priced = _priced_words(result, fields)
    subject: list[str] = []
    qualifiers: list[str] = []
    lead: list[str] = []
    parts: list[str] = []
    tail: list[str] = []
    tail_parts: list[str] = []  # lists come last: "count 2 and tickets: ..."
    source = ""
    for position, (name, value) in enumerate(result.items()):
        description = fields.get(name, "")
        label, unit = label_and_unit(name, description)
        if value is None or value == "" or _is_currency(name, description, value):
            continue
        if isinstance(value, str) and _is_source(name, description):
            source = f" ({value} data)"
        elif isinstance(value, str) and _moment(value) and _is_as_of(name, description):
            tail.append(_moment(value) or value)
        elif isinstance(value, str) and position == 0 and (_folded(value) in given or _named(result, fields)):
            subject.append(value)
        elif isinstance(value, str) and _is_name(name, description) and subject:
            qualifiers.append(value)
        elif isinstance(value, str) and len(value) <= 3 and "code" in description.lower() and subject:
            qualifiers.append(value)
        elif isinstance(value, bool):
            parts.append(f"{label} {'yes' if value else 'no'}")
        elif isinstance(value, int | float):
            text = _number(
                value,
                name,
                description,
                unit,
                currency if keywords(f"{name} {description}") & priced else None,
            )
            (lead if _folded(value) in given else parts).append(f"{label} {text}")
        elif isinstance(value, str):
            parts.append(f"{label} {_moment(value) or _string(value)}")
        elif isinstance(value, list):
            tail_parts.append(f"{label}: {_items(value)}" if value else f"no {label}")
        elif isinstance(value, dict):
            parts.append(f"{label} ({_items([value])})")
    head = subject[0] + (f" ({', '.join(qualifiers)})" if qualifiers else "") if subject else ""
    if lead:
        head = f"{head + ' ' if head else ''}for {_joined(lead)}".strip()
    body = _joined(parts + tail_parts)
    when = f" on {tail[0]}" if tail and _DATE.match(tail[0]) else (f" at {tail[0]}" if tail else "")
    text = f"{head}: {body}" if head and body else head or body
    return _capitalized(f"{text}{when}{source}.")


def _number(value: float, name: str, description: str, unit: str, currency: str | None) -> str:
    if currency and not unit:
        return money(value, currency)
    signed = unit == "%" and "change" in f"{name} {description}".lower()
    return with_unit(value, unit, signed=signed)


def _string(value: str) -> str:
    return f"\u201c{value}\u201d" if len(value.split()) > 3 else value


def _items(items: list[Any]) -> str:
    """A list in a few words each: "IT-1002 (“VPN drops”, high, open), IT-1001 (...)"."""
    if not items:
        return "none"
    shown = []
    for item in items[:10]:
        if isinstance(item, dict):
            values = [
                str(value) for value in item.values() if isinstance(value, str | int | float) and value != ""
            ]
            first, rest = (values[0], [v for v in values[1:] if not _moment(v)][:3]) if values else ("?", [])
            shown.append(f"{first} ({', '.join(_string(v) for v in rest)})" if rest else first)
        else:
            shown.append(str(item))
    more = f" and {len(items) - 10} more" if len(items) > 10 else ""
    return ", ".join(shown) + more


def _joined(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1] if parts else ""


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def _folded(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _moment(value: str) -> str | None:
    if _DATE.match(value):
        return value
    if found := _MOMENT.match(value):
        zone = " UTC" if found.group(3) else ""
        return f"{found.group(1)} {found.group(2)}{zone}"
    return None


def _named(result: dict[str, Any], fields: dict[str, str]) -> bool:
    return any(_is_name(name, fields.get(name, "")) for name in list(result)[1:])


def _is_name(name: str, description: str) -> bool:
    return (
        name.lower() == "name"
        or name.lower().endswith("_name")
        or bool(re.match(r"^\w+ name\b", description, re.I))
    )


def _is_source(name: str, description: str) -> bool:
    return name.lower() in ("source", "provider") or bool(
        re.search(r"\bprovider\b", description, re.IGNORECASE)
    )


def _is_as_of(name: str, description: str) -> bool:
    return "as_of" in name.lower() or bool(re.match(r"^(?:date|time)\b", description, re.IGNORECASE))


def _is_currency(name: str, description: str, value: Any) -> bool:
    return isinstance(value, str) and ("currency" in name.lower() or "currency" in description.lower())


def _priced_words(result: dict[str, Any], fields: dict[str, str]) -> set[str]:
    """The words of the fields a currency applies to: "ISO currency code of the prices" -> price."""
    for name, value in result.items():
        if _is_currency(name, fields.get(name, ""), value):
            return keywords(fields.get(name, "")) - _NOT_TELLING
    return set()
