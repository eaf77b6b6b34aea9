"""What the planner reads of a tool (OpenAI function shape): the words that say what it does, and for each
argument its kind (a number, a choice, an arithmetic expression, a key with a pattern, a name, free text),
its words, examples, bounds and units, all from the JSON Schema."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from orchestrator.llm.planning.arithmetic import ARITHMETIC
from orchestrator.llm.planning.words import keywords, related, stem

Kind = Literal["number", "choice", "arithmetic", "key", "name", "text", "other"]

_EXAMPLES = re.compile(r"\b(?:e\.g\.|for example|such as)\s*,?\s*(.+?)(?:\.(?:\s|$)|;|$)", re.IGNORECASE)
_NAME_WORDS = {stem(word) for word in ("name", "symbol", "key", "code", "id", "identifier")}
_MONEY = frozenset(related("money"))
_TRAILING_NOTE = re.compile(r"\s*\([^()]*\)\s*$")


def without_examples(text: str) -> str:
    """A description without its examples ("City name, e.g. Paris" -> "City name"): an example is a value,
    not a word saying what the tool is for."""
    return _EXAMPLES.sub(" ", text)


def described_examples(text: str) -> list[str]:
    """The examples a description gives: "e.g. TSLA, BRK.B or NVIDIA Corporation" -> three of them."""
    found = _EXAMPLES.search(text)
    if not found:
        return []
    parts = re.split(r",\s*|\s+or\s+|\s+and\s+", found.group(1))
    return [part.strip(" .'\"`") for part in parts if part.strip(" .'\"`")]


@dataclass
class Property:
    """One argument of a tool, as its schema describes it."""

    name: str
    spec: dict[str, Any]
    required: bool
    kind: Kind = field(init=False)
    keywords: set[str] = field(init=False)
    examples: list[str] = field(init=False)

    def __post_init__(self) -> None:
        if "anyOf" in self.spec:  # an optional value: the first type that is not null
            typed = [option for option in self.spec["anyOf"] if option.get("type") != "null"]
            self.spec = {**self.spec, **(typed[0] if typed else {})}
        description = str(self.spec.get("description", ""))
        self.keywords = keywords(self.name) | keywords(without_examples(description))
        self.examples = [str(example) for example in self.spec.get("examples", [])] + described_examples(
            description
        )
        self.kind = self._kind()

    def _kind(self) -> Kind:
        kind = self.spec.get("type")
        if kind in ("number", "integer"):
            return "number"
        if kind != "string":
            return "other"
        if "enum" in self.spec:
            return "choice"
        if any(ARITHMETIC.search(example) for example in self.examples):
            return "arithmetic"
        if "pattern" in self.spec:
            return "key"
        if self.keywords & _NAME_WORDS:
            return "name"
        return "text"

    @property
    def description(self) -> str:
        return str(self.spec.get("description", ""))

    @property
    def percent(self) -> bool:
        """Whether the number is a percentage ("Annual rate ... in percent, e.g. 5 for 5%")."""
        return "percent" in self.keywords or "%" in self.description or self.name.endswith("_percent")

    @property
    def money(self) -> bool:
        """Whether the number is an amount of money ("Amount invested")."""
        return bool(self.keywords & _MONEY)

    def allows(self, value: float) -> bool:
        """Whether ``value`` is within the schema's bounds."""
        spec = self.spec
        return not (
            ("minimum" in spec and value < spec["minimum"])
            or ("maximum" in spec and value > spec["maximum"])
            or ("exclusiveMinimum" in spec and value <= spec["exclusiveMinimum"])
            or ("exclusiveMaximum" in spec and value >= spec["exclusiveMaximum"])
            or (spec.get("type") == "integer" and not float(value).is_integer())
        )

    def fits(self, value: str) -> bool:
        """Whether a string value fits the schema's pattern and lengths."""
        spec = self.spec
        if (pattern := spec.get("pattern")) and not re.search(pattern, value):
            return False
        return spec.get("minLength", 0) <= len(value) <= spec.get("maxLength", 10_000)


@dataclass
class ToolView:
    """One tool as the planner reads it."""

    name: str
    description: str
    schema: dict[str, Any]
    vocabulary: set[str] = field(init=False)
    """Stems of its name and description: what the tool is for."""
    argument_words: set[str] = field(init=False)
    """Stems of its arguments' names and descriptions: what it is about."""
    properties: list[Property] = field(init=False)

    def __post_init__(self) -> None:
        team, _, short = self.name.rpartition("__")
        purpose = _TRAILING_NOTE.sub("", self.description)  # "(run by the finance team)"
        self.vocabulary = keywords(short) | keywords(team) | keywords(without_examples(purpose))
        required = set(self.schema.get("required", []))
        self.properties = [
            Property(name, spec, name in required)
            for name, spec in (self.schema.get("properties") or {}).items()
            if isinstance(spec, dict)
        ]
        self.argument_words = set().union(*(prop.keywords for prop in self.properties)) - self.vocabulary

    @property
    def short_name(self) -> str:
        return self.name.rpartition("__")[2]

    def takes(self, kind: Kind) -> bool:
        return any(prop.kind == kind for prop in self.properties)

    def words(self) -> set[str]:
        return self.vocabulary | self.argument_words

    @classmethod
    def of(cls, tool: dict[str, Any]) -> ToolView:
        function = tool.get("function", tool)
        return cls(function["name"], function.get("description") or "", function.get("parameters") or {})
