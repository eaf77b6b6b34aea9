"""The Finance tools and their offline provider."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from finance_service.models import RoiArguments, StockPriceArguments
from finance_service.providers import OfflineQuoteProvider
from finance_service.roi import compound_roi
from finance_service.tools import build_team
from shared.kit import ToolError


async def test_offline_quote_has_price_change_and_date() -> None:
    quote = await OfflineQuoteProvider().quote("TSLA")

    assert quote.price == 402.15
    assert quote.change_percent == round((402.15 - 395.60) / 395.60 * 100, 2)
    assert (quote.currency, quote.as_of, quote.source) == ("USD", "2026-11-20", "offline")


async def test_an_unknown_ticker_is_a_tool_error_listing_known_tickers() -> None:
    with pytest.raises(ToolError, match="No quote for ticker 'ZZZZ'; known tickers: AAPL"):
        await OfflineQuoteProvider().quote("ZZZZ")


@pytest.mark.parametrize(
    ("given", "normalized"),
    [
        ("tsla", "TSLA"),
        (" brk.b ", "BRK.B"),
        ("NVIDIA  Corporation", "NVIDIA Corporation"),
        ("nvidia", "nvidia"),
    ],
)
def test_tickers_are_upper_cased_and_names_kept_as_written(given: str, normalized: str) -> None:
    assert StockPriceArguments.model_validate({"ticker": given}).ticker == normalized


@pytest.mark.parametrize("ticker", ["", "123", "$TSLA", "<script>", "x" * 81, "TS\nLA;"])
def test_malformed_tickers_and_names_are_rejected(ticker: str) -> None:
    with pytest.raises(ValidationError):
        StockPriceArguments.model_validate({"ticker": ticker})


def test_the_schema_tells_the_model_a_company_name_will_do() -> None:
    ticker = StockPriceArguments.model_json_schema()["properties"]["ticker"]

    assert "company's name" in ticker["description"]
    assert "NVIDIA Corporation" in ticker["examples"]


@pytest.mark.parametrize(
    ("asked", "ticker"),
    [
        ("NVIDIA Corporation", "NVDA"),
        ("nvidia", "NVDA"),
        ("NVIDIA", "NVDA"),
        ("Nvidia Corp", "NVDA"),
        ("apple", "AAPL"),
        ("APPLE", "AAPL"),
        ("Apple Inc.", "AAPL"),
        ("Microsoft", "MSFT"),
        ("amazon", "AMZN"),
        ("Amazon.com", "AMZN"),
        ("Berkshire Hathaway", "BRK.B"),
        ("JP Morgan", "JPM"),
        ("Tesla", "TSLA"),
        ("Google", "GOOGL"),
        ("Facebook", "META"),
        ("visa", "V"),
        ("tsla", "TSLA"),
    ],
)
async def test_a_company_name_finds_its_quote_from_the_providers_data(asked: str, ticker: str) -> None:
    quote = await OfflineQuoteProvider().quote(asked)

    assert quote.ticker == ticker
    assert quote.price > 0


async def test_a_name_no_company_has_is_a_tool_error_listing_the_companies() -> None:
    with pytest.raises(ToolError) as raised:
        await OfflineQuoteProvider().quote("Initech")

    message = str(raised.value)
    assert message.startswith("No quote for ticker or company name 'Initech'; known tickers: ")
    assert "NVDA (NVIDIA Corporation)" in message


async def test_the_finance_tool_quotes_by_company_name() -> None:
    team = build_team(OfflineQuoteProvider())
    tool = next(tool for tool in team.tools if tool.name == "stock_price")

    quote = await tool.invoke(tool.arguments.model_validate({"ticker": "NVIDIA Corporation"}))

    assert (quote.ticker, quote.name, quote.price) == ("NVDA", "NVIDIA Corporation", 187.64)


def test_roi_compounds_yearly() -> None:
    result = compound_roi(RoiArguments(principal=10_000, rate=5, years=10))

    assert result.final_value == 16288.95
    assert result.profit == 6288.95
    assert result.roi_percent == 62.89


def test_a_negative_rate_loses_money() -> None:
    result = compound_roi(RoiArguments(principal=1_000, rate=-10, years=2))

    assert result.final_value == 810.0
    assert result.roi_percent == -19.0


@pytest.mark.parametrize(
    "arguments",
    [
        {"principal": 0, "rate": 5, "years": 1},
        {"principal": -100, "rate": 5, "years": 1},
        {"principal": 100, "rate": -100, "years": 1},
        {"principal": 100, "rate": 5, "years": 0},
        {"principal": 100, "rate": 5, "years": 101},
    ],
)
def test_impossible_investments_are_rejected(arguments: dict[str, float]) -> None:
    with pytest.raises(ValidationError):
        RoiArguments.model_validate(arguments)
