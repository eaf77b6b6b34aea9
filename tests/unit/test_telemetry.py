"""Traces are on only when an OTLP endpoint variable is set: otherwise ``connect`` gives a client with no
tracing plugin or interceptor, and no tracer provider or OpenTelemetry SDK is loaded. Each case runs in a
process of its own, since a tracer provider is set once per process."""

from __future__ import annotations

import os
import subprocess
import sys

from shared.telemetry import ENDPOINT_VARIABLES, describe_tracing, tracing_enabled

# connect() with Client.connect replaced: what would the client be given?
PROBE = """
import asyncio, sys
import opentelemetry.trace
from temporalio.client import Client
import shared.connection

async def fake_connect(*args, **kwargs):
    return kwargs

Client.connect = fake_connect
config = asyncio.run(shared.connection.connect("default"))
print(sorted(type(plugin).__name__ for plugin in config.get("plugins") or []))
print(len(config.get("interceptors") or []))
print(type(opentelemetry.trace.get_tracer_provider()).__name__)
print("opentelemetry.sdk.trace" in sys.modules)
"""


def probe(**variables: str) -> list[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("OTEL_")}
    environment.update(
        TEMPORAL_ADDRESS="127.0.0.1:1", TEMPORAL_NAMESPACE="", TEMPORAL_PROFILE="", **variables
    )
    environment.pop("PAYLOAD_KEYS_FILE", None)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=environment, capture_output=True, text=True, check=True
    )
    return result.stdout.splitlines()


def test_without_an_otlp_endpoint_the_client_gets_no_tracing_and_no_provider_is_loaded() -> None:
    assert probe() == ["[]", "0", "ProxyTracerProvider", "False"]


def test_an_empty_endpoint_variable_means_off() -> None:
    assert probe(OTEL_EXPORTER_OTLP_ENDPOINT="", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=" ")[0] == "[]"


def test_with_an_otlp_endpoint_the_client_traces_with_a_replay_safe_provider() -> None:
    plugins, interceptors, provider, sdk_loaded = probe(OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:1")

    assert plugins == "['OpenTelemetryPlugin']"
    assert interceptors == "0"  # the plugin brings its interceptor to the client itself
    assert provider == "ReplaySafeTracerProvider"
    assert sdk_loaded == "True"


def test_either_standard_variable_turns_tracing_on_and_the_traces_one_is_reported_first() -> None:
    assert not tracing_enabled({})
    for name in ENDPOINT_VARIABLES:
        assert tracing_enabled({name: "http://collector:4318"})
    both = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://b/v1/traces",
    }
    assert describe_tracing(both) == {"traces": "http://b/v1/traces"}
    assert describe_tracing({}) == {"traces": "off"}
