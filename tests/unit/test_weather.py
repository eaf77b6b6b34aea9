"""The weather tool's offline provider: bundled observations, found by city name however it is typed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from orchestrator.local_tools.weather import (
    WEATHER_PROVIDER_VARIABLE,
    OfflineWeatherProvider,
    WeatherArguments,
    weather,
    weather_provider,
)
from shared.kit import ToolError


@pytest.mark.parametrize("typed", ["Paris", "paris", "PARIS", "  Paris  ", "pArIs"])
async def test_a_city_is_found_whatever_its_case_or_surrounding_spaces(typed: str) -> None:
    report = await OfflineWeatherProvider().current(typed)

    assert report.city == "Paris"


@pytest.mark.parametrize("typed", ["san francisco", "San   Francisco", " SAN FRANCISCO "])
async def test_a_multi_word_city_is_found_whatever_the_spacing_between_words(typed: str) -> None:
    report = await OfflineWeatherProvider().current(typed)

    assert report.city == "San Francisco"


async def test_a_report_carries_the_conditions_and_says_it_is_offline_data() -> None:
    report = await OfflineWeatherProvider().current("London")

    assert (report.country, report.source) == ("GB", "offline")
    assert 0 <= report.humidity_percent <= 100
    assert report.wind_kph >= 0
    assert report.condition
    assert report.as_of


async def test_the_same_city_gives_the_same_report() -> None:
    provider = OfflineWeatherProvider()

    assert await provider.current("Tokyo") == await provider.current("tokyo")


async def test_an_unknown_city_is_a_tool_error_naming_it_and_listing_known_cities() -> None:
    with pytest.raises(ToolError) as raised:
        await OfflineWeatherProvider().current("Atlantis")

    message = str(raised.value)
    assert "'Atlantis'" in message
    assert "known cities:" in message
    for city in ("Paris", "San Francisco", "Tokyo"):
        assert city in message


@pytest.fixture
def default_weather_provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(WEATHER_PROVIDER_VARIABLE, raising=False)
    weather_provider.cache_clear()
    yield
    weather_provider.cache_clear()


@pytest.mark.usefixtures("default_weather_provider")
async def test_the_weather_tool_uses_the_offline_provider_by_default() -> None:
    report = await weather(WeatherArguments(city="new york"))

    assert (report.city, report.source) == ("New York", "offline")
