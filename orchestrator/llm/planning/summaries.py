"""The offline model's summary of a conversation (a ``summarize_history`` call): what the user asked and the
first line of each answer, one line an exchange, the latest kept when they don't all fit, after those an
earlier summary kept. Deterministic, like every answer of the offline model."""

from __future__ import annotations

import re

from orchestrator.llm.context_window import ASSISTANT, CONTINUED, EARLIER, USER
from orchestrator.llm.planner import OFFLINE_PREFIX

ANSWER_CHARS = 160
"""Of an answer's first line, at most this much is kept."""
_LEFT_OUT = re.compile(r"^\((\d+) earlier exchanges? left out\)$")


def summary(conversation: str, max_chars: int) -> str:
    """The summary of ``conversation`` (``context_window.rendered``) in at most ``max_chars`` characters."""
    left_out = 0
    lines: list[str] = []
    for entry in _entries(conversation):
        if entry.startswith(EARLIER):
            for line in entry.removeprefix(EARLIER).splitlines():
                if match := _LEFT_OUT.match(line.strip()):
                    left_out += int(match.group(1))
                elif line.strip().startswith("- "):
                    lines.append(line.strip())
        elif entry.startswith(USER):
            lines.append(f"- Asked: {_first_line(entry.removeprefix(USER))}")
        elif entry.startswith(ASSISTANT) and lines and " Answered: " not in lines[-1]:
            answer = _first_line(entry.removeprefix(ASSISTANT).removeprefix(OFFLINE_PREFIX))
            lines[-1] += f" Answered: {answer}"
    kept: list[str] = []
    for line in reversed(lines):
        heading = _left_out(left_out + len(lines) - len(kept) - 1)
        if len("\n".join([heading, line, *kept])) > max_chars:
            break
        kept.insert(0, line)
    left_out += len(lines) - len(kept)
    return "\n".join([_left_out(left_out), *kept] if left_out else kept) or "(nothing said yet)"


def _entries(conversation: str) -> list[str]:
    """Each message's text, its further lines joined back to its first."""
    entries: list[str] = []
    for line in conversation.splitlines():
        if line.startswith(CONTINUED) and entries:
            entries[-1] += "\n" + line.removeprefix(CONTINUED)
        else:
            entries.append(line)
    return entries


def _first_line(text: str) -> str:
    first = text.strip().split("\n", 1)[0].strip()
    return first if len(first) <= ANSWER_CHARS else first[: ANSWER_CHARS - 1] + "\u2026"


def _left_out(count: int) -> str:
    return f"({count} earlier exchange{'s' * (count != 1)} left out)"
