"""Numbers as a person reads them: 1,000 (not 1000.0), $402.15, +1.66%, 14 °C; and a result field's label
and unit from its name and description (``temperature_c``: "temperature", °C)."""

from __future__ import annotations

import re

from orchestrator.llm.planning.words import is_common

_CURRENCY_SYMBOLS = {"USD": "$", "EUR": "\u20ac", "GBP": "\u00a3", "JPY": "\u00a5", "INR": "\u20b9"}
_NAME_UNITS = {
    "c": " \u00b0C", "celsius": " \u00b0C", "f": " \u00b0F", "fahrenheit": " \u00b0F", "kph": " km/h",
    "kmh": " km/h", "mph": " mph", "ms": " ms", "seconds": " s", "minutes": " minutes", "hours": " hours",
    "days": " days", "percent": "%", "pct": "%", "mb": " MB", "gb": " GB", "kg": " kg", "km": " km",
}  # fmt: skip
_DESCRIBED_UNITS = (
    (re.compile(r"\bdegrees? celsius\b", re.IGNORECASE), " \u00b0C"),
    (re.compile(r"\bdegrees? fahrenheit\b", re.IGNORECASE), " \u00b0F"),
    (re.compile(r"\bkm/h\b", re.IGNORECASE), " km/h"),
    (re.compile(r"\bin percent\b|%", re.IGNORECASE), "%"),
)
_ABBREVIATIONS = {
    "avg": "average",
    "num": "number",
    "qty": "quantity",
    "pct": "percent",
    "temp": "temperature",
}


def plain(value: float) -> str:
    """1000.0 -> "1,000"; 16288.95 -> "16,288.95"; 1/3 -> "0.3333333333"."""
    if float(value).is_integer() and abs(value) < 1e21:
        return f"{int(value):,}"
    if abs(value) >= 1e15 or abs(value) < 1e-6:
        return f"{value:.10g}"
    digits = len(str(int(abs(value)))) if abs(value) >= 1 else 0
    text = f"{value:,.{max(0, 10 - digits)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def money(value: float, currency: str) -> str:
    symbol = _CURRENCY_SYMBOLS.get(currency.upper())
    amount = f"{abs(value):,.2f}"
    sign = "-" if value < 0 else ""
    return f"{sign}{symbol}{amount}" if symbol else f"{sign}{amount} {currency}"


def label_and_unit(name: str, description: str) -> tuple[str, str]:
    """How a field is named in a sentence, and the unit its number is written with."""
    parts = [part for part in name.lower().split("_") if part]
    unit = ""
    if len(parts) > 1 and parts[-1] in _NAME_UNITS and not parts[-2].isdigit():
        unit = _NAME_UNITS[parts.pop()]
    else:
        unit = next((found for pattern, found in _DESCRIBED_UNITS if pattern.search(description)), "")
    words = [_ABBREVIATIONS.get(part, part) for part in parts]
    words = [
        word.upper() if len(word) <= 3 and word.isalpha() and not is_common(word) else word for word in words
    ]
    return " ".join(words), unit


def with_unit(value: float, unit: str, *, signed: bool = False) -> str:
    text = plain(value)
    if signed and value > 0:
        text = "+" + text
    return f"{text}{unit}"


def pretty_expression(expression: str) -> str:
    """An expression as written for people: 125 * 8 -> 125 \u00d7 8, 2 ** 10 -> 2 ^ 10, 10 / 4 -> 10 \u00f7 4."""
    text = expression.replace("**", "^").replace("//", " div ").replace("*", "\u00d7").replace("/", "\u00f7")
    return " ".join(text.split())
