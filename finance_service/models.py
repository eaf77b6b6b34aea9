"""Arguments and results of the Finance tools; field descriptions become the JSON Schema the model reads."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class StockPriceArguments(BaseModel):
    """Which stock to quote."""

    model_config = ConfigDict(extra="forbid")

    ticker: str = Field(
        pattern=r"^[A-Z]{1,5}(\.[A-Z]{1,2})?$",
        description="Stock ticker symbol, e.g. TSLA or BRK.B.",
    )

    @field_validator("ticker", mode="before")
    @classmethod
    def _upper_case(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value


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
