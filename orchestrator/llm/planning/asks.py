"""A message as a list of asks: split into clauses ("... and ...", "compare X and Y", sentences), each
clause given the tool whose words it shares most (everyday words count for the tools they relate to), with
the arguments its schema asks for. A clause that names no tool but only values ("Compare GOOGL and AMZN
prices") takes the tool of the clause next to it (``follow_ups``: or of the previous turn).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from orchestrator.llm.planning.arithmetic import continued, find_expression, to_symbols
from orchestrator.llm.planning.clause import QUOTE_MARK, Clause
from orchestrator.llm.planning.tool_views import ToolView
from orchestrator.llm.planning.values import Context, Found, extract, says_only
from orchestrator.llm.planning.words import STOPWORDS, is_weak, keywords, related, stem, words

# Clause boundaries: "?", ";", a sentence's full stop (not "St. Louis"), joining words, a comma not in a number.
_SPLIT = re.compile(
    r"[?;!]|(?<=[a-z0-9)]{3})\.\s|\b(?:and|also|then|plus|as\s+well\s+as|versus|vs)\b\.?|,(?!\d{3})",
    re.IGNORECASE,
)
# A quoted span: opened after a space, colon or bracket (so "What's" opens nothing), closed before one.
_QUOTED = re.compile(r"(?:(?<=[\s:(])|^)[\"'\u201c\u2018](.+?)[\"'\u201d\u2019](?=[\s.,!?;:)]|$)")
# Free text after these runs to the end of its sentence: "a ticket saying VPN and Wi-Fi are down".
_TEXT_TO_THE_END = re.compile(
    r"(\b(?:titled|called|named|saying|that\s+says)\s+|:\s+)(?:(?:the|a|an|that)\s+)?(?![\"'\u201c\u2018\u00a7])([^.?!]+)",
    re.IGNORECASE,
)
_CREATE = re.compile(
    r"\b(?:open|file|raise|log|submit|create|make|start|report)\s+(?:up\s+)?(?:a|an|new|one)\b|\bnew\b"
    r"|\breport(?:ing)?\s+that\b",
    re.IGNORECASE,
)
_CREATE_WORD = stem("create")
_PRICE_IDIOM = re.compile(r"\bat\W*(?:(?:right\s+)?now|today|currently|the\s+moment)?\W*$", re.IGNORECASE)
_PRICE_WORD = "price"


@dataclass
class Ask:
    """A tool call one clause asks for."""

    tool: ToolView
    found: Found


def clauses(text: str, previous_value: float | None = None) -> list[Clause]:
    """The clauses of a message, quoted spans (and free text after "saying") masked, arithmetic in symbols."""
    quotes: list[str] = []
    loose: set[int] = set()

    def mask(match: re.Match[str], group: int) -> str:
        said = match.group(group).strip()
        quotes.append(said if group == 1 else said[:1].upper() + said[1:])  # quoted text stays as written
        if group != 1:
            loose.add(len(quotes) - 1)
        return match.group(0).replace(match.group(group), QUOTE_MARK.format(len(quotes) - 1), 1)

    masked = _QUOTED.sub(lambda match: mask(match, 1), text)
    masked = _TEXT_TO_THE_END.sub(lambda match: mask(match, 2), masked)
    symbolic = to_symbols(masked, previous_value)
    parts: list[Clause] = []
    for part in (part.strip() for part in _SPLIT.split(symbolic) if part and part.strip(" ,.")):
        before = find_expression(parts[-1].text) if parts else None
        if before and (joined := continued(part, before)):  # "multiply 16 by 4 and then add 10"
            parts[-1] = Clause(parts[-1].text.replace(before, joined, 1), quotes, loose)
        else:
            parts.append(Clause(part, quotes, loose))
    return parts


def names_it(clause: Clause, tool: ToolView) -> bool:
    """Whether the clause says a word of the tool's name or description (not only related words)."""
    return bool(keywords(clause.readable) & tool.vocabulary) or (
        tool.takes("arithmetic") and find_expression(clause.readable) is not None
    )


def score(clause: Clause, tool: ToolView) -> int:
    """How much ``clause`` asks for ``tool``: 2 for each word of its name or description or an everyday word
    related to one (rain: weather; 1 for an everyday verb or adjective, such as "work" or "open"), 1 for a
    word of its arguments, 3 for arithmetic when it takes an expression, 2 for "open a", "create", "new"
    when its name or description says it creates."""
    total = 0
    text = clause.readable
    if _CREATE.search(text) and (_CREATE.search(tool.description) or _CREATE_WORD in tool.vocabulary):
        total += 2  # "open a ticket" asks for the tool that opens one ("Open an IT ticket ...")
    said = {word.lower() for word in words(text) if word.lower() not in STOPWORDS}
    if _PRICE_IDIOM.search(text):
        said.add(_PRICE_WORD)  # "What's TSLA at?"
    for word in sorted(said):
        if stem(word) in tool.vocabulary or related(word) & tool.vocabulary - {stem(word)}:
            total += 1 if is_weak(word) else 2
        elif stem(word) in tool.argument_words:
            total += 1
    if tool.takes("arithmetic") and find_expression(text):
        total += 3
    return total


