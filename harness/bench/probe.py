"""One step inside a workflow: a plain activity, then a Nexus ``execute_tool`` of a cheap Finance tool, in
turns, each timed on the workflow clock, so drift on the machine hits both alike. The probe workflow runs
on a worker inside the bench process, outside the sandbox as the agent's workflow; the tool runs on the
Finance team's worker process."""

from __future__ import annotations

import uuid
from datetime import timedelta

from pydantic import BaseModel, Field
from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.common import RetryPolicy
from temporalio.worker import Worker

from shared.contract import ExecuteToolInput, ToolService
from shared.topology import load_topology

TEAM = "finance"
TOOL = "calculate_roi"
ARGUMENTS = {"principal": 10_000.0, "rate": 5.0, "years": 10.0}
STEP_TIMEOUT = timedelta(seconds=30)
ONCE = RetryPolicy(maximum_attempts=1)
BATCH = 25
"""Rounds per probe workflow, so that no history grows large."""
WARM_UP = 3


class ProbeInput(BaseModel):
    """What one probe run does."""

    rounds: int = Field(ge=1, description="Rounds of one activity then one remote tool call.")
    endpoint: str = Field(description="Nexus endpoint of the tool service to call.")


class ProbeTimings(BaseModel):
    """Seconds each step took, per round, from one workflow task's start to the next one's."""

    activity: list[float] = Field(default_factory=list, description="The echo activity.")
    remote_tool: list[float] = Field(default_factory=list, description="Nexus execute_tool.")


@activity.defn(name="bench_echo")
async def echo(text: str) -> str:
    """The cheapest activity: what any step costs beyond its own work."""
    return text


@workflow.defn(name="BenchProbeWorkflow", sandboxed=False)
class ProbeWorkflow:
    @workflow.run
    async def run(self, probe: ProbeInput) -> ProbeTimings:
        timings = ProbeTimings()
        tools = workflow.create_nexus_client(service=ToolService, endpoint=probe.endpoint)
        for round_number in range(probe.rounds):
            started = workflow.time()
            await workflow.execute_activity(
                echo, "ping", start_to_close_timeout=STEP_TIMEOUT, retry_policy=ONCE
            )
            middle = workflow.time()
            call = ExecuteToolInput(
                tool=TOOL, arguments=dict(ARGUMENTS), call_id=f"{workflow.info().workflow_id}/{round_number}"
            )
            await tools.execute_operation(
                ToolService.execute_tool, call, schedule_to_close_timeout=STEP_TIMEOUT
            )
            timings.activity.append(middle - started)
            timings.remote_tool.append(workflow.time() - middle)
        return timings


async def probe_steps(client: Client, rounds: int) -> ProbeTimings:
    """At least ``rounds`` timed rounds (in whole batches), after a few uncounted ones that warm up."""
    task_queue = f"bench-probe-{uuid.uuid4().hex[:8]}"
    probe = ProbeInput(rounds=BATCH, endpoint=load_topology().tool_service(TEAM).endpoint)
    async with Worker(client, task_queue=task_queue, workflows=[ProbeWorkflow], activities=[echo]):
        batches = [
            await client.execute_workflow(
                ProbeWorkflow.run, probe, id=f"{task_queue}-{uuid.uuid4()}", task_queue=task_queue
            )
            for _ in range(-(-(rounds + WARM_UP) // BATCH))
        ]
    return ProbeTimings(
        activity=[seconds for batch in batches for seconds in batch.activity][WARM_UP:],
        remote_tool=[seconds for batch in batches for seconds in batch.remote_tool][WARM_UP:],
    )
