"""The model call's metrics, recorded through the activity's metric meter (served when ``METRICS_ADDRESS``
is set, see ``shared.metrics``): latency by model and outcome, tokens by direction, cost from litellm's
bundled price list."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import litellm
from temporalio import activity

from shared.metrics import MODEL_CALL_LATENCY, MODEL_COST, MODEL_TOKENS


def record_model_call(model: str, seconds: float, response: Any | None, cost: float = 0.0) -> None:
    """One call to ``model`` that took ``seconds``; ``response`` is litellm's, None when the call failed;
    ``cost`` its price (``call_cost``)."""
    meter = activity.metric_meter()
    outcome = "ok" if response is not None else "failed"
    meter.create_histogram_timedelta(MODEL_CALL_LATENCY, "One model call.", "ms").record(
        timedelta(seconds=seconds), {"model": model, "outcome": outcome}
    )
    if response is None:
        return
    usage = getattr(response, "usage", None)
    tokens = meter.create_counter(MODEL_TOKENS, "Tokens of model calls.", "tokens")
    tokens.add(int(getattr(usage, "prompt_tokens", 0) or 0), {"model": model, "direction": "input"})
    tokens.add(int(getattr(usage, "completion_tokens", 0) or 0), {"model": model, "direction": "output"})
    meter.create_histogram_float(MODEL_COST, "Cost of one model call.", "USD").record(cost, {"model": model})


def call_cost(response: Any) -> float:
    """litellm's price of the call from its bundled price list; 0 for a model it has no price for. litellm
    prices each response it returns (``response_cost`` of its hidden parameters, None when it has no price):
    read, not priced again."""
    hidden = getattr(response, "_hidden_params", None) or {}
    if "response_cost" in hidden:
        return float(hidden["response_cost"] or 0.0)
    try:
        return float(litellm.completion_cost(completion_response=response) or 0.0)
    except Exception:  # an unpriced model (the offline one, a local server) costs nothing we know of
        return 0.0
