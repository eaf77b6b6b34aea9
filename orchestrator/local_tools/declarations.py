"""The local tools as declarations. Importing this reads nothing from the environment (the workflow reads
their specs and policies); the weather provider is chosen when the tool first runs, on the worker."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from orchestrator.local_tools.calculator import CalculatorArguments, calculator
from orchestrator.local_tools.weather import WeatherArguments, weather
from shared.kit import ActivityPolicy, Tool

LOCAL_TOOLS: tuple[Tool[Any, Any], ...] = (
    Tool(
        name="calculator",
        description="Evaluate an arithmetic expression exactly (use it for any arithmetic).",
        arguments=CalculatorArguments,
        run=calculator,
        policy=ActivityPolicy(start_to_close_timeout=timedelta(seconds=5), maximum_attempts=2),
    ),
    Tool(
        name="weather",
        description="Get the current weather in a city: temperature, conditions, humidity and wind.",
        arguments=WeatherArguments,
        run=weather,
        policy=ActivityPolicy(start_to_close_timeout=timedelta(seconds=15)),
    ),
)
