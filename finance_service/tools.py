"""The Finance team's tools, declared with the shared kit."""

from __future__ import annotations

from finance_service.models import RoiArguments, RoiResult, StockPriceArguments, StockQuote
from finance_service.providers import QuoteProvider, quote_provider
from finance_service.roi import compound_roi
from shared.kit import Tool, ToolTeam

TEAM = "finance"
READ = "finance:read"


def build_team(quotes: QuoteProvider | None = None) -> ToolTeam:
    """The Finance tools, backed by the given quote provider or the one the environment chooses."""
    quotes = quotes or quote_provider()

    async def stock_price(arguments: StockPriceArguments) -> StockQuote:
        return await quotes.quote(arguments.ticker)

    async def calculate_roi(arguments: RoiArguments) -> RoiResult:
        return compound_roi(arguments)

    return ToolTeam(
        TEAM,
        [
            Tool(
                name="stock_price",
                description=(
                    "Get the latest price of a stock (its last close) by its ticker symbol or its company's "
                    "name, with the day's change."
                ),
                arguments=StockPriceArguments,
                run=stock_price,
                scopes=(READ,),
            ),
            Tool(
                name="calculate_roi",
                description=(
                    "Calculate the return on an investment compounded yearly: final value, profit and ROI "
                    "for a principal, an annual rate in percent and a number of years."
                ),
                arguments=RoiArguments,
                run=calculate_roi,
                scopes=(READ,),
            ),
        ],
    )
