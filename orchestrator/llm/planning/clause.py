"""One clause of a message as the planner reads it: quoted text masked (so "a ticket titled 'VPN and Wi-Fi
down'" is not split at its "and"), arithmetic already written in symbols."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

QUOTE_MARK = "\u00a7quote{}\u00a7"
QUOTE_TOKEN = re.compile(r"\u00a7quote(\d+)\u00a7")


@dataclass
class Clause:
    """One part of a message (quoted spans masked as ``QUOTE_MARK`` tokens, arithmetic in symbols)."""

    text: str
    quotes: list[str]
    loose: set[int] = field(default_factory=set)
    """The quotes that were not quoted, only masked: the text after "saying" or a colon."""

    @property
    def unquoted(self) -> str:
        return QUOTE_TOKEN.sub(" ", self.text)

    @property
    def readable(self) -> str:
        """The clause as it asks: quoted text left out, text after a colon or "saying" kept ("Quick one:
        AMZN price?")."""
        return QUOTE_TOKEN.sub(
            lambda match: self.quotes[int(match.group(1))] if int(match.group(1)) in self.loose else " ",
            self.text,
        )

    @property
    def expanded(self) -> str:
        """The clause with its quoted text back in place."""
        return QUOTE_TOKEN.sub(lambda match: self.quotes[int(match.group(1))], self.text)

    def quoted(self) -> str | None:
        found = QUOTE_TOKEN.search(self.text)
        return self.quotes[int(found.group(1))] if found else None
