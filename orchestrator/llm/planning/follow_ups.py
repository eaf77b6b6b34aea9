"""Follow-ups: a message that names only new values ("and AAPL?", "what about Berlin?", "and at 8%?") asks
the previous turn's tools again, with the values it gives and the previous ones for the rest."""

from __future__ import annotations

import re
from typing import Any

from orchestrator.llm.planning.asks import Ask
from orchestrator.llm.planning.clause import Clause
from orchestrator.llm.planning.tool_views import ToolView
from orchestrator.llm.planning.values import Context, Found, extract, says_only

_FOLLOW_UP = re.compile(
    r"^\W*(?:and|also|now|then|or|but|ok|okay|so|plus|same\s+for|what\s+about|how\s+about|what\s+of|"
    r"what\s+if|and\s+if|if|with|for|in|at|"
    r"and\s+what\s+about|how\s+is|how\s+are)\b",
    re.IGNORECASE,
)


def follow_up(
    question: str,
    parts: list[Clause],
    tools: list[ToolView],
    context: Context,
    latest: list[tuple[str, dict[str, Any]]],
) -> list[Ask]:
    """A message that names only new values ("and AAPL?", "what about Berlin?", "and at 8%?") asks the
    previous turn's tools again, with the values it gives and the previous ones for the rest. It must read
    as a follow-up: start with "and", "what about"... or say nothing but the values."""
    by_name = {tool.name: tool for tool in tools}
    marked = _FOLLOW_UP.match(question) is not None
    asks = []
    for part in parts:
        for name, arguments in latest:
            tool = by_name.get(name)
            if tool is None:
                continue
            found = extract(part, tool, context, defaults=arguments)
            if (
                found is not None
                and found.said
                and any(found.arguments.get(key) != arguments.get(key) for key in found.said)
                and says_only(part, found, tool)
                and (marked or _only_values(part, found))
            ):
                asks.append(Ask(tool, found))
                break
    return asks


def _only_values(part: Clause, found: Found) -> bool:
    """Whether every word of the clause is one of the values found ("Berlin?", "AAPL")."""
    values = " ".join(str(found.arguments[name]) for name in found.said).casefold()
    return all(word.casefold() in values for word in re.findall(r"[\w.]+", part.unquoted))
