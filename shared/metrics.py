"""Metrics: the one place that reads whether a process serves them, and the suite's own metric names.

With ``METRICS_ADDRESS`` set (``127.0.0.1:9464``), every client made by ``shared.connection.connect`` runs on
a Temporal runtime that serves Prometheus metrics at ``http://<address>/metrics``: the SDK's own (workflow
and activity task latencies, poll counts, Nexus operations...) and the suite's, recorded through the SDK's
metric meter (``workflow.metric_meter()``, replay-safe; ``activity.metric_meter()``). Unset: no runtime of
our own and no endpoint; recording through the meter then costs nothing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

ADDRESS_VARIABLE = "METRICS_ADDRESS"

MODEL_CALL_LATENCY = "agent_model_call_latency"
"""Histogram (ms) of one model call, by ``model`` and ``outcome`` (ok / failed)."""
MODEL_TOKENS = "agent_model_tokens"
"""Counter of tokens, by ``model`` and ``direction`` (input / output)."""
MODEL_COST = "agent_model_cost_usd"
"""Histogram of one call's cost in USD by ``model``, from litellm's bundled price list (0 when unknown)."""
TOOL_CALL_LATENCY = "agent_tool_call_latency"
"""Histogram (ms) of one tool call as the agent sees it (approval wait included), by ``team``, ``tool`` and
``outcome`` (ok / failed)."""
BREAKER_OPENINGS = "agent_circuit_breaker_openings"
"""Counter of circuit breakers opening, by ``team``."""
APPROVALS_REQUESTED = "agent_approvals_requested"
"""Counter of calls that started waiting for a person's yes, by ``team`` and ``tool``; minus the decided
ones, the approvals pending."""
APPROVALS_DECIDED = "agent_approvals_decided"
"""Counter of those calls' outcomes, by ``team``, ``tool`` and ``outcome`` (approved / denied / expired)."""
APPROVAL_WAIT = "agent_approval_wait"
"""Histogram (ms) of how long a call waited for its decision, by ``team``, ``tool`` and ``outcome``."""
TURNS = "agent_turns"
"""Counter of turns (answered messages), by ``task_queue``: turns per chat is its rate over chats started."""
CHATS_STARTED = "agent_chats_started"
"""Counter of chats started, by ``task_queue``."""

_runtime: Runtime | None = None


def metrics_address(environ: Mapping[str, str] | None = None) -> str | None:
    """Where this process serves its metrics; None when ``METRICS_ADDRESS`` is unset or empty."""
    environ = os.environ if environ is None else environ
    return environ.get(ADDRESS_VARIABLE, "").strip() or None


def metrics_runtime() -> Runtime | None:
    """The runtime serving Prometheus metrics at ``METRICS_ADDRESS`` (one per process), or None."""
    global _runtime
    address = metrics_address()
    if address is None:
        return None
    if _runtime is None:
        _runtime = Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=address)))
    return _runtime


def describe_metrics() -> dict[str, str]:
    """For a worker's start-up line: where its metrics are served, or that they are off."""
    address = metrics_address()
    return {"metrics": f"http://{address}/metrics" if address else "off"}
