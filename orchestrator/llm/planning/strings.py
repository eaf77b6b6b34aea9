"""String arguments found in a clause: a choice by its values ("high priority", "urgent"), an arithmetic
expression, a key by its pattern (DEMO, "project ops"), a name by where it stands ("in Lisbon", "of Tesla",
"nvidia"), free text after a colon or a word like "saying" or "about"."""

from __future__ import annotations

import re

from orchestrator.llm.planning.arithmetic import find_expression
from orchestrator.llm.planning.clause import QUOTE_TOKEN, Clause
from orchestrator.llm.planning.tool_views import Property, ToolView
from orchestrator.llm.planning.words import (
    STOPWORDS,
    VALUE_SYNONYMS,
    is_common,
    keywords,
    related,
    stem,
    words,
)

_NAME_WORD = r"[A-Z\u00c0-\u00de][\w'\u2019.&-]*"
_NAME = rf"{_NAME_WORD}(?:\s+(?:(?:de|da|do|del|della|di|du|la|le|van|von|der)\s+)?{_NAME_WORD})*"
_PREPOSITION = re.compile(r"\b(?:in|for|at|of|about|on|from)\s+", re.IGNORECASE)
_CAPITALIZED = re.compile(rf"\b{_NAME}")
_TEXT_MARKER = re.compile(
    r"\b(?:titled|called|named|saying|that\s+says|which\s+says|about|because|regarding|re|"
    r"(?:report|reporting|reported|say|says|tell\s+\w+)\s+that)\b[:\s]+"
    r"|\bfor\s+(?!(?:it|this|that|me|us|them|him|her)\b)|:\s*",
    re.IGNORECASE,
)
_LEADING_FILLER = re.compile(
    r"^(?:(?:hi|hey|hello|so|ok|okay|well|um|also|and|but|please|sorry|help|i\s+think|it\s+seems|"
    r"looks\s+like|there\s+is|there's|we\s+have|i\s+have|the|a|an|my|our|that|this|"
    r"i\s+(?:need|want|would\s+like|'d\s+like)\s+to\s+(?:report|say|tell\s+you)(?:\s+that)?)\b[\s,!.]*)+",
    re.IGNORECASE,
)
_THAT = re.compile(r"\bthat\s+", re.IGNORECASE)


class Weak(str):
    """A value found only by being a word no everyday English has ("nvidia", "badge" as a key): too little,
    alone, to call a tool the clause barely names."""

    __slots__ = ()


def string_value(clause: Clause, prop: Property, tool: ToolView) -> str | None:
    """The value of a string argument said in ``clause`` (a ``Weak`` one when found only by elimination)."""
    if prop.kind == "choice":
        return _choice(clause.readable, prop)
    if prop.kind == "arithmetic":
        return find_expression(clause.unquoted)
    if prop.kind == "key":
        return _key(clause.unquoted, prop, tool)
    if prop.kind == "name":
        value = clause.quoted() or _name(clause.unquoted, tool)
        if not value:
            return None
        cased = _cased(value, prop)
        return Weak(cased) if isinstance(value, Weak) else cased
    if prop.kind == "text" and prop.required:
        return _text(clause, prop, tool)
    return None


def _choice(text: str, prop: Property) -> str | None:
    said = {word.lower() for word in words(text)}
    for value in prop.spec["enum"]:
        if str(value).lower() in said or said & VALUE_SYNONYMS.get(str(value).lower(), frozenset()):
            return str(value)
    return None


def _usable(word: str, tool: ToolView) -> bool:
    """Whether ``word`` can be a value: not everyday English, not a word of the tool's own description nor
    one related to it ("stats" for a tool of metrics)."""
    return not is_common(word) and not (related(word) & tool.words()) and not word.isdigit()


def _key(text: str, prop: Property, tool: ToolView) -> str | None:
    tokens = [token.strip(".,!?:;()'\"") for token in text.split()]
    tokens += [part for token in tokens if "-" in token for part in token.split("-")]  # DEMO-456 -> DEMO
    tokens = [token.removesuffix("'s").removesuffix("\u2019s") for token in tokens if token]
    for token in tokens:  # written as the pattern wants it (DEMO), and not a word of the tool's
        if prop.fits(token) and _usable(token, tool):
            return token
    lowered = [token.lower() for token in tokens]
    own = keywords(prop.name)
    for index, token in enumerate(lowered[:-1]):  # next to the argument's own name ("project ops")
        following = tokens[index + 1]
        if stem(token) in own and prop.fits(following.upper()) and _usable(following, tool):
            return following.upper()
        if stem(lowered[index + 1]) in own and prop.fits(tokens[index].upper()) and _usable(token, tool):
            return tokens[index].upper()  # "the ops project"
    for token in tokens:  # any other word that fits once upper-cased ("ops", "Security")
        if len(token) > 1 and _usable(token, tool) and prop.fits(token.upper()):
            return Weak(token.upper())
    return None


