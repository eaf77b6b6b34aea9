"""Percentiles of durations, without numpy."""

from __future__ import annotations

import math
from collections.abc import Sequence

from scripts.benchmark.models import LatencyStats


def percentile(values: Sequence[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        raise ValueError("no samples")
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def latency_stats(seconds: Sequence[float]) -> LatencyStats:
    """Summarize durations given in seconds, as milliseconds."""
    milliseconds = [value * 1000 for value in seconds]
    return LatencyStats(
        count=len(milliseconds),
        p50_ms=round(percentile(milliseconds, 0.50), 2),
        p95_ms=round(percentile(milliseconds, 0.95), 2),
        mean_ms=round(sum(milliseconds) / len(milliseconds), 2),
        max_ms=round(max(milliseconds), 2),
    )