def choose(clause: Clause, tools: list[ToolView], context: Context) -> Ask | None:
    """The tool ``clause`` asks for most whose arguments it gives (a tool it only relates to must get one
    from it). At the same score, one that needs nothing taken from elsewhere comes first, then the one the
    clause gives more arguments to."""
    ranked = sorted(
        (
            (points, position, tool)
            for position, tool in enumerate(tools)
            if (points := score(clause, tool)) > 0
        ),
        key=lambda item: (-item[0], item[1]),
    )
    best: tuple[int, bool, int, int, Ask] | None = None
    for points, position, tool in ranked:
        found = extract(clause, tool, context)
        if found is None or not (found.said or found.guessed or names_it(clause, tool)):
            continue  # only related words, and nothing it needs: "the stock price of TSLA" is no ticket list
        if points <= 1 and not _firmly_said(found, tool):
            continue  # barely named, and what it needs only guessed: "Outlook keeps crashing when I open ..."
        candidate = (points, not found.guessed, len(found.said), -position, Ask(tool, found))
        if best is None or candidate[:4] > best[:4]:
            best = candidate
    return best[4] if best else None


def _firmly_said(found: Found, tool: ToolView) -> bool:
    """Whether the clause itself gives a required argument, not just by elimination ("in Lisbon")."""
    required = {prop.name for prop in tool.properties if prop.required}
    return bool((found.said - found.weak) & required)


def plan_asks(parts: list[Clause], tools: list[ToolView], context: Context) -> list[Ask]:
    """The tool calls a message's clauses ask for, in the order they are asked."""
    alone = Context([], context.earlier_texts, context.previous_calls)
    unasked = [index for index, part in enumerate(parts) if choose(part, tools, alone) is None]
    chosen: list[Ask | None] = []
    taken: set[int] = set()  # clauses read together with the one before them
    index = 0
    while index < len(parts):
        # What the other clauses say that asks for nothing may be what this one refers to ("... a broken
        # monitor, please file a ticket").
        spare = [parts[other].unquoted for other in unasked if other != index]
        around = Context(spare, context.earlier_texts, context.previous_calls)
        ask = choose(parts[index], tools, around)
        if ask is None and index + 1 < len(parts) and any(score(parts[index], tool) for tool in tools):
            # "If I put 2500 dollars in at 7 percent a year, what do I get after 3 years?": the ask goes on.
            joined = Clause(
                f"{parts[index].text} {parts[index + 1].text}", parts[index].quotes, parts[index].loose
            )
            if choose(parts[index + 1], tools, around) is None and (ask := choose(joined, tools, around)):
                chosen += [ask, None]
                taken.add(index + 1)
                index += 2
                continue
        chosen.append(ask)
        index += 1
    asks = _lend_tools(parts, chosen, taken, context)
    return _merged([ask for ask in asks if ask is not None])


def _merged(asks: list[Ask]) -> list[Ask]:
    """A clause that only adds a detail to another clause's call ("Can you file a ticket about it? Make it
    urgent."): its own values go to that call, instead of a second call made of guesses."""
    kept: list[Ask] = []
    for ask in asks:
        required = {prop.name for prop in ask.tool.properties if prop.required}
        target = next((other for other in kept if other.tool.name == ask.tool.name), None)
        if target is not None and ask.found.guessed and not (ask.found.said & required):
            _add_details(target, ask.found)
            continue
        kept.append(ask)
    return kept


def _lend_tools(
    parts: list[Clause], chosen: list[Ask | None], taken: set[int], context: Context
) -> list[Ask | None]:
    """A clause that names no tool but only values takes the tool of the nearest clause before it, else
    after it: "weather in Paris and London", "Compare GOOGL and AMZN prices". One that only adds a detail
    to that call ("Make it urgent.") adds it there."""
    asks = list(chosen)
    for index, part in enumerate(parts):
        if asks[index] is not None or index in taken or not part.unquoted.strip():
            continue
        neighbours = [chosen[i] for i in range(index - 1, -1, -1)] + [
            chosen[i] for i in range(index + 1, len(chosen))
        ]
        for neighbour in (ask for ask in neighbours if ask is not None):
            found = extract(part, neighbour.tool, context, defaults=neighbour.found.arguments)
            if found is None or not found.said or not says_only(part, found, neighbour.tool):
                continue
            required = {prop.name for prop in neighbour.tool.properties if prop.required}
            if not found.said & required:  # "show closed tickets, just the last 10"
                _add_details(neighbour, found)
                break
            if not found.guessed:
                asks[index] = Ask(neighbour.tool, found)
                break
    return asks


def _add_details(ask: Ask, found: Found) -> None:
    """Optional values another clause gave, added to ``ask`` where it has none of its own."""
    for name in found.said:
        ask.found.arguments.setdefault(name, found.arguments[name])
    order = [prop.name for prop in ask.tool.properties]
    ask.found.arguments = dict(sorted(ask.found.arguments.items(), key=lambda item: order.index(item[0])))
