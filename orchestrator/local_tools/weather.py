"""Current weather by city. The offline provider ships bundled, deterministic observations; a real one is
chosen with ``WEATHER_PROVIDER=package.module:ClassName``."""

from __future__ import annotations

import json
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from shared.kit import ToolError
from shared.kit.provider_loading import load_provider

WEATHER_PROVIDER_VARIABLE = "WEATHER_PROVIDER"
WEATHER_FILE = Path(__file__).with_name("data") / "weather.json"


class WeatherArguments(BaseModel):
    """Which city."""

    model_config = ConfigDict(extra="forbid")

    city: str = Field(
        min_length=1, max_length=80, description="City name, e.g. Paris or San Francisco.", examples=["Paris"]
    )


class WeatherReport(BaseModel):
    """Current conditions in one city."""

    city: str = Field(description="City name.")
    country: str = Field(description="ISO country code.")
    temperature_c: float = Field(description="Air temperature in degrees Celsius.")
    condition: str = Field(description="Sky and precipitation, e.g. light rain.")
    humidity_percent: int = Field(ge=0, le=100, description="Relative humidity.")
    wind_kph: float = Field(ge=0, description="Wind speed in km/h.")
    as_of: str = Field(description="Time of the observation (UTC).")
    source: str = Field(description="Which provider answered (`offline` for bundled data).")


@runtime_checkable
class WeatherProvider(Protocol):
    """Answers with a city's current weather; raises ``ToolError`` for a city it does not know."""

    async def current(self, city: str) -> WeatherReport: ...


class OfflineWeatherProvider:
    """Observations of a fixed moment for sixteen cities (``data/weather.json``)."""

    @cached_property
    def _data(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(WEATHER_FILE.read_text())
        return data

    async def current(self, city: str) -> WeatherReport:
        by_folded_name = {name.casefold(): name for name in self._data["cities"]}
        name = by_folded_name.get(" ".join(city.split()).casefold())
        if name is None:
            known = ", ".join(sorted(self._data["cities"]))
            raise ToolError(f"No weather for {city!r}; known cities: {known}")
        return WeatherReport(
            city=name, **self._data["cities"][name], as_of=self._data["as_of"], source="offline"
        )


@cache
def weather_provider() -> WeatherProvider:
    """The provider the environment chooses, built once per worker process."""
    return load_provider(WEATHER_PROVIDER_VARIABLE, OfflineWeatherProvider, WeatherProvider)


async def weather(arguments: WeatherArguments) -> WeatherReport:
    return await weather_provider().current(arguments.city)
