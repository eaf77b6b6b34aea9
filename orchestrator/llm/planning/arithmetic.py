"""Arithmetic written in words, turned into symbols: "(17.5 + 2.5) * 3 divided by 4", "2 to the power of
10", "15% of 240", "the square root of 144", "now double that". Only what sits between numbers (or a number
and a word about numbers) is rewritten, so "times" in "how many times" stays a word.
"""

from __future__ import annotations

import re
from collections.abc import Callable

NUMBER = r"-?\d+(?:,\d{3})*(?:\.\d+)?"
_OPERAND = rf"(\([^()]*\)|{NUMBER})"
ARITHMETIC = re.compile(
    r"[-(]*\d[\d.,]*[)]*(?:\s*(?:\*\*|//|[-+*/^%\u00d7\u00f7])\s*[(]*\s*-?\d[\d.,]*[)]*)+"
)
"""An arithmetic expression written with symbols: at least one operator between numbers."""

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_NUMBER_WORD = "|".join([*_UNITS, *_TENS, *_SCALES])
_SPELLED = re.compile(rf"\b(?:{'|'.join([*_UNITS, *_TENS])})(?:[\s-]+(?:{_NUMBER_WORD})\b)*", re.IGNORECASE)
_ARITHMETIC_WORDS = re.compile(
    r"\b(?:plus|minus|times|divided|multiplied|multiply|divide|power|squared|cubed|root|percent|sum|"
    r"product|add|subtract|half|double|twice|triple|average|years?|dollars?|euros?)\b|[-+*/^%\u00d7\u00f7]",
    re.IGNORECASE,
)

_REWRITES: tuple[tuple[str, str | Callable[[re.Match[str]], str]], ...] = (
    (rf"\b(?:the\s+)?square\s+root\s+of\s+{_OPERAND}", r"\1 ** 0.5"),
    (rf"\bsqrt\s*{_OPERAND}", r"\1 ** 0.5"),
    (rf"\u221a\s*{_OPERAND}", r"\1 ** 0.5"),
    (rf"\b(?:the\s+)?cube\s+root\s+of\s+{_OPERAND}", r"\1 ** (1 / 3)"),
    (
        r"\b(1?\d)\s+factorial\b",
        lambda match: " * ".join(str(n) for n in range(1, int(match.group(1)) + 1)) or "1",
    ),
    (rf"{_OPERAND}\s+squared\b", r"\1 ** 2"),
    (rf"{_OPERAND}\s+cubed\b", r"\1 ** 3"),
    (rf"{_OPERAND}\s+(?:raised\s+)?to\s+the\s+power(?:\s+of)?\s+{_OPERAND}", r"\1 ** \2"),
    (rf"{_OPERAND}\s+(?:raised\s+)?to\s+the\s+(\d+)(?:st|nd|rd|th)?(?:\s+power)?\b", r"\1 ** \2"),
    (rf"{_OPERAND}\s+raised\s+to\s+{_OPERAND}", r"\1 ** \2"),
    (rf"{_OPERAND}\s*(?:%|\s+percent|\s+per\s+cent)\s+of\s+{_OPERAND}", r"\1 / 100 * \2"),
    (rf"\bhalf\s+of\s+{_OPERAND}", r"\1 / 2"),
    (rf"\bhalve\s+{_OPERAND}", r"\1 / 2"),
    (rf"\ba\s+third\s+of\s+{_OPERAND}", r"\1 / 3"),
    (rf"\ba\s+quarter\s+of\s+{_OPERAND}", r"\1 / 4"),
    (rf"\b(?:double|twice)\s+{_OPERAND}", r"\1 * 2"),
    (rf"\btriple\s+{_OPERAND}", r"\1 * 3"),
    (rf"\b(?:the\s+)?(?:sum|total)\s+of\s+{_OPERAND}\s+and\s+{_OPERAND}", r"(\1 + \2)"),
    (rf"\badd\s+{_OPERAND}\s+(?:and|to)\s+{_OPERAND}", r"\2 + \1"),
    (rf"{_OPERAND}\s+and\s+{_OPERAND}\s+(?:add\s+up|added\s+together|combined|together)\b", r"\1 + \2"),
    (rf"\bsubtract\s+{_OPERAND}\s+from\s+{_OPERAND}", r"\2 - \1"),
    (rf"\b(?:the\s+)?difference\s+between\s+{_OPERAND}\s+and\s+{_OPERAND}", r"\1 - \2"),
    (rf"\b(?:the\s+)?product\s+of\s+{_OPERAND}\s+and\s+{_OPERAND}", r"\1 * \2"),
    (rf"\bmultiply\s+{_OPERAND}\s+(?:by|and)\s+{_OPERAND}", r"\1 * \2"),
    (rf"\bdivide\s+{_OPERAND}\s+by\s+{_OPERAND}", r"\1 / \2"),
    (r"(?<=[\d)])\s+plus\s+(?=[-(\d])", " + "),
    (r"(?<=[\d)])\s+minus\s+(?=[-(\d])", " - "),
    (r"(?<=[\d)])\s+(?:times|multiplied\s+by)\s+(?=[-(\d])", " * "),
    (r"(?<=[\d)])\s+divided\s+by\s+(?=[-(\d])", " / "),
    (r"(?<=[\d)])\s+(?:mod|modulo)\s+(?=[-(\d])", " % "),
    (r"(?<=\d)\s*[xX]\s*(?=\d)", " * "),
)
_COMPILED = tuple((re.compile(pattern, re.IGNORECASE), replacement) for pattern, replacement in _REWRITES)
_AVERAGE = re.compile(
    rf"\b(?:the\s+)?(?:average|mean)\s+of\s+((?:{NUMBER}\s*,?\s*)+(?:and\s+{NUMBER}))", re.IGNORECASE
)
_REFERENCE = re.compile(r"\b(?:that|it|this|the\s+result|the\s+answer|the\s+total)\b", re.IGNORECASE)
_LEADING_OPERATION = re.compile(
    r"^\W*(?:(?:and|now|then|ok|okay|so|what\s+about|how\s+about)\W+)*"
    r"(?P<operation>plus|minus|times|(?:multiplied|multiply)\s+(?:it\s+)?by|(?:divided|divide)\s+(?:it\s+)?by|"
    r"add|subtract|take\s+away|squared|cubed|to\s+the\s+power\s+of|[-+*/x](?=\s*\d))"
    r"\s*(?P<rest>(?:\(|-?\d)[^a-z]*|)\W*$",
    re.IGNORECASE,
)
_LEADING_SYMBOL = {
    "plus": "+", "add": "+", "minus": "-", "subtract": "-", "take away": "-", "times": "*", "x": "*",
    "squared": "** 2", "cubed": "** 3", "to the power of": "**",
}  # fmt: skip


