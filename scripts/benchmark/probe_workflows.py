"""The workflows and activity of the single-step probe: each iteration times, on the workflow's clock, one
plain activity, one local activity, one synchronous Nexus operation (``list_tools``) and one Nexus
``execute_tool`` of a cheap tool, one after the other, so drift on the machine hits all four alike."""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel, Field

    from shared.contract import ExecuteToolInput, ListToolsInput, ToolService

PROBE_WORKFLOW = "BenchProbeWorkflow"
STEP_TIMEOUT = timedelta(seconds=30)
NO_RETRY = RetryPolicy(maximum_attempts=1)


class ProbeInput(BaseModel):
    """What one probe run does."""

    iterations: int = Field(ge=1, description="Rounds of the four steps.")
    endpoint: str = Field(description="Nexus endpoint of the tool service to call.")
    tool: str = Field(description="A cheap tool of that service.")
    arguments: dict[str, float] = Field(description="The tool's arguments.")


class ProbeTimings(BaseModel):
    """Seconds each step took, per iteration, on the workflow clock (workflow task start to start)."""

    plain_activity: list[float] = Field(default_factory=list)
    local_activity: list[float] = Field(default_factory=list)
    nexus_sync_operation: list[float] = Field(default_factory=list)
    nexus_execute_tool: list[float] = Field(default_factory=list)


@activity.defn(name="bench_echo")
async def echo(text: str) -> str:
    """The cheapest possible activity: what any step costs beyond its own work."""
    return text


@workflow.defn(name=PROBE_WORKFLOW)
class ProbeWorkflow:
    @workflow.run
    async def run(self, probe: ProbeInput) -> ProbeTimings:
        timings = ProbeTimings()
        nexus = workflow.create_nexus_client(service=ToolService, endpoint=probe.endpoint)
        for index in range(probe.iterations):
            started = workflow.time()
            await workflow.execute_activity(
                echo, "ping", start_to_close_timeout=STEP_TIMEOUT, retry_policy=NO_RETRY
            )
            done = workflow.time()
            timings.plain_activity.append(done - started)

            started = done
            await workflow.execute_local_activity(
                echo, "ping", start_to_close_timeout=STEP_TIMEOUT, retry_policy=NO_RETRY
            )
            done = workflow.time()
            timings.local_activity.append(done - started)

            started = done
            await nexus.execute_operation(
                ToolService.list_tools, ListToolsInput(), schedule_to_close_timeout=STEP_TIMEOUT
            )
            done = workflow.time()
            timings.nexus_sync_operation.append(done - started)

            started = done
            await nexus.execute_operation(
                ToolService.execute_tool,
                ExecuteToolInput(
                    tool=probe.tool,
                    arguments=dict(probe.arguments),
                    call_id=f"{workflow.info().workflow_id}/{index}",
                ),
                schedule_to_close_timeout=STEP_TIMEOUT,
            )
            done = workflow.time()
            timings.nexus_execute_tool.append(done - started)
        return timings
