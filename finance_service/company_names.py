"""Which listing a company's name means: "NVIDIA Corporation", "nvidia" and "Nvidia Corp" all mean NVDA.

A provider calls ``resolve`` with the names it knows for each ticker (its own data), so the model may say a
company's name as well as its ticker; nothing here knows any company.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

GENERIC_WORDS = frozenset(
    """inc incorporated corp corporation co company companies ltd limited plc llc ag sa se nv holding holdings
    group the and of class share shares stock stocks common ordinary a b c""".split()
)
"""Words of a company's name that say nothing about which company it is (legal forms, share classes)."""

_TOKEN = re.compile(r"[a-z0-9]+")


class AmbiguousName(ValueError):
    """The name fits several listings; the message names them."""


def _telling(name: str) -> list[str]:
    return [word for word in _TOKEN.findall(name.casefold().replace("'s", "")) if word not in GENERIC_WORDS]


def name_words(name: str) -> frozenset[str]:
    """The words of a name that tell companies apart: "Amazon.com, Inc." -> {amazon, com}."""
    return frozenset(_telling(name))


def resolve(query: str, listings: Mapping[str, Iterable[str]]) -> str | None:
    """The ticker of ``listings`` (ticker -> the company's names) that ``query`` means: the ticker itself
    (any case), or a name all of whose telling words are words of one company's name. None when nothing
    fits; ``AmbiguousName`` when several companies do."""
    folded = query.strip().casefold()
    for ticker in listings:
        if ticker.casefold() == folded:
            return ticker
    wanted = name_words(query)
    if not wanted:
        return None
    run_together = "".join(_telling(query))  # "JP Morgan" is the JPMorgan of "JPMorgan Chase & Co."
    fitting = [
        ticker
        for ticker, names in listings.items()
        if any(wanted <= (words := name_words(name)) or run_together in words for name in names)
    ]
    if len(fitting) > 1:
        raise AmbiguousName(f"{query!r} could mean {', '.join(fitting)}; say which")
    return fitting[0] if fitting else None
