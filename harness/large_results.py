"""A weather provider whose every report is large: a condition of about 5,100 characters, some 1,900 tokens
(under the 6,000 characters the workflow keeps of a result, over the share of a small window one result may
take). An orchestrator worker started with ``WEATHER_PROVIDER=harness.large_results:VerboseWeatherProvider``
gets a large tool result on every turn that asks for the weather, as a verbose real tool would give: the tests
and the bench use it to show that a chat stays inside a small model's window."""

from __future__ import annotations

from orchestrator.local_tools.weather import OfflineWeatherProvider, WeatherReport

CONDITION_REPEATS = 300


class VerboseWeatherProvider:
    """The bundled observations, each with a very long account of the sky."""

    def __init__(self) -> None:
        self._offline = OfflineWeatherProvider()

    async def current(self, city: str) -> WeatherReport:
        report = await self._offline.current(city)
        detail = " ".join(f"hour {hour % 24}: {report.condition}," for hour in range(CONDITION_REPEATS))
        return report.model_copy(update={"condition": f"{report.condition}; over the day: {detail}"})
