"""Traces: the one place that reads whether the suite exports them.

Tracing is on when the standard ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` or ``OTEL_EXPORTER_OTLP_ENDPOINT``
variable is set (non-empty). Then the process gets a replay-safe tracer provider (deterministic span ids
inside workflows, no span ended while a workflow replays) that exports over OTLP/HTTP in batches, and every
client made by ``shared.connection.connect`` carries the SDK's ``OpenTelemetryPlugin``, so the workers built
on it trace too: client calls, workflows, update handlers, activities and Nexus operations, the context
carried across namespaces in Nexus and workflow headers. The exporter reads the other ``OTEL_*`` variables
itself (headers, timeout, ``OTEL_BSP_SCHEDULE_DELAY``...); ``OTEL_SERVICE_NAME`` names the process.

Otherwise nothing is installed and nothing of OpenTelemetry's SDK is imported: spans started through the
API (the model call's) go to its no-op tracer.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
"""Either one turns tracing on; the traces one wins, as OpenTelemetry specifies."""
SERVICE_NAME_VARIABLE = "OTEL_SERVICE_NAME"
SERVICE_PREFIX = "nexus-agents"
"""A process's default service name is ``nexus-agents:<namespace>`` (the part's bare namespace)."""

_provider: Any = None
"""This process's tracer provider, once installed."""


def tracing_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """Whether traces are exported: an OTLP endpoint variable is set and not empty."""
    environ = os.environ if environ is None else environ
    return any(environ.get(name, "").strip() for name in ENDPOINT_VARIABLES)


def describe_tracing(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """For a worker's start-up line: where its traces go, or that they are off."""
    environ = os.environ if environ is None else environ
    endpoint = next(
        (environ[name].strip() for name in ENDPOINT_VARIABLES if environ.get(name, "").strip()), ""
    )
    return {"traces": endpoint or "off"}


def tracing_plugins(service: str) -> list[Any]:
    """The client plugins that trace (installing the tracer provider on first use), or none when tracing
    is off. ``service`` names this process unless ``OTEL_SERVICE_NAME`` does."""
    if not tracing_enabled():
        return []
    from temporalio.contrib.opentelemetry import OpenTelemetryPlugin

    install_tracer_provider(service)
    return [OpenTelemetryPlugin(add_temporal_spans=True)]


def install_tracer_provider(service: str) -> None:
    """Make a replay-safe provider exporting over OTLP/HTTP this process's global one (once)."""
    global _provider
    if _provider is not None:
        return
    import opentelemetry.trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from temporalio.contrib.opentelemetry import create_tracer_provider

    name = os.environ.get(SERVICE_NAME_VARIABLE) or f"{SERVICE_PREFIX}:{service}"
    provider = create_tracer_provider(resource=Resource.create({"service.name": name}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    opentelemetry.trace.set_tracer_provider(provider)
    _provider = provider


def flush_traces(timeout_seconds: float = 5.0) -> None:
    """Export the spans still buffered, then stop exporting: before a process ends without ``atexit``
    (``shared.process.exit_process``). Nothing to do when tracing is off."""
    global _provider
    if _provider is None:
        return
    _provider.force_flush(int(timeout_seconds * 1000))
    _provider.shutdown()
    _provider = None
