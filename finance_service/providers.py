"""Where ``stock_price`` gets quotes. The offline provider ships bundled, deterministic quotes; a real one is
chosen with ``FINANCE_QUOTE_PROVIDER=package.module:ClassName``."""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from finance_service.company_names import AmbiguousName, resolve
from finance_service.models import TICKER, StockQuote
from shared.kit import ToolError
from shared.kit.provider_loading import load_provider

QUOTE_PROVIDER_VARIABLE = "FINANCE_QUOTE_PROVIDER"
QUOTES_FILE = Path(__file__).with_name("data") / "quotes.json"


@runtime_checkable
class QuoteProvider(Protocol):
    """Answers with a stock's latest quote, given its ticker or its company's name (the provider resolves
    names from its own data: a search API, a listing); raises ``ToolError`` for one it does not know."""

    async def quote(self, ticker: str) -> StockQuote: ...


class OfflineQuoteProvider:
    """Closing quotes of a fixed day for a handful of large caps (``data/quotes.json``), found by ticker or
    by company name (the name in the data, or another it lists under ``also_known_as``)."""

    @cached_property
    def _data(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(QUOTES_FILE.read_text())
        return data

    async def quote(self, ticker: str) -> StockQuote:
        quotes: dict[str, dict[str, Any]] = self._data["quotes"]
        listings = {
            symbol: [quote["name"], *quote.get("also_known_as", [])] for symbol, quote in quotes.items()
        }
        try:
            symbol = resolve(ticker, listings)
        except AmbiguousName as ambiguous:
            raise ToolError(f"No single quote for {ticker!r}: {ambiguous}") from None
        if symbol is None:
            known = ", ".join(f"{symbol} ({quote['name']})" for symbol, quote in sorted(quotes.items()))
            asked = "ticker" if TICKER.fullmatch(ticker) else "ticker or company name"
            raise ToolError(f"No quote for {asked} {ticker!r}; known tickers: {known}")
        ticker, quote = symbol, quotes[symbol]
        change = (quote["price"] - quote["previous_close"]) / quote["previous_close"] * 100
        return StockQuote(
            ticker=ticker,
            name=quote["name"],
            price=quote["price"],
            previous_close=quote["previous_close"],
            change_percent=round(change, 2),
            currency=self._data["currency"],
            as_of=self._data["as_of"],
            source="offline",
        )


def quote_provider() -> QuoteProvider:
    return load_provider(QUOTE_PROVIDER_VARIABLE, OfflineQuoteProvider, QuoteProvider)
