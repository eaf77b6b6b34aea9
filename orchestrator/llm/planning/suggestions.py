"""What to say when no tool fits: two lines, the second with three requests the tools can answer, each made
from a tool's description and its arguments' examples ("Get the current weather in a city" with the example
Paris: "Get the current weather in Paris")."""

from __future__ import annotations

import re
from collections.abc import Callable

from orchestrator.llm.planning.tool_views import ToolView
from orchestrator.llm.planning.words import stem

SHOWN = 3
_FIRST_CLAUSE = re.compile(r"^(.+?)(?:[:;(]|,\s|\s+by\s+|\s+with\s+|\.\s|\.$|$)")
_ARTICLE_PHRASE = re.compile(r"\b(?:a|an|the)\s+((?:[\w'-]+\s+){0,2}[\w'-]+)", re.IGNORECASE)


def example_request(tool: ToolView) -> str | None:
    """A request for ``tool`` in its own words, with example values; None when an example is missing."""
    found = _FIRST_CLAUSE.match(tool.description.strip())
    request = found.group(1).strip() if found else ""
    if not request:
        return None
    for prop in (prop for prop in tool.properties if prop.required):
        if not prop.examples:
            return None
        example = prop.examples[0]
        replaced = _replace_phrase(request, prop.keywords, example)
        request = replaced if replaced is not None else f"{request} for {example}"
    return request


def _replace_phrase(request: str, words: set[str], example: str) -> str | None:
    """ "Get the current weather in a city" -> "... in Paris": an article and the argument's own words after
    it give way to the example."""
    for phrase in _ARTICLE_PHRASE.finditer(request):
        inner = re.finditer(r"[\w'-]+", phrase.group(1))
        run = [match for match in inner]
        taken = 0
        while taken < len(run) and stem(run[taken].group(0)) in words:
            taken += 1
        if taken:
            end = phrase.start(1) + run[taken - 1].end()
            return request[: phrase.start()] + example + request[end:]
    return None


def suggestions(tools: list[ToolView], works: Callable[[str, ToolView], bool]) -> list[str]:
    """Up to three example requests, from different teams first; each one ``works`` (plans to its tool)."""
    made = [(tool, request) for tool in tools if (request := example_request(tool)) and works(request, tool)]
    chosen: list[str] = []
    teams: set[str] = set()
    for tool, request in made:
        team = tool.name.rpartition("__")[0]
        if team not in teams and len(chosen) < SHOWN:
            chosen.append(request)
            teams.add(team)
    for _, request in made:
        if request not in chosen and len(chosen) < SHOWN:
            chosen.append(request)
    return chosen