def _name(text: str, tool: ToolView) -> str | None:
    """A name: after a preposition ("in Lisbon", "of Tesla", "in new york"), else a capitalized run
    ("Compare GOOGL", "Apple's price"), else a word that is no everyday English ("nvidia")."""
    for preposition in _PREPOSITION.finditer(text):
        rest = text[preposition.end() :]
        if (capitalized := re.match(_NAME, rest)) and (name := _trimmed(capitalized.group(0), tool)):
            return name
        if run := re.match(r"[a-z][\w'\u2019.-]*(?:\s+[a-z][\w'\u2019.-]*)*", rest):
            candidate = []
            for word in run.group(0).split():
                if word.lower() in STOPWORDS:
                    break
                candidate.append(word)
            if name := _trimmed(" ".join(candidate), tool):
                return name
    first_word = re.match(r"\W*", text)
    for capitalized in _CAPITALIZED.finditer(text):
        initial = first_word is not None and capitalized.start() == first_word.end()
        if name := _trimmed(capitalized.group(0), tool, initial=initial):
            return name
    found = next((word for word in words(text) if _usable(word, tool) and len(word) > 1), None)
    return Weak(found) if found else None


def _trimmed(run: str, tool: ToolView, *, initial: bool = False) -> str | None:
    """A run of words without stop words or the tool's own words around it, nor everyday words after it
    (or at its start when it starts the clause, where any word is capitalized): "tokyo today" -> "tokyo",
    "Compare GOOGL" -> "GOOGL", "New York" stays whole."""
    parts = [part.removesuffix("'s").removesuffix("\u2019s").rstrip(".,") for part in run.split()]

    def leading_ok(word: str) -> bool:
        lowered = word.lower()
        if lowered in STOPWORDS or stem(word) in tool.words() or word.isdigit():
            return False
        return not (initial and is_common(word))

    while parts and not leading_ok(parts[0]):
        parts.pop(0)
        initial = False
    while parts and not _usable(parts[-1], tool):
        parts.pop()
    if not parts or len(parts) > 4:
        return None
    start = run.find(parts[0])  # "St. Louis" keeps its dot: the words as written in the run
    end = run.rfind(parts[-1]) + len(parts[-1])
    return run[start:end].strip() if start >= 0 and end > start else " ".join(parts)


def _cased(value: str, prop: Property) -> str:
    """A value typed in lower case, cased like the schema's examples of as many words (tokyo -> Tokyo,
    nvidia -> NVIDIA when the examples are TSLA and BRK.B)."""
    if value != value.lower() or not prop.examples:
        return value
    count = len(value.split())
    alike = [example for example in prop.examples if len(example.split()) == count] or prop.examples
    if all(example == example.upper() for example in alike):
        return value.upper()
    if all(example == example.title() for example in alike):
        return value.title()
    return value


def _text(clause: Clause, prop: Property, tool: ToolView) -> str | None:
    """Free text said in the clause: quoted, or after a colon or a word like "saying" or "about"."""
    if (found := QUOTE_TOKEN.search(clause.text)) is not None:
        quoted = clause.quotes[int(found.group(1))]
        # Text after "saying" or a colon runs to the sentence's end: a priority said there is no title.
        return cleaned(quoted, prop, tool) if int(found.group(1)) in clause.loose else quoted
    for marker in [*_TEXT_MARKER.finditer(clause.unquoted), *_THAT.finditer(clause.unquoted)]:
        if value := cleaned(clause.unquoted[marker.end() :], prop, tool):
            return value  # "a ticket that the VPN is down" last: "that" says the least
    return None


def cleaned(text: str, prop: Property | None = None, tool: ToolView | None = None) -> str | None:
    """Free text as a value: its first sentence, without greetings, fillers, a leading "my" or "the", a
    trailing mention of another argument ("with high priority"), and within the schema's length."""
    text = re.split(r"(?<=[a-z0-9)])[.!?](?:\s|$)", text.strip(), maxsplit=1)[0]
    text = _LEADING_FILLER.sub("", text.strip(" ,.!?")).strip(" ,.!?")
    for other in tool.properties if tool is not None else []:
        if other.kind == "choice":
            text = _without_choice(text, other)
    text = re.sub(r"[\s,]+(?:please|thanks|thank you)$", "", text, flags=re.IGNORECASE).strip(" ,.!?")
    if not any(not is_common(word) for word in words(text)):
        return None
    limit = (prop.spec.get("maxLength") if prop else None) or 200
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0]
    value = text[:1].upper() + text[1:]
    return value if prop is None or prop.fits(value) else None


def _without_choice(text: str, choice: Property) -> str:
    """Text without a mention of a choice's value at its end: "... with high priority", "..., priority
    low", "..., urgent"."""
    values = [str(value) for value in choice.spec["enum"]]
    named = "|".join(re.escape(value) for value in values)
    own = r"\s+".join(re.escape(word) for word in choice.name.lower().split("_"))
    synonyms = "|".join(word for value in values for word in sorted(VALUE_SYNONYMS.get(value.lower(), ())))
    for pattern in (
        rf"[\s,]*\b(?:with\s+|at\s+)?(?:an?\s+)?(?:{named})\s+{own}\b.*$",
        rf"[\s,]*\b(?:with\s+)?{own}\s+(?:of\s+|is\s+)?(?:{named})\b.*$",
        *([rf"[\s,]*\b(?:{synonyms})\b\W*$"] if synonyms else []),
    ):
        text = re.sub(pattern, "", text, flags=re.IGNORECASE)
    return text
