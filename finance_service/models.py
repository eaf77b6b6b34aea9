"""Arguments and results of the Finance tools; field descriptions become the JSON Schema the model reads."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

TICKER = re.compile(r"[A-Z]{1,5}(\.[A-Z]{1,2})?")
"""A ticker symbol as written by the exchanges: TSLA, BRK.B."""
_TICKER_OR_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .,&'()-]*")


class StockPriceArguments(BaseModel):
    """Which stock to quote: its ticker, or its company's name (the provider finds the ticker)."""

    model_config = ConfigDict(extra="forbid")

    ticker: str = Field(
        min_length=1,
        max_length=80,
        description="Stock ticker symbol or the company's name, e.g. TSLA, BRK.B or NVIDIA Corporation.",
        examples=["TSLA", "BRK.B", "NVIDIA Corporation"],
    )

    @field_validator("ticker", mode="before")
    @classmethod
    def _normalize(cls, value: object) -> object:
        """Whitespace collapsed; a ticker-shaped value upper-cased (tsla -> TSLA); a name kept as written."""
        if not isinstance(value, str):
            return value
        value = " ".join(value.split())
        return value.upper() if TICKER.fullmatch(value.upper()) else value

    @field_validator("ticker")
    @classmethod
    def _ticker_or_name(cls, value: str) -> str:
        if not _TICKER_OR_NAME.fullmatch(value) or not any(character.isalpha() for character in value):
            raise ValueError("must be a ticker symbol (TSLA, BRK.B) or a company's name (NVIDIA Corporation)")
        return value


class StockQuote(BaseModel):
    """The latest quote of one stock."""

    ticker: str = Field(description="Ticker symbol.")
    name: str = Field(description="Company name.")
    price: float = Field(gt=0, description="Last price.")
    previous_close: float = Field(gt=0, description="Previous session's closing price.")
    change_percent: float = Field(description="Change against the previous close, in percent.")
    currency: str = Field(description="ISO currency code of the prices.")
    as_of: str = Field(description="Date of the quote (YYYY-MM-DD).")
    source: str = Field(description="Which provider answered (`offline` for bundled data).")


class RoiArguments(BaseModel):
    """An investment compounded yearly."""

    model_config = ConfigDict(extra="forbid")

    principal: float = Field(gt=0, le=1e12, description="Amount invested, e.g. 10000.")
    rate: float = Field(
        gt=-100, le=1000, description="Annual rate of return in percent, e.g. 5 for 5% a year."
    )
    years: float = Field(gt=0, le=100, description="How many years the money stays invested.")


class RoiResult(BaseModel):
    """What the investment grows to."""

    principal: float = Field(description="Amount invested.")
    rate: float = Field(description="Annual rate of return in percent.")
    years: float = Field(description="Years invested.")
    final_value: float = Field(description="Value at the end, compounded yearly, rounded to cents.")
    profit: float = Field(description="Final value minus principal.")
    roi_percent: float = Field(description="Profit as a percentage of the principal.")