def spelled_numbers(text: str) -> str:
    """Numbers written as words turned into digits where they are about arithmetic ("two plus two",
    "five years"); elsewhere ("the one in Paris") they stay words."""
    if not _ARITHMETIC_WORDS.search(_SPELLED.sub("", text)):
        return text
    return _SPELLED.sub(lambda match: _spelled_value(match.group(0)), text)


def _spelled_value(phrase: str) -> str:
    total = current = 0
    for word in re.split(r"[\s-]+", phrase.lower()):
        if word in _SCALES:
            current = max(current, 1) * _SCALES[word]
            if _SCALES[word] >= 1_000:
                total, current = total + current, 0
        else:
            current += _UNITS.get(word, 0) + _TENS.get(word, 0)
    return str(total + current)


def to_symbols(text: str, previous: float | None = None) -> str:
    """``text`` with its arithmetic in words written with symbols; "that", "it" and "the result" next to
    arithmetic become ``previous`` (the last result), when there is one."""
    text = spelled_numbers(text)
    if previous is not None:
        text = _with_previous(text, _plain(previous))
    return _rewritten(text)


def _rewritten(text: str) -> str:
    text = _AVERAGE.sub(_average, text)
    for _ in range(3):  # nested forms: "the square root of 16 times 2 squared"
        rewritten = text
        for pattern, replacement in _COMPILED:
            rewritten = pattern.sub(replacement, rewritten)
        if rewritten == text:
            break
        text = rewritten
    return text


def _with_previous(text: str, value: str) -> str:
    """ "double that" -> "double 1000"; "and times 3" -> "1000 * 3" (an operation with no left operand)."""
    if leading := _LEADING_OPERATION.match(text):
        operation = " ".join(leading.group("operation").lower().replace(" it ", " ").split())
        symbol = _LEADING_SYMBOL.get(operation) or ("/" if operation.startswith("divide") else "*")
        if operation in ("+", "-", "*", "/"):
            symbol = operation
        return f"{value} {symbol} {leading.group('rest')}".strip()
    if not _REFERENCE.search(text):
        return text
    substituted = _rewritten(_REFERENCE.sub(value, text))
    return substituted if value in (find_expression(substituted) or "") else text


def continued(text: str, expression: str) -> str | None:
    """An operation with no left operand applied to an expression said just before ("multiply 16 by 4 and
    then add 10": "(16 * 4) + 10"), or None when ``text`` is no such operation."""
    if not _LEADING_OPERATION.match(text):
        return None
    joined = find_expression(_with_previous(text, f"({expression})"))
    return joined if joined and joined.startswith(f"({expression})") else None


def _average(match: re.Match[str]) -> str:
    numbers = re.findall(NUMBER, match.group(1))
    return f"({' + '.join(numbers)}) / {len(numbers)}"


def _plain(value: float) -> str:
    """A number as an operand: no thousands separators, no needless ``.0``."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def find_expression(text: str) -> str | None:
    """The (longest) arithmetic expression written with symbols in ``text``."""
    found = [match.group(0).strip() for match in ARITHMETIC.finditer(text)]
    found = [_balanced(expression) for expression in found]
    return max(found, key=len) if found else None


def _balanced(expression: str) -> str:
    """Drop parentheses the match took without their pair: "(3 + 4" from "f(3 + 4" or a trailing ")"."""
    while expression.count("(") > expression.count(")") and expression.startswith("("):
        expression = expression[1:].lstrip()
    while expression.count(")") > expression.count("(") and expression.endswith(")"):
        expression = expression[:-1].rstrip()
    return expression
