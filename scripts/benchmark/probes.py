"""A remote tool call against a plain activity, in the same run: the probe workflow runs on a worker inside
this process, on its own task queue in ``default``; the tool runs on the Finance team's worker process."""

from __future__ import annotations

import uuid

from temporalio.worker import Worker

from scripts.benchmark.models import ProbeResult
from scripts.benchmark.probe_workflows import ProbeInput, ProbeTimings, ProbeWorkflow, echo
from scripts.benchmark.stack import BenchStack
from scripts.benchmark.stats import latency_stats
from shared.topology import load_topology

TEAM = "finance"
TOOL = "calculate_roi"
ARGUMENTS = {"principal": 10_000.0, "rate": 5.0, "years": 10.0}
BATCH = 25
"""Iterations per probe workflow, so no history grows large."""
WARM_UP = 3


async def measure_probes(stack: BenchStack, iterations: int) -> ProbeResult:
    """Time ``iterations`` rounds of the four steps (after a few warm-up rounds that are not counted)."""
    task_queue = f"bench-probe-{uuid.uuid4().hex[:8]}"
    endpoint = load_topology().tool_service(TEAM).endpoint
    collected = ProbeTimings()
    async with Worker(stack.client, task_queue=task_queue, workflows=[ProbeWorkflow], activities=[echo]):
        remaining = iterations + WARM_UP
        while remaining > 0:
            batch = min(BATCH, remaining)
            timings = await stack.client.execute_workflow(
                ProbeWorkflow.run,
                ProbeInput(iterations=batch, endpoint=endpoint, tool=TOOL, arguments=ARGUMENTS),
                id=f"bench-probe-{uuid.uuid4()}",
                task_queue=task_queue,
            )
            for name in ProbeTimings.model_fields:
                getattr(collected, name).extend(getattr(timings, name))
            remaining -= batch
    counted = {name: getattr(collected, name)[WARM_UP:] for name in ProbeTimings.model_fields}
    plain = latency_stats(counted["plain_activity"])
    remote = latency_stats(counted["nexus_execute_tool"])
    return ProbeResult(
        plain_activity=plain,
        local_activity=latency_stats(counted["local_activity"]),
        nexus_sync_operation=latency_stats(counted["nexus_sync_operation"]),
        nexus_execute_tool=remote,
        ratio_p50=round(remote.p50_ms / plain.p50_ms, 2),
        ratio_p95=round(remote.p95_ms / plain.p95_ms, 2),
    )
